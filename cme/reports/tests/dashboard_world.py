"""A hand-counted world for the dashboard and the termly report, as at 15 November 2026.

Each case is named for what it tests; the expected figures are worked out in the tests beside it,
case by case. Year groups are those of the 2026/27 school year (Year N: born 1 September
(2021 - N) to 31 August (2022 - N)).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cme.accounts.models import Authority
from cme.cases.models import Case, EventKind, Outcome, Source, Stage, Task, TaskKind
from cme.children.models import ChildVulnerability, VulnerableGroup
from cme.reports.tests.factories import case, child, event, reopened
from cme.returns.models import EHERegistration, EHESource

TODAY = date(2026, 11, 15)


def dashboard_world(authority: Authority, other: Authority) -> dict[str, Any]:
    cases: dict[str, Case] = {}
    # Notified this month, 13 days ago: under 4 weeks; Year 7; homeless.
    new_child = child(authority, sex="F", date_of_birth=date(2015, 3, 10))
    ChildVulnerability.objects.create(child=new_child, group=VulnerableGroup.HOMELESS)
    cases["new"] = case(
        authority,
        new_child,
        notified_on=date(2026, 11, 2),
        stage=Stage.RECEIVED,
        next_follow_up_on=date(2026, 11, 30),
    )
    # Notified last month, exactly 28 days ago: a case crossing the month boundary, and the first
    # day of the 4-to-12-weeks band. Year 3.
    cases["crossing_month"] = case(
        authority,
        child(authority, sex="M", date_of_birth=date(2019, 1, 5)),
        notified_on=date(2026, 10, 18),
        stage=Stage.LOCATING,
        source=Source.POLICE,
        next_follow_up_on=TODAY,
    )
    # Closed in May, reopened in September: missing now, not on 31 August.
    cases["reopened"] = case(
        authority,
        child(authority, sex="U", date_of_birth=None),
        notified_on=date(2026, 1, 10),
        stage=Stage.CONFIRMED_MISSING,
        source=Source.ANOTHER_LA,
    )
    reopened(cases["reopened"], date(2026, 5, 1), date(2026, 9, 1))
    cases["closed_this_month"] = case(
        authority,
        notified_on=date(2026, 6, 1),
        stage=Stage.CLOSED,
        closed_on=date(2026, 11, 3),
        outcome=Outcome.REGISTERED,
    )
    # One child known to each authority in turn: each authority counts its own case only.
    cases["moved_away"] = case(
        authority,
        notified_on=date(2026, 8, 1),
        stage=Stage.CLOSED,
        closed_on=date(2026, 10, 20),
        outcome=Outcome.MOVED_LA,
    )
    cases["moved_in"] = case(
        other, child(other), notified_on=date(2026, 10, 21), stage=Stage.CHECKING
    )
    cases["in_provision"] = case(
        authority,
        notified_on=date(2026, 3, 2),
        stage=Stage.IN_PROVISION,
        provision_determined_on=date(2026, 4, 1),
        moved_into_provision_on=date(2026, 5, 1),
    )
    cases["provided_and_closed"] = case(
        authority,
        notified_on=date(2026, 4, 10),
        stage=Stage.CLOSED,
        provision_determined_on=date(2026, 4, 20),
        moved_into_provision_on=date(2026, 5, 20),
        closed_on=date(2026, 7, 1),
        outcome=Outcome.REGISTERED,
    )
    # Left a provider, destination not known: 75 days; Year 11; looked after and GRT.
    tracked = child(authority, sex="F", date_of_birth=date(2011, 6, 1))
    ChildVulnerability.objects.create(child=tracked, group=VulnerableGroup.LOOKED_AFTER)
    ChildVulnerability.objects.create(child=tracked, group=VulnerableGroup.GRT)
    cases["tracking"] = case(
        authority,
        tracked,
        notified_on=date(2026, 9, 1),
        stage=Stage.TRACKING,
        next_follow_up_on=date(2026, 11, 10),
    )
    home_educated = child(authority)
    EHERegistration.objects.create(
        authority=authority,
        child=home_educated,
        started_on=date(2026, 9, 1),
        source=EHESource.PARENT,
    )
    cases["home_educated"] = case(authority, home_educated, notified_on=date(2026, 9, 15))
    cases["on_roll"] = case(
        authority,
        notified_on=date(2026, 2, 1),
        stage=Stage.CLOSED,
        closed_on=date(2026, 2, 20),
        outcome=Outcome.FOUND_ON_ROLL,
    )
    cases["whereabouts_unknown"] = case(
        authority,
        notified_on=date(2026, 1, 5),
        stage=Stage.CLOSED,
        closed_on=date(2026, 3, 1),
        outcome=Outcome.WHEREABOUTS_UNKNOWN,
    )
    cases["whereabouts_unknown_long_ago"] = case(
        authority,
        notified_on=date(2025, 9, 1),
        stage=Stage.CLOSED,
        closed_on=date(2025, 10, 1),
        outcome=Outcome.WHEREABOUTS_UNKNOWN,
    )
    event(cases["moved_away"], EventKind.CLOSED, date(2026, 10, 20))
    follow_ups = {
        "on_time": (date(2026, 9, 10), date(2026, 9, 9)),
        "late": (date(2026, 10, 1), date(2026, 10, 5)),
        "overdue": (date(2026, 11, 1), None),
        "not_yet_due": (date(2026, 11, 20), None),
        "before_the_window": (date(2026, 8, 20), None),
    }
    for title, (due, done) in follow_ups.items():
        Task.objects.create(
            case=cases["tracking"], kind=TaskKind.FOLLOW_UP, title=title, due_on=due, done_on=done
        )
    Task.objects.create(
        case=cases["moved_in"], kind=TaskKind.FOLLOW_UP, title="other", due_on=date(2026, 11, 1)
    )
    return cases
