"""The dashboard's figures against the hand-counted world (cme/reports/tests/dashboard_world.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cme.accounts.models import Authority
from cme.reports import dashboard
from cme.reports.terms import Term, term_of, terms_back
from cme.reports.tests.dashboard_world import TODAY, dashboard_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(authority: Authority, other_authority: Authority) -> dashboard.Dashboard:
    dashboard_world(authority, other_authority)
    return dashboard.dashboard_for(authority, TODAY, links=True)


def _table(board: dashboard.Dashboard, slug: str) -> dict[str, tuple[Any, ...]]:
    figure = board.figure(slug)
    assert figure is not None
    return {row.label: row.values for row in figure.rows}


def test_the_summary_counts_missing_now_new_and_closed_this_month(
    board: dashboard.Dashboard,
) -> None:
    # Missing now: new, crossing_month, reopened, tracking. Not: closed, in provision, home
    # educated, found on roll, the other authority's case for the child who moved.
    assert _table(board, "summary") == {
        "Children missing education now": (4,),
        "Cases notified this month": (1,),  # new; crossing_month was notified in October
        "Cases closed this month": (1,),  # closed_this_month; moved_away closed in October
    }


def test_missing_now_by_stage_sex_year_group_time_and_reason(board: dashboard.Dashboard) -> None:
    stages = _table(board, "by-stage")
    assert stages["Received"] == (1,)
    assert stages["Locating"] == (1,)
    assert stages["Confirmed missing education"] == (1,)
    assert stages["Tracking (left without a known destination)"] == (1,)
    assert sum(v[0] for v in stages.values()) == 4
    assert _table(board, "by-sex") == {"Female": (2,), "Male": (1,), "Not known": (1,)}
    years = _table(board, "by-year-group")
    assert (years["Year 7"], years["Year 3"], years["Year 11"], years["Not known"]) == (
        (1,),
        (1,),
        (1,),
        (1,),
    )
    assert sum(v[0] for v in years.values()) == 4
    # 13 days; 28 days exactly (the boundary goes to the longer band) and 75 days; 309 days.
    assert _table(board, "by-time-missing") == {
        "Under 4 weeks": (1,),
        "4 to 12 weeks": (2,),
        "12 to 26 weeks": (0,),
        "Over 26 weeks": (1,),
    }
    reasons = _table(board, "by-reason")
    assert reasons["School or other provider"] == (2,)
    assert reasons["Police"] == (1,)
    assert reasons["Another local authority"] == (1,)
    assert sum(v[0] for v in reasons.values()) == 4


def test_vulnerable_groups_count_a_child_in_each_group_and_once_in_any(
    board: dashboard.Dashboard,
) -> None:
    groups = _table(board, "by-vulnerable-group")
    assert groups["In any vulnerable group"] == (2,)
    assert groups["Homeless or in temporary accommodation"] == (1,)
    assert groups["Looked after"] == (1,)
    assert groups["Gypsy, Roma or Traveller"] == (1,)
    assert groups["Runaway"] == (0,)


def test_the_trend_counts_notified_closed_and_open_at_each_month_end(
    board: dashboard.Dashboard,
) -> None:
    trend = _table(board, "trend")
    assert len(trend) == 24
    months = list(trend)
    assert (months[0], months[-1]) == ("Dec 2024", "Nov 2026")
    assert trend["Nov 2026"] == (1, 1, 6)
    assert trend["Oct 2026"] == (1, 1, 6)
    assert trend["Feb 2026"] == (1, 1, 2)  # on_roll notified and closed; reopened, wu open
    assert trend["Mar 2026"] == (1, 1, 2)
    # The reopened case was closed on 1 May and reopened on 1 September: a closure in May, and
    # not open at the end of May to August.
    assert trend["May 2026"] == (0, 1, 2)
    assert trend["Aug 2026"] == (1, 0, 3)
    assert trend["Sep 2026"] == (2, 0, 6)
    assert trend["Oct 2025"] == (0, 1, 0)
    assert trend["Sep 2025"] == (1, 0, 1)


def test_pace_into_provision_by_term(board: dashboard.Dashboard) -> None:
    determined = _table(board, "pace-determined")
    assert list(determined) == [t.label for t in terms_back(term_of(TODAY), 6)]
    # 30 and 10 days: mean and median 20, the mode a tie that goes to the shorter.
    assert determined["Summer term 2026"] == (2, 20.0, 20.0, 10, 10, 30)
    assert determined["Spring term 2026"] == (0, None, None, None, None, None)
    assert _table(board, "pace-moved")["Summer term 2026"] == (2, 50.0, 50.0, 40, 40, 60)


def test_left_without_destination_and_follow_ups(board: dashboard.Dashboard) -> None:
    assert list(_table(board, "left-without-destination").values()) == [(1,), (1,)]
    assert list(_table(board, "follow-ups").values()) == [(1,), (2,), (3,)]
    # Due 1 September to 30 November, this authority's only: the August task is outside.
    assert list(_table(board, "follow-up-tasks").values()) == [(1,), (1,), (1,), (1,)]


def test_places_come_from_the_register_split_by_statutory_and_alternative(
    authority: Authority, other_authority: Authority
) -> None:
    from cme.registers.models import Establishment, EstablishmentKind, Phase
    from cme.registers.services import ProgrammePlaces, place_figures_record

    def make(la_code: str, number: str, kind: str, phase: str) -> Establishment:
        return Establishment.objects.create(
            la_code=la_code, number=number, name=f"School {number}", kind=kind, phase=phase
        )

    school = make("990", "4001", EstablishmentKind.ACADEMY, Phase.SECONDARY)
    make("990", "4002", EstablishmentKind.ACADEMY, Phase.SECONDARY)  # gives no figures
    provider = make("990", "1101", EstablishmentKind.ALTERNATIVE, Phase.NOT_APPLICABLE)
    elsewhere = make("991", "2001", EstablishmentKind.ACADEMY, Phase.SECONDARY)
    place_figures_record(
        actor=None, establishment=school, year_groups={"7": 5}, as_of=TODAY - timedelta(days=3)
    )
    place_figures_record(  # more than a month before the dashboard's day: stale
        actor=None, establishment=school, year_groups={"8": 2}, as_of=TODAY - timedelta(days=40)
    )
    place_figures_record(
        actor=None,
        establishment=provider,
        programmes=[ProgrammePlaces("Key stage 4 vocational", 4)],
        as_of=TODAY,
    )
    place_figures_record(actor=None, establishment=elsewhere, year_groups={"7": 30}, as_of=TODAY)

    figure = dashboard.places_figure(authority, TODAY, links=True)

    assert [(row.label, row.values) for row in figure.rows] == [
        ("Schools (statutory)", (7, 2, 1)),
        ("Alternative provision", (4, 0, 0)),
    ]
    assert figure.rows[0].link == "/establishments/places/"
    assert dashboard.places_figure(authority, TODAY, links=False).rows[0].link == ""


def test_lost_pupil_database_activity_is_counted_by_month(
    authority: Authority, other_authority: Authority
) -> None:
    from datetime import datetime

    from django.utils import timezone as tz

    from cme.lpd.models import EventKind as LpdEventKind
    from cme.lpd.models import LpdEvent

    def event(who: Authority, kind: str, day: date) -> None:
        LpdEvent.objects.create(
            authority=who,
            kind=kind,
            occurred_at=tz.make_aware(datetime(day.year, day.month, day.day, 12)),
        )

    event(authority, LpdEventKind.UPLOAD, date(2026, 11, 1))
    event(authority, LpdEventKind.UPLOAD, date(2026, 11, 14))
    event(authority, LpdEventKind.DOWNLOAD, date(2026, 10, 31))
    event(authority, LpdEventKind.UPLOAD, date(2024, 11, 30))  # 24 months back: left out
    event(other_authority, LpdEventKind.UPLOAD, date(2026, 11, 2))

    figure = dashboard.lpd_figure(authority, TODAY)

    rows = {row.label: row.values for row in figure.rows}
    assert len(rows) == 24 and figure.rows[0].label == "Dec 2024"
    assert rows["Nov 2026"] == (2, 0, 0)
    assert rows["Oct 2026"] == (0, 0, 1)
    assert sum(int(values[0] or 0) for values in rows.values()) == 2


def test_links_go_to_the_case_list_with_its_filters_only_when_asked(
    authority: Authority, other_authority: Authority
) -> None:
    dashboard_world(authority, other_authority)
    with_links = dashboard.dashboard_for(authority, TODAY, links=True)
    stages = with_links.figure("by-stage")
    assert stages is not None
    assert stages.rows[0].link == "/cases/?stage=received"
    summary = with_links.figure("summary")
    assert summary is not None
    assert (
        summary.rows[1].link
        == "/cases/?status=all&notified_from=1%2F11%2F2026&notified_to=15%2F11%2F2026"
    )
    without = dashboard.dashboard_for(authority, TODAY, links=False)
    assert not any(row.link for f in [without.summary, *without.figures] for row in f.rows)


def test_pace_statistics() -> None:
    from collections import Counter

    assert dashboard.pace_of(Counter({3: 2, 9: 1, 4: 1})) == dashboard.Pace(4, 4.8, 3.5, 3, 3, 9)
    assert dashboard.pace_of(Counter()) == dashboard.Pace(0, None, None, None, None, None)


@pytest.mark.parametrize(
    ("day", "term"),
    [
        (date(2026, 9, 1), Term(2026, 0)),
        (date(2026, 12, 31), Term(2026, 0)),
        (date(2027, 1, 1), Term(2026, 1)),
        (date(2027, 3, 31), Term(2026, 1)),
        (date(2027, 4, 1), Term(2026, 2)),
        (date(2027, 8, 31), Term(2026, 2)),
    ],
)
def test_terms_cover_every_day(day: date, term: Term) -> None:
    assert term_of(day) == term
    assert term.start <= day <= term.end
    assert term.previous().end.toordinal() + 1 == term.start.toordinal()
