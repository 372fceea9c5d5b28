"""Every change to referrals, truancy sweeps and contacts. Each service is atomic and records its
audit event; payloads carry field names and coded values, never what someone wrote about a child."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import AgencyKind, Authority, PartnerAgency
from cme.cases import services as case_services
from cme.cases.models import Case, CaseEvent, EventKind, Priority, Source
from cme.children import services as child_services
from cme.children.models import Child, Sex
from cme.core import audit
from cme.core.models import AuditAction
from cme.intake.models import (
    AgencyContact,
    CMEContact,
    NotCMEReason,
    Referral,
    ReferrerRelationship,
    Route,
    Status,
    TriageOutcome,
    TruancySweep,
)
from cme.matching import hooks as matching

# No 0/O, 1/I/L or 5/S: a reference is read out over the phone.
REFERENCE_ALPHABET = "2346789ABCDEFGHJKMNPQRTUVWXYZ"
REFERENCE_LENGTH = 8


class ReferralRefused(Exception):
    """A triage action the rules do not allow; the message says why."""


def new_reference() -> str:
    """A random reference like CME-7KQ2XH9D: not sequential, not guessable."""
    return "CME-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _unused_reference() -> str:
    for _ in range(5):
        reference = new_reference()
        if not Referral.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not find an unused referral reference")  # ~1 in 10^55


@dataclass(frozen=True)
class ChildDetails:
    """What the referrer knows about the child. Every part may be missing but the concern."""

    concern: str
    forename: str = ""
    surname: str = ""
    other_names: str = ""
    date_of_birth: date | None = None
    age: int | None = None
    sex: str = Sex.UNKNOWN
    upn: str = ""
    address: str = ""
    postcode: str = ""
    where_seen: str = ""
    school: str = ""
    in_danger: bool = False
    carers: str = ""
    languages: str = ""
    vulnerable_groups: tuple[str, ...] = field(default_factory=tuple)
    last_seen_on: date | None = None

    def as_fields(self) -> dict[str, Any]:
        return {
            "concern": self.concern,
            "child_forename": self.forename,
            "child_surname": self.surname,
            "child_other_names": self.other_names,
            "child_date_of_birth": self.date_of_birth,
            "child_age": self.age,
            "child_sex": self.sex,
            "child_upn": self.upn,
            "address": self.address,
            "postcode": self.postcode,
            "where_seen": self.where_seen,
            "school": self.school,
            "in_danger": self.in_danger,
            "carers": self.carers,
            "languages": self.languages,
            "vulnerable_groups": sorted(set(self.vulnerable_groups)),
            "last_seen_on": self.last_seen_on,
        }


def _record(referral: Referral, actor: Any, action: AuditAction, **payload: Any) -> None:
    audit.record(
        action=action,
        actor=actor,
        target=referral,
        authority_id=referral.authority_id,
        payload={"route": referral.route, **payload},
    )


def _create(
    *, authority: Authority, route: Route, child: ChildDetails, actor: Any, **fields: Any
) -> Referral:
    referral = Referral.objects.create(
        authority=authority,
        reference=_unused_reference(),
        route=route,
        **child.as_fields(),
        **fields,
    )
    _record(
        referral,
        actor,
        AuditAction.CREATED,
        in_danger=child.in_danger,
        agency=referral.referrer_agency_id,
        sweep=referral.sweep_id,
    )
    matching.referral_received(referral)
    return referral


@transaction.atomic
def referral_submit_public(
    *,
    authority: Authority,
    child: ChildDetails,
    referrer_name: str = "",
    referrer_phone: str = "",
    referrer_email: str = "",
    referrer_relationship: str = "",
) -> Referral:
    """A member of the public tells us about a child. Nobody is signed in: the actor is none."""
    return _create(
        authority=authority,
        route=Route.PUBLIC,
        child=child,
        actor=None,
        referrer_name=referrer_name,
        referrer_phone=referrer_phone,
        referrer_email=referrer_email,
        referrer_relationship=referrer_relationship,
    )


@transaction.atomic
def referral_submit_partner(
    *, actor: Any, agency: PartnerAgency, child: ChildDetails, agency_reference: str = ""
) -> Referral:
    """A partner agency's user refers a child on behalf of their agency."""
    if not agency.is_active:
        raise ReferralRefused("Your agency is no longer active. Ask your CME team for help.")
    return _create(
        authority=agency.authority,
        route=Route.PARTNER,
        child=child,
        actor=actor,
        referrer_agency=agency,
        referred_by=actor,
        agency_reference=agency_reference,
    )


@transaction.atomic
def referral_record(
    *,
    actor: Any,
    authority: Authority,
    route: Route,
    child: ChildDetails,
    agency: PartnerAgency | None = None,
    received_at: Any = None,
) -> Referral:
    """A referral the CME team takes down themselves (by phone, from another LA...)."""
    if agency is not None and agency.authority_id != authority.pk:
        raise ReferralRefused("That agency belongs to another authority")
    return _create(
        authority=authority,
        route=route,
        child=child,
        actor=actor,
        referrer_agency=agency,
        received_at=received_at or timezone.now(),
    )


@transaction.atomic
def referral_look_at(*, referral: Referral, actor: Any) -> Referral:
    """The first time an officer opens a new referral, the referrer sees "being looked at"."""
    updated = Referral.objects.filter(pk=referral.pk, status=Status.RECEIVED).update(
        status=Status.BEING_LOOKED_AT
    )
    if updated:
        referral.status = Status.BEING_LOOKED_AT
        _record(referral, actor, AuditAction.UPDATED, fields=["status"], status=referral.status)
    return referral


def _claim(referral: Referral, actor: Any, outcome: TriageOutcome, **changes: Any) -> None:
    """Record the triage outcome, unless someone else triaged this referral first."""
    now = timezone.now()
    changes = {"outcome": outcome, "triaged_by": actor, "triaged_at": now, **changes}
    updated = Referral.objects.filter(pk=referral.pk, outcome="").update(**changes)
    if not updated:
        raise ReferralRefused(
            "Someone else has already dealt with this referral. Check it as it is now."
        )
    for name, value in changes.items():
        setattr(referral, name, value)
    if "child" in changes:  # the index records which child (and whether restricted)
        matching.referral_received(referral)


def _case_event(case: Case, referral: Referral, actor: Any) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=EventKind.NOTE,
        summary=f"Referral {referral.reference} received from {referral_source_text(referral)}",
    )


def referral_source_text(referral: Referral) -> str:
    """Who told us, for the case timeline: an organisation or a route, never a person's name."""
    if referral.referrer_agency_id is not None and referral.referrer_agency is not None:
        return referral.referrer_agency.name
    return {
        Route.PUBLIC: "a member of the public",
        Route.TRUANCY_SWEEP: "a truancy sweep",
        Route.SCHOOL: "a school or other provider",
        Route.ANOTHER_LA: "another local authority",
    }.get(Route(referral.route), "another source")


def _check_child(referral: Referral, child: Child) -> None:
    if child.authority_id != referral.authority_id:
        raise ReferralRefused("That child belongs to another authority")


@transaction.atomic
def referral_link_case(*, referral: Referral, case: Case, actor: Any) -> Referral:
    """This referral is about a child who already has a case: note it on the case's timeline."""
    if case.authority_id != referral.authority_id:
        raise ReferralRefused("That case belongs to another authority")
    status = Status.BEING_LOOKED_AT if case.is_open else Status.CLOSED
    _claim(
        referral, actor, TriageOutcome.LINKED_TO_CASE, case=case, child=case.child, status=status
    )
    _case_event(case, referral, actor)
    _record(
        referral, actor, AuditAction.UPDATED, outcome=referral.outcome, case=case.pk, status=status
    )
    return referral


@transaction.atomic
def referral_link_child(*, referral: Referral, child: Child, actor: Any) -> Referral:
    """This referral is about a child we know; no case is needed. Opens nothing."""
    _check_child(referral, child)
    _claim(referral, actor, TriageOutcome.LINKED_TO_CHILD, child=child, status=Status.CLOSED)
    _record(referral, actor, AuditAction.UPDATED, outcome=referral.outcome, child=child.pk)
    return referral


SOURCE_OF_AGENCY = {
    AgencyKind.POLICE: Source.POLICE,
    AgencyKind.HEALTH: Source.HEALTH,
    AgencyKind.EMERGENCY: Source.HEALTH,
    AgencyKind.HOUSING: Source.HOUSING,
    AgencyKind.SOCIAL_CARE: Source.SOCIAL_CARE,
    AgencyKind.YOUTH_JUSTICE: Source.YOUTH_JUSTICE,
}
SOURCE_OF_ROUTE = {
    Route.PUBLIC: Source.PUBLIC,
    Route.SCHOOL: Source.SCHOOL,
    Route.ANOTHER_LA: Source.ANOTHER_LA,
}


def case_source_for(referral: Referral) -> Source:
    """The case's "who told us" for a referral: from the agency's kind, else from the route."""
    if referral.referrer_agency_id is not None and referral.referrer_agency is not None:
        return SOURCE_OF_AGENCY.get(AgencyKind(referral.referrer_agency.kind), Source.OTHER)
    if (
        referral.route == Route.PUBLIC
        and referral.referrer_relationship == ReferrerRelationship.PARENT
    ):
        return Source.PARENT
    return SOURCE_OF_ROUTE.get(Route(referral.route), Source.OTHER)


@transaction.atomic
def referral_open_case(
    *,
    referral: Referral,
    actor: Any,
    child: Child | None = None,
    new_child: case_services.NewChild | None = None,
    source: str = "",
    priority: str = Priority.MEDIUM,
    owner: Any = None,
) -> Case:
    """Open a case for the referral's child (a known child, or a new one from its details).

    The referral's date becomes the case's date notified.
    """
    if child is not None:
        _check_child(referral, child)
    elif new_child is None:
        raise ReferralRefused("Say which child the case is for")
    _claim(referral, actor, TriageOutcome.CASE_OPENED, status=Status.BEING_LOOKED_AT)
    case = case_services.case_open(
        actor=actor,
        authority=referral.authority,
        source=source or case_source_for(referral),
        notified_on=referral.notified_on,
        child=child,
        new_child=new_child,
        owner=owner,
        priority=priority,
        last_placement_other=referral.school[:160],
    )
    if child is None:
        _copy_details_to_new_child(referral, case.child, actor)
    Referral.objects.filter(pk=referral.pk).update(case=case, child=case.child)
    referral.case, referral.child = case, case.child
    _case_event(case, referral, actor)
    _record(
        referral,
        actor,
        AuditAction.UPDATED,
        outcome=referral.outcome,
        case=case.pk,
        child=case.child_id,
        new_child=child is None,
    )
    return case


def _copy_details_to_new_child(referral: Referral, child: Child, actor: Any) -> None:
    """What the referral says of where the child lives and their vulnerabilities, on the record."""
    if referral.address:
        child_services.child_address_add(
            child=child,
            actor=actor,
            current=True,
            line1=referral.address[:120],
            postcode=referral.postcode,
        )
    if referral.vulnerable_groups:
        child_services.child_vulnerable_groups_set(
            child=child, actor=actor, groups=referral.vulnerable_groups
        )


@transaction.atomic
def referral_close_not_cme(
    *, referral: Referral, actor: Any, reason: NotCMEReason | str, note: str = ""
) -> Referral:
    """Not a child missing education: on a roll, not resident, not of school age, a duplicate."""
    reason = NotCMEReason(reason)
    note = note.strip()
    if reason == NotCMEReason.OTHER and not note:
        raise ReferralRefused("Say why this child is not missing education")
    _claim(
        referral,
        actor,
        TriageOutcome.NOT_CME,
        status=Status.CLOSED,
        not_cme_reason=reason,
        outcome_note=note,
    )
    _record(
        referral,
        actor,
        AuditAction.UPDATED,
        outcome=referral.outcome,
        reason=reason,
        note_given=bool(note),
    )
    return referral


# --- Truancy sweeps -----------------------------------------------------------------------------


@transaction.atomic
def sweep_create(
    *,
    actor: Any,
    authority: Authority,
    held_on: date,
    area: str,
    partners: list[PartnerAgency],
    notes: str = "",
) -> TruancySweep:
    if any(p.authority_id != authority.pk for p in partners):
        raise ReferralRefused("Choose partner agencies of your own authority")
    sweep = TruancySweep.objects.create(
        authority=authority, held_on=held_on, area=area, notes=notes, created_by=actor
    )
    sweep.partners.set(partners)
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=sweep,
        authority=authority,
        payload={"partners": sorted(p.pk for p in partners)},
    )
    return sweep


@transaction.atomic
def sweep_child_add(*, sweep: TruancySweep, actor: Any, child: ChildDetails) -> Referral:
    """A child met on a sweep becomes a referral to triage, dated the day of the sweep."""
    return _create(
        authority=sweep.authority,
        route=Route.TRUANCY_SWEEP,
        child=child,
        actor=actor,
        sweep=sweep,
        referred_by=actor,
    )


# --- Contacts -----------------------------------------------------------------------------------


def _save_contact(contact: Any, actor: Any, authority_id: int, changes: Mapping[str, Any]) -> None:
    adding = contact.pk is None
    changed = sorted(k for k, v in changes.items() if adding or getattr(contact, k) != v)
    for name, value in changes.items():
        setattr(contact, name, value)
    contact.full_clean()
    contact.save()
    if adding or changed:
        audit.record(
            action=AuditAction.CREATED if adding else AuditAction.UPDATED,
            actor=actor,
            target=contact,
            authority_id=authority_id,
            payload={"fields": changed},
        )


@transaction.atomic
def cme_contact_save(
    *, actor: Any, authority: Authority, contact: CMEContact | None, changes: Mapping[str, Any]
) -> CMEContact:
    """Add a named CME contact for the public page, or change one."""
    if contact is None:
        contact = CMEContact(authority=authority)
    elif contact.authority_id != authority.pk:
        raise ReferralRefused("That contact belongs to another authority")
    _save_contact(contact, actor, authority.pk, changes)
    return contact


@transaction.atomic
def cme_contact_remove(*, actor: Any, contact: CMEContact) -> None:
    audit.record(
        action=AuditAction.DELETED, actor=actor, target=contact, authority_id=contact.authority_id
    )
    contact.delete()


@transaction.atomic
def agency_contact_save(
    *,
    actor: Any,
    agency: PartnerAgency,
    contact: AgencyContact | None,
    changes: Mapping[str, Any],
) -> AgencyContact:
    """Add a person at a partner agency, or change their details."""
    if contact is None:
        contact = AgencyContact(agency=agency)
    elif contact.agency_id != agency.pk:
        raise ReferralRefused("That contact belongs to another agency")
    _save_contact(contact, actor, agency.authority_id, changes)
    return contact


@transaction.atomic
def agency_contact_remove(*, actor: Any, contact: AgencyContact) -> None:
    audit.record(
        action=AuditAction.DELETED,
        actor=actor,
        target=contact,
        authority_id=contact.agency.authority_id,
    )
    contact.delete()
