"""The self-evaluation's live figures, against a world counted by hand (1 March 2026)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Authority, Role
from cme.cases.models import Outcome, Stage, Task, TaskKind
from cme.children.models import ChildVulnerability, VulnerableGroup
from cme.children.services import child_seal_break
from cme.core.services import audit_trail_verify
from cme.reports import dfe_return
from cme.reports.dashboard import Pace, pace_of
from cme.reports.selfeval.evidence import Figure, live_evidence
from cme.reports.tests.factories import case, child

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


def values(figures: list[Figure]) -> dict[str, str]:
    return {figure.label: figure.value for figure in figures}


@pytest.fixture
def world(authority: Authority, other_authority: Authority, make_member: Any) -> dict[str, Any]:
    manager = make_member(Role.CME_MANAGER)
    homeless = child(authority)
    ChildVulnerability.objects.create(child=homeless, group=VulnerableGroup.HOMELESS)
    recent = case(
        authority,
        homeless,
        notified_on=date(2026, 2, 20),
        is_vulnerable=True,
        next_follow_up_on=date(2026, 2, 25),  # overdue
    )
    hidden = child(authority, is_restricted=True, restriction_reason="Refuge")
    for group in (VulnerableGroup.HOMELESS, VulnerableGroup.RUNAWAY):
        ChildVulnerability.objects.create(child=hidden, group=group)
    tracking = case(
        authority,
        hidden,
        notified_on=date(2025, 12, 1),
        stage=Stage.TRACKING,
        next_follow_up_on=date(2026, 3, 10),
    )
    case(  # 30 days into provision
        authority,
        notified_on=date(2025, 6, 1),
        provision_determined_on=date(2025, 6, 20),
        moved_into_provision_on=date(2025, 7, 1),
        stage=Stage.IN_PROVISION,
    )
    case(  # in provision, but the date it started is missing
        authority,
        notified_on=date(2025, 9, 1),
        provision_determined_on=date(2025, 9, 10),
        stage=Stage.IN_PROVISION,
    )
    runaway = child(authority)
    ChildVulnerability.objects.create(child=runaway, group=VulnerableGroup.RUNAWAY)
    case(  # 10 days into provision; closed, so not among the open vulnerable cases
        authority,
        runaway,
        notified_on=date(2025, 4, 1),
        moved_into_provision_on=date(2025, 4, 11),
        stage=Stage.CLOSED,
        closed_on=date(2025, 5, 1),
        outcome=Outcome.REGISTERED,
    )
    case(  # notified before the year; closed in it with whereabouts unknown
        authority,
        notified_on=date(2024, 10, 1),
        stage=Stage.CLOSED,
        closed_on=date(2025, 6, 1),
        outcome=Outcome.WHEREABOUTS_UNKNOWN,
    )
    case(  # moved into provision before the year
        authority,
        notified_on=date(2024, 1, 1),
        moved_into_provision_on=date(2025, 2, 1),
        stage=Stage.CLOSED,
        closed_on=date(2025, 2, 10),
        outcome=Outcome.REGISTERED,
    )
    case(  # moved in exactly 365 days before: outside the 12 months
        authority,
        notified_on=date(2025, 2, 1),
        moved_into_provision_on=date(2025, 3, 1),
        stage=Stage.CLOSED,
        closed_on=date(2025, 3, 5),
        outcome=Outcome.REGISTERED,
    )
    case(  # 30 days again: the mode
        authority,
        notified_on=date(2025, 10, 1),
        moved_into_provision_on=date(2025, 10, 31),
        stage=Stage.IN_PROVISION,
    )
    for due, done in [
        (date(2026, 1, 10), date(2026, 1, 9)),  # on time
        (date(2026, 2, 10), date(2026, 2, 12)),  # late
        (date(2026, 2, 25), None),  # not done
        (date(2025, 11, 1), None),  # before the three months
        (date(2026, 3, 1), None),  # due today: not yet late
    ]:
        Task.objects.create(
            case=tracking, kind=TaskKind.FOLLOW_UP, title="Follow up", due_on=due, done_on=done
        )
    # Another authority's cases, tasks, grants and exports count for nothing here.
    theirs = case(
        other_authority,
        child(other_authority, is_restricted=True, restriction_reason="Refuge"),
        notified_on=date(2026, 2, 27),
        stage=Stage.TRACKING,
        is_vulnerable=True,
        next_follow_up_on=date(2026, 1, 1),
    )
    Task.objects.create(
        case=theirs, kind=TaskKind.FOLLOW_UP, title="Follow up", due_on=date(2026, 2, 1)
    )
    their_manager = make_member(Role.CME_MANAGER, of=other_authority)
    dfe_return.record_export(
        authority=other_authority, census_date=date(2025, 10, 2), actor=their_manager
    )
    child_seal_break(child=theirs.child, actor=their_manager, reason="Visit booked")
    # This authority: one export, one grant, one check of the audit trail.
    dfe_return.record_export(authority=authority, census_date=date(2025, 10, 2), actor=manager)
    child_seal_break(child=hidden, actor=manager, reason="Home visit booked tomorrow")
    audit_trail_verify(actor=manager)
    return {"manager": manager, "recent": recent}


def test_the_figures_match_the_hand_count(world: dict[str, Any]) -> None:
    figures = live_evidence(world["manager"], today=TODAY).figures
    today = timezone.localdate()
    assert values(figures[8]) == {
        "Open cases now": "5",
        "Cases notified in the last 30 days": "1",
        "Latest notification": "20 February 2026",
        "Numbers by month over the last 24 months": "On the dashboard",
        "Termly report for senior managers and members": "Termly report",
    }
    assert values(figures[9]) == {
        "Cases notified in the last 12 months": "6",
        "Of those, with the date the form of provision was determined": "2",
        "Of those, with the date moved into provision": "3",
        "Cases in provision with no date moved into provision": "1",
    }
    assert values(figures[10])["Reports and returns downloaded in the last 12 months"] == "1"
    assert values(figures[11]) == {
        "Open cases of children in a recorded vulnerable group": "2",
        "Open cases marked vulnerable": "1",
        "Open cases: Homeless or in temporary accommodation": "2",
        "Open cases: Runaway": "1",
    }
    assert values(figures[12]) == {
        "Open cases of children with a restricted record": "1",
        "Access granted to restricted records in the last 12 months": "1",
        "Audit trail last checked": f"{today.day} {today:%B %Y}",
    }
    assert values(figures[15]) == {
        "Children moved into provision in the last 12 months": "3",
        "Mean time from notified to moved into provision": "23.3 days",
        "Median time": "30 days",
        "Most common time (mode)": "30 days",
        "Range": "10 days to 30 days",
    }
    assert values(figures[16]) == {
        "Statutory places available": "0",
        "Alternative provision places available": "0",
        "Of these, in figures more than a month old": "0",
        "Establishments giving no current figures": "1",  # the world's one school
    }
    assert values(figures[17]) == {
        "Children being tracked now (left without a known destination)": "1",
        "Deletion returns with no known destination in the last 12 months": "0",
        "Cases closed with whereabouts unknown in the last 12 months": "1",
    }
    assert values(figures[18]) == {
        "Open cases with a follow-up overdue": "1",
        "Monthly follow-ups due in the last 3 months: done on time": "1",
        "Done late": "1",
        "Not done": "1",
    }
    assert values(figures[22]) == {
        f"Lost Pupil Database, {month}: uploads, searches, downloads": "0, 0, 0"
        for month in ("March 2026", "February 2026", "January 2026")
    }
    assert sorted(figures) == [8, 9, 10, 11, 12, 15, 16, 17, 18, 22]


def test_the_figures_take_twelve_queries(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    manager = world["manager"]
    _ = manager.membership  # the signed-in user's membership is loaded by the request already
    # Nine for the cases, returns and audit figures; places (2) and the LPD's activity (1).
    with django_assert_num_queries(12):
        live_evidence(manager, today=TODAY)


def test_the_figures_link_to_the_lists_behind_them(world: dict[str, Any]) -> None:
    figures = {f.label: f for f in live_evidence(world["manager"], today=TODAY).figures[18]}
    assert figures["Open cases with a follow-up overdue"].href == "/cases/?overdue=on"
    tracking = live_evidence(world["manager"], today=TODAY).figures[17][0]
    assert tracking.href == "/cases/?stage=tracking"


def test_a_link_the_user_may_not_follow_is_left_off(
    world: dict[str, Any], make_member: Any
) -> None:
    caseworker = make_member(Role.CASEWORKER)
    evidence = live_evidence(caseworker, today=TODAY).for_user(caseworker)
    grants = evidence.figures[12][1]
    assert grants.value == "1" and grants.href == ""
    assert evidence.figures[18][0].href == "/cases/?overdue=on"


def test_a_deletion_return_without_a_destination_is_counted(
    authority: Authority, establishment: Any, make_member: Any
) -> None:
    from cme.returns import services
    from cme.returns.grounds import Ground
    from cme.returns.tests.factories import deletion

    school = make_member(Role.SCHOOL_USER)
    services.deletion_return_submit(
        actor=school,
        establishment=establishment,
        details=deletion(ground=Ground.ANOTHER_SCHOOL.value, destination_other="Abroad"),
    )
    services.deletion_return_submit(
        actor=school,
        establishment=establishment,
        details=deletion(forename="Kit", upn="", ground=Ground.MOVED_AWAY.value),
    )
    figures = values(live_evidence(make_member(Role.CME_MANAGER)).figures[17])
    assert figures["Deletion returns with no known destination in the last 12 months"] == "1"


def test_pace_statistics() -> None:
    # The panel words the dashboard's own statistics: a 18.75-day mean shows as 18.8 days.
    assert pace_of(Counter([10, 30, 30, 5])) == Pace(4, 18.8, 20.0, 30, 5, 30)
    # Several modes: the shortest wait is given, so the figure does not change run to run.
    assert pace_of(Counter([4, 9])).mode == 4


def test_a_date_moved_in_before_the_date_notified_is_left_out(
    authority: Authority, make_member: Any
) -> None:
    case(
        authority,
        notified_on=TODAY - timedelta(days=5),
        moved_into_provision_on=TODAY - timedelta(days=9),
        stage=Stage.IN_PROVISION,
    )
    figures = values(live_evidence(make_member(Role.CME_MANAGER), today=TODAY).figures[15])
    assert figures == {"Children moved into provision in the last 12 months": "0"}
