"""Fictional referrals for the demo: the authority's named CME contacts, partner agencies' contacts,
referrals from every route over the last year (most triaged, some waiting) and a truancy sweep.

Like the rest of the demo this is fixture loading: plain inserts, no audit events. An authority that
already has referrals gets none; contacts are added only where there are none. A referral that
opened or joined a case uses that case's child and dates, so the two tell the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from faker import Faker

from cme.accounts.models import AgencyKind, Authority, Membership, PartnerAgency, Role, User
from cme.cases.models import Case, CaseEvent, EventKind, Source
from cme.children.models import Child, VulnerableGroup
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
from cme.intake.services import new_reference, referral_source_text

HISTORY_DAYS = 365
SWEEP_CHILDREN = 5

# Routes of the demo's referrals, by weight (the truancy sweep's children come on top).
ROUTE_WEIGHTS = (
    (Route.PARTNER, 40),
    (Route.PUBLIC, 25),
    (Route.ANOTHER_LA, 14),
    (Route.SCHOOL, 11),
    (Route.OTHER, 10),
)
# How triaged referrals ended, by weight; every not-CME reason appears.
OUTCOME_WEIGHTS = (
    (TriageOutcome.CASE_OPENED, 34),
    (TriageOutcome.LINKED_TO_CASE, 14),
    (TriageOutcome.LINKED_TO_CHILD, 10),
    (TriageOutcome.NOT_CME, 42),
)
NOT_CME_NOTES = {
    NotCMEReason.ON_ROLL: "On roll at a local school; attendance is the school's to follow up",
    NotCMEReason.NOT_RESIDENT: "Family lives in a neighbouring authority; passed on to them",
    NotCMEReason.NOT_SCHOOL_AGE: "Child is below compulsory school age",
    NotCMEReason.DUPLICATE: "Same child and concern as an earlier referral this week",
    NotCMEReason.OTHER: "Registered as electively home educated before the referral",
}
CONCERNS = {
    Route.PUBLIC: (
        "I see them at home or in the park every school day and they say they have no school.",
        "The family moved in a few weeks ago and the children are never at school.",
        "A girl from the flats is out during school hours most days.",
    ),
    Route.PARTNER: (
        "Met during a home visit; parent says the child has had no school place since moving.",
        "Family in temporary accommodation after eviction; children not attending anywhere.",
        "Seen at A&E on a school day; parent said the child is not at any school.",
        "Young person known to the service says he stopped going to school last term.",
    ),
    Route.ANOTHER_LA: (
        "Family believed to have moved into your area; child left our school with no destination.",
        "Child on our CME list; new address in your area given by the housing provider.",
    ),
    Route.SCHOOL: (
        "Sibling of a pupil here; parent says the child has no school place.",
        "Former pupil seen locally on school days; the destination school has no record of them.",
    ),
    Route.OTHER: (
        "Reported by a youth club worker: the child says they have not been in school for months.",
        "Reported by a faith group: new family with children not yet in school.",
    ),
    Route.TRUANCY_SWEEP: (
        "Stopped in the shopping centre at 11am; said they were not feeling well.",
        "Met with an older sibling in the park; said their school had sent them home.",
        "Said they had been excluded and were waiting for a new school.",
    ),
}
AGENCY_CONTACT_ROLES = {
    AgencyKind.POLICE: "Schools liaison officer",
    AgencyKind.HEALTH: "Named nurse for safeguarding",
    AgencyKind.EMERGENCY: "Paediatric liaison nurse",
    AgencyKind.HOUSING: "Temporary accommodation officer",
    AgencyKind.SOCIAL_CARE: "Front door team manager",
    AgencyKind.YOUTH_JUSTICE: "Education, training and employment worker",
    AgencyKind.VOLUNTARY: "Family support worker",
}
SOURCE_ROUTE = {
    Source.PUBLIC: Route.PUBLIC,
    Source.PARENT: Route.PUBLIC,
    Source.SCHOOL: Route.SCHOOL,
    Source.ANOTHER_LA: Route.ANOTHER_LA,
    Source.POLICE: Route.PARTNER,
    Source.HEALTH: Route.PARTNER,
    Source.HOUSING: Route.PARTNER,
    Source.SOCIAL_CARE: Route.PARTNER,
    Source.YOUTH_JUSTICE: Route.PARTNER,
}
AGENCY_OF_SOURCE = {
    Source.POLICE: AgencyKind.POLICE,
    Source.HEALTH: AgencyKind.HEALTH,
    Source.HOUSING: AgencyKind.HOUSING,
    Source.SOCIAL_CARE: AgencyKind.SOCIAL_CARE,
    Source.YOUTH_JUSTICE: AgencyKind.YOUTH_JUSTICE,
}


@dataclass(frozen=True)
class IntakeCounts:
    cme_contacts: int = 0
    agency_contacts: int = 0
    referrals: int = 0
    sweeps: int = 0


def build_intake(
    authority: Authority, *, today: date, referrals: int = 60, seed: str = "intake"
) -> IntakeCounts:
    """Add the demo's intake records to `authority` where it has none; return how many were made."""
    rng = random.Random(f"{seed}-{authority.la_code}")  # noqa: S311 - fictional data, not a secret
    fake = Faker("en_GB")
    fake.seed_instance(f"{seed}-{authority.la_code}")
    contacts = _cme_contacts(authority, fake)
    agency_contacts = _agency_contacts(authority, fake, rng)
    if Referral.objects.filter(authority=authority).exists():
        return IntakeCounts(cme_contacts=contacts, agency_contacts=agency_contacts)
    maker = _ReferralMaker(authority=authority, today=today, rng=rng, fake=fake)
    made = maker.history(referrals)
    made += maker.sweep()
    return IntakeCounts(
        cme_contacts=contacts, agency_contacts=agency_contacts, referrals=made, sweeps=1
    )


def _cme_contacts(authority: Authority, fake: Faker) -> int:
    if CMEContact.objects.filter(authority=authority).exists():
        return 0
    domain = authority.name.split()[0].lower() + ".example"
    rows = [
        CMEContact(
            authority=authority,
            name="Children Missing Education Team",
            phone=f"01632 9{authority.la_code}00",
            email=f"cme@{domain}",
            hours="Monday to Thursday 9am to 5pm, Friday 9am to 4:30pm",
            order=1,
        ),
        CMEContact(
            authority=authority,
            name=f"{fake.first_name()} {fake.last_name()}, CME officer",
            phone=f"01632 9{authority.la_code}11",
            email=f"cme.officer@{domain}",
            hours="Monday to Wednesday, 9am to 5pm",
            order=2,
        ),
    ]
    CMEContact.objects.bulk_create(rows)
    return len(rows)


def _agency_contacts(authority: Authority, fake: Faker, rng: random.Random) -> int:
    agencies = PartnerAgency.objects.filter(authority=authority).order_by("pk")
    have = set(
        AgencyContact.objects.filter(agency__in=agencies).values_list("agency_id", flat=True)
    )
    rows: list[AgencyContact] = []
    for agency in agencies:
        if agency.pk in have:
            continue
        domain = "".join(c for c in agency.name.lower() if c.isalnum())[:20] + ".example"
        for n in range(rng.randint(1, 2)):
            first, last = fake.first_name(), fake.last_name()
            rows.append(
                AgencyContact(
                    agency=agency,
                    name=f"{first} {last}",
                    role=AGENCY_CONTACT_ROLES.get(AgencyKind(agency.kind), "Safeguarding lead")
                    if n == 0
                    else "Deputy",
                    phone=f"01632 96{rng.randint(1000, 9999)}",
                    email=f"{first[0].lower()}.{last.lower().replace(chr(39), '')}@{domain}",
                )
            )
    AgencyContact.objects.bulk_create(rows)
    return len(rows)


def _at(day: date, rng: random.Random) -> datetime:
    moment = time(hour=rng.randint(8, 18), minute=rng.randint(0, 59))
    return timezone.make_aware(datetime.combine(day, moment))


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


class _ReferralMaker:
    def __init__(
        self, *, authority: Authority, today: date, rng: random.Random, fake: Faker
    ) -> None:
        self.authority, self.today, self.rng, self.fake = authority, today, rng, fake
        self.start = today - timedelta(days=HISTORY_DAYS)
        team = (
            Membership.objects.filter(
                authority=authority,
                is_active=True,
                role__in=[Role.CME_OFFICER, Role.CME_MANAGER],
            )
            .select_related("user")
            .order_by("role", "pk")
        )
        self.officers: list[User] = [m.user for m in team]
        partners = Membership.objects.filter(
            authority=authority, role=Role.PARTNER, is_active=True
        ).select_related("user", "agency")
        self.partner_users = {m.agency_id: m.user for m in partners}
        self.agencies = list(PartnerAgency.objects.filter(authority=authority).order_by("pk"))
        # Cases notified in the last year, each used by at most one referral.
        self.cases = list(
            Case.objects.filter(authority=authority, notified_on__gte=self.start)
            .select_related("child")
            .prefetch_related("child__addresses")
            .order_by("notified_on", "pk")
        )
        self.rng.shuffle(self.cases)
        self.known_children = list(
            Child.objects.filter(authority=authority, is_restricted=False)
            .exclude(date_of_birth=None)
            .prefetch_related("addresses")
            .order_by("pk")[:400]
        )
        self.referrals: list[Referral] = []
        self.events: list[CaseEvent] = []

    # -- the pieces of a referral -----------------------------------------------------------------

    def _officer(self) -> User | None:
        return self.rng.choice(self.officers) if self.officers else None

    def _agency(self, kind: AgencyKind | None = None) -> PartnerAgency | None:
        fitting = [a for a in self.agencies if kind is None or a.kind == kind]
        return self.rng.choice(fitting) if fitting else None

    def _referrer(self, route: Route, agency: PartnerAgency | None) -> dict[str, Any]:
        if route == Route.PUBLIC:
            if self.rng.random() < 0.35:  # some people tell us nothing about themselves
                return {}
            return {
                "referrer_name": self.fake.name(),
                "referrer_phone": f"07700 900{self.rng.randint(100, 999)}",
                "referrer_relationship": self.rng.choice(ReferrerRelationship.values),
            }
        if route == Route.PARTNER and agency is not None:
            return {
                "referrer_agency": agency,
                "referred_by": self.partner_users.get(agency.pk),
                "agency_reference": f"{agency.name[:3].upper()}/{self.rng.randint(1000, 9999)}",
            }
        if route == Route.ANOTHER_LA:
            return {"referrer_name": "CME officer, Otherborough Council"}
        return {}

    def _child_fields(self, child: Child | None) -> dict[str, Any]:
        if child is not None:
            address = next((a for a in child.addresses.all() if a.is_current), None)
            return {
                "child_forename": child.forename,
                "child_surname": child.surname,
                "child_date_of_birth": child.date_of_birth,
                "child_sex": child.sex,
                "address": address.line1 if address else "",
                "postcode": address.postcode if address else "",
            }
        age = self.rng.randint(5, 15)
        sex = self.rng.choice("MF")
        first = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
        return {
            "child_forename": first,
            "child_surname": self.fake.last_name(),
            "child_age": age,
            "child_sex": sex,
            "where_seen": f"{self.fake.street_name()}, near the shops",
        }

    def _new(
        self,
        *,
        route: Route,
        received_at: datetime,
        child: Child | None = None,
        agency: PartnerAgency | None = None,
        **fields: Any,
    ) -> Referral:
        referral = Referral(
            authority=self.authority,
            reference=new_reference(),
            route=route,
            received_at=received_at,
            concern=self.rng.choice(CONCERNS[route]),
            in_danger=self.rng.random() < 0.05,
            **self._referrer(route, agency),
            **self._child_fields(child),
            **fields,
        )
        if route == Route.PARTNER and self.rng.random() < 0.3:
            referral.vulnerable_groups = [self.rng.choice(VulnerableGroup.values)]
        self.referrals.append(referral)
        return referral

    def _triage(
        self, referral: Referral, outcome: TriageOutcome, *, after: int = 2, **fields: Any
    ) -> None:
        referral.outcome = outcome
        referral.triaged_by = self._officer()
        referral.triaged_at = referral.received_at + timedelta(days=self.rng.randint(0, after))
        for name, value in fields.items():
            setattr(referral, name, value)
        case: Case | None = fields.get("case")
        if case is not None:
            referral.status = Status.BEING_LOOKED_AT if case.is_open else Status.CLOSED
            self.events.append(
                CaseEvent(
                    case=case,
                    occurred_at=referral.triaged_at,
                    actor=referral.triaged_by,
                    kind=EventKind.NOTE,
                    summary=(
                        f"Referral {referral.reference} received from "
                        f"{referral_source_text(referral)}"
                    ),
                )
            )
        else:
            referral.status = Status.CLOSED

    # -- the history ------------------------------------------------------------------------------

    def history(self, count: int) -> int:
        waiting = max(1, count // 6)
        for _ in range(count - waiting):
            self._triaged_one()
        for n in range(waiting):
            self._waiting_one(n)
        return self._save()

    def _triaged_one(self) -> None:
        outcome: TriageOutcome = _pick(self.rng, OUTCOME_WEIGHTS)
        if outcome in (TriageOutcome.CASE_OPENED, TriageOutcome.LINKED_TO_CASE) and self.cases:
            case = self.cases.pop()
            self._from_case(case, outcome)
            return
        if outcome == TriageOutcome.LINKED_TO_CHILD and self.known_children:
            child = self.rng.choice(self.known_children)
            route = _pick(self.rng, ROUTE_WEIGHTS)
            referral = self._new(
                route=route,
                received_at=_at(self._day(), self.rng),
                child=child,
                agency=self._agency(),
            )
            self._triage(referral, TriageOutcome.LINKED_TO_CHILD, child=child)
            return
        reasons = list(NotCMEReason)
        closed = sum(1 for r in self.referrals if r.outcome == TriageOutcome.NOT_CME)
        reason = reasons[closed % len(reasons)]  # each reason in turn
        route = _pick(self.rng, ROUTE_WEIGHTS)
        referral = self._new(
            route=route, received_at=_at(self._day(), self.rng), agency=self._agency()
        )
        if reason == NotCMEReason.NOT_SCHOOL_AGE:
            referral.child_age = self.rng.choice([3, 4, 17])
        self._triage(
            referral,
            TriageOutcome.NOT_CME,
            not_cme_reason=reason,
            outcome_note=NOT_CME_NOTES[reason],
        )

    def _day(self) -> date:
        return _weekday(self.start + timedelta(days=self.rng.randint(0, HISTORY_DAYS - 14)))

    def _from_case(self, case: Case, outcome: TriageOutcome) -> None:
        """A referral that opened `case`, or that came in later about its (still open) child.

        Its timeline entry falls inside the case's own: at the opening, or between then and today.
        """
        route = SOURCE_ROUTE.get(Source(case.source), Route.OTHER)
        agency = None
        if route == Route.PARTNER:
            agency = self._agency(AGENCY_OF_SOURCE.get(Source(case.source))) or self._agency()
        earliest = case.notified_on + timedelta(days=1)
        if outcome == TriageOutcome.LINKED_TO_CASE and case.is_open and earliest <= self.today:
            span = min(60, (self.today - earliest).days)
            received = _at(earliest + timedelta(days=self.rng.randint(0, span)), self.rng)
        else:
            outcome = TriageOutcome.CASE_OPENED
            # Received shortly before the case was opened, the same day: its date is the case's.
            received = case.created_at - timedelta(minutes=self.rng.randint(5, 90))
            if timezone.localdate(received) != case.notified_on:
                received = case.created_at
        referral = self._new(route=route, received_at=received, child=case.child, agency=agency)
        if case.source == Source.PARENT:
            referral.referrer_relationship = ReferrerRelationship.PARENT
        self._triage(referral, outcome, after=0, case=case, child=case.child)
        if outcome == TriageOutcome.CASE_OPENED:
            referral.triaged_at = case.created_at
            self.events[-1].occurred_at = case.created_at

    def _waiting_one(self, n: int) -> None:
        route = _pick(self.rng, ROUTE_WEIGHTS)
        received = _at(_weekday(self.today - timedelta(days=self.rng.randint(0, 13))), self.rng)
        # Some are about children we know already, so the possible matches have something to show.
        child = (
            self.known_children[n * 7 % len(self.known_children)]
            if (self.known_children and n % 2 == 0)
            else None
        )
        referral = self._new(route=route, received_at=received, child=child, agency=self._agency())
        referral.status = Status.RECEIVED if n % 3 else Status.BEING_LOOKED_AT

    def sweep(self) -> int:
        held_on = _weekday(self.today - timedelta(days=45))
        sweep = TruancySweep.objects.create(
            authority=self.authority,
            held_on=held_on,
            area="Town centre and the retail park",
            notes="Two police officers and an education welfare officer, 9:30am to 2pm.",
            created_by=self.officers[-1] if self.officers else None,
        )
        sweep.partners.set(
            [a for a in self.agencies if a.kind in (AgencyKind.POLICE, AgencyKind.YOUTH_JUSTICE)]
        )
        outcomes = [
            (TriageOutcome.NOT_CME, NotCMEReason.ON_ROLL),
            (TriageOutcome.NOT_CME, NotCMEReason.ON_ROLL),
            (TriageOutcome.NOT_CME, NotCMEReason.NOT_SCHOOL_AGE),
            (TriageOutcome.LINKED_TO_CHILD, None),
            (None, None),
        ][:SWEEP_CHILDREN]
        self.referrals = []
        self.events = []
        for outcome, reason in outcomes:
            child = (
                self.rng.choice(self.known_children)
                if outcome == TriageOutcome.LINKED_TO_CHILD and self.known_children
                else None
            )
            referral = self._new(
                route=Route.TRUANCY_SWEEP,
                received_at=_at(held_on, self.rng),
                child=child,
                sweep=sweep,
                referred_by=sweep.created_by,
            )
            if outcome == TriageOutcome.NOT_CME and reason is not None:
                self._triage(
                    referral, outcome, not_cme_reason=reason, outcome_note=NOT_CME_NOTES[reason]
                )
            elif outcome == TriageOutcome.LINKED_TO_CHILD and child is not None:
                self._triage(referral, outcome, child=child)
        return self._save()

    def _save(self) -> int:
        Referral.objects.bulk_create(self.referrals)
        CaseEvent.objects.bulk_create(self.events)
        return len(self.referrals)
