"""Fictional cases for the demo: children, their families and addresses, and their case histories.

Each authority gets the mix of stages and outcomes in `catalogue.CASE_STAGES` and `CASE_OUTCOMES`,
notified over the last two years. A case's history follows the workflow rules (cme.cases.workflow):
it moves only along allowed transitions, its key dates are set only for the stages it has passed
and come in order, it has a vulnerability assessment before locating, assessing needs or tracking,
a closed case has every required action done, and a case closed as whereabouts unknown has every
reasonable enquiry recorded or marked not applicable.

Like the rest of the demo this is fixture loading: rows are written with bulk inserts and no audit
events. An authority that already has cases gets none. The same inputs give the same cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, TypeVar

from django.db.models import Model
from django.utils import timezone
from faker import Faker

from cme.accounts.models import Authority, Membership, Role, User
from cme.cases.models import (
    Answer,
    Case,
    CaseEvent,
    Enquiry,
    EnquiryKind,
    EventKind,
    Note,
    NoteKind,
    Outcome,
    Priority,
    Source,
    Stage,
    Task,
    TaskKind,
    VulnerabilityAssessment,
)
from cme.children.models import (
    Address,
    Carer,
    Child,
    ChildVulnerability,
    Ethnicity,
    FormerUPN,
    NameKind,
    OtherName,
    Relationship,
    Sex,
    Sibling,
    SpecialNeeds,
    VulnerableGroup,
)
from cme.children.school_age import is_compulsory_school_age, national_curriculum_year
from cme.demo.catalogue import (
    AUTHORITIES,
    CASE_OUTCOMES,
    CASE_STAGES,
    ESTABLISHMENTS,
    RESTRICTED_CHILDREN,
    AuthoritySpec,
    EstablishmentSpec,
)
from cme.demo.places import Street, district_streets
from cme.demo.pupils import _SHORT_FORMS, UpnAllocator, academic_year_of, birth_range
from cme.registers.models import Establishment, EstablishmentKind, RollEntry

S = Stage
O = Outcome  # noqa: E741 - short like S
E = EnquiryKind

_T = TypeVar("_T")

HISTORY_DAYS = 730  # cases are notified over the last two years
FOLLOW_UP_DAYS = 28  # as cme.cases.services

# Days between one stage and the next, at least and at most.
_GAPS: dict[tuple[Stage, Stage], tuple[int, int]] = {
    (S.RECEIVED, S.CHECKING): (0, 3),
    (S.RECEIVED, S.CLOSED): (1, 7),
    (S.CHECKING, S.CONFIRMED_MISSING): (5, 20),
    (S.CHECKING, S.CLOSED): (2, 15),
    (S.CONFIRMED_MISSING, S.LOCATING): (1, 10),
    (S.CONFIRMED_MISSING, S.ASSESSING_NEEDS): (5, 25),
    (S.CONFIRMED_MISSING, S.CLOSED): (5, 30),
    (S.LOCATING, S.ASSESSING_NEEDS): (7, 45),
    (S.LOCATING, S.TRACKING): (20, 60),
    (S.LOCATING, S.CLOSED): (10, 50),
    (S.ASSESSING_NEEDS, S.SECURING_PROVISION): (5, 25),
    (S.ASSESSING_NEEDS, S.CLOSED): (7, 30),
    (S.SECURING_PROVISION, S.IN_PROVISION): (10, 40),
    (S.IN_PROVISION, S.CLOSED): (20, 60),
    (S.TRACKING, S.LOCATING): (30, 150),
    (S.TRACKING, S.CLOSED): (30, 200),
}
# How long an open case has been at the stage it is at now, at least and at most, in days.
_DWELL: dict[Stage, tuple[int, int]] = {
    S.RECEIVED: (0, 6),
    S.CHECKING: (1, 20),
    S.CONFIRMED_MISSING: (0, 35),
    S.LOCATING: (3, 90),
    S.ASSESSING_NEEDS: (2, 60),
    S.SECURING_PROVISION: (3, 60),
    S.IN_PROVISION: (5, 120),
    S.TRACKING: (20, 300),
}
_NEEDS_ASSESSMENT = frozenset({S.LOCATING, S.ASSESSING_NEEDS, S.SECURING_PROVISION, S.TRACKING})

_SOURCES: tuple[tuple[Source, int], ...] = (
    (Source.SCHOOL, 28), (Source.DELETION_RETURN, 20), (Source.PARENT, 5), (Source.PUBLIC, 4),
    (Source.POLICE, 5), (Source.HEALTH, 5), (Source.HOUSING, 6), (Source.SOCIAL_CARE, 8),
    (Source.YOUTH_JUSTICE, 3), (Source.ANOTHER_LA, 8), (Source.CTF, 7), (Source.OTHER, 1),
)  # fmt: skip
_PRIORITIES = ((Priority.LOW, 15), (Priority.MEDIUM, 55), (Priority.HIGH, 25), (Priority.URGENT, 5))
_ETHNICITIES: tuple[tuple[Ethnicity, int], ...] = (
    (Ethnicity.WBRI, 60), (Ethnicity.WOTH, 6), (Ethnicity.WIRI, 1), (Ethnicity.WROM, 3),
    (Ethnicity.WIRT, 2), (Ethnicity.MWBC, 3), (Ethnicity.MWBA, 1), (Ethnicity.MWAS, 2),
    (Ethnicity.MOTH, 2), (Ethnicity.AIND, 3), (Ethnicity.APKN, 3), (Ethnicity.ABAN, 1),
    (Ethnicity.AOTH, 1), (Ethnicity.BCRB, 1), (Ethnicity.BAFR, 3), (Ethnicity.BOTH, 1),
    (Ethnicity.CHNE, 1), (Ethnicity.OOTH, 2), (Ethnicity.REFU, 1), (Ethnicity.NOBT, 3),
)  # fmt: skip
# New arrivals: country, first language, a likely ethnicity code, and whether they sought asylum.
_ARRIVALS: tuple[tuple[str, str, Ethnicity, bool], ...] = (
    ("Romania", "Romanian", Ethnicity.WROM, False), ("Romania", "Romanian", Ethnicity.WOTH, False),
    ("Poland", "Polish", Ethnicity.WOTH, False), ("Ukraine", "Ukrainian", Ethnicity.WOTH, True),
    ("Afghanistan", "Dari", Ethnicity.AOTH, True), ("Afghanistan", "Pashto", Ethnicity.AOTH, True),
    ("Syria", "Arabic", Ethnicity.OOTH, True), ("Eritrea", "Tigrinya", Ethnicity.BAFR, True),
    ("Sudan", "Arabic", Ethnicity.BAFR, True), ("Hong Kong", "Cantonese", Ethnicity.CHNE, False),
    ("India", "Punjabi", Ethnicity.AIND, False), ("Pakistan", "Urdu", Ethnicity.APKN, False),
    ("Portugal", "Portuguese", Ethnicity.WOTH, False),
    ("Lithuania", "Lithuanian", Ethnicity.WOTH, False),
    ("Nigeria", "Yoruba", Ethnicity.BAFR, False), ("Iran", "Farsi", Ethnicity.OOTH, True),
    ("Albania", "Albanian", Ethnicity.WOTH, True),
)  # fmt: skip
# Year groups at notification, weighted: more secondary-age children go missing from education.
_YEAR_GROUPS = (
    ("R", 2), ("1", 4), ("2", 4), ("3", 5), ("4", 5), ("5", 5), ("6", 6),
    ("7", 8), ("8", 9), ("9", 11), ("10", 12), ("11", 10),
)  # fmt: skip
_RESTRICTION_REASONS = (
    "Living in a refuge",
    "Fled domestic abuse: the family's address must not be disclosed",
    "Living in a refuge",
    "Court order: the child's whereabouts must not be disclosed to the father",
    "Witness protection",
)
_OUTSIDE_REASONS_YOUNG = (
    "Not yet of compulsory school age, but the family asked for help to take up a Reception place",
)
_OUTSIDE_REASONS_OLD = (
    "Past school leaving age but has an EHC plan: the SEND team asked us to see the move through",
    "Turned 16 during the case: finishing the hand-over to the post-16 participation team",
)
_OTHER_LAS = (
    "Bristol City Council",
    "Birmingham City Council",
    "Leeds City Council",
    "Cornwall Council",
    "Manchester City Council",
    "Kent County Council",
)
_OTHER_TOWNS = ("Bristol", "Birmingham", "Leeds", "Truro", "Manchester", "Maidstone")
_ABROAD = ("Romania", "Poland", "Spain", "Pakistan", "Portugal", "Ireland", "Nigeria", "Lithuania")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_NOTES_FACT = (
    "School report three unanswered calls to mum and a letter home with no reply.",
    "Home visit: no answer. Card left asking the family to ring the CME team.",
    "Mum rang back: the family are staying with relatives while the flat is repaired.",
    "Checked the admissions system: no application for a school place has been made.",
    "Housing confirm the tenancy ended; no forwarding address was given.",
    "Spoke to dad at the door. He says the children will start at a new school after half term.",
    "Health visitor last saw the family in the spring; no concerns recorded at the time.",
    "Emailed the previous school asking for the common transfer file.",
    "The school's designated safeguarding lead says there were no safeguarding concerns.",
    "Searched the Lost Pupil Database (school2school): no match on name and date of birth.",
    "Letter sent to the last known address asking the family to get in touch.",
    "Interpreter booked for the next home visit.",
    "Attendance record received from the school: 61% this year before the last day attended.",
    "Family support worker confirms she has been in touch with mum this week.",
)
_NOTES_OPINION = (
    "The family seem keen to find a school place but are worried about transport costs.",
    "Mum appeared anxious at the visit; may benefit from an Early Help referral.",
    "Given the pattern of moves, the family may be avoiding contact.",
    "I think the child is most likely living with grandparents in the area.",
    "The family's account is consistent with what housing told us.",
    "Dad seemed reluctant to discuss school; worth a joint visit with the EWO.",
    "Likely to need a fresh start at a different school rather than a return.",
)
_GENERAL_TASKS = (
    "Chase the school for the attendance record",
    "Ring mum back about the school application",
    "Request the common transfer file from the previous school",
    "Send the home visit letter",
    "Book an interpreter for the home visit",
    "Check the Lost Pupil Database again",
    "Ask admissions about places in Year {year}",
    "Follow up with housing about the new address",
    "Joint visit with the education welfare officer",
)
# What reasonable enquiries found when they found nothing in particular.
_ENQUIRY_OUTCOMES: dict[str, tuple[str, ...]] = {
    E.HOME_VISIT: (
        "No trace at address",
        "No answer; card left",
        "House appears empty",
        "New tenants at the address; family not known to them",
    ),
    E.NEIGHBOURS: (
        "Neighbours have not seen the family for weeks",
        "~Neighbours say the family moved to {town} in {month}",
        "Neighbour thinks the family went to stay with relatives",
    ),
    E.RELATIVES: (
        "Aunt has not heard from the family",
        "~Grandmother says they moved away",
        "No relatives known locally",
    ),
    E.LANDLORD: (
        "Landlord says the tenancy ended in {month}",
        "Rent unpaid since {month}",
        "Landlord has no forwarding address",
    ),
    E.LA_DATABASES: (
        "No current involvement recorded",
        "Previous address found on the system",
        "Not known to any service",
    ),
    E.HOUSING: (
        "Not on the housing register",
        "Left temporary accommodation in {month}",
        "Housing application closed; no new address",
    ),
    E.HEALTH: (
        "Registered with a GP in the area; no recent appointments",
        "~GP registration moved to a practice in {town}",
        "No trace on health records",
    ),
    E.POLICE: (
        "No information held",
        "Known to police; no current concerns",
        "Police have no record of the family leaving",
    ),
    E.YOUTH_JUSTICE: ("Not known to youth justice", "No current order"),
    E.SOCIAL_CARE: (
        "Not known to social care",
        "Closed to social care last year",
        "Open to Early Help; worker informed",
    ),
    E.COUNCIL_TAX: (
        "Council tax account closed in {month}",
        "No council tax account found",
        "Still liable at the last known address",
    ),
    E.KNOWN_AGENCIES: ("No contact with the family since {month}", "No agencies known"),
    E.PREVIOUS_LA: (
        "Previous authority has no record of a school place",
        "Previous authority sent their CME record",
    ),
    E.CUSTODIAL: ("Not held in any custodial institution",),
    E.NEW_LA: ("{la} have no record of the child", "Request sent to {la}; no trace"),
    E.SCHOOL_JOINT: (
        "School have had no contact since the last day attended",
        "School visited with us; no answer",
        "School still holding the place",
    ),
}
# A leading "~": only for a family who may have moved away (so not, say, one found on a roll).
# Enquiries that settle a case, by how it was closed.
_SETTLING: dict[str, tuple[str, str]] = {
    O.FOUND_ON_ROLL: (E.LA_DATABASES, "Found on roll at {school}"),
    O.REGISTERED: (E.SCHOOL_JOINT, "{school} have offered a place"),
    O.HOME_EDUCATED: (E.HOME_VISIT, "Parents confirm in writing they are home educating"),
    O.MOVED_LA: (E.NEW_LA, "{la} confirm the child is on roll at a school there"),
    O.MOVED_ABROAD: (E.RELATIVES, "Grandmother confirms the family moved to {country} in {month}"),
    O.CUSTODY: (E.CUSTODIAL, "Confirmed in custody; education is provided there"),
    O.DIED: (E.HEALTH, "Health confirmed the child's death; the family are being supported"),
    O.NOT_CME: (E.SCHOOL_JOINT, "School confirm the child is attending after a period of absence"),
}
# Enquiries a case closed as whereabouts unknown may mark not applicable.
_OFTEN_NOT_APPLICABLE = (E.CUSTODIAL, E.YOUTH_JUSTICE, E.PREVIOUS_LA, E.LANDLORD)


def demo_cases(
    authorities: dict[str, Authority],
    establishments: dict[tuple[str, str], Establishment],
    today: date,
) -> int:
    """Add the demo cases to each demo authority that has none yet; return how many."""
    fake = Faker("en_GB")
    streets = {
        spec.la_code: {
            district: district_streets(district, town, fake) for district, town in spec.districts
        }
        for spec in AUTHORITIES
    }
    in_use = {
        *RollEntry.objects.values_list("upn", flat=True),
        *Child.objects.exclude(upn="").values_list("upn", flat=True),
        *FormerUPN.objects.values_list("upn", flat=True),
    }
    allocator = UpnAllocator(in_use)
    added = 0
    for spec in AUTHORITIES:
        authority = authorities[spec.la_code]
        if Case.objects.filter(authority=authority).exists():
            continue
        team = _team(authority)
        if team is None:
            continue  # no case team (say, real accounts hold the demo addresses): no cases
        other = next(s for s in AUTHORITIES if s.la_code != spec.la_code)
        maker = _CaseMaker(
            spec=spec,
            other=other,
            authority=authority,
            team=team,
            establishments=establishments,
            streets=streets,
            allocator=allocator,
            fake=fake,
            today=today,
        )
        added += _save(maker.make())
    return added


@dataclass(frozen=True)
class _Team:
    openers: tuple[User, ...]  # officers and managers open cases
    owners: tuple[User, ...]
    owner_weights: tuple[int, ...]
    manager: User

    def owner(self, rng: random.Random) -> User:
        return rng.choices(self.owners, weights=self.owner_weights)[0]


def _team(authority: Authority) -> _Team | None:
    by_role: dict[str, list[User]] = {}
    memberships = (
        Membership.objects.filter(
            authority=authority,
            is_active=True,
            user__is_active=True,
            role__in=[Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER],
        )
        .select_related("user")
        .order_by("pk")
    )
    for membership in memberships:
        by_role.setdefault(membership.role, []).append(membership.user)
    weights = {Role.CME_OFFICER: 5, Role.CASEWORKER: 4, Role.CME_MANAGER: 1}
    owners = [(user, weight) for role, weight in weights.items() for user in by_role.get(role, [])]
    openers = [*by_role.get(Role.CME_OFFICER, []), *by_role.get(Role.CME_MANAGER, [])]
    if not owners or not openers:
        return None
    managers = by_role.get(Role.CME_MANAGER) or openers
    return _Team(
        openers=tuple(openers),
        owners=tuple(user for user, _ in owners),
        owner_weights=tuple(weight for _, weight in owners),
        manager=managers[0],
    )


@dataclass
class _Event:
    day: date
    rank: int  # orders events on the same day
    kind: EventKind
    summary: str
    actor: User | None
    # Rows whose timestamp field should match this event's time.
    stamps: list[tuple[Model, str]] = field(default_factory=list)


@dataclass
class _Made:
    """One case and everything that goes with it, not yet saved."""

    child: Child
    case: Case
    addresses: list[Address] = field(default_factory=list)
    carers: list[Carer] = field(default_factory=list)
    other_names: list[OtherName] = field(default_factory=list)
    former_upns: list[FormerUPN] = field(default_factory=list)
    groups: list[ChildVulnerability] = field(default_factory=list)
    siblings: list[Sibling] = field(default_factory=list)
    assessment: VulnerabilityAssessment | None = None
    enquiries: list[Enquiry] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)
    sibling_of: _Made | None = None  # a brother or sister who also has a case
    found_at: str = ""  # the school a child found on a roll is at


@dataclass
class _Family:
    """What a sibling shares with the child before them."""

    surname: str
    ethnicity: str
    arrival: tuple[str, str, Ethnicity, bool] | None
    notified_on: date
    made: _Made


def _pick(rng: random.Random, weighted: Sequence[tuple[_T, int]]) -> _T:
    return rng.choices([item for item, _ in weighted], weights=[w for _, w in weighted])[0]


def _weekday(day: date, today: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return min(day, today)


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


class _CaseMaker:
    def __init__(
        self,
        *,
        spec: AuthoritySpec,
        other: AuthoritySpec,
        authority: Authority,
        team: _Team,
        establishments: dict[tuple[str, str], Establishment],
        streets: dict[str, dict[str, tuple[Street, ...]]],
        allocator: UpnAllocator,
        fake: Faker,
        today: date,
    ) -> None:
        self.spec = spec
        self.other = other
        self.authority = authority
        self.team = team
        self.streets = streets
        self.allocator = allocator
        self.today = today
        seed = f"cme-demo:cases:{spec.la_code}"
        self.rng = random.Random(seed)  # noqa: S311 - fictional data, not a secret
        self.fake = fake
        fake.seed_instance(seed)
        self.schools = [
            (s, establishments[(s.la_code, s.number)])
            for s in ESTABLISHMENTS
            if s.la_code == spec.la_code and s.is_open and s.size > 0
        ]
        self.primaries = [s.number for s, _ in self.schools if s.years[0] == "R"]
        # Children a case may find on a roll: pupils of compulsory school age.
        self.roll = list(
            RollEntry.objects.filter(
                establishment__la_code=spec.la_code,
                year_group__in=[str(year) for year in range(1, 12)],
            )
            .only("upn", "forename", "middle_names", "surname", "date_of_birth", "sex",
                  "establishment_id")
            .order_by("upn")
        )  # fmt: skip
        self.school_names = {
            e.pk: e.name for e in establishments.values() if e.la_code == spec.la_code
        }

    # The plan: which stage each case reached and how the closed ones ended.

    def make(self) -> list[_Made]:
        rng = self.rng
        plans: list[tuple[Stage, Outcome | None]] = [
            (Stage(stage), None)
            for stage, count in CASE_STAGES[self.spec.la_code].items()
            for _ in range(count)
        ]
        plans += [
            (S.CLOSED, Outcome(outcome))
            for outcome, count in CASE_OUTCOMES[self.spec.la_code].items()
            for _ in range(count)
        ]
        rng.shuffle(plans)
        can_restrict = [
            i
            for i, (_, outcome) in enumerate(plans)
            if outcome not in {O.FOUND_ON_ROLL, O.NOT_SCHOOL_AGE, O.DIED}
        ]
        restricted = set(rng.sample(can_restrict, RESTRICTED_CHILDREN.get(self.spec.la_code, 0)))
        open_plans = [i for i, (stage, _) in enumerate(plans) if stage != S.CLOSED]
        outside = set(rng.sample(open_plans, min(3, len(open_plans) // 8)))
        made: list[_Made] = []
        family: _Family | None = None
        for index, (stage, outcome) in enumerate(plans):
            sibling_of = None
            if (
                family is not None
                and index not in restricted
                and outcome not in {O.FOUND_ON_ROLL, O.NOT_SCHOOL_AGE}
                and rng.random() < 0.04
            ):
                sibling_of = family
            one = self._case(
                stage,
                outcome,
                restricted=index in restricted,
                outside=index in outside,
                sibling_of=sibling_of,
            )
            made.append(one)
            family = None
            if one.sibling_of is None and index not in restricted and outcome != O.FOUND_ON_ROLL:
                family = _Family(
                    surname=one.child.surname,
                    ethnicity=one.child.ethnicity,
                    arrival=self._arrival_of(one.child),
                    notified_on=one.case.notified_on,
                    made=one,
                )
        return made

    def _arrival_of(self, child: Child) -> tuple[str, str, Ethnicity, bool] | None:
        for arrival in _ARRIVALS:
            if arrival[0] == child.country_of_origin and arrival[1] == child.first_language:
                return arrival
        return None

    def _path(self, stage: Stage, outcome: Outcome | None) -> list[Stage]:
        rng = self.rng
        R, C, CM, L, AN, SP, IP, T, X = (
            S.RECEIVED,
            S.CHECKING,
            S.CONFIRMED_MISSING,
            S.LOCATING,
            S.ASSESSING_NEEDS,
            S.SECURING_PROVISION,
            S.IN_PROVISION,
            S.TRACKING,
            S.CLOSED,
        )
        located = [L] if rng.random() < 0.6 else []
        paths: dict[Stage, list[Stage]] = {
            R: [R],
            C: [R, C],
            CM: [R, C, CM],
            L: [R, C, CM, L] if rng.random() < 0.8 else [T, L],
            AN: [R, C, CM, *located, AN],
            SP: [R, C, CM, *located, AN, SP],
            IP: [R, C, CM, *located, AN, SP, IP],
            T: [R, C, CM, L, T] if rng.random() < 0.65 else [T],
        }
        if stage != X:
            return paths[stage]
        roll = rng.random()
        closed: dict[Outcome, list[Stage]] = {
            O.FOUND_ON_ROLL: [R, C, X] if roll < 0.8 else [R, C, CM, X],
            O.NOT_CME: [R, X] if roll < 0.4 else [R, C, X],
            O.NOT_SCHOOL_AGE: [R, X] if roll < 0.5 else [R, C, X],
            O.REGISTERED: [R, C, CM, *located, AN, SP, IP, X],
            O.HOME_EDUCATED: [R, C, CM, *located, AN, X],
            O.MOVED_LA: [R, C, CM, L, X] if roll < 0.7 else [R, C, CM, L, T, X],
            O.MOVED_ABROAD: (
                [R, C, CM, L, X] if roll < 0.5 else [R, C, CM, L, T, X] if roll < 0.8 else [T, X]
            ),
            O.CUSTODY: [R, C, CM, L, AN, X],
            O.WHEREABOUTS_UNKNOWN: [R, C, CM, L, T, X] if roll < 0.8 else [T, X],
            O.DIED: [R, C, CM, X] if roll < 0.5 else [R, C, CM, L, X],
        }
        assert outcome is not None
        return closed[outcome]

    def _dates(self, path: list[Stage], notified_on: date | None) -> list[date] | None:
        """The day the case reached each stage of `path`, the first being the day notified.

        Given the day notified (a sibling's), None when this path does not fit between it and
        today: too little time for its stages, or too long for an open case at its stage.
        """
        rng, today = self.rng, self.today
        gaps = [rng.randint(*_GAPS[(a, b)]) for a, b in pairwise(path)]
        total = sum(gaps)
        if notified_on is not None:
            room = (today - notified_on).days
            longest = total + (_DWELL[path[-1]][1] if path[-1] != S.CLOSED else HISTORY_DAYS)
            if not total <= room <= longest:
                return None
        else:
            earliest = today - timedelta(days=HISTORY_DAYS)
            if path[-1] == S.CLOSED:
                notified_on = _between(rng, earliest, today - timedelta(days=total + 1))
            else:
                dwell = rng.randint(*_DWELL[path[-1]])
                notified_on = max(today - timedelta(days=total + dwell), earliest)
        room = (today - notified_on).days
        if total > room:  # squeeze the history in before today
            gaps = [gap * room // total for gap in gaps]
        days = [notified_on]
        for gap in gaps:
            days.append(days[-1] + timedelta(days=gap))
        return [_weekday(day, today) for day in days]

    # The child.

    def _date_of_birth(self, notified_on: date, *, is_open: bool, outside: bool) -> date:
        rng, today = self.rng, self.today
        year = academic_year_of(notified_on)
        if outside:
            for _ in range(50):
                cohort = rng.choice(("R", "11", "12"))
                born_from, born_to = birth_range(cohort, academic_year_of(today))
                dob = _between(rng, born_from, born_to)
                if not is_compulsory_school_age(dob, today) and dob < notified_on:
                    return dob
        dob = notified_on
        for _ in range(50):
            group = _pick(rng, _YEAR_GROUPS)
            dob = _between(rng, *birth_range(group, year))
            if is_compulsory_school_age(dob, notified_on) and (
                not is_open or is_compulsory_school_age(dob, today)
            ):
                return dob
        return dob

    def _too_young_or_old(self, notified_on: date) -> date:
        rng = self.rng
        year = academic_year_of(notified_on)
        for _ in range(50):
            if rng.random() < 0.6:  # not yet five, or five but before the next prescribed day
                born_from, born_to = birth_range("R", year)
                dob = _between(rng, born_from, born_to + timedelta(days=200))
            else:
                dob = _between(rng, *birth_range("12", year))
            if not is_compulsory_school_age(dob, notified_on) and dob < notified_on:
                return dob
        return _between(rng, *birth_range("13", year))

    def _child(
        self,
        outcome: Outcome | None,
        notified_on: date,
        *,
        is_open: bool,
        outside: bool,
        sibling_of: _Family | None,
        roll_entry: RollEntry | None,
    ) -> Child:
        rng, fake = self.rng, self.fake
        sex = rng.choices((Sex.MALE, Sex.FEMALE, Sex.UNKNOWN), weights=(50, 49, 1))[0]
        first = fake.first_name_female if sex == Sex.FEMALE else fake.first_name_male
        forename = first()
        middle = " ".join(first() for _ in range(rng.choices((0, 1, 2), weights=(50, 42, 8))[0]))
        surname = sibling_of.surname if sibling_of else fake.last_name()
        if outcome == O.NOT_SCHOOL_AGE:
            dob = self._too_young_or_old(notified_on)
        else:
            dob = self._date_of_birth(notified_on, is_open=is_open, outside=outside)
        arrival = None
        if sibling_of is not None:
            arrival, ethnicity = sibling_of.arrival, sibling_of.ethnicity
        elif rng.random() < 0.12:
            arrival = rng.choice(_ARRIVALS)
            ethnicity = arrival[2]
        else:
            ethnicity = _pick(rng, _ETHNICITIES)
        upn = ""
        if roll_entry is not None:
            forename, middle, surname = (
                roll_entry.forename,
                roll_entry.middle_names,
                roll_entry.surname,
            )
            dob, sex, upn = roll_entry.date_of_birth, Sex(roll_entry.sex), roll_entry.upn
        elif arrival is None and rng.random() < 0.7:
            upn = self._upn(dob)
        elif arrival is not None and rng.random() < 0.3:
            upn = self.allocator.permanent(
                self.spec.la_code, [rng.choice(self.primaries or ["2001"])], notified_on.year
            )
        language = ""
        if arrival is not None:
            language = arrival[1]
        elif rng.random() < 0.7:
            language = "English"
        return Child(
            authority=self.authority,
            forename=forename,
            middle_names=middle,
            surname=surname,
            preferred_forename=_SHORT_FORMS.get(forename, "") if rng.random() < 0.3 else "",
            date_of_birth=dob,
            sex=sex,
            ethnicity=ethnicity,
            first_language=language,
            country_of_origin=arrival[0] if arrival else "",
            upn=upn,
            special_needs=rng.choices(
                (SpecialNeeds.NONE, SpecialNeeds.SUPPORT, SpecialNeeds.EHCP, SpecialNeeds.UNKNOWN),
                weights=(62, 18, 8, 12),
            )[0],
            child_in_need=rng.random() < 0.08,
            child_protection_plan=rng.random() < 0.03,
            looked_after=rng.random() < 0.03,
        )

    def _upn(self, dob: date) -> str:
        """A UPN issued by a primary school in the year the child started Reception."""
        reception = academic_year_of(dob) + 5
        primaries = list(self.primaries or ["2001"])
        self.rng.shuffle(primaries)
        return self.allocator.permanent(self.spec.la_code, primaries, reception)

    def _family_details(
        self, made: _Made, sibling_of: _Family | None, notified_on: date, outcome: Outcome | None
    ) -> None:
        rng, fake, child = self.rng, self.fake, made.child
        assert child.date_of_birth is not None
        # Aliases and former names; former UPNs.
        if rng.random() < 0.10:
            made.other_names.append(
                OtherName(child=child, kind=NameKind.FORMER, forename="", surname=fake.last_name())
            )
        if rng.random() < 0.06:
            alias = fake.first_name_female() if child.sex == Sex.FEMALE else fake.first_name_male()
            made.other_names.append(
                OtherName(child=child, kind=NameKind.ALIAS, forename=alias, surname=child.surname)
            )
        if child.upn and rng.random() < 0.08:
            if rng.random() < 0.5:
                old = self.allocator.temporary(
                    self.spec.la_code, rng.choice(self.primaries or ["2001"]), notified_on.year - 1
                )
            else:  # issued by the other demo authority before the family moved
                reception = academic_year_of(child.date_of_birth) + 5
                old = self.allocator.permanent(self.other.la_code, ["2001", "2002"], reception)
            made.former_upns.append(FormerUPN(child=child, upn=old))
        # Where they live now, and sometimes where they lived before.
        if sibling_of is not None:
            made.addresses += [
                Address(
                    child=child,
                    line1=a.line1,
                    town=a.town,
                    postcode=a.postcode,
                    lived_from=a.lived_from,
                    lived_to=a.lived_to,
                    is_current=a.is_current,
                )
                for a in sibling_of.made.addresses
            ]
            made.carers += [
                Carer(
                    child=child,
                    full_name=c.full_name,
                    relationship=c.relationship,
                    has_parental_responsibility=c.has_parental_responsibility,
                    lives_with_child=c.lives_with_child,
                    phone=c.phone,
                    email=c.email,
                    address=c.address,
                )
                for c in sibling_of.made.carers
            ]
        else:
            self._addresses(made, notified_on, outcome)
            self._carers(made)
        if rng.random() < 0.18:
            for _ in range(rng.choice((1, 1, 2))):
                born = child.date_of_birth + timedelta(
                    days=rng.choice((-1, 1)) * rng.randint(400, 2500)
                )
                first = rng.choice((fake.first_name_female, fake.first_name_male))()
                made.siblings.append(
                    Sibling(
                        child=child,
                        full_name=f"{first} {child.surname}",
                        date_of_birth=min(born, self.today - timedelta(days=30)),
                    )
                )

    def _street(self, la_code: str) -> tuple[str, str, str]:
        """A fictional address in an authority's area: line 1, town and postcode."""
        streets = self.streets[la_code]
        district = self.rng.choice(sorted(streets))
        line, postcode = self.rng.choice(streets[district]).address(self.rng)
        line1, town = line.rsplit(", ", 1)
        return line1, town, postcode

    def _addresses(self, made: _Made, notified_on: date, outcome: Outcome | None) -> None:
        rng, child = self.rng, made.child
        assert child.date_of_birth is not None
        la = self.spec.la_code
        line1, town, postcode = self._street(la)
        moved_in = max(
            notified_on - timedelta(days=rng.randint(60, 1500)),
            child.date_of_birth + timedelta(days=rng.randint(0, 60)),
        )
        current = Address(
            child=child,
            line1=line1,
            town=town,
            postcode=postcode,
            lived_from=moved_in,
            is_current=True,
        )
        made.addresses.append(current)
        before = moved_in
        for _ in range(rng.choices((0, 1, 2), weights=(65, 27, 8))[0]):
            if before - child.date_of_birth < timedelta(days=200):
                break
            moved_from = max(before - timedelta(days=rng.randint(120, 1000)), child.date_of_birth)
            line1, town, postcode = self._street(la if rng.random() < 0.7 else self.other.la_code)
            made.addresses.append(
                Address(
                    child=child,
                    line1=line1,
                    town=town,
                    postcode=postcode,
                    lived_from=moved_from,
                    lived_to=before - timedelta(days=1),
                )
            )
            before = moved_from
        # A family that moved away no longer lives at the local address.
        if outcome in {O.MOVED_LA, O.MOVED_ABROAD}:
            current.is_current = False
            current.lived_to = notified_on - timedelta(days=rng.randint(1, 20))
            if outcome == O.MOVED_LA and rng.random() < 0.5:
                line1, town, postcode = self._street(self.other.la_code)
                made.addresses.append(
                    Address(
                        child=child,
                        line1=line1,
                        town=town,
                        postcode=postcode,
                        lived_from=current.lived_to + timedelta(days=1),
                        is_current=True,
                    )
                )

    def _carers(self, made: _Made) -> None:
        rng, fake, child = self.rng, self.fake, made.child

        def phone() -> str:
            return f"07700 900{rng.randint(0, 999):03d}"  # Ofcom's range for drama

        def email(name: str) -> str:
            if rng.random() < 0.5:
                return ""
            local = name.lower().replace(" ", ".").replace("'", "")
            return f"{local}{rng.randint(1, 99)}@example.com"  # a reserved domain

        def surname() -> str:
            return child.surname if rng.random() < 0.75 else fake.last_name()

        if child.looked_after:
            foster = f"{fake.first_name_female()} {fake.last_name()}"
            made.carers += [
                Carer(
                    child=child,
                    full_name=foster,
                    relationship=Relationship.FOSTER_CARER,
                    lives_with_child=True,
                    phone=phone(),
                    email=email(foster),
                ),
                Carer(
                    child=child,
                    full_name=self.authority.name,
                    relationship=Relationship.CORPORATE_PARENT,
                    has_parental_responsibility=True,
                ),
                Carer(
                    child=child,
                    full_name=f"{fake.first_name_female()} {surname()}",
                    relationship=Relationship.MOTHER,
                    has_parental_responsibility=True,
                    phone=phone() if rng.random() < 0.5 else "",
                ),
            ]
            return
        mother_at_home = rng.random() < 0.88
        mother = f"{fake.first_name_female()} {surname()}"
        made.carers.append(
            Carer(
                child=child,
                full_name=mother,
                relationship=Relationship.MOTHER,
                has_parental_responsibility=True,
                lives_with_child=mother_at_home,
                phone=phone(),
                email=email(mother),
            )
        )
        father_at_home = False
        if rng.random() < 0.55:
            father = f"{fake.first_name_male()} {child.surname if rng.random() < 0.8 else fake.last_name()}"
            father_at_home = rng.random() < 0.5
            line1, town, postcode = self._street(self.spec.la_code)
            made.carers.append(
                Carer(
                    child=child,
                    full_name=father,
                    relationship=Relationship.FATHER,
                    has_parental_responsibility=rng.random() < 0.85,
                    lives_with_child=father_at_home,
                    phone=phone() if rng.random() < 0.7 else "",
                    address="" if father_at_home else f"{line1}, {town} {postcode}",
                )
            )
        if mother_at_home and not father_at_home and rng.random() < 0.15:
            step = f"{fake.first_name_male()} {fake.last_name()}"
            made.carers.append(
                Carer(
                    child=child,
                    full_name=step,
                    relationship=Relationship.STEP_PARENT,
                    lives_with_child=True,
                )
            )
        if not mother_at_home:
            grandparent = f"{fake.first_name_female()} {surname()}"
            made.carers.append(
                Carer(
                    child=child,
                    full_name=grandparent,
                    relationship=Relationship.GRANDPARENT,
                    has_parental_responsibility=rng.random() < 0.5,
                    lives_with_child=True,
                    phone=phone(),
                )
            )

    def _groups(
        self, made: _Made, outcome: Outcome | None, placement: EstablishmentSpec | None
    ) -> None:
        rng, child = self.rng, made.child
        groups: set[VulnerableGroup] = set()
        if child.is_restricted and "refuge" in child.restriction_reason.lower():
            groups.add(VulnerableGroup.REFUGE)
        if child.looked_after:
            groups.add(VulnerableGroup.LOOKED_AFTER)
        if child.ethnicity in {Ethnicity.WROM, Ethnicity.WIRT} and rng.random() < 0.7:
            groups.add(VulnerableGroup.GRT)
        arrival = self._arrival_of(child)
        if arrival is not None:
            groups.add(
                VulnerableGroup.REFUGEE_FAMILY if arrival[3] else VulnerableGroup.NEW_IMMIGRANT
            )
        if outcome == O.CUSTODY:
            groups.add(VulnerableGroup.OFFENDING)
        if placement is not None and placement.kind == EstablishmentKind.PRU:
            groups.add(VulnerableGroup.EXCLUDED)
        if not groups and rng.random() < 0.22:
            groups.update(
                rng.sample(
                    [
                        VulnerableGroup.HOMELESS,
                        VulnerableGroup.TRANSIENT,
                        VulnerableGroup.MEDICAL,
                        VulnerableGroup.YOUNG_CARER,
                        VulnerableGroup.RUNAWAY,
                        VulnerableGroup.PRIVATELY_FOSTERED,
                        VulnerableGroup.OFFENDING,
                        VulnerableGroup.EXCLUDED,
                    ],
                    rng.choice((1, 1, 2)),
                )
            )
        if (
            child.sex == Sex.FEMALE
            and child.date_of_birth is not None
            and (self.today - child.date_of_birth).days > 14 * 365
            and rng.random() < 0.05
        ):
            groups.add(VulnerableGroup.TEENAGE_MOTHER)
        made.groups += [ChildVulnerability(child=child, group=g) for g in sorted(groups)]

    # The case.

    def _case(
        self,
        stage: Stage,
        outcome: Outcome | None,
        *,
        restricted: bool,
        outside: bool,
        sibling_of: _Family | None,
    ) -> _Made:
        rng, today, team = self.rng, self.today, self.team
        path = self._path(stage, outcome)
        days = self._dates(path, sibling_of.notified_on) if sibling_of else None
        if days is None:
            sibling_of = None
            days = self._dates(path, None)
            assert days is not None
        notified_on = days[0]
        on: dict[Stage, date] = {}
        for step, day in zip(path, days, strict=True):
            on.setdefault(step, day)
        is_open = stage != S.CLOSED
        roll_entry = None
        if outcome == O.FOUND_ON_ROLL:
            for _ in range(50 if self.roll else 0):
                index = rng.randrange(len(self.roll))
                if is_compulsory_school_age(self.roll[index].date_of_birth, notified_on):
                    roll_entry = self.roll.pop(index)
                    break
        child = self._child(
            outcome,
            notified_on,
            is_open=is_open,
            outside=outside,
            sibling_of=sibling_of,
            roll_entry=roll_entry,
        )
        if restricted:
            child.is_restricted = True
            child.restriction_reason = rng.choice(_RESTRICTION_REASONS)
        child.full_clean(exclude=["authority"], validate_unique=False, validate_constraints=False)
        assert child.date_of_birth is not None
        year_group = national_curriculum_year(child.date_of_birth, notified_on)

        source = _pick(rng, _SOURCES)
        if path[0] == S.TRACKING:
            source = rng.choice((Source.SCHOOL, Source.DELETION_RETURN))
        elif child.country_of_origin and rng.random() < 0.5:
            source = rng.choice((Source.PUBLIC, Source.HOUSING, Source.HEALTH))
        placement, placement_other = self._last_placement(child, year_group, roll_entry)
        last_attended = None
        if placement is not None or (placement_other and rng.random() < 0.5):
            last_attended = _weekday(notified_on - timedelta(days=rng.randint(2, 30)), today)
            if last_attended >= notified_on:
                last_attended = notified_on - timedelta(days=3)
        opener = rng.choice(team.openers)
        owner: User | None = team.owner(rng)
        if stage == S.RECEIVED and rng.random() < 0.6:
            owner = None
        worker = owner or opener
        case = Case(
            authority=self.authority,
            child=child,
            stage=stage,
            owner=owner,
            priority=_pick(rng, _PRIORITIES),
            source=source,
            notified_on=notified_on,
            confirmed_missing_on=on.get(S.CONFIRMED_MISSING),
            located_on=on.get(S.ASSESSING_NEEDS),
            provision_determined_on=on.get(S.SECURING_PROVISION),
            moved_into_provision_on=on.get(S.IN_PROVISION),
            closed_on=on.get(S.CLOSED),
            last_placement=placement[1] if placement else None,
            last_placement_other=placement_other,
            last_attended_on=last_attended,
            outcome=outcome or "",
        )
        if is_open and not is_compulsory_school_age(child.date_of_birth, today):
            young = child.date_of_birth > today - timedelta(days=6 * 365)
            case.outside_school_age_reason = rng.choice(
                _OUTSIDE_REASONS_YOUNG if young else _OUTSIDE_REASONS_OLD
            )
        made = _Made(child=child, case=case, sibling_of=sibling_of.made if sibling_of else None)
        if roll_entry is not None:
            made.found_at = self.school_names.get(roll_entry.establishment_id, "")
        self._family_details(made, sibling_of, notified_on, outcome)
        self._groups(made, outcome, placement[0] if placement else None)
        end = case.closed_on or today

        # The timeline: opened, stage moves, the assessment, enquiries, tasks, notes, closure.
        events = made.events
        opened = _Event(
            notified_on,
            0,
            EventKind.OPENED,
            f"Case opened at “{path[0].label}”",
            opener,
            [(case, "created_at"), (child, "created_at")],
        )
        events.append(opened)
        if owner is not None and owner != opener:
            events.append(_Event(notified_on, 1, EventKind.UPDATED, "Changed owner", opener))
        if restricted:
            events.append(
                _Event(notified_on, 2, EventKind.RESTRICTION, "Record restricted", opener)
            )
        assessed_on = self._assessed_on(path, days)
        for rank, (before, after, day) in enumerate(zip(path, path[1:], days[1:], strict=False)):
            if after == S.CLOSED:
                continue
            actor = worker if rng.random() < 0.8 else team.manager
            # The assessment (rank 50) comes after confirming missing, before anything later.
            order = 10 + rank if after in {S.CHECKING, S.CONFIRMED_MISSING} else 55 + rank
            events.append(
                _Event(
                    day,
                    order,
                    EventKind.STAGE,
                    f"Moved from “{before.label}” to “{after.label}”",
                    actor,
                )
            )
        if assessed_on is not None:
            self._assessment(made, assessed_on, worker, path, outcome)
        self._case_texts(case, child, year_group, placement, on, outcome)
        self._enquiries(made, path, on, assessed_on, end, worker, outcome)
        self._notes(made, notified_on, end, worker)
        self._tasks(made, on, end, worker)
        if case.closed_on is not None:
            assert outcome is not None
            events.append(
                _Event(
                    case.closed_on,
                    1000,
                    EventKind.CLOSED,
                    f"Closed: {outcome.label}",
                    worker if rng.random() < 0.7 else team.manager,
                    [(case, "updated_at")],
                )
            )
        return made

    def _last_placement(
        self, child: Child, year_group: str, roll_entry: RollEntry | None
    ) -> tuple[tuple[EstablishmentSpec, Establishment] | None, str]:
        rng = self.rng
        if child.country_of_origin and rng.random() < 0.7:
            return None, f"A school in {child.country_of_origin}"
        schools = [
            (spec, establishment)
            for spec, establishment in self.schools
            if year_group in spec.years
            and (roll_entry is None or establishment.pk != roll_entry.establishment_id)
        ]
        if not schools or rng.random() < 0.07:
            return None, rng.choice(
                (
                    "Not known",
                    "Electively home educated before this",
                    "A school in " + rng.choice(_OTHER_TOWNS),
                    "None: never registered at a school",
                )
            )
        return rng.choices(schools, weights=[spec.size for spec, _ in schools])[0], ""

    def _assessed_on(self, path: list[Stage], days: list[date]) -> date | None:
        """The assessment comes after confirming the child is missing (or on opening to track),
        and before any stage that needs it."""
        rng = self.rng
        if S.CONFIRMED_MISSING in path:
            start = path.index(S.CONFIRMED_MISSING)
        elif path[0] == S.TRACKING:
            start = 0
        else:
            return None
        first = days[start]
        if start + 1 < len(path) and path[start + 1] != S.CLOSED:
            return _weekday(
                min(first + timedelta(days=rng.randint(0, 3)), days[start + 1]), days[start + 1]
            )
        if path[start] != S.TRACKING and rng.random() < 0.35:
            return None  # not done yet, or closed before it was needed
        last = days[start + 1] if start + 1 < len(path) else self.today
        return _weekday(min(first + timedelta(days=rng.randint(0, 5)), last), last)

    def _assessment(
        self, made: _Made, day: date, actor: User, path: list[Stage], outcome: Outcome | None
    ) -> None:
        rng, case, child = self.rng, made.case, made.child
        questions = (
            *VulnerabilityAssessment.CRIME_QUESTIONS,
            *VulnerabilityAssessment.CARE_QUESTIONS,
            "avoiding_contact",
        )
        answers = {q: Answer.UNKNOWN if rng.random() < 0.04 else Answer.NO for q in questions}
        if rng.random() < 0.15:
            for q in rng.sample(VulnerabilityAssessment.CRIME_QUESTIONS, rng.choice((1, 1, 2))):
                answers[q] = Answer.YES
        if child.child_protection_plan:
            answers["child_protection_plan"] = Answer.YES
        if child.looked_after:
            answers["looked_after"] = Answer.YES
        if child.child_in_need or rng.random() < 0.06:
            answers["social_care_involved"] = Answer.YES
        if rng.random() < 0.12:
            answers["avoiding_contact"] = Answer.YES
        unknown_where = outcome == O.WHEREABOUTS_UNKNOWN or (
            (S.LOCATING in path or S.TRACKING in path) and rng.random() < 0.7
        )
        answers["whereabouts_unknown"] = Answer.YES if unknown_where else Answer.NO
        assessment = VulnerabilityAssessment(case=case, completed_by=actor, **answers)
        made.assessment = assessment
        crime, care = assessment.possible_crime, assessment.care_concern
        if crime or care:
            case.priority = Priority.URGENT
        elif answers["avoiding_contact"] == Answer.YES and case.priority > Priority.HIGH:
            case.priority = Priority.HIGH
        case.is_vulnerable = (
            crime or care or unknown_where or answers["avoiding_contact"] == Answer.YES
        )
        case.assessed_on = day
        required: list[tuple[TaskKind, str]] = []
        if crime:
            required += [
                (TaskKind.POLICE_REFERRAL, "Refer to the police (possible crime, §2.3)"),
                (TaskKind.INFORM_EWS, "Tell the education welfare service or designated person"),
            ]
        if care:
            required.append(
                (
                    TaskKind.INFORM_SOCIAL_CARE,
                    "Tell children's social care immediately (§2.3.8–2.3.10)",
                )
            )
        summary = "Vulnerability assessment recorded" + (
            ": required actions added" if required else ""
        )
        made.events.append(
            _Event(day, 50, EventKind.ASSESSMENT, summary, actor, [(assessment, "completed_at")])
        )
        for kind, title in required:
            task = Task(case=case, kind=kind, title=title, due_on=day, assigned_to=case.owner)
            made.tasks.append(task)
            made.events[-1].stamps.append((task, "created_at"))
            # Closed cases have every required action done; most open ones have too.
            if case.closed_on is not None or rng.random() < 0.85:
                limit = case.closed_on or self.today
                task.done_on = _weekday(min(day + timedelta(days=rng.randint(0, 2)), limit), limit)
                task.done_by = case.owner or actor
                made.events.append(
                    _Event(task.done_on, 60, EventKind.TASK, f"Done: {kind.label}", task.done_by)
                )

    def _case_texts(
        self,
        case: Case,
        child: Child,
        year_group: str,
        placement: tuple[EstablishmentSpec, Establishment] | None,
        on: dict[Stage, date],
        outcome: Outcome | None,
    ) -> None:
        rng = self.rng
        if S.ASSESSING_NEEDS not in on:
            return
        assert child.date_of_birth is not None
        year_now = national_curriculum_year(child.date_of_birth, on[S.ASSESSING_NEEDS])
        schools = [
            e
            for spec, e in self.schools
            if year_now in spec.years
            and spec.kind
            in {
                EstablishmentKind.MAINTAINED,
                EstablishmentKind.ACADEMY,
                EstablishmentKind.FREE,
            }
            and (placement is None or e.pk != placement[1].pk)
        ]
        if outcome == O.HOME_EDUCATED or outcome == O.CUSTODY:
            return
        label = "Reception" if year_now == "R" else f"Year {year_now}"
        if schools and rng.random() < 0.85:
            school = rng.choice(schools).name
            recommended = f"{label} place at {school}"
        else:
            pru = [
                e
                for s, e in self.schools
                if s.kind in {EstablishmentKind.PRU, EstablishmentKind.ALTERNATIVE}
            ]
            school = pru[0].name if pru else "the pupil referral unit"
            recommended = f"Place at {school} while an EHC needs assessment is done"
        if S.SECURING_PROVISION in on or rng.random() < 0.5:
            case.provision_recommended = recommended
        if S.IN_PROVISION in on:
            case.provision_accessed = f"Started at {school} on {on[S.IN_PROVISION]:%-d %B %Y}"

    def _enquiries(
        self,
        made: _Made,
        path: list[Stage],
        on: dict[Stage, date],
        assessed_on: date | None,
        end: date,
        worker: User,
        outcome: Outcome | None,
    ) -> None:
        rng, case = self.rng, made.case
        start = on.get(S.CHECKING, case.notified_on)
        reached = set(path)
        if outcome == O.WHEREABOUTS_UNKNOWN:
            kinds = list(E)
        elif reached & {S.LOCATING, S.TRACKING}:
            kinds = rng.sample(list(E), rng.randint(5, 9))
        elif S.CONFIRMED_MISSING in reached:
            kinds = rng.sample(list(E), rng.randint(3, 6))
        elif S.CHECKING in reached:
            kinds = rng.sample(
                [E.LA_DATABASES, E.SCHOOL_JOINT, E.HEALTH, E.COUNCIL_TAX], rng.randint(1, 3)
            )
        else:
            return
        settling = _SETTLING.get(outcome) if outcome else None
        if settling is not None and settling[0] not in kinds:
            kinds.append(E(settling[0]))
        if assessed_on is None and E.HOME_VISIT in kinds:
            kinds.remove(E.HOME_VISIT)  # no home visit before the vulnerability assessment
        # Dates the case might have moved on from what its enquiries found.
        found_by = on.get(S.ASSESSING_NEEDS) or on.get(S.CLOSED) or end
        words = {
            "town": rng.choice(_OTHER_TOWNS),
            "month": _MONTHS[(case.notified_on.month - 1 - rng.randint(0, 2)) % 12],
            "la": rng.choice(_OTHER_LAS),
            "country": rng.choice(_ABROAD),
            "school": (
                case.provision_accessed.removeprefix("Started at ").split(" on ")[0]
                or "a school in the area"
            ),
        }
        if outcome == O.FOUND_ON_ROLL:
            words["school"] = made.found_at or "another school in the area"
        if outcome == O.MOVED_LA and any(a.is_current for a in made.addresses):
            words["la"] = f"{self.other.name}"
        moved = outcome in {O.MOVED_LA, O.MOVED_ABROAD, O.WHEREABOUTS_UNKNOWN} or (
            outcome is None and bool(reached & {S.LOCATING, S.TRACKING})
        )
        for kind in kinds:
            first = max(start, assessed_on) if kind == E.HOME_VISIT and assessed_on else start
            not_applicable = (
                outcome == O.WHEREABOUTS_UNKNOWN
                and kind in _OFTEN_NOT_APPLICABLE
                and rng.random() < 0.6
            )
            if settling is not None and kind == settling[0]:
                text, day = (
                    settling[1],
                    _between(rng, max(first, found_by - timedelta(days=7)), found_by),
                )
            else:
                texts = [
                    t.lstrip("~") for t in _ENQUIRY_OUTCOMES[kind] if moved or not t.startswith("~")
                ]
                text = rng.choice(texts)
                day = _between(rng, first, min(found_by, end))
            day = _weekday(day, end)
            if day < first:
                day = first
            enquiry = Enquiry(
                case=case,
                kind=kind,
                not_applicable=not_applicable,
                made_on=None if not_applicable else day,
                officer=worker if rng.random() < 0.85 else self.team.manager,
                outcome="" if not_applicable else text.format(**words),
            )
            made.enquiries.append(enquiry)
            label = "not applicable" if not_applicable else "enquiry recorded"
            made.events.append(
                _Event(day, 100, EventKind.ENQUIRY, f"{kind.label}: {label}", enquiry.officer)
            )

    def _notes(self, made: _Made, first: date, end: date, worker: User) -> None:
        rng = self.rng
        count = rng.choice((0, 1)) if made.case.stage == S.RECEIVED else rng.randint(1, 4)
        for _ in range(count):
            kind = NoteKind.FACT if rng.random() < 0.75 else NoteKind.OPINION
            text = rng.choice(_NOTES_FACT if kind == NoteKind.FACT else _NOTES_OPINION)
            author = worker if rng.random() < 0.8 else self.team.manager
            note = Note(case=made.case, author=author, kind=kind, text=text)
            made.notes.append(note)
            day = _weekday(_between(rng, first, end), end)
            made.events.append(
                _Event(
                    day,
                    200,
                    EventKind.NOTE,
                    f"Note added ({kind.label.lower()})",
                    author,
                    [(note, "created_at")],
                )
            )

    def _tasks(self, made: _Made, on: dict[Stage, date], end: date, worker: User) -> None:
        rng, case, today = self.rng, made.case, self.today
        assert made.child.date_of_birth is not None
        # Monthly follow-ups while tracking a child who left without a known destination.
        follow_ups: list[Task] = []
        if S.TRACKING in on:
            done_on = on[S.TRACKING]
            due = done_on + timedelta(days=FOLLOW_UP_DAYS)
            tracked_to = on.get(S.LOCATING, end) if on.get(S.LOCATING, end) > done_on else end
            while due <= tracked_to:
                task = Task(
                    case=case,
                    kind=TaskKind.FOLLOW_UP,
                    due_on=due,
                    assigned_to=case.owner,
                    title="Monthly follow-up: check where the child is now",
                )
                follow_ups.append(task)
                made.events.append(
                    _Event(
                        due,
                        5,
                        EventKind.TASK,
                        "Monthly follow-up due",
                        None,
                        [(task, "created_at")],
                    )
                )
                done_on = min(due + timedelta(days=rng.randint(0, 4)), tracked_to)
                task.done_on, task.done_by = done_on, case.owner or worker
                made.events.append(
                    _Event(done_on, 300, EventKind.TASK, "Done: Monthly follow-up", task.done_by)
                )
                due = done_on + timedelta(days=FOLLOW_UP_DAYS)
            if case.stage == S.TRACKING:
                case.next_follow_up_on = due
                if follow_ups and rng.random() < 0.2:  # the latest one is overdue
                    last = follow_ups[-1]
                    last.done_on = last.done_by = None
                    made.events.pop()
                    case.next_follow_up_on = last.due_on
        made.tasks += follow_ups
        if case.stage not in {S.CLOSED, S.TRACKING}:
            if rng.random() < 0.15:
                case.next_follow_up_on = max(
                    today - timedelta(days=rng.randint(1, 20)),
                    case.notified_on + timedelta(days=FOLLOW_UP_DAYS),
                )
            else:
                case.next_follow_up_on = today + timedelta(days=rng.randint(1, 27))
            if case.next_follow_up_on <= today and case.next_follow_up_on not in {
                t.due_on for t in follow_ups
            }:
                task = Task(
                    case=case,
                    kind=TaskKind.FOLLOW_UP,
                    due_on=case.next_follow_up_on,
                    assigned_to=case.owner,
                    title="Monthly follow-up: check where the child is now",
                )
                made.tasks.append(task)
                made.events.append(
                    _Event(
                        task.due_on,
                        5,
                        EventKind.TASK,
                        "Monthly follow-up due",
                        None,
                        [(task, "created_at")],
                    )
                )
        # Everyday tasks: some due, some overdue, some done.
        is_open = case.stage != S.CLOSED
        count = rng.choice((0, 1, 1, 2)) if is_open else rng.choice((0, 0, 1))
        year = national_curriculum_year(made.child.date_of_birth, today) or "7"
        for _ in range(count):
            created = _weekday(
                _between(rng, max(case.notified_on, end - timedelta(days=40)), end), end
            )
            due = created + timedelta(days=rng.randint(2, 20))
            title = rng.choice(_GENERAL_TASKS).format(year=year)
            task = Task(
                case=case,
                kind=TaskKind.GENERAL,
                title=title,
                due_on=due,
                assigned_to=case.owner or worker,
            )
            made.tasks.append(task)
            made.events.append(
                _Event(
                    created,
                    250,
                    EventKind.TASK,
                    f"Task added, due {due:%-d %B %Y}",
                    worker,
                    [(task, "created_at")],
                )
            )
            done = not is_open or rng.random() < (0.4 if due < today else 0.15)
            if done:
                task.done_on = _weekday(_between(rng, created, min(due, end)), end)
                task.done_by = task.assigned_to
                made.events.append(
                    _Event(task.done_on, 260, EventKind.TASK, "Done: task", task.done_by)
                )


def _stamp(events: list[_Event], rng: random.Random, now: datetime) -> list[CaseEvent]:
    """Give each event a time in the working day, in order, and the same time to its rows."""
    events.sort(key=lambda event: (event.day, event.rank))
    rows: list[CaseEvent] = []
    clock: datetime | None = None
    for event in events:
        start = datetime.combine(event.day, time(8, 30)) + timedelta(minutes=rng.randint(0, 90))
        if clock is None or clock.date() != event.day:
            clock = start
        else:
            clock += timedelta(minutes=rng.randint(3, 80))
        moment = min(timezone.make_aware(clock), now)
        rows.append(
            CaseEvent(occurred_at=moment, actor=event.actor, kind=event.kind, summary=event.summary)
        )
        for row, attribute in event.stamps:
            setattr(row, attribute, moment)
    return rows


def _save(made: list[_Made]) -> int:
    if not made:
        return 0
    rng = random.Random(f"cme-demo:times:{made[0].case.authority.la_code}")  # noqa: S311
    now = timezone.now()
    events: list[CaseEvent] = []
    for one in made:
        rows = _stamp(one.events, rng, now)
        one.case.updated_at = max(row.occurred_at for row in rows)
        for row in rows:
            row.case = one.case
        events += rows
    Child.objects.bulk_create([one.child for one in made])
    cases = [one.case for one in made]
    for index, case in enumerate(cases):
        case.reference = f"{case.authority.la_code}-new-{index}"
    Case.objects.bulk_create(cases)
    for case in cases:
        case.reference = f"{case.authority.la_code}-{case.pk:06d}"
    Case.objects.bulk_update(cases, ["reference"])

    def gather(pick: Callable[[_Made], Sequence[Model]]) -> list[Any]:
        return [row for one in made for row in pick(one)]

    Address.objects.bulk_create(gather(lambda one: one.addresses))
    Carer.objects.bulk_create(gather(lambda one: one.carers))
    OtherName.objects.bulk_create(gather(lambda one: one.other_names))
    FormerUPN.objects.bulk_create(gather(lambda one: one.former_upns))
    ChildVulnerability.objects.bulk_create(gather(lambda one: one.groups))
    Sibling.objects.bulk_create(gather(lambda one: one.siblings) + _linked_siblings(made))
    VulnerabilityAssessment.objects.bulk_create(
        [one.assessment for one in made if one.assessment is not None]
    )
    Enquiry.objects.bulk_create(gather(lambda one: one.enquiries))
    Task.objects.bulk_create(gather(lambda one: one.tasks))
    Note.objects.bulk_create(gather(lambda one: one.notes))
    CaseEvent.objects.bulk_create(events)
    return len(cases)


def _linked_siblings(made: list[_Made]) -> list[Sibling]:
    """Brothers and sisters who both have cases: each is recorded as the other's sibling."""
    links: list[Sibling] = []
    for one in made:
        if one.sibling_of is not None:
            a, b = one.sibling_of.child, one.child
            links += [
                Sibling(
                    child=a,
                    full_name=f"{b.forename} {b.surname}",
                    date_of_birth=b.date_of_birth,
                    record=b,
                ),
                Sibling(
                    child=b,
                    full_name=f"{a.forename} {a.surname}",
                    date_of_birth=a.date_of_birth,
                    record=a,
                ),
            ]
    return links
