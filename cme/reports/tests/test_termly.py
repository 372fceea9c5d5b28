"""The termly report against the hand-counted world, small-number suppression and the XLSX."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from cme.accounts.models import Authority
from cme.reports import termly
from cme.reports.terms import Term
from cme.reports.tests.dashboard_world import TODAY, dashboard_world

pytestmark = pytest.mark.django_db

SUMMER_2026 = Term(2025, 2)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "fewer than 5"),
        (1, "fewer than 5"),
        (4, "fewer than 5"),
        (5, 5),
        (120, 120),
        (None, None),
        (2.5, 2.5),
        ("Year 7", "Year 7"),
    ],
)
def test_suppress_hides_counts_under_5_only(value: Any, shown: Any) -> None:
    assert termly.suppress(value) == shown


def _lines(report: termly.TermlyReport, slug: str) -> dict[str, tuple[Any, ...]]:
    (section,) = [s for s in report.sections if s.slug == slug]
    return {line.label: line.values for line in section.lines}


@pytest.fixture
def report(authority: Authority, other_authority: Authority) -> termly.TermlyReport:
    dashboard_world(authority, other_authority)
    return termly.termly_report(authority, SUMMER_2026, TODAY)


def test_the_report_compares_the_term_with_the_two_before(report: termly.TermlyReport) -> None:
    assert [t.label for t in report.terms] == [
        "Autumn term 2025",
        "Spring term 2026",
        "Summer term 2026",
    ]
    missing = _lines(report, "missing")
    # 31 August: moved_away and closed_this_month; the reopened case is in its closed gap.
    # At any time in the summer: those two, reopened (until 1 May), in_provision, provided.
    assert missing["At the end of the term (or today, for a term not yet over)"] == (0, 2, 2)
    assert missing["At any time in the term"] == (1, 3, 5)
    cases = _lines(report, "cases")
    assert cases["Cases notified"] == (1, 4, 3)
    assert cases["Cases closed"] == (1, 2, 1)
    assert _lines(report, "outcomes")[
        "Whereabouts unknown after completed enquiries, referred on"
    ] == (1, 1, 0)
    assert _lines(report, "pace-determined")["Mean (days)"] == (None, None, 20.0)
    assert _lines(report, "follow-ups")["Not done and overdue"] == (0, 0, 1)


def test_the_members_version_hides_small_numbers_and_statistics_of_few_cases(
    report: termly.TermlyReport,
) -> None:
    members = report.for_members()
    assert members.suppressed and not report.suppressed
    missing = _lines(members, "missing")
    assert missing["At any time in the term"] == ("fewer than 5", "fewer than 5", 5)
    pace = _lines(members, "pace-determined")
    assert pace["Cases"] == ("fewer than 5",) * 3
    assert pace["Mean (days)"] == (termly.HIDDEN_STATISTIC,) * 3


def test_the_xlsx_holds_the_suppressed_figures_only(report: termly.TermlyReport) -> None:
    data = termly.termly_xlsx(report.for_members())
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]
    assert str(rows[0][0]).startswith("Children missing education: termly report")
    line = next(r for r in rows if r[0] == "At any time in the term")
    assert line[1:4] == ("fewer than 5", "fewer than 5", 5)
    # Places and Lost Pupil Database use count no children, so they are not suppressed.
    activity = {
        line.label
        for section in report.sections
        for line in section.lines
        if line.kind == "activity"
    }
    numbers = [v for r in rows if r[0] not in activity for v in r[1:] if isinstance(v, int | float)]
    assert numbers and all(v >= 5 for v in numbers)


def test_places_and_the_lost_pupil_database_are_reported_for_each_term_unsuppressed(
    authority: Authority, other_authority: Authority
) -> None:
    from datetime import date, datetime, timedelta

    from django.utils import timezone as tz

    from cme.lpd.models import EventKind as LpdEventKind
    from cme.lpd.models import LpdEvent
    from cme.registers.models import Establishment, EstablishmentKind, Phase
    from cme.registers.services import place_figures_record

    school = Establishment.objects.create(
        la_code="990",
        number="4001",
        name="Kingsway Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    # 2 places given in the spring term; 3 in the summer term.
    place_figures_record(
        actor=None, establishment=school, year_groups={"7": 2}, as_of=date(2026, 2, 10)
    )
    place_figures_record(
        actor=None, establishment=school, year_groups={"7": 3}, as_of=date(2026, 5, 1)
    )
    for who, kind, day in (
        (authority, LpdEventKind.UPLOAD, date(2026, 3, 31)),  # spring
        (authority, LpdEventKind.UPLOAD, date(2026, 4, 1)),  # summer
        (authority, LpdEventKind.DOWNLOAD, date(2026, 8, 31)),  # summer
        (other_authority, LpdEventKind.UPLOAD, date(2026, 5, 5)),
    ):
        LpdEvent.objects.create(
            authority=who,
            kind=kind,
            occurred_at=tz.make_aware(
                datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
            ),
        )

    report = termly.termly_report(authority, SUMMER_2026, TODAY)

    assert _lines(report, "places") == {
        "Schools (statutory)": (0, 2, 3),
        "Alternative provision": (0, 0, 0),
        # 10 February is over a month before 31 March; 1 May over a month before 31 August.
        "Of these, in figures more than a month old": (0, 2, 3),
    }
    lpd = _lines(report, "lpd")
    assert lpd["Files uploaded"] == (0, 1, 1)
    assert lpd["Files downloaded"] == (0, 0, 1)
    # Not children: the members' version shows them as they are.
    assert _lines(report.for_members(), "places") == _lines(report, "places")
    assert _lines(report.for_members(), "lpd")["Files uploaded"] == (0, 1, 1)
