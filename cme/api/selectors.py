"""Reads for the API and its token pages, always scoped: to the administrator's authority, or to
the organisation a token belongs to."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from cme.accounts.models import PartnerAgency
from cme.api import tokens
from cme.api.models import ApiToken
from cme.cases.models import Case, Stage
from cme.intake.models import Referral, Route, Status
from cme.intake.selectors import status_for_referrer
from cme.registers.models import Establishment


def tokens_visible_to(user: Any) -> QuerySet[ApiToken]:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("api.manage_tokens"):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(authority_id=membership.authority_id).select_related(
        "establishment", "agency", "created_by"
    )


def token_organisations(user: Any) -> tuple[QuerySet[Establishment], QuerySet[PartnerAgency]]:
    """The open schools in the administrator's area and the authority's active agencies."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return Establishment.objects.none(), PartnerAgency.objects.none()
    return (
        Establishment.objects.filter(la_code=membership.authority.la_code, is_open=True).order_by(
            "name"
        ),
        PartnerAgency.objects.filter(authority_id=membership.authority_id, is_active=True).order_by(
            "name"
        ),
    )


def token_for(presented: str) -> ApiToken | None:
    """The active token a caller presented, or None: malformed, unknown, wrong secret or revoked."""
    prefix = tokens.prefix_of(presented)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.filter(prefix=prefix)
        .select_related("authority", "establishment", "agency")
        .first()
    )
    if token is None or not tokens.matches(presented, token.secret_hash):
        return None
    return token if token.revoked_at is None else None


def referral_status_for(token: ApiToken, reference: str) -> tuple[Referral, Status] | None:
    """One of the token's agency's own referrals and the status its referrer may see."""
    if token.agency_id is None:
        return None
    closed_case = Case.objects.filter(pk=OuterRef("case_id"), stage=Stage.CLOSED)
    referral = (
        Referral.objects.filter(
            reference=reference,
            route=Route.PARTNER,
            referrer_agency_id=token.agency_id,
            authority_id=token.authority_id,
        )
        .annotate(case_closed=Exists(closed_case))
        .only("reference", "status", "case_id")
        .first()
    )
    if referral is None:
        return None
    # The rule for what a referrer sees is the intake app's; the API gives its code, not its label.
    label = status_for_referrer(referral)
    return referral, next(status for status in Status if status.label == label)
