"""The case list: filters, search, sorting, pagination, restricted children and query counts."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Authority, Role, User
from cme.cases.list_forms import birth_range_for_year_group, year_group_on
from cme.cases.models import Case, Priority, Source, Stage
from cme.children.models import (
    Child,
    ChildVulnerability,
    FormerUPN,
    OtherName,
    RestrictionGrant,
    VulnerableGroup,
)
from cme.children.restriction import RESTRICTED_LABEL
from cme.children.school_age import school_year_starting
from cme.children.upn import make_upn

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def make_case(
    authority: Authority,
    *,
    forename: str = "Ada",
    surname: str = "Lovelace",
    dob: date | None = date(2015, 3, 14),
    upn: str = "",
    restricted: bool = False,
    stage: Stage = Stage.RECEIVED,
    owner: User | None = None,
    priority: Priority = Priority.MEDIUM,
    notified_on: date | None = None,
    next_follow_up_on: date | None = None,
    is_vulnerable: bool = False,
    reference: str = "",
    **child_fields: Any,
) -> Case:
    """A child and a case for them, straight into the database."""
    n = next(_numbers)
    child = Child.objects.create(
        authority=authority,
        forename=forename,
        surname=surname,
        date_of_birth=dob,
        upn=upn,
        is_restricted=restricted,
        restriction_reason="Living in a refuge" if restricted else "",
        **child_fields,
    )
    return Case.objects.create(
        authority=authority,
        child=child,
        reference=reference or f"CME-{authority.la_code}-{n:05d}",
        stage=stage,
        owner=owner,
        priority=priority,
        source=Source.SCHOOL,
        notified_on=notified_on or date(2026, 9, 1) + timedelta(days=n % 60),
        next_follow_up_on=next_follow_up_on,
        is_vulnerable=is_vulnerable,
    )


def references(response: Any) -> list[str]:
    """The case references in the list, in the order shown."""
    return re.findall(r'href="/cases/\d+/">([^<]+)</a>', response.content.decode())


@pytest.fixture
def officer(make_member: Any) -> User:
    user: User = make_member(Role.CME_OFFICER)
    return user


@pytest.fixture
def browse(officer: User, client_for: Any) -> Any:
    client: Client = client_for(officer)

    def get(**params: Any) -> Any:
        response = client.get(reverse("case_list"), params)
        assert response.status_code == 200
        return response

    return get


# Year groups ---------------------------------------------------------------------------------


def test_year_7_in_the_school_year_from_september_2026_is_born_2014_to_2015() -> None:
    assert birth_range_for_year_group("7", date(2026, 9, 1)) == (
        date(2014, 9, 1),
        date(2015, 8, 31),
    )
    assert birth_range_for_year_group("7", date(2027, 8, 31)) == (
        date(2014, 9, 1),
        date(2015, 8, 31),
    )


def test_reception_is_the_year_children_turn_five() -> None:
    assert birth_range_for_year_group("R", date(2026, 11, 28)) == (
        date(2021, 9, 1),
        date(2022, 8, 31),
    )
    assert birth_range_for_year_group("13", date(2026, 11, 28)) == (
        date(2008, 9, 1),
        date(2009, 8, 31),
    )


def test_the_school_year_turns_over_on_1_september() -> None:
    assert school_year_starting(date(2026, 8, 31)) == 2025
    assert school_year_starting(date(2026, 9, 1)) == 2026


def test_year_group_labels_come_from_the_date_of_birth() -> None:
    on = date(2026, 11, 28)
    assert year_group_on(date(2014, 9, 1), on) == "Year 7"
    assert year_group_on(date(2015, 8, 31), on) == "Year 7"
    assert year_group_on(date(2015, 9, 1), on) == "Year 6"
    assert year_group_on(date(2022, 8, 31), on) == "Reception"
    assert year_group_on(date(2023, 1, 1), on) == ""
    assert year_group_on(date(2005, 1, 1), on) == ""
    assert year_group_on(None, on) == ""


@pytest.mark.parametrize("bad", ["0", "14", "N1", "x"])
def test_an_unknown_year_group_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="No year group"):
        birth_range_for_year_group(bad, date(2026, 9, 1))


# Who sees what -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER])
def test_the_case_team_sees_their_authoritys_cases_only(
    role: Role, make_member: Any, client_for: Any, authority: Authority, other_authority: Authority
) -> None:
    ours = make_case(authority, surname="Ourside")
    theirs = make_case(other_authority, surname="Elsewhere")
    response = client_for(make_member(role)).get(reverse("case_list"))
    assert response.status_code == 200
    assert references(response) == [ours.reference]
    assert b"Elsewhere" not in response.content
    assert theirs.reference.encode() not in response.content


@pytest.mark.parametrize("role", [Role.SCHOOL_USER, Role.PARTNER, Role.AUDITOR, Role.ADMINISTRATOR])
def test_people_outside_the_case_team_are_refused(
    role: Role, make_member: Any, client_for: Any, authority: Authority
) -> None:
    make_case(authority)
    client = client_for(make_member(role))
    assert client.get(reverse("case_list")).status_code == 403
    assert client.get(reverse("case_export")).status_code == 403
    assert client.get(reverse("my_work")).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    assert Client().get(reverse("case_list")).status_code == 302


def test_the_page_has_one_heading_and_a_captioned_table(browse: Any, authority: Authority) -> None:
    make_case(authority)
    html = browse().content.decode()
    assert html.count("<h1") == 1
    assert '<caption class="govuk-table__caption govuk-table__caption--m">1 case</caption>' in html
    assert "style=" not in html
    assert "<script>" not in html


# Filters -------------------------------------------------------------------------------------


def test_open_cases_only_unless_asked(browse: Any, authority: Authority) -> None:
    open_case = make_case(authority, stage=Stage.CHECKING)
    closed = make_case(authority, stage=Stage.CLOSED)
    assert references(browse()) == [open_case.reference]
    assert references(browse(status="closed")) == [closed.reference]
    assert set(references(browse(status="all"))) == {open_case.reference, closed.reference}


@pytest.mark.parametrize("sort", ["surname", "-notified_on", "notified_on", "priority"])
def test_open_cases_are_every_stage_but_closed_whatever_the_sort(
    browse: Any, authority: Authority, sort: str
) -> None:
    # The open filter is worded differently for the date sort (see _open_cases): both wordings
    # must list exactly the cases that are not closed.
    open_cases = {make_case(authority, stage=stage).reference for stage in Stage}
    closed = Case.objects.get(stage=Stage.CLOSED).reference
    assert set(references(browse(sort=sort))) == open_cases - {closed}


def test_filter_by_stages(browse: Any, authority: Authority) -> None:
    received = make_case(authority, stage=Stage.RECEIVED)
    locating = make_case(authority, stage=Stage.LOCATING)
    make_case(authority, stage=Stage.TRACKING)
    assert references(browse(stage="locating")) == [locating.reference]
    found = references(browse(stage=["locating", "received"]))
    assert set(found) == {received.reference, locating.reference}


def test_filter_by_owner(
    browse: Any, officer: User, make_member: Any, authority: Authority
) -> None:
    colleague = make_member(Role.CASEWORKER)
    mine = make_case(authority, owner=officer)
    theirs = make_case(authority, owner=colleague)
    nobodys = make_case(authority)
    assert references(browse(owner="me")) == [mine.reference]
    assert references(browse(owner="none")) == [nobodys.reference]
    assert references(browse(owner=str(colleague.pk))) == [theirs.reference]


def test_owner_choices_are_this_authoritys_case_team(
    browse: Any, make_member: Any, other_authority: Authority
) -> None:
    caseworker = make_member(Role.CASEWORKER)
    school = make_member(Role.SCHOOL_USER)
    outsider = make_member(Role.CASEWORKER, of=other_authority)
    html = browse().content.decode()
    select = re.search(r'<select name="owner".*?</select>', html, re.S)
    assert select is not None
    assert f'value="{caseworker.pk}"' in select[0]
    assert f'value="{school.pk}"' not in select[0]
    assert f'value="{outsider.pk}"' not in select[0]
    response = browse(owner=str(outsider.pk))
    assert "Choose an owner from the list" in response.content.decode()


def test_filter_by_priority(browse: Any, authority: Authority) -> None:
    urgent = make_case(authority, priority=Priority.URGENT)
    high = make_case(authority, priority=Priority.HIGH)
    make_case(authority, priority=Priority.LOW)
    assert references(browse(priority=Priority.URGENT.value)) == [urgent.reference]
    found = references(browse(priority=[Priority.URGENT.value, Priority.HIGH.value]))
    assert set(found) == {urgent.reference, high.reference}


def test_filter_by_vulnerability(browse: Any, authority: Authority) -> None:
    flagged = make_case(authority, is_vulnerable=True)
    in_group = make_case(authority)
    ChildVulnerability.objects.create(child=in_group.child, group=VulnerableGroup.RUNAWAY)
    ChildVulnerability.objects.create(child=flagged.child, group=VulnerableGroup.YOUNG_CARER)
    make_case(authority)
    assert references(browse(vulnerable="any")) == [flagged.reference]
    assert references(browse(vulnerable=VulnerableGroup.RUNAWAY.value)) == [in_group.reference]
    assert references(browse(vulnerable=VulnerableGroup.GRT.value)) == []


def test_filter_overdue_follow_ups(browse: Any, authority: Authority) -> None:
    today = timezone.localdate()
    late = make_case(authority, next_follow_up_on=today - timedelta(days=1))
    make_case(authority, next_follow_up_on=today)
    make_case(authority)
    make_case(authority, stage=Stage.CLOSED, next_follow_up_on=today - timedelta(days=9))
    response = browse(overdue="on")
    assert references(response) == [late.reference]
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in response.content.decode()
    assert references(browse(overdue="on", status="all")) == [late.reference]


def test_filter_by_year_group(browse: Any, authority: Authority) -> None:
    first, last = birth_range_for_year_group("7", timezone.localdate())
    oldest = make_case(authority, dob=first)
    youngest = make_case(authority, dob=last)
    make_case(authority, dob=first - timedelta(days=1))
    make_case(authority, dob=last + timedelta(days=1))
    make_case(authority, dob=None)
    response = browse(year_group="7")
    assert set(references(response)) == {oldest.reference, youngest.reference}
    assert "Year 7" in response.content.decode()


def test_filter_by_date_notified(browse: Any, authority: Authority) -> None:
    make_case(authority, notified_on=date(2026, 9, 30))
    october = make_case(authority, notified_on=date(2026, 10, 1))
    end = make_case(authority, notified_on=date(2026, 10, 31))
    make_case(authority, notified_on=date(2026, 11, 1))
    found = references(browse(notified_from="1/10/2026", notified_to="2026-10-31"))
    assert set(found) == {october.reference, end.reference}


def test_invalid_filters_are_shown_as_errors_and_ignored(browse: Any, authority: Authority) -> None:
    urgent = make_case(authority, priority=Priority.URGENT)
    make_case(authority, priority=Priority.LOW)
    response = browse(
        priority=Priority.URGENT.value,
        notified_from="31/02/2026",
        stage="nonsense",
        owner="99999",
        year_group="20",
        vulnerable="x",
        status="maybe",
        page="nope",
        q="x" * 101,
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Notified from must be a real date" in html
    assert "Choose stages from the list" in html
    assert "Choose a year group from the list" in html
    assert "govuk-form-group--error" in html
    assert html.count('class="govuk-error-message"') >= 5
    # The valid filter still applies; the broken ones are left out.
    assert references(response) == [urgent.reference]


def test_a_date_range_the_wrong_way_round_is_an_error(browse: Any, authority: Authority) -> None:
    make_case(authority, notified_on=date(2026, 9, 1))
    later = make_case(authority, notified_on=date(2026, 10, 5))
    response = browse(notified_from="2/10/2026", notified_to="1/10/2026")
    assert "Notified to must be the same as or after notified from" in response.content.decode()
    # The "to" date in error is left out; the "from" date still applies.
    assert references(response) == [later.reference]


# Search --------------------------------------------------------------------------------------


def test_search_by_name_start_in_any_case(browse: Any, authority: Authority) -> None:
    ada = make_case(authority, forename="Ada", surname="Lovelace")
    make_case(authority, forename="Grace", surname="Hopper")
    assert references(browse(q="love")) == [ada.reference]
    assert references(browse(q="LOVELACE")) == [ada.reference]
    assert references(browse(q="ada")) == [ada.reference]
    assert references(browse(q="ada love")) == [ada.reference]
    assert references(browse(q="grace love")) == []
    assert references(browse(q="velace")) == []


def test_search_by_preferred_and_other_names(browse: Any, authority: Authority) -> None:
    case = make_case(authority, forename="Robert", surname="Jones", preferred_forename="Bobby")
    OtherName.objects.create(child=case.child, kind="former", forename="", surname="Evans-Price")
    make_case(authority, forename="Susan", surname="Jones")
    assert references(browse(q="bobby")) == [case.reference]
    assert references(browse(q="evans")) == [case.reference]
    assert references(browse(q="robert evans")) == [case.reference]


def test_search_by_upn_and_former_upn(browse: Any, authority: Authority) -> None:
    upn = make_upn("990", "2001", 2019, 5)
    former = make_upn("990", "2001", 2018, 77)
    case = make_case(authority, upn=upn)
    FormerUPN.objects.create(child=case.child, upn=former)
    make_case(authority, upn=make_upn("990", "2001", 2019, 6))
    spaced = f"{upn[:4].lower()} {upn[4:8]} {upn[8:]}"
    assert references(browse(q=spaced)) == [case.reference]
    assert references(browse(q=former)) == [case.reference]
    assert references(browse(q=upn[:12])) == []


def test_search_by_date_of_birth_in_either_format(browse: Any, authority: Authority) -> None:
    case = make_case(authority, dob=date(2015, 3, 7))
    make_case(authority, dob=date(2015, 7, 3))
    assert references(browse(q="07/03/2015")) == [case.reference]
    assert references(browse(q="2015-03-07")) == [case.reference]


def test_search_by_case_reference(browse: Any, authority: Authority) -> None:
    case = make_case(authority, reference="CME-990-04242")
    make_case(authority)
    assert references(browse(q="CME-990-04242")) == [case.reference]
    assert references(browse(q=" cme-990-04242 ")) == [case.reference]


# Restricted children -------------------------------------------------------------------------

SECRET_FORENAME, SECRET_SURNAME, SECRET_DOB = "Zebedee", "Quartermain", date(2014, 12, 25)


@pytest.fixture
def restricted(authority: Authority, make_member: Any) -> Case:
    owner = make_member(Role.CME_MANAGER)
    case = make_case(
        authority,
        forename=SECRET_FORENAME,
        surname=SECRET_SURNAME,
        dob=SECRET_DOB,
        upn=make_upn("990", "2001", 2019, 9),
        restricted=True,
        owner=owner,
        preferred_forename="Zeb",
    )
    OtherName.objects.create(child=case.child, kind="alias", forename="Zed", surname="Moonshine")
    return case


def table_of(content: bytes) -> bytes:
    """The results table, without the filter form (which echoes what the user typed)."""
    match = re.search(rb"<table.*?</table>", content, re.S)
    return match[0] if match else b""


def assert_nothing_personal(content: bytes, case: Case, *, typed: str = "") -> None:
    child = case.child
    if typed:  # the search box shows what the searcher typed themselves
        content = table_of(content)
    for value in [
        child.forename,
        child.surname,
        child.preferred_forename,
        child.upn,
        "Moonshine",
        "25 Dec 2014",
        "25/12/2014",
        "2014-12-25",
    ]:
        assert value.encode() not in content, value


def test_a_restricted_child_is_listed_only_as_the_label_with_the_owner(
    browse: Any, restricted: Case
) -> None:
    response = browse()
    assert references(response) == [restricted.reference]
    assert RESTRICTED_LABEL.encode() in response.content
    assert str(restricted.owner).encode() in response.content
    assert_nothing_personal(response.content, restricted)
    body = re.search(rb"<tbody.*?</tbody>", response.content, re.S)
    assert body is not None
    assert b"Year " not in body[0]
    assert b'colspan="3"' in body[0]


@pytest.mark.parametrize(
    "q", ["Quartermain", "quar", "Zebedee", "Zeb", "Moonshine", "25/12/2014", "2014-12-25", "upn"]
)
def test_search_does_not_find_a_restricted_child_by_personal_details(
    browse: Any, restricted: Case, q: str
) -> None:
    if q == "upn":
        q = restricted.child.upn
    response = browse(q=q)
    assert references(response) == []
    assert b"No cases match these filters" in response.content
    assert_nothing_personal(response.content, restricted, typed=q)


def test_filters_on_the_date_of_birth_do_not_reveal_a_restricted_child(
    browse: Any, restricted: Case
) -> None:
    year = year_group_on(SECRET_DOB, timezone.localdate())
    assert year  # the child is of school age, so the year group filter would match them
    response = browse(year_group=year.removeprefix("Year ").replace("Reception", "R"))
    assert references(response) == []


def test_a_restricted_child_is_found_by_case_reference(browse: Any, restricted: Case) -> None:
    response = browse(q=restricted.reference)
    assert references(response) == [restricted.reference]
    assert RESTRICTED_LABEL.encode() in response.content
    assert_nothing_personal(response.content, restricted)


def test_a_grant_holder_finds_and_sees_the_restricted_child(
    restricted: Case, officer: User, client_for: Any, make_member: Any
) -> None:
    RestrictionGrant.objects.create(
        child=restricted.child, user=officer, reason="Safeguarding visit", granted_by=officer
    )
    client = client_for(officer)
    response = client.get(reverse("case_list"), {"q": "quartermain"})
    assert references(response) == [restricted.reference]
    assert b"Zeb Quartermain" in response.content
    assert RESTRICTED_LABEL.encode() not in response.content
    response = client.get(reverse("case_list"), {"q": "25/12/2014"})
    assert references(response) == [restricted.reference]
    # A revoked grant gives nothing.
    RestrictionGrant.objects.update(revoked_at=timezone.now())
    response = client.get(reverse("case_list"), {"q": "quartermain"})
    assert references(response) == []


# Sorting -------------------------------------------------------------------------------------


def aria_sorts(response: Any) -> dict[str, str]:
    html = response.content.decode()
    return dict(
        (label, state)
        for state, label in re.findall(
            r'<th scope="col" class="govuk-table__header" aria-sort="(\w+)">'
            r'<a class="govuk-link" href="[^"]*">([^<]+)</a></th>',
            html,
        )
    )


def test_default_sort_is_newest_notified_first(browse: Any, authority: Authority) -> None:
    old = make_case(authority, notified_on=date(2026, 1, 5))
    new = make_case(authority, notified_on=date(2026, 3, 5))
    response = browse()
    assert references(response) == [new.reference, old.reference]
    sorts = aria_sorts(response)
    assert sorts["Notified"] == "descending"
    assert sorts["Reference"] == "none"
    assert set(sorts) == {
        "Reference",
        "Child",
        "Date of birth",
        "Stage",
        "Priority",
        "Owner",
        "Notified",
        "Next follow-up",
    }
    year_heading = re.search(r"<th[^>]*>Year group</th>", response.content.decode())
    assert year_heading is not None
    assert "aria-sort" not in year_heading[0]


@pytest.mark.parametrize(
    ("sort", "label", "field", "values"),
    [
        ("reference", "Reference", "reference", ["CME-990-A", "CME-990-B", "CME-990-C"]),
        ("surname", "Child", "surname", ["Adams", "Baker", "Clark"]),
        ("dob", "Date of birth", "dob", [date(2013, 1, 1), date(2014, 1, 1), date(2015, 1, 1)]),
        ("stage", "Stage", "stage", [Stage.RECEIVED, Stage.CHECKING, Stage.LOCATING]),
        ("priority", "Priority", "priority", [Priority.URGENT, Priority.HIGH, Priority.LOW]),
        ("notified_on", "Notified", "notified_on", [date(2026, 1, d) for d in (1, 2, 3)]),
        (
            "next_follow_up_on",
            "Next follow-up",
            "next_follow_up_on",
            [date(2030, 1, d) for d in (1, 2, 3)],
        ),
    ],
)
def test_sort_by_each_column_both_ways(
    browse: Any, authority: Authority, sort: str, label: str, field: str, values: list[Any]
) -> None:
    cases = [make_case(authority, **{field: value}) for value in reversed(values)]
    cases.reverse()  # now in ascending order of value
    expected = [c.reference for c in cases]
    ascending = browse(sort=sort)
    assert references(ascending) == expected
    assert aria_sorts(ascending)[label] == "ascending"
    assert f"sort=-{sort}" in ascending.content.decode()
    descending = browse(sort=f"-{sort}")
    assert references(descending) == expected[::-1]
    assert aria_sorts(descending)[label] == "descending"


def test_sort_by_owner_puts_unassigned_last(
    browse: Any, authority: Authority, make_member: Any
) -> None:
    amy, zoe = make_member(Role.CASEWORKER), make_member(Role.CASEWORKER)
    User.objects.filter(pk=amy.pk).update(full_name="Amy Able")
    User.objects.filter(pk=zoe.pk).update(full_name="Zoe Zed")
    nobody = make_case(authority)
    z, a = make_case(authority, owner=zoe), make_case(authority, owner=amy)
    assert references(browse(sort="owner")) == [a.reference, z.reference, nobody.reference]
    assert references(browse(sort="-owner")) == [z.reference, a.reference, nobody.reference]


@pytest.mark.parametrize("sort", ["password", "-child__authority__name", "--reference", "", "pk"])
def test_an_unknown_sort_falls_back_to_the_default(
    browse: Any, authority: Authority, sort: str
) -> None:
    old = make_case(authority, notified_on=date(2026, 1, 5))
    new = make_case(authority, notified_on=date(2026, 3, 5))
    response = browse(sort=sort)
    assert references(response) == [new.reference, old.reference]
    assert aria_sorts(response)["Notified"] == "descending"


def test_sort_links_keep_the_filters(browse: Any, authority: Authority) -> None:
    make_case(authority, priority=Priority.URGENT)
    html = browse(priority=Priority.URGENT.value, q="ada", page="1").content.decode()
    link = re.search(r'href="(\?[^"]*sort=reference[^"]*)"', html)
    assert link is not None
    assert "priority=1_urgent" in link[1]
    assert "q=ada" in link[1]
    assert "page=" not in link[1]


# Pagination and export link -----------------------------------------------------------------


def test_fifty_a_page_and_the_filters_stay_in_the_page_links(
    browse: Any, authority: Authority
) -> None:
    for _ in range(60):
        make_case(authority, priority=Priority.HIGH)
    make_case(authority, priority=Priority.LOW)
    first = browse(priority=Priority.HIGH.value, sort="reference")
    assert len(references(first)) == 50
    html = first.content.decode()
    assert "60 cases, page 1 of 2" in html
    assert "?priority=2_high&amp;sort=reference&amp;page=2" in html
    second = browse(priority=Priority.HIGH.value, sort="reference", page="2")
    assert len(references(second)) == 10
    assert set(references(first)).isdisjoint(references(second))


def test_the_export_links_carry_the_filters(browse: Any, authority: Authority) -> None:
    make_case(authority, priority=Priority.URGENT)
    html = browse(priority=Priority.URGENT.value, sort="surname", page="1").content.decode()
    assert "/cases/export/?priority=1_urgent&amp;sort=surname&amp;format=csv" in html
    assert "/cases/export/?priority=1_urgent&amp;sort=surname&amp;format=xlsx" in html


def test_no_export_link_for_people_who_may_not_export(
    make_member: Any, client_for: Any, authority: Authority
) -> None:
    make_case(authority)
    html = client_for(make_member(Role.CASEWORKER)).get(reverse("case_list")).content.decode()
    assert "/cases/export/" not in html


# Query counts --------------------------------------------------------------------------------


def count_queries(client: Client, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("case_list"), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "love", "sort": "surname"},
        {"vulnerable": "runaway", "year_group": "7", "overdue": "on", "sort": "stage"},
        {"q": "07/03/2015", "owner": "me", "priority": ["1_urgent", "2_high"], "page": "2"},
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_data(
    officer: User, client_for: Any, authority: Authority, make_member: Any, params: dict[str, Any]
) -> None:
    client = client_for(officer)
    owners = [officer, make_member(Role.CASEWORKER), None]

    def add(n: int) -> None:
        for i in range(n):
            case = make_case(
                authority,
                owner=owners[i % 3],
                restricted=i % 7 == 0,
                priority=[Priority.URGENT, Priority.HIGH][i % 2],
                next_follow_up_on=date(2020, 1, 1),
                is_vulnerable=True,
            )
            ChildVulnerability.objects.create(child=case.child, group=VulnerableGroup.RUNAWAY)

    add(5)
    few = count_queries(client, params)
    add(115)
    many = count_queries(client, params)
    assert few == many
    assert many <= 15  # a name search adds one query per word, for other names
