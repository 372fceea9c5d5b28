"""Fill an empty, migrated CME database with a large, deterministic case load for benchmarks.

    CME_VAR_DIR=/tmp/cmebench-sqlite .venv/bin/python bench/seed_cases.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cme_bench .venv/bin/python bench/seed_cases.py

Default size: 100,000 cases in one authority (95,000 children, 5% of them with a second, closed
case) and 1,000,000 timeline events on them, 100 of the cases carrying 2,000 events each; plus a
second authority with 5,000 cases, so every query has rows of another authority to skip. Around
the cases: addresses, carers, siblings, other names, former UPNs, vulnerable groups (about a fifth
of the children), restricted children (1%, a tenth of them granted to the benchmark officer),
vulnerability assessments, enquiries, tasks, notes and attachment rows.

The same `--seed` and `--anchor` (the "today" the dates are drawn around, default: today) give the
same rows. Rows are written with COPY on PostgreSQL and executemany in one transaction per table
on SQLite, with explicit ids; the database must have no cases yet. Statistics are refreshed at the
end (ANALYZE), as autovacuum and SQLite's `PRAGMA optimize` would do on a live service.

Signs in as `officer@bench.example` (a CME officer with TOTP set up); see bench/bench_cases.py.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")

import django

django.setup()

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from faker.providers.person.en_GB import Provider as NameData  # noqa: E402

from cme.accounts.models import Authority, Membership, Role, User  # noqa: E402
from cme.cases.models import (  # noqa: E402
    Answer,
    Attachment,
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
from cme.children.models import (  # noqa: E402
    Address,
    Carer,
    Child,
    ChildVulnerability,
    Ethnicity,
    FormerUPN,
    NameKind,
    OtherName,
    Relationship,
    RestrictionGrant,
    Sex,
    Sibling,
    SpecialNeeds,
    VulnerableGroup,
)
from cme.children.upn import make_upn  # noqa: E402
from cme.registers.models import Establishment, EstablishmentKind, Phase  # noqa: E402

OFFICER_EMAIL = "officer@bench.example"
BENCH_LA, OTHER_LA = "990", "991"
CASE_TEAM_SIZE = 20  # the officer, 2 managers and 17 caseworkers own cases
HEAVY_CASES, HEAVY_EVENTS = 100, 2_000

STAGES = list(Stage)
OPEN_STAGES = [s for s in STAGES if s != Stage.CLOSED]
# Share of cases at each stage: half of the authority's history is closed.
STAGE_WEIGHTS = {
    Stage.RECEIVED: 8,
    Stage.CHECKING: 10,
    Stage.CONFIRMED_MISSING: 6,
    Stage.LOCATING: 8,
    Stage.ASSESSING_NEEDS: 4,
    Stage.SECURING_PROVISION: 4,
    Stage.IN_PROVISION: 6,
    Stage.TRACKING: 4,
    Stage.CLOSED: 50,
}
PRIORITY_WEIGHTS = {Priority.URGENT: 5, Priority.HIGH: 15, Priority.MEDIUM: 50, Priority.LOW: 30}
STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
EVENT_SUMMARIES = {
    EventKind.STAGE: "Stage changed",
    EventKind.UPDATED: "Details changed: priority, next follow-up",
    EventKind.ENQUIRY: "Enquiry recorded: neighbours",
    EventKind.TASK: "Task done: monthly follow-up",
    EventKind.NOTE: "Note added (fact)",
    EventKind.ASSESSMENT: "Vulnerability assessment completed",
}
EVENT_KINDS = list(EVENT_SUMMARIES)
EVENT_KIND_WEIGHTS = [20, 15, 20, 20, 20, 5]


# ---------------------------------------------------------------------------------------------
# Writing rows fast on both engines.


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (values for `columns`, field names) into `model`'s table; other fields get
    their defaults. COPY on PostgreSQL, executemany on SQLite. Returns the number of rows."""
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    # Fields not given take their defaults; an id not given comes from the table's sequence.
    rest = [f for f in meta.concrete_fields if f not in fields and f is not meta.pk]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    names = [f.column for f in fields] + [f.column for f in rest]  # type: ignore[union-attr]
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    table = connection.ops.quote_name(meta.db_table)
    count = 0
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row, *defaults))
                count += 1
        return count
    # Table and column names come from the model, never from input.
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        for chunk in _chunks(rows, 20_000):
            cursor.executemany(sql, [(*map(_sqlite_value, row), *defaults) for row in chunk])
            count += len(chunk)
    return count


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def timed(label: str, fn: Callable[[], int]) -> None:
    start = time.perf_counter()
    count = fn()
    print(f"  {label:<28} {count:>10,} rows  {time.perf_counter() - start:6.1f} s", flush=True)


# ---------------------------------------------------------------------------------------------
# The data.


class Seeder:
    def __init__(self, *, cases: int, events: int, other_cases: int, seed: int, anchor: date):
        self.n_cases, self.n_events, self.n_other = cases, events, other_cases
        self.rnd = random.Random(seed)  # noqa: S311 (repeatable test data)
        self.anchor = anchor
        self.surnames = list(NameData.last_names)
        self.surname_weights = list(NameData.last_names.values())
        self.cum_surname_weights = list(_accumulate(self.surname_weights))
        self.girls = list(NameData.first_names_female)
        self.boys = list(NameData.first_names_male)
        self.first_names = self.girls + self.boys

    # -- people and places, through the ORM (a few dozen rows) --------------------------------

    def people(self) -> None:
        rnd = self.rnd
        self.authority = Authority.objects.create(name="Benchshire Council", la_code=BENCH_LA)
        self.other = Authority.objects.create(name="Otherborough Council", la_code=OTHER_LA)
        password = make_password("bench-password-never-used")
        roles = [Role.CME_OFFICER, Role.CME_MANAGER, Role.CME_MANAGER] + [Role.CASEWORKER] * (
            CASE_TEAM_SIZE - 3
        )
        team = []
        for n, role in enumerate(roles):
            email = OFFICER_EMAIL if n == 0 else f"{role.value}{n}@bench.example"
            team.append(User(email=email, full_name=self._full_name(), password=password))
        others = [
            User(
                email=f"caseworker{n}@other.example", full_name=self._full_name(), password=password
            )
            for n in range(3)
        ]
        User.objects.bulk_create(team + others)
        Membership.objects.bulk_create(
            [
                Membership(user=u, authority=self.authority, role=r)
                for u, r in zip(team, roles, strict=True)
            ]
            + [Membership(user=u, authority=self.other, role=Role.CASEWORKER) for u in others]
        )
        self.officer = team[0]
        TOTP.activate(self.officer, generate_totp_secret())
        self.team_ids = [u.pk for u in team]
        self.other_ids = [u.pk for u in others]
        schools = []
        for n in range(200):
            secondary = n % 4 == 0
            schools.append(
                Establishment(
                    la_code=BENCH_LA,
                    number=f"{(4000 if secondary else 2000) + n:04d}",
                    urn=f"{190000 + n}",
                    name=f"{rnd.choice(self.surnames)} {'Academy' if secondary else 'Primary School'}",
                    kind=rnd.choice(list(EstablishmentKind)[:3]),
                    phase=Phase.SECONDARY if secondary else Phase.PRIMARY,
                )
            )
        Establishment.objects.bulk_create(schools)
        self.school_ids = [s.pk for s in schools]

    def _surname(self) -> str:
        return self.rnd.choices(self.surnames, cum_weights=self.cum_surname_weights)[0]

    def _full_name(self) -> str:
        return f"{self.rnd.choice(self.first_names)} {self._surname()}"

    # -- children and cases -------------------------------------------------------------------

    def plan(self) -> None:
        """Decide every child and case in memory (ids from 1), so later tables can refer to them."""
        rnd, anchor = self.rnd, self.anchor
        repeat = self.n_cases // 20
        n_children = self.n_cases - repeat
        self.children: list[tuple[Any, ...]] = []
        self.child_meta: list[dict[str, Any]] = []  # per child: sex, vulnerable, restricted
        total_children = n_children + self.n_other
        for index in range(total_children):
            child_id = index + 1
            bench = index < n_children
            sex = rnd.choice((Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.UNKNOWN))
            forename = rnd.choice(self.girls if sex == Sex.FEMALE else self.boys)
            surname = self._surname()
            age_days = rnd.randrange(4 * 365, 17 * 365)
            dob = anchor - timedelta(days=age_days) if rnd.random() > 0.03 else None
            upn = ""
            if rnd.random() < 0.75:
                upn = make_upn(
                    BENCH_LA if bench else OTHER_LA,
                    rnd.randrange(2000, 5000),
                    rnd.randrange(2010, 2026),
                    rnd.randrange(1000),
                )
            restricted = index % 100 == 37  # 1%
            vulnerable = rnd.random() < 0.2
            middle = rnd.choice(self.first_names) if rnd.random() < 0.5 else ""
            preferred = rnd.choice(self.first_names) if rnd.random() < 0.03 else ""
            self.children.append(
                (
                    child_id,
                    self.authority.pk if bench else self.other.pk,
                    forename,
                    middle,
                    surname,
                    preferred,
                    dob,
                    sex,
                    rnd.choice(list(Ethnicity)),
                    upn,
                    rnd.choice(list(SpecialNeeds)),
                    rnd.random() < 0.1,
                    rnd.random() < 0.05,
                    rnd.random() < 0.04,
                    restricted,
                    "Living in a refuge" if restricted else "",
                    self._moment(anchor - timedelta(days=rnd.randrange(3000))),
                )
            )
            self.child_meta.append(
                {"bench": bench, "vulnerable": vulnerable, "restricted": restricted, "dob": dob}
            )
        self.n_children = n_children
        # Cases: one per child, then the repeats (a second, closed case for 5% of children),
        # then the other authority's.
        self.cases: list[tuple[Any, ...]] = []
        self.case_meta: list[dict[str, Any]] = []
        case_children = list(range(1, n_children + 1))
        case_children += [rnd.randrange(1, n_children + 1) for _ in range(repeat)]
        case_children += list(range(n_children + 1, total_children + 1))
        stages, stage_weights = list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values())
        priorities, priority_weights = list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values())
        for index, child_id in enumerate(case_children):
            case_id = index + 1
            bench = index < self.n_cases
            meta = self.child_meta[child_id - 1]
            stage = Stage.CLOSED if index >= n_children and bench else None
            stage = stage or rnd.choices(stages, weights=stage_weights)[0]
            is_open = stage != Stage.CLOSED
            # Open cases are recent; closed ones go back eight years.
            age = rnd.randrange(730) if is_open else rnd.randrange(30, 2920)
            notified = anchor - timedelta(days=age)
            rank = STAGE_RANK[stage]

            confirmed, located, assessed, determined, moved_in, closed_on = _stage_dates(
                rnd, anchor, notified, stage
            )
            follow_up = anchor + timedelta(days=rnd.randrange(-10, 31)) if is_open else None
            if bench:
                owner = rnd.choice(self.team_ids) if rnd.random() > 0.1 else None
            else:
                owner = rnd.choice(self.other_ids)
            school = rnd.choice(self.school_ids) if bench and rnd.random() < 0.6 else None
            self.cases.append(
                (
                    case_id,
                    self.authority.pk if bench else self.other.pk,
                    child_id,
                    f"{BENCH_LA if bench else OTHER_LA}-{case_id:06d}",
                    stage,
                    owner,
                    rnd.choices(priorities, weights=priority_weights)[0],
                    rnd.choice(list(Source)),
                    notified,
                    confirmed,
                    located,
                    assessed,
                    determined,
                    moved_in,
                    closed_on,
                    school,
                    "" if school else "Not known",
                    notified - timedelta(days=rnd.randrange(1, 60)) if rnd.random() < 0.7 else None,
                    rnd.choice(list(Outcome)) if not is_open else "",
                    meta["vulnerable"],
                    follow_up,
                    rnd.randrange(1, 12),
                    self._moment(notified),
                    self._moment(closed_on or anchor),
                )
            )
            self.case_meta.append(
                {
                    "bench": bench,
                    "open": is_open,
                    "rank": rank,
                    "owner": owner,
                    "notified": notified,
                    "end": closed_on or anchor,
                    "follow_up": follow_up,
                    "child": child_id,
                }
            )

    CHILD_COLUMNS = (
        "id",
        "authority",
        "forename",
        "middle_names",
        "surname",
        "preferred_forename",
        "date_of_birth",
        "sex",
        "ethnicity",
        "upn",
        "special_needs",
        "child_in_need",
        "child_protection_plan",
        "looked_after",
        "is_restricted",
        "restriction_reason",
        "created_at",
    )
    CASE_COLUMNS = (
        "id",
        "authority",
        "child",
        "reference",
        "stage",
        "owner",
        "priority",
        "source",
        "notified_on",
        "confirmed_missing_on",
        "located_on",
        "assessed_on",
        "provision_determined_on",
        "moved_into_provision_on",
        "closed_on",
        "last_placement",
        "last_placement_other",
        "last_attended_on",
        "outcome",
        "is_vulnerable",
        "next_follow_up_on",
        "version",
        "created_at",
        "updated_at",
    )

    def _moment(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            seconds=self.rnd.randrange(8 * 3600, 18 * 3600)
        )

    # -- the rows around a child --------------------------------------------------------------

    def child_parts(self) -> None:
        rnd = self.rnd
        vulns, others, former, addresses, carers, siblings, grants = [], [], [], [], [], [], []
        groups = list(VulnerableGroup)
        for child_id, meta in enumerate(self.child_meta, start=1):
            if meta["vulnerable"]:
                for group in rnd.sample(groups, rnd.choice((1, 1, 1, 2, 3))):
                    vulns.append((child_id, group))
            if rnd.random() < 0.05:
                others.append((child_id, NameKind.ALIAS, "", self._surname()))
            if rnd.random() < 0.03:
                upn = make_upn(BENCH_LA, rnd.randrange(2000, 5000), 2012, rnd.randrange(1000))
                former.append((child_id, upn))
            street = f"{rnd.randrange(1, 200)} {self._surname()} Road"
            postcode = f"BN{rnd.randrange(1, 30)} {rnd.randrange(1, 10)}{rnd.choice('ABDEFG')}Q"
            addresses.append((child_id, street, "Benchtown", postcode, True))
            if rnd.random() < 0.3:
                addresses.append((child_id, f"{rnd.randrange(1, 99)} High Street", "", "", False))
            for n in range(rnd.choice((1, 1, 2))):
                carers.append(
                    (
                        child_id,
                        self._full_name(),
                        Relationship.MOTHER if n == 0 else Relationship.FATHER,
                        True,
                        n == 0,
                        f"07700 9{rnd.randrange(100000):05d}",
                    )
                )
            if rnd.random() < 0.3:
                siblings.append((child_id, self._full_name(), None))
            if meta["restricted"] and meta["bench"] and child_id % 1000 == 38:  # 1 in 10
                grants.append(
                    (
                        child_id,
                        self.officer.pk,
                        "Child protection conference",
                        self.team_ids[1],
                        self._moment(self.anchor - timedelta(days=rnd.randrange(1, 90))),
                    )
                )
        timed(
            "child vulnerabilities", lambda: insert(ChildVulnerability, ("child", "group"), vulns)
        )
        timed(
            "other names",
            lambda: insert(OtherName, ("child", "kind", "forename", "surname"), others),
        )
        timed("former UPNs", lambda: insert(FormerUPN, ("child", "upn"), former))
        timed(
            "addresses",
            lambda: insert(
                Address, ("child", "line1", "town", "postcode", "is_current"), addresses
            ),
        )
        timed(
            "carers",
            lambda: insert(
                Carer,
                (
                    "child",
                    "full_name",
                    "relationship",
                    "has_parental_responsibility",
                    "lives_with_child",
                    "phone",
                ),
                carers,
            ),
        )
        timed(
            "siblings", lambda: insert(Sibling, ("child", "full_name", "date_of_birth"), siblings)
        )
        timed(
            "restriction grants",
            lambda: insert(
                RestrictionGrant, ("child", "user", "reason", "granted_by", "granted_at"), grants
            ),
        )

    # -- the rows around a case ---------------------------------------------------------------

    def case_parts(self) -> None:
        rnd, anchor = self.rnd, self.anchor
        tasks, enquiries, notes, assessments, attachments = [], [], [], [], []
        kinds = list(EnquiryKind)
        answers = [Answer.NO, Answer.NO, Answer.NO, Answer.UNKNOWN, Answer.YES]
        for case_id, meta in enumerate(self.case_meta, start=1):
            if not meta["bench"]:
                continue
            worker = meta["owner"] or self.team_ids[0]
            if meta["open"]:
                tasks.append(
                    (
                        case_id,
                        TaskKind.FOLLOW_UP,
                        "Monthly follow-up",
                        meta["owner"],
                        meta["follow_up"],
                        None,
                        None,
                    )
                )
                if rnd.random() < 0.15:
                    due = anchor + timedelta(days=rnd.randrange(-20, 20))
                    tasks.append(
                        (case_id, TaskKind.INFORM_EWS, "Tell the EWS", worker, due, None, None)
                    )
            for _ in range(rnd.choice((0, 1, 1, 2))):
                done = self._day_between(meta["notified"], meta["end"])
                tasks.append(
                    (case_id, TaskKind.GENERAL, "Ring the school", worker, done, done, worker)
                )
            if meta["rank"] >= 1:
                for kind in rnd.sample(kinds, rnd.randrange(1, 6)):
                    made = self._day_between(meta["notified"], meta["end"])
                    enquiries.append((case_id, kind, made, worker, "No trace"))
            for _ in range(rnd.choice((0, 1, 1, 2, 3))):
                day = self._day_between(meta["notified"], meta["end"])
                notes.append(
                    (
                        case_id,
                        worker,
                        rnd.choice(list(NoteKind)),
                        "Spoke to the school office; no forwarding address given.",
                        self._moment(day),
                    )
                )
            if meta["rank"] >= 2 and rnd.random() < 0.6:
                assessments.append(
                    (
                        case_id,
                        *[rnd.choice(answers) for _ in range(11)],
                        self._moment(meta["notified"]),
                        worker,
                    )
                )
            if rnd.random() < 0.02:
                path = f"attachments/{self.authority.pk}/{rnd.getrandbits(128):032x}"
                attachments.append(
                    (case_id, path, "letter.pdf", "application/pdf", 48_000, worker, anchor)
                )
        task_columns = ("case", "kind", "title", "assigned_to", "due_on", "done_on", "done_by")
        timed("tasks", lambda: insert(Task, task_columns, tasks))
        enquiry_columns = ("case", "kind", "made_on", "officer", "outcome")
        timed("enquiries", lambda: insert(Enquiry, enquiry_columns, enquiries))
        note_columns = ("case", "author", "kind", "text", "created_at")
        timed("notes", lambda: insert(Note, note_columns, notes))
        assessment_columns = (
            "case",
            "sudden_or_unexpected",
            "gone_without_family",
            "risk_of_harm",
            "past_suspicions",
            "older_associates",
            "significant_incident",
            "child_protection_plan",
            "looked_after",
            "social_care_involved",
            "avoiding_contact",
            "whereabouts_unknown",
            "completed_at",
            "completed_by",
        )
        timed(
            "assessments", lambda: insert(VulnerabilityAssessment, assessment_columns, assessments)
        )
        attachment_columns = (
            "case",
            "file",
            "name",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
        )
        timed("attachments", lambda: insert(Attachment, attachment_columns, attachments))

    def _day_between(self, start: date, end: date) -> date:
        span = max(0, (end - start).days)
        return start + timedelta(days=self.rnd.randrange(span + 1))

    def events(self) -> Iterator[tuple[Any, ...]]:
        """The timeline: `n_events` on the benchmark authority's cases, 2 on each other case.

        The first HEAVY_CASES open cases (one per thousand cases in a smaller database) get up to
        HEAVY_EVENTS each; every other case gets its "opened" event and at least one more, the
        rest spread at random.
        """
        rnd = self.rnd
        bench_ids = [i for i, m in enumerate(self.case_meta, start=1) if m["bench"]]
        n_heavy = max(1, min(HEAVY_CASES, self.n_cases // 1000))
        per_heavy = min(HEAVY_EVENTS, (self.n_events - 2 * self.n_cases) // (2 * n_heavy))
        heavy = [i for i in bench_ids if self.case_meta[i - 1]["open"]][:n_heavy]
        counts = dict.fromkeys(bench_ids, 2)
        for case_id in heavy:
            counts[case_id] = max(2, per_heavy)
        spare = self.n_events - sum(counts.values())
        light = [i for i in bench_ids if counts[i] == 2]
        for _ in range(max(0, spare)):
            counts[light[rnd.randrange(len(light))]] += 1
        for case_id, meta in enumerate(self.case_meta, start=1):
            count = counts.get(case_id, 2)
            actors = self.team_ids if meta["bench"] else self.other_ids
            start = datetime(
                meta["notified"].year, meta["notified"].month, meta["notified"].day, 9, tzinfo=UTC
            )
            span = max(3600, int((meta["end"] - meta["notified"]).days * 86400))
            offsets = sorted(rnd.randrange(span) for _ in range(count - 1))
            yield (case_id, start, rnd.choice(actors), EventKind.OPENED, "Case opened")
            kinds = rnd.choices(EVENT_KINDS, weights=EVENT_KIND_WEIGHTS, k=count - 1)
            for offset, kind in zip(offsets, kinds, strict=True):
                yield (
                    case_id,
                    start + timedelta(seconds=60 + offset),
                    rnd.choice(actors),
                    kind,
                    EVENT_SUMMARIES[kind],
                )

    # -- the whole run ------------------------------------------------------------------------

    def run(self) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            self.people()
        self.plan()
        print(f"  planned in {time.perf_counter() - started:.1f} s", flush=True)
        timed("children", lambda: insert(Child, self.CHILD_COLUMNS, self.children))
        self.child_parts()
        timed("cases", lambda: insert(Case, self.CASE_COLUMNS, self.cases))
        self.case_parts()
        event_columns = ("case", "occurred_at", "actor", "kind", "summary")
        timed("case events", lambda: insert(CaseEvent, event_columns, self.events()))
        self.finish()
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)

    def finish(self) -> None:
        seeded = [
            Child,
            ChildVulnerability,
            OtherName,
            FormerUPN,
            Address,
            Carer,
            Sibling,
            RestrictionGrant,
            Case,
            Task,
            Enquiry,
            Note,
            VulnerabilityAssessment,
            Attachment,
            CaseEvent,
        ]
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), seeded):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
        print(f"  {'statistics (ANALYZE)':<28} {'':>10}       {time.perf_counter() - start:6.1f} s")


def _stage_dates(
    rnd: random.Random, anchor: date, notified: date, stage: Stage
) -> tuple[date | None, ...]:
    """Confirmed missing, located, assessed, provision determined, moved in and closed dates."""
    rank = STAGE_RANK[stage]

    def after(days: int, rank_needed: int) -> date | None:
        if rank < rank_needed or (stage == Stage.TRACKING and rank_needed < STAGE_RANK[stage]):
            return None
        return min(anchor, notified + timedelta(days=rnd.randrange(1, days)))

    closed = after(365, 0) if stage == Stage.CLOSED else None
    return after(30, 2), after(90, 4), after(120, 5), after(150, 6), after(200, 6), closed


def _accumulate(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases", type=int, default=100_000, help="cases in the benchmark authority"
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="timeline events on them")
    parser.add_argument(
        "--other-cases", type=int, help="cases in a second authority (default: 5%% of --cases)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--anchor", type=date.fromisoformat, help="the day dates are drawn around (default: today)"
    )
    args = parser.parse_args()
    if Case.objects.exists() or Authority.objects.filter(la_code=BENCH_LA).exists():
        sys.exit("This database already has cases or the benchmark authority: seed an empty one.")
    other = args.other_cases if args.other_cases is not None else args.cases // 20
    anchor = args.anchor or date.today()
    if args.events < 2 * args.cases:
        sys.exit("--events must be at least twice --cases (every case has two or more events)")
    db = connection.settings_dict
    print(f"Seeding {connection.vendor} {db['NAME']}: {args.cases:,} cases, {args.events:,} events")
    print(f"  seed {args.seed}, anchor {anchor.isoformat()}, other authority {other:,} cases")
    Seeder(
        cases=args.cases, events=args.events, other_cases=other, seed=args.seed, anchor=anchor
    ).run()


if __name__ == "__main__":
    main()
