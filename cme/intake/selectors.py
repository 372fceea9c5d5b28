"""Reads of referrals, sweeps and contacts, always scoped to the signed-in user's authority."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Upper

from cme.accounts.models import Authority, PartnerAgency
from cme.cases.models import Case, Stage
from cme.children.models import Address, Child, FormerUPN, OtherName
from cme.children.restriction import RESTRICTED_LABEL, details_visible, with_detail_access
from cme.children.upn import normalise_upn
from cme.intake.models import AgencyContact, CMEContact, Referral, Status, TruancySweep


def _authority_id(user: Any, perm: str) -> int | None:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm(perm):
        return None
    return int(membership.authority_id)


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """Every referral of the user's authority, for the CME team that triages them."""
    authority_id = _authority_id(user, "intake.triage_referrals")
    if authority_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(authority_id=authority_id).select_related(
        "authority", "referrer_agency", "sweep", "triaged_by", "case"
    )


def triage_queue(user: Any) -> QuerySet[Referral]:
    """Referrals nobody has triaged yet, oldest first. Two queries a page: the count and the rows."""
    return (
        referrals_visible_to(user)
        .filter(outcome="")
        .select_related(None)
        .select_related("referrer_agency")
        .order_by("received_at", "pk")
    )


def recently_triaged(user: Any, limit: int = 20) -> list[Referral]:
    return list(
        referrals_visible_to(user)
        .exclude(outcome="")
        .select_related(None)
        .select_related("referrer_agency", "triaged_by")
        .order_by("-triaged_at", "-pk")[:limit]
    )


def referrals_made_by(user: Any) -> QuerySet[Referral]:
    """A partner's own referrals (the ones this user made), newest first, with the status only.

    `case_closed` says whether the case a referral led to has since closed: the referrer then
    sees "closed". Nothing else of the case is read.
    """
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("intake.view_own_referrals"):
        return Referral.objects.none()
    closed_case = Case.objects.filter(pk=OuterRef("case_id"), stage=Stage.CLOSED)
    return (
        Referral.objects.filter(referred_by_id=user.pk, authority_id=membership.authority_id)
        .annotate(case_closed=Exists(closed_case))
        .only("reference", "received_at", "status", "case_id", "authority_id")
        .order_by("-received_at", "-pk")
    )


def status_for_referrer(referral: Referral) -> str:
    """Received, being looked at or closed: all a referrer is ever told."""
    if getattr(referral, "case_closed", False):
        return str(Status.CLOSED.label)
    return str(Status(referral.status).label)


def public_authority(la_code: str) -> Authority | None:
    return Authority.objects.filter(la_code=la_code).first()


def cme_contacts_of(authority: Authority) -> QuerySet[CMEContact]:
    return CMEContact.objects.filter(authority=authority).order_by("order", "name")


def cme_contacts_visible_to(user: Any) -> QuerySet[CMEContact]:
    authority_id = _authority_id(user, "intake.view_directory")
    if authority_id is None:
        return CMEContact.objects.none()
    return CMEContact.objects.filter(authority_id=authority_id)


def agencies_with_contacts(user: Any) -> QuerySet[PartnerAgency]:
    """The directory: the authority's partner agencies, each with its contacts. Two queries."""
    authority_id = _authority_id(user, "intake.view_directory")
    if authority_id is None:
        return PartnerAgency.objects.none()
    return (
        PartnerAgency.objects.filter(authority_id=authority_id)
        .prefetch_related(Prefetch("contacts", queryset=AgencyContact.objects.order_by("name")))
        .order_by("-is_active", "name")
    )


def agency_contacts_visible_to(user: Any) -> QuerySet[AgencyContact]:
    authority_id = _authority_id(user, "intake.view_directory")
    if authority_id is None:
        return AgencyContact.objects.none()
    return AgencyContact.objects.filter(agency__authority_id=authority_id).select_related("agency")


def sweeps_visible_to(user: Any) -> QuerySet[TruancySweep]:
    authority_id = _authority_id(user, "intake.view_sweeps")
    if authority_id is None:
        return TruancySweep.objects.none()
    return TruancySweep.objects.filter(authority_id=authority_id)


def sweep_list(user: Any) -> QuerySet[TruancySweep]:
    return sweeps_visible_to(user).annotate(children_met=Count("referrals")).order_by("-held_on")


# --- Possible matches ---------------------------------------------------------------------------
#
# A first, simple matcher: candidates come from indexed lookups only (UPN, upper-cased surname,
# date of birth, current postcode), at most MATCH_LIMIT of each, and are ranked by what matched.
# The matching engine of a later issue replaces this function, keeping its signature.

MATCH_LIMIT = 25
SCORES = {
    "UPN": 100,
    "Last name and date of birth": 60,
    "Date of birth and first name": 45,
    "Last name and first initial": 30,
    "Postcode of current address": 15,
}


@dataclass
class Match:
    child: Child
    restricted: bool  # restricted and this user holds no grant: show only the label
    reasons: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(SCORES[r] for r in self.reasons)

    @property
    def label(self) -> str:
        return RESTRICTED_LABEL if self.restricted else self.child.display_name


def _same_initial(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a.strip()[:1].upper() == b.strip()[:1].upper()


def _same_name(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().upper() == b.strip().upper()


def possible_matches(referral: Referral, user: Any) -> list[Match]:
    """Children of the referral's authority who may be the referred child, best first.

    Same UPN (current or former); same last name (legal or other names) with the same date of birth
    or first initial; same date of birth and first name; same postcode of a current address. A
    restricted child the user holds no grant for is shown only as the restricted label, and is
    never found by postcode: that would say where they live.
    """
    authority_id = referral.authority_id
    children = Child.objects.filter(authority_id=authority_id)
    reasons: dict[int, list[str]] = defaultdict(list)
    forename, surname = referral.child_forename.strip(), referral.child_surname.strip()
    dob = referral.child_date_of_birth

    upn = normalise_upn(referral.child_upn)
    if upn:
        former = FormerUPN.objects.filter(upn=upn).values("child_id")
        for pk in children.filter(Q(upn=upn) | Q(pk__in=former)).values_list("pk", flat=True)[
            :MATCH_LIMIT
        ]:
            reasons[pk].append("UPN")

    if surname:
        by_other_name = (
            OtherName.objects.alias(surname_upper=Upper("surname"))
            .filter(surname_upper=surname.upper())
            .values("child_id")
        )
        named = (
            children.alias(surname_upper=Upper("surname"))
            .filter(Q(surname_upper=surname.upper()) | Q(pk__in=by_other_name))
            .values_list("pk", "forename", "date_of_birth")[:MATCH_LIMIT]
        )
        for pk, their_forename, their_dob in named:
            if dob is not None and their_dob == dob:
                reasons[pk].append("Last name and date of birth")
            elif _same_initial(forename, their_forename):
                reasons[pk].append("Last name and first initial")

    if dob is not None and forename:
        for pk, their_forename in children.filter(date_of_birth=dob).values_list("pk", "forename")[
            :MATCH_LIMIT
        ]:
            if _same_name(forename, their_forename) and "Last name and date of birth" not in (
                reasons.get(pk, [])
            ):
                reasons[pk].append("Date of birth and first name")

    postcode_ids: set[int] = set()
    if referral.postcode:
        postcode_ids = set(
            Address.objects.filter(
                postcode=referral.postcode, is_current=True, child__authority_id=authority_id
            ).values_list("child_id", flat=True)[:MATCH_LIMIT]
        )

    if not reasons and not postcode_ids:
        return []
    rows = (
        with_detail_access(children.filter(pk__in=set(reasons) | postcode_ids), user)
        .prefetch_related(
            Prefetch(
                "cases",
                queryset=Case.objects.filter(authority_id=authority_id)
                .select_related("owner")
                .order_by("-notified_on", "-pk"),
            )
        )
        .order_by()
    )
    matches: list[Match] = []
    for child in rows:
        restricted = not details_visible(child)
        found = list(reasons.get(child.pk, []))
        if child.pk in postcode_ids and not restricted:
            found.append("Postcode of current address")
        if found:
            matches.append(
                Match(
                    child=child, restricted=restricted, reasons=found, cases=list(child.cases.all())
                )
            )
    matches.sort(key=lambda m: (-m.score, m.child.pk))
    return matches
