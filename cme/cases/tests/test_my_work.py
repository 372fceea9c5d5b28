"""My work: my open cases, my tasks overdue and due soon, and new cases waiting for me."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Authority, Role, User
from cme.cases.models import Case, Priority, Stage, Task, TaskKind
from cme.cases.tests.test_case_list import make_case
from cme.children.restriction import RESTRICTED_LABEL

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(make_member: Any) -> User:
    user: User = make_member(Role.CASEWORKER)
    return user


def make_task(case: Case, user: User | None, due_on: date, **extra: Any) -> Task:
    return Task.objects.create(
        case=case,
        assigned_to=user,
        due_on=due_on,
        title=extra.pop("title", "Ring the school"),
        **extra,
    )


def section(html: str, section_id: str) -> str:
    """The part of the page from one section's heading to the next heading."""
    match = re.search(
        rf'<h2 class="govuk-heading-m" id="{section_id}">(.*?)(?=<h2 |</main>)', html, re.S
    )
    assert match is not None, section_id
    return match[1]


def references(html: str) -> list[str]:
    return re.findall(r'href="/cases/\d+/">([^<]+)</a>', html)


def page(client_for: Any, user: User) -> str:
    response = client_for(user).get(reverse("my_work"))
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.mark.parametrize("role", [Role.SCHOOL_USER, Role.PARTNER, Role.AUDITOR, Role.ADMINISTRATOR])
def test_only_the_case_team_has_my_work(role: Role, make_member: Any, client_for: Any) -> None:
    assert client_for(make_member(role)).get(reverse("my_work")).status_code == 403


def test_my_open_cases_most_urgent_first(
    worker: User, client_for: Any, authority: Authority, make_member: Any
) -> None:
    today = timezone.localdate()
    low = make_case(authority, owner=worker, priority=Priority.LOW, stage=Stage.LOCATING)
    urgent_later = make_case(
        authority, owner=worker, priority=Priority.URGENT, next_follow_up_on=today + timedelta(9)
    )
    urgent_sooner = make_case(
        authority,
        owner=worker,
        priority=Priority.URGENT,
        next_follow_up_on=today - timedelta(1),
        stage=Stage.CHECKING,
    )
    make_case(authority, owner=worker, stage=Stage.CLOSED)
    make_case(authority, owner=make_member(Role.CASEWORKER))
    make_case(authority)
    html = page(client_for, worker)
    mine = section(html, "open-cases")
    assert mine.startswith("Your open cases (3)")
    assert references(mine) == [urgent_sooner.reference, urgent_later.reference, low.reference]
    assert "Overdue" in mine


def test_new_cases_waiting_are_mine_not_yet_checked(
    worker: User, client_for: Any, authority: Authority, make_member: Any
) -> None:
    older = make_case(authority, owner=worker, notified_on=date(2026, 1, 1))
    newer = make_case(authority, owner=worker, notified_on=date(2026, 2, 1))
    make_case(authority, owner=worker, stage=Stage.CHECKING)
    make_case(authority, owner=make_member(Role.CASEWORKER))
    new = section(page(client_for, worker), "new")
    assert new.startswith("New items waiting for you (2)")
    assert references(new) == [older.reference, newer.reference]


def test_my_tasks_overdue_then_due_in_the_next_fourteen_days(
    worker: User,
    client_for: Any,
    authority: Authority,
    other_authority: Authority,
    make_member: Any,
) -> None:
    today = timezone.localdate()
    case = make_case(authority)
    make_task(case, worker, today - timedelta(3), title="Late one")
    make_task(case, worker, today - timedelta(1), title="Late two", kind=TaskKind.POLICE_REFERRAL)
    make_task(case, worker, today, title="Due today")
    make_task(case, worker, today + timedelta(14), title="Due in a fortnight")
    make_task(case, worker, today + timedelta(15), title="Not yet")
    make_task(case, worker, today - timedelta(5), title="Done already", done_on=today)
    make_task(case, make_member(Role.CASEWORKER), today, title="Someone else's")
    make_task(case, None, today, title="Nobody's")
    html = page(client_for, worker)
    overdue = section(html, "overdue-tasks")
    assert overdue.startswith("Overdue tasks (2)")
    assert overdue.index("Late one") < overdue.index("Late two")
    assert "Required action" in overdue
    due = section(html, "due-tasks")
    assert due.startswith("Tasks due in the next 14 days (2)")
    assert due.index("Due today") < due.index("Due in a fortnight")
    for absent in ["Not yet", "Done already", "Someone else&#x27;s", "Nobody&#x27;s"]:
        assert absent not in html


def test_tasks_on_another_authoritys_cases_are_not_shown(
    worker: User, client_for: Any, other_authority: Authority
) -> None:
    # A task assigned across authorities by mistake must not show the other authority's case.
    theirs = make_case(other_authority, surname="Elsewhere")
    make_task(theirs, worker, timezone.localdate(), title="Across the border")
    html = page(client_for, worker)
    assert "Across the border" not in html
    assert "Elsewhere" not in html


def test_empty_lists_say_so(worker: User, client_for: Any) -> None:
    html = page(client_for, worker)
    assert html.count("<h1") == 1
    assert "Nothing new is waiting for you." in html
    assert "You have no overdue tasks." in html
    assert "You have no open cases." in html


def test_a_restricted_child_shows_as_the_label(
    worker: User, client_for: Any, authority: Authority
) -> None:
    case = make_case(
        authority, owner=worker, forename="Zebedee", surname="Quartermain", restricted=True
    )
    make_task(case, worker, timezone.localdate(), title="Visit")
    html = page(client_for, worker)
    assert "Quartermain" not in html
    assert "Zebedee" not in html
    assert html.count(RESTRICTED_LABEL) == 3  # new, due task, open case


def test_my_work_queries_do_not_grow_with_the_data(
    worker: User, client_for: Any, authority: Authority
) -> None:
    client = client_for(worker)
    today = timezone.localdate()

    def add(n: int) -> None:
        for i in range(n):
            case = make_case(authority, owner=worker, restricted=i % 4 == 0)
            make_task(case, worker, today + timedelta(days=(i % 20) - 5))

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("my_work")).status_code == 200
        return len(queries)

    add(3)
    few = measure()
    add(70)
    assert measure() == few
