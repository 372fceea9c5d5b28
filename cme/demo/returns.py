"""Fictional school returns and an elective home education register for one demo authority.

Over the last year: about 120 deletion returns and 200 new pupil returns from the authority's
schools, some of them late. Deletion returns without a destination belong to the demo's own
tracking cases opened from deletion returns; returns for continuous absence belong to cases with
the joint school and authority enquiry recorded; a few new pupils match open cases, which are
noted. The EHE register holds about 400 children educated at home now (mostly deleted by schools
in past years) and some whose home education has ended.

Like the rest of the demo this is fixture loading: plain ORM, bulk inserts, no audit events. An
authority that already has returns gets no returns, one that has EHE registrations no register;
the same inputs give the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from faker import Faker

from cme.accounts.models import Authority, Membership, Role, User
from cme.cases.models import Case, CaseEvent, Enquiry, EnquiryKind, EventKind, Source, Stage
from cme.children.models import Address, Child, FormerUPN, Relationship
from cme.core.calendar import CalendarMissing, SchoolCalendar
from cme.demo.catalogue import AUTHORITIES
from cme.demo.places import Street, district_streets
from cme.demo.pupils import UpnAllocator
from cme.registers.models import Establishment, EstablishmentKind, RollEntry
from cme.returns.grounds import Ground
from cme.returns.models import (
    NEW_PUPIL_SCHOOL_DAYS,
    Channel,
    DeletionReturn,
    DueBasis,
    EHEEndReason,
    EHERegistration,
    EHESource,
    EHEStatus,
    NewPupilReturn,
    dedupe_key,
)

DELETIONS = 120
NEW_PUPILS = 200
EHE_ACTIVE = 400
EHE_ENDED = 60
MATCHED_NEW_PUPILS = 6
YEAR = timedelta(days=365)

G = Ground
# Deletions of fictional pupils that need no case: a destination is known, or nothing follows.
_OTHER_GROUNDS: tuple[tuple[Ground, int], ...] = (
    (G.ANOTHER_SCHOOL, 40), (G.HOME_EDUCATED, 14), (G.DUAL_REGISTRATION_ENDED, 5),
    (G.MOVED_AWAY, 10), (G.LEAVING_AGE, 3), (G.MEDICALLY_UNFIT, 2), (G.NURSERY_NOT_TRANSFERRING, 2),
    (G.ATTENDANCE_ORDER_CHANGED, 1), (G.IN_CUSTODY, 1), (G.DIED, 1),
)  # fmt: skip
_ABROAD = (
    "Colegio San José, Málaga, Spain",
    "Szkoła Podstawowa nr 3, Wrocław, Poland",
    "Liceul Teoretic, Iași, Romania",
    "St Patrick's National School, Cork, Ireland",
    "Escola Básica, Porto, Portugal",
)
_ELSEWHERE = (
    "Hillcrest Academy, Bristol",
    "Beacon Primary School, Leeds",
    "Riverside School, Truro",
    "St Anne's Catholic High School, Manchester",
    "Oakfield Primary, Maidstone",
)
_HOURS = (None, Decimal(10), Decimal(15), Decimal(18), Decimal(20), Decimal("22.5"), Decimal(25))
_EDUCATORS = (
    "Parent",
    "Parents, with a tutor for mathematics",
    "Mother",
    "Father",
    "Parents and an online school",
    "Grandparent",
    "Parent, with a home education group twice a week",
)


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _at(day: date, rng: random.Random) -> datetime:
    moment = time(rng.randint(8, 17), rng.randint(0, 59))
    return min(timezone.make_aware(datetime.combine(day, moment)), timezone.now())


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@dataclass
class _Maker:
    authority: Authority
    today: date
    rng: random.Random
    fake: Faker
    schools: list[Establishment]
    submitters: dict[int, User]
    streets: dict[str, tuple[Street, ...]]
    allocator: UpnAllocator

    def school(self) -> Establishment:
        # The demo school user's school sends its share and a little more.
        weighted = [s for s in self.schools if s.pk in self.submitters]
        if weighted and self.rng.random() < 0.12:
            return self.rng.choice(weighted)
        return self.rng.choice(self.schools)

    def home(self) -> tuple[str, str, str]:
        district = self.rng.choice(sorted(self.streets))
        street = self.rng.choice(self.streets[district])
        line, postcode = street.address(self.rng)
        first, _, town = line.rpartition(", ")
        return first, town, postcode

    def pupil(self, age_from: int = 5, age_to: int = 15) -> dict[str, Any]:
        sex = self.rng.choice("MF")
        forename = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
        years = self.rng.randint(age_from, age_to)
        dob = self.today - timedelta(days=years * 365 + self.rng.randint(0, 364))
        line1, town, postcode = self.home()
        school = self.rng.choice(self.schools)
        return {
            "forename": forename,
            "middle_names": self.fake.first_name() if self.rng.random() < 0.4 else "",
            "surname": self.fake.last_name(),
            "preferred_forename": "",
            "preferred_surname": "",
            "date_of_birth": dob,
            "sex": sex,
            "upn": self.allocator.permanent(
                self.authority.la_code, [school.number], dob.year + 5 + self.rng.randint(0, 1)
            ),
            "address_line1": line1,
            "address_line2": "",
            "town": town,
            "postcode": postcode,
        }

    def parents(self, surname: str) -> list[dict[str, str]]:
        first = {
            "name": f"{self.fake.first_name_female()} {surname}",
            "relationship": Relationship.MOTHER,
            "address": "",
        }
        if self.rng.random() < 0.45:
            second = {
                "name": f"{self.fake.first_name_male()} {surname}",
                "relationship": Relationship.FATHER,
                "address": "" if self.rng.random() < 0.6 else ", ".join(self.home()),
            }
            return [first, second]
        return [first]

    def contacts(self, surname: str) -> list[dict[str, str]]:
        return [
            {
                "name": f"{self.fake.first_name()} {self.rng.choice([surname, self.fake.last_name()])}",
                "phone": f"07700 900{self.rng.randint(0, 999):03d}",
            }
            for _ in range(self.rng.choice((1, 1, 2)))
        ]

    def submitted(self, due: date, earliest: date, late_share: float) -> datetime:
        if self.rng.random() < late_share:
            day = due + timedelta(days=self.rng.randint(1, 25))
        else:
            day = due - timedelta(days=self.rng.randint(0, max(0, (due - earliest).days)))
        return _at(min(max(day, earliest), self.today), self.rng)


def _school_submitters(authority: Authority) -> dict[int, User]:
    members = Membership.objects.filter(
        authority=authority, role=Role.SCHOOL_USER, is_active=True, establishment__isnull=False
    ).select_related("user")
    return {m.establishment_id: m.user for m in members if m.establishment_id is not None}


def build_returns(authority: Authority, *, today: date | None = None) -> int:
    """Add the demo's returns and EHE register to `authority` unless it has them; return how many
    rows (returns and registrations) were added."""
    today = today or timezone.localdate()
    spec = next((s for s in AUTHORITIES if s.la_code == authority.la_code), None)
    if spec is None:
        return 0
    has_returns = (
        DeletionReturn.objects.filter(authority=authority).exists()
        or NewPupilReturn.objects.filter(authority=authority).exists()
    )
    has_register = EHERegistration.objects.filter(authority=authority).exists()
    if has_returns and has_register:
        return 0
    schools = list(
        Establishment.objects.filter(la_code=authority.la_code, is_open=True)
        .exclude(kind=EstablishmentKind.CUSTODIAL)
        .order_by("number")
    )
    if not schools:
        return 0
    fake = Faker("en_GB")
    fake.seed_instance(f"cme-demo:returns:{authority.la_code}")
    in_use = {
        *RollEntry.objects.values_list("upn", flat=True),
        *Child.objects.exclude(upn="").values_list("upn", flat=True),
        *FormerUPN.objects.values_list("upn", flat=True),
    }
    maker = _Maker(
        authority=authority,
        today=today,
        rng=random.Random(f"cme-demo:returns:{authority.la_code}"),  # noqa: S311 - fictional
        fake=fake,
        schools=schools,
        submitters=_school_submitters(authority),
        streets={d: district_streets(d, town, fake) for d, town in spec.districts},
        allocator=UpnAllocator(in_use),
    )
    added = 0
    if not has_returns:
        added += _deletion_returns(maker)
        added += _new_pupil_returns(maker)
    if not has_register:
        added += _register(maker)
    return added


# -- Deletion returns ----------------------------------------------------------------------------


def _deletion(maker: _Maker, pupil: dict[str, Any], **fields: Any) -> DeletionReturn:
    establishment: Establishment = fields.pop("establishment")
    deleted_on: date = fields["deleted_on"]
    ret = DeletionReturn(
        authority=maker.authority,
        establishment=establishment,
        submitted_by=maker.submitters.get(establishment.pk),
        channel=Channel.CSV if maker.rng.random() < 0.3 else Channel.FORM,
        parents=maker.parents(pupil["surname"]),
        emergency_contacts=maker.contacts(pupil["surname"]),
        due_on=DeletionReturn.due_for(deleted_on),
        due_basis=DueBasis.CALENDAR_DAYS,
        dedupe_key=dedupe_key(
            upn=pupil["upn"],
            forename=pupil["forename"],
            surname=pupil["surname"],
            date_of_birth=pupil["date_of_birth"],
            on=deleted_on,
            ground=fields["ground"],
        ),
        **pupil,
        **fields,
    )
    ret.set_lateness()
    return ret


def _child_pupil(child: Child, maker: _Maker) -> dict[str, Any]:
    address = next((a for a in child.addresses.all() if a.is_current), None)
    line1, town, postcode = (
        (address.line1, address.town, address.postcode) if address else maker.home()
    )
    return {
        "forename": child.forename,
        "middle_names": child.middle_names,
        "surname": child.surname,
        "preferred_forename": child.preferred_forename,
        "preferred_surname": child.preferred_surname,
        "date_of_birth": child.date_of_birth,
        "sex": child.sex,
        "upn": child.upn,
        "address_line1": line1,
        "address_line2": address.line2 if address else "",
        "town": town,
        "postcode": postcode,
    }


def _deletion_returns(maker: _Maker) -> int:
    rng, today, authority = maker.rng, maker.today, maker.authority
    returns: list[DeletionReturn] = []
    # Tracking: the demo's own cases opened from a deletion return in the last year.
    tracked = (
        Case.objects.filter(
            authority=authority,
            source=Source.DELETION_RETURN,
            notified_on__gte=today - YEAR,
            last_placement__la_code=authority.la_code,
            child__date_of_birth__isnull=False,
        )
        .select_related("child", "last_placement")
        .prefetch_related("child__addresses")
        .order_by("pk")
    )
    for case in tracked:
        notified = case.notified_on
        deleted_on = notified - timedelta(days=rng.choice((0, 0, 1, 2, 3, 4, 8, 12)))
        last = case.last_attended_on or deleted_on - timedelta(days=rng.randint(1, 20))
        if last >= deleted_on:
            deleted_on = last + timedelta(days=1)
        ret = _deletion(
            maker,
            _child_pupil(case.child, maker),
            establishment=case.last_placement,
            ground=rng.choice((G.MOVED_AWAY, G.MOVED_AWAY, G.ANOTHER_SCHOOL)),
            deleted_on=deleted_on,
            last_attended_on=last,
            submitted_at=_at(max(notified, deleted_on), rng),
            child=case.child,
            case=case,
        )
        returns.append(ret)
    # Continuous absence, after joint enquiries recorded on the child's case.
    joint = (
        Enquiry.objects.filter(
            case__authority=authority,
            kind=EnquiryKind.SCHOOL_JOINT,
            made_on__gte=today - YEAR,
            case__last_placement__la_code=authority.la_code,
            case__child__date_of_birth__isnull=False,
        )
        .exclude(case__stage=Stage.CLOSED)
        .select_related("case__child", "case__last_placement")
        .prefetch_related("case__child__addresses")
        .order_by("pk")[:6]
    )
    for enquiry in joint:
        case = enquiry.case
        assert enquiry.made_on is not None
        deleted_on = min(enquiry.made_on + timedelta(days=rng.randint(1, 10)), today)
        last = case.last_attended_on or deleted_on - timedelta(days=30)
        ret = _deletion(
            maker,
            _child_pupil(case.child, maker),
            establishment=case.last_placement,
            ground=G.CONTINUOUS_ABSENCE,
            deleted_on=deleted_on,
            last_attended_on=min(last, deleted_on),
            submitted_at=_at(min(deleted_on + timedelta(days=rng.randint(0, 3)), today), rng),
            child=case.child,
            case=case,
        )
        returns.append(ret)
    # The rest: fictional pupils whose deletion needs no case here.
    while len(returns) < DELETIONS:
        ground = _weighted(rng, _OTHER_GROUNDS)
        school = maker.school()
        deleted_on = _weekday_on_or_before(today - timedelta(days=rng.randint(1, 364)))
        destination, other, starts = None, "", None
        if ground in (G.ANOTHER_SCHOOL, G.DUAL_REGISTRATION_ENDED, G.MOVED_AWAY):
            roll = rng.random()
            if roll < 0.6:
                destination = rng.choice([s for s in maker.schools if s != school])
            else:
                other = rng.choice(_ABROAD if roll < 0.75 else _ELSEWHERE)
            if rng.random() < 0.7:
                starts = deleted_on + timedelta(days=rng.randint(1, 14))
        ages = (
            (15, 16)
            if ground == G.LEAVING_AGE
            else (3, 4)
            if ground == G.NURSERY_NOT_TRANSFERRING
            else (5, 15)
        )
        ret = _deletion(
            maker,
            maker.pupil(*ages),
            establishment=school,
            ground=ground,
            deleted_on=deleted_on,
            last_attended_on=deleted_on - timedelta(days=rng.randint(0, 15)),
            destination=destination,
            destination_other=other,
            destination_starts_on=starts,
            welfare_concerns=False,
            submitted_at=maker.submitted(
                DeletionReturn.due_for(deleted_on), deleted_on, late_share=0.18
            ),
        )
        returns.append(ret)
    unique = {(r.establishment_id, r.dedupe_key): r for r in reversed(returns)}
    DeletionReturn.objects.bulk_create(list(reversed(unique.values())))
    return len(unique)


# -- New pupil returns ---------------------------------------------------------------------------


def _new_pupil_returns(maker: _Maker) -> int:
    rng, today, authority = maker.rng, maker.today, maker.authority
    try:
        calendar: SchoolCalendar | None = SchoolCalendar.load(
            authority, today - YEAR - timedelta(days=7), today + timedelta(days=60)
        )
    except CalendarMissing:  # pragma: no cover - the calendar only raises when asked
        calendar = None

    def due(admitted: date) -> tuple[date, DueBasis]:
        if calendar is not None:
            try:
                return calendar.add_school_days(
                    admitted, NEW_PUPIL_SCHOOL_DAYS
                ), DueBasis.SCHOOL_DAYS
            except (CalendarMissing, ValueError):
                pass
        return admitted + timedelta(days=NEW_PUPIL_SCHOOL_DAYS), DueBasis.CALENDAR_FALLBACK

    returns: list[NewPupilReturn] = []
    # Pupils now on the roll who joined in the last year, mostly outside the September intake.
    joined = list(
        RollEntry.objects.filter(
            establishment__in=maker.schools,
            admission_date__gte=today - YEAR,
            admission_date__lte=today,
        )
        .select_related("establishment")
        .order_by("pk")
    )
    rng.shuffle(joined)
    joined.sort(key=lambda e: e.admission_date is not None and e.admission_date.month == 9)
    for entry in joined[: NEW_PUPILS - MATCHED_NEW_PUPILS]:
        assert entry.admission_date is not None
        address, _, town = entry.address.rpartition(", ")
        due_on, basis = due(entry.admission_date)
        previous, previous_other = None, ""
        roll = rng.random()
        if roll < 0.5:
            previous = rng.choice([s for s in maker.schools if s != entry.establishment])
        elif roll < 0.75:
            previous_other = rng.choice(_ABROAD + _ELSEWHERE)
        pupil = {
            "forename": entry.forename,
            "middle_names": entry.middle_names,
            "surname": entry.surname,
            "preferred_forename": entry.preferred_forename,
            "preferred_surname": "",
            "date_of_birth": entry.date_of_birth,
            "sex": entry.sex,
            "upn": entry.upn,
            "address_line1": address or entry.address,
            "address_line2": "",
            "town": town,
            "postcode": entry.postcode,
        }
        returns.append(
            _new_pupil(maker, pupil, entry.establishment, entry.admission_date, due_on, basis,
                       previous=previous, previous_other=previous_other)
        )  # fmt: skip
    # A few pupils a school admitted while the authority had an open case for them.
    open_cases = (
        Case.objects.filter(
            authority=authority,
            stage__in=[Stage.TRACKING, Stage.LOCATING, Stage.CHECKING],
            child__date_of_birth__isnull=False,
            child__is_restricted=False,
            notified_on__lte=today - timedelta(days=10),
        )
        .exclude(child__upn="")
        .select_related("child")
        .prefetch_related("child__addresses")
        .order_by("pk")[:MATCHED_NEW_PUPILS]
    )
    events: list[CaseEvent] = []
    for case in open_cases:
        school = maker.school()
        admitted = _weekday_on_or_before(today - timedelta(days=rng.randint(2, 9)))
        due_on, basis = due(admitted)
        ret = _new_pupil(maker, _child_pupil(case.child, maker), school, admitted, due_on, basis)
        ret.child, ret.matched_case = case.child, case
        returns.append(ret)
        events.append(
            CaseEvent(
                case=case,
                occurred_at=ret.submitted_at,
                actor=ret.submitted_by,
                kind=EventKind.UPDATED,
                summary=f"Registered at {school.name} on {admitted:%-d %B %Y} (new pupil return)",
            )
        )
    unique = {(r.establishment_id, r.dedupe_key): r for r in reversed(returns)}
    NewPupilReturn.objects.bulk_create(list(reversed(unique.values())))
    CaseEvent.objects.bulk_create(events)
    return len(unique)


def _new_pupil(
    maker: _Maker,
    pupil: dict[str, Any],
    school: Establishment,
    admitted: date,
    due_on: date,
    basis: DueBasis,
    *,
    previous: Establishment | None = None,
    previous_other: str = "",
) -> NewPupilReturn:
    ret = NewPupilReturn(
        authority=maker.authority,
        establishment=school,
        submitted_by=maker.submitters.get(school.pk),
        channel=Channel.CSV if maker.rng.random() < 0.5 else Channel.FORM,
        previous_school=previous,
        previous_school_other=previous_other,
        admitted_on=admitted,
        due_on=due_on,
        due_basis=basis,
        submitted_at=maker.submitted(due_on, admitted, late_share=0.15),
        dedupe_key=dedupe_key(
            upn=pupil["upn"],
            forename=pupil["forename"],
            surname=pupil["surname"],
            date_of_birth=pupil["date_of_birth"],
            on=admitted,
        ),
        **pupil,
    )
    ret.set_lateness()
    return ret


# -- The EHE register ----------------------------------------------------------------------------


def _register(maker: _Maker) -> int:
    rng, today, authority = maker.rng, maker.today, maker.authority
    # Home education reported on this year's deletion returns.
    from_returns = list(
        DeletionReturn.objects.filter(authority=authority, ground=G.HOME_EDUCATED).order_by("pk")
    )
    plans: list[tuple[dict[str, Any], date, str, DeletionReturn | None, bool]] = []
    for ret in from_returns:
        pupil = {
            k: getattr(ret, k)
            for k in ("forename", "middle_names", "surname", "date_of_birth", "sex", "upn")
        }
        address = (ret.address_line1, ret.town, ret.postcode)
        plans.append(
            ({**pupil, "_address": address}, ret.deleted_on, EHESource.DELETION_RETURN, ret, True)
        )
    while len(plans) < EHE_ACTIVE + EHE_ENDED:
        active = len(plans) < EHE_ACTIVE
        pupil = maker.pupil(5, 15) if active else maker.pupil(6, 18)
        source = _weighted(
            rng,
            ((EHESource.DELETION_RETURN, 70), (EHESource.PARENT, 25), (EHESource.OTHER, 5)),
        )
        if source != EHESource.DELETION_RETURN and rng.random() < 0.6:
            pupil["upn"] = ""  # never at school here
        age_days = (today - pupil["date_of_birth"]).days
        earliest = pupil["date_of_birth"] + timedelta(days=5 * 365)
        span = max(1, min(6 * 365, age_days - 5 * 365))
        started = max(earliest, today - timedelta(days=rng.randint(1, span)))
        address = (pupil["address_line1"], pupil["town"], pupil["postcode"])
        plans.append(({**pupil, "_address": address}, min(started, today), source, None, active))

    children: list[Child] = []
    for pupil, _, _, _, _ in plans:
        children.append(
            Child(
                authority=authority,
                forename=pupil["forename"],
                middle_names=pupil["middle_names"],
                surname=pupil["surname"],
                date_of_birth=pupil["date_of_birth"],
                sex=pupil["sex"],
                upn=pupil["upn"],
            )
        )
    Child.objects.bulk_create(children)
    addresses = [
        Address(
            child=child,
            line1=pupil["_address"][0],
            town=pupil["_address"][1],
            postcode=pupil["_address"][2],
            lived_from=started,
            is_current=True,
        )
        for child, (pupil, started, _, _, _) in zip(children, plans, strict=True)
    ]
    Address.objects.bulk_create(addresses)
    registrations: list[EHERegistration] = []
    for child, (_, started, source, from_return, active) in zip(children, plans, strict=True):
        registration = EHERegistration(
            authority=authority,
            child=child,
            started_on=started,
            source=source,
            educator=rng.choice(_EDUCATORS) if rng.random() < 0.8 else "",
            hours_per_week=rng.choice(_HOURS),
            deletion_return=from_return,
            created_at=_at(started, rng),
        )
        if not active:
            end = started + timedelta(days=rng.randint(30, 700))
            registration.status = EHEStatus.ENDED
            registration.ended_on = min(end, today)
            registration.end_reason = _weighted(
                rng,
                (
                    (EHEEndReason.SCHOOL, 60),
                    (EHEEndReason.MOVED_AWAY, 20),
                    (EHEEndReason.AGE, 15),
                    (EHEEndReason.OTHER, 5),
                ),
            )
        registrations.append(registration)
    EHERegistration.objects.bulk_create(registrations)
    for child, (_, _, _, from_return, _) in zip(children, plans, strict=True):
        if from_return is not None:
            DeletionReturn.objects.filter(pk=from_return.pk).update(child=child)
    return len(registrations)
