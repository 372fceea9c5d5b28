"""Every change the API makes: creating and revoking tokens, and the submissions that arrive with
one. Each service is atomic and records its audit event; payloads carry the token's prefix and
coded values, never the secret and never what was written about a child.

Submissions call the same services as the pages (with no person as the actor: a system sent
them) and add one event naming the token, so the trail shows which organisation's system it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from cme.accounts.models import Authority, PartnerAgency, User
from cme.api import tokens
from cme.api.models import ApiToken
from cme.core import audit
from cme.core.models import AuditAction
from cme.intake import services as intake_services
from cme.intake.models import Referral
from cme.intake.services import ChildDetails
from cme.registers.models import Establishment
from cme.returns import services as return_services
from cme.returns.models import Channel, DeletionReturn, NewPupilReturn
from cme.returns.validation import DeletionDetails, NewPupilDetails


class TokenRefused(Exception):
    """A token change the rules do not allow; the message says why."""


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # the whole token: show it once, never store or log it


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    authority: Authority,
    name: str,
    establishment: Establishment | None = None,
    agency: PartnerAgency | None = None,
    for_authority: bool = False,
) -> CreatedToken:
    """A token for one school in the authority's area, one of the authority's agencies, or the
    authority's own systems (`for_authority`)."""
    if [establishment is not None, agency is not None, for_authority].count(True) != 1:
        raise TokenRefused("Choose one school, one partner agency or the authority's own system")
    if establishment is not None and establishment.la_code != authority.la_code:
        raise TokenRefused("That school is not in your authority's area")
    if agency is not None and agency.authority_id != authority.pk:
        raise TokenRefused("That agency belongs to another authority")
    new = tokens.generate()
    token = ApiToken.objects.create(
        authority=authority,
        establishment=establishment,
        agency=agency,
        name=name.strip(),
        prefix=new.prefix,
        secret_hash=new.digest,
        created_by=actor,
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=token,
        authority=authority,
        payload={"prefix": token.prefix, "organisation_type": token.organisation_kind.value},
    )
    return CreatedToken(token=token, secret=new.token)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop a token working at once. Revoking twice changes nothing."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    token.refresh_from_db()
    if updated:
        audit.record(
            action=AuditAction.PERMISSION_REVOKED,
            actor=actor,
            target=token,
            authority_id=token.authority_id,
            payload={"prefix": token.prefix, "organisation_type": token.organisation_kind.value},
        )
    return token


@transaction.atomic
def api_token_mark_used(*, token: ApiToken) -> None:
    """Bookkeeping for the token list ("last used"); the submissions themselves are audited."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def _record_use(token: ApiToken, record: Model, kind: str) -> None:
    audit.record(
        action=AuditAction.CREATED,
        actor=None,
        target=record,
        authority_id=token.authority_id,
        payload={"via": "api", "token": token.prefix, "kind": kind},
    )


@transaction.atomic
def api_referral_submit(
    *, token: ApiToken, child: ChildDetails, agency_reference: str = ""
) -> Referral:
    """A partner agency's system refers a child for the token's agency."""
    if token.agency is None:
        raise TokenRefused("Only a partner agency's token may refer children")
    referral = intake_services.referral_submit_partner(
        actor=None, agency=token.agency, child=child, agency_reference=agency_reference
    )
    _record_use(token, referral, "referral")
    return referral


@transaction.atomic
def api_deletion_return_submit(*, token: ApiToken, details: DeletionDetails) -> DeletionReturn:
    """A school's system sends a deletion return for the token's school."""
    if token.establishment is None:
        raise TokenRefused("Only a school's token may send school returns")
    ret = return_services.deletion_return_submit(
        actor=None, establishment=token.establishment, details=details, channel=Channel.API
    )
    _record_use(token, ret, "deletion_return")
    return ret


@transaction.atomic
def api_new_pupil_return_submit(*, token: ApiToken, details: NewPupilDetails) -> NewPupilReturn:
    """A school's system sends a new pupil return for the token's school."""
    if token.establishment is None:
        raise TokenRefused("Only a school's token may send school returns")
    ret = return_services.new_pupil_return_submit(
        actor=None, establishment=token.establishment, details=details, channel=Channel.API
    )
    _record_use(token, ret, "new_pupil_return")
    return ret
