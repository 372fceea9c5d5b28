"""The demo's API tokens: one for a school, one (revoked) for a partner agency, so the token list
has something to show. Their secrets are thrown away; to try the API, create a token."""

from __future__ import annotations

from cme.accounts.models import Authority, Membership, PartnerAgency, Role
from cme.api import services
from cme.api.models import ApiToken
from cme.registers.models import Establishment


def build_api_tokens(authority: Authority) -> int:
    """Add the demo tokens to `authority` unless it has tokens; return how many were added."""
    if ApiToken.objects.filter(authority=authority).exists():
        return 0
    admin = (
        Membership.objects.filter(authority=authority, role=Role.ADMINISTRATOR, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    school = Establishment.objects.filter(la_code=authority.la_code, is_open=True).first()
    agency = PartnerAgency.objects.filter(authority=authority, is_active=True).first()
    if admin is None or school is None or agency is None:
        return 0
    services.api_token_create(
        actor=admin.user, authority=authority, name="School MIS", establishment=school
    )
    old = services.api_token_create(
        actor=admin.user, authority=authority, name="Old case system", agency=agency
    )
    services.api_token_revoke(actor=admin.user, token=old.token)
    return 2
