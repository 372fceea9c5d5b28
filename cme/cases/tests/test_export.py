"""Exporting the case list: permission, the same rows as the list, escaping, restriction, audit."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cme.accounts.models import Authority, Role, User
from cme.cases.exports import HEADERS, Cell, csv_lines, escape_formula, write_xlsx
from cme.cases.list_forms import birth_range_for_year_group
from cme.cases.models import Priority, Stage
from cme.cases.tests.test_case_list import make_case
from cme.children.models import RestrictionGrant
from cme.children.restriction import RESTRICTED_LABEL
from cme.children.upn import make_upn
from cme.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member: Any) -> User:
    user: User = make_member(Role.CME_OFFICER)
    return user


def export(client: Any, **params: Any) -> Any:
    response = client.get(reverse("case_export"), params)
    assert response.status_code == 200
    return response


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def xlsx_rows(response: Any) -> list[list[Any]]:
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body), read_only=True)["Cases"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# Escaping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("-1+2", "'-1+2"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Smith-Jones", "Smith-Jones"),
        ("O'Brien", "O'Brien"),
        ("", ""),
        (None, None),
        (date(2015, 1, 1), date(2015, 1, 1)),
    ],
)
def test_formula_escaping(value: Any, expected: Any) -> None:
    assert escape_formula(value) == expected


def test_csv_and_xlsx_writers_escape_every_text_cell() -> None:
    rows: list[list[Cell]] = [["=1+1", "-2", "@x", "plain", date(2020, 2, 29), None]]
    lines = "".join(csv_lines(rows)).removeprefix("\ufeff")
    parsed = list(csv.reader(io.StringIO(lines)))
    assert parsed[0] == HEADERS
    assert parsed[1] == ["'=1+1", "'-2", "'@x", "plain", "2020-02-29", ""]
    handle = io.BytesIO()
    write_xlsx(rows, handle)
    handle.seek(0)
    sheet = load_workbook(handle)["Cases"]
    cells = next(iter(sheet.iter_rows(min_row=2, values_only=False)))
    assert [cell.value for cell in cells[:4]] == ["'=1+1", "'-2", "'@x", "plain"]
    assert all(cell.data_type != "f" for cell in cells)
    assert cells[4].value == datetime(2020, 2, 29)


# Permission and scope ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.SCHOOL_USER, Role.PARTNER, Role.AUDITOR, Role.ADMINISTRATOR]
)
def test_only_officers_and_managers_may_export(
    role: Role, make_member: Any, client_for: Any, authority: Authority
) -> None:
    make_case(authority)
    response = client_for(make_member(role)).get(reverse("case_export"), {"format": "csv"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_an_unknown_format_is_a_bad_request(officer: User, client_for: Any) -> None:
    response = client_for(officer).get(reverse("case_export"), {"format": "pdf"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_csv_has_exactly_the_filtered_sorted_view(
    officer: User,
    client_for: Any,
    authority: Authority,
    other_authority: Authority,
    make_member: Any,
) -> None:
    b = make_case(authority, surname="Baker", priority=Priority.URGENT, owner=officer)
    a = make_case(
        authority, forename="Al", surname="Adams", priority=Priority.URGENT, dob=date(2014, 9, 1)
    )
    make_case(authority, surname="Carter", priority=Priority.LOW)
    make_case(authority, surname="Closed", priority=Priority.URGENT, stage=Stage.CLOSED)
    make_case(other_authority, surname="Elsewhere", priority=Priority.URGENT)
    response = export(client_for(officer), format="csv", priority="1_urgent", sort="surname")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="cases-990-{today}.csv"'
    rows = csv_rows(response)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == [a.reference, b.reference]
    assert rows[1][1] == "Al Adams"
    assert rows[1][2] == "2014-09-01"
    assert rows[1][4] == "Received"
    assert rows[1][5] == "Urgent"
    assert rows[1][6] == "Unassigned"
    assert rows[2][6] == str(officer)


def test_xlsx_opens_and_has_the_rows(officer: User, client_for: Any, authority: Authority) -> None:
    cases = [make_case(authority, surname=f"Surname{i}") for i in range(3)]
    response = export(client_for(officer), format="xlsx", sort="reference")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = timezone.localdate().isoformat()
    assert f'filename="cases-990-{today}.xlsx"' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == [c.reference for c in cases]
    assert rows[1][2].date() == date(2015, 3, 14)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_in_records_are_escaped_in_the_file(
    fmt: str, officer: User, client_for: Any, authority: Authority
) -> None:
    make_case(authority, forename='=HYPERLINK("http://evil.example","x")', surname="-1+2")
    response = export(client_for(officer), format=fmt)
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","x") -1+2'


# Restricted children -------------------------------------------------------------------------


@pytest.fixture
def restricted(authority: Authority, make_member: Any) -> Any:
    return make_case(
        authority,
        forename="Zebedee",
        surname="Quartermain",
        dob=date(2014, 12, 25),
        upn=make_upn("990", "2001", 2019, 9),
        restricted=True,
        owner=make_member(Role.CME_MANAGER),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_restricted_child_is_exported_as_the_label_only(
    fmt: str, officer: User, client_for: Any, restricted: Any
) -> None:
    response = export(client_for(officer), format=fmt)
    body = b"".join(response.streaming_content)
    for secret in [b"Zebedee", b"Quartermain", b"2014-12-25", restricted.child.upn.encode()]:
        assert secret not in body
    rows = csv_rows_from(body) if fmt == "csv" else xlsx_rows_from(body)
    assert rows[1][0] == restricted.reference
    assert rows[1][1] == RESTRICTED_LABEL
    assert rows[1][2] in ("", None)
    assert rows[1][3] in ("", None)
    assert rows[1][6] == str(restricted.owner)


def csv_rows_from(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows_from(body: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(body), read_only=True)["Cases"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_restricted_child_is_not_exported_by_a_name_search(
    officer: User, client_for: Any, restricted: Any
) -> None:
    response = export(client_for(officer), format="csv", q="quartermain")
    assert csv_rows(response) == [HEADERS]


def test_a_grant_holder_exports_the_restricted_childs_details(
    officer: User, client_for: Any, restricted: Any
) -> None:
    RestrictionGrant.objects.create(
        child=restricted.child, user=officer, reason="Home visit", granted_by=officer
    )
    rows = csv_rows(export(client_for(officer), format="csv", q="quartermain"))
    assert rows[1][:3] == [restricted.reference, "Zebedee Quartermain", "2014-12-25"]


# Audit ---------------------------------------------------------------------------------------


def test_each_export_is_audited_once_without_the_search_text(
    officer: User, client_for: Any, authority: Authority
) -> None:
    year_7, _ = birth_range_for_year_group("7", timezone.localdate())
    make_case(authority, surname="Lovelace", priority=Priority.URGENT, dob=year_7)
    make_case(authority, surname="Lovelock", priority=Priority.URGENT, dob=date(2000, 1, 1))
    make_case(authority, surname="Hopper", priority=Priority.URGENT, dob=year_7)
    response = export(
        client_for(officer),
        format="xlsx",
        q="Lovel",
        priority="1_urgent",
        year_group="7",
        notified_from="1/1/2020",
        sort="-surname",
    )
    b"".join(response.streaming_content)
    events = list(AuditEvent.objects.filter(action=AuditAction.EXPORTED))
    assert len(events) == 1
    event = events[0]
    assert event.actor_id == officer.pk
    assert event.authority_id == authority.pk
    assert event.target_type == "cases.case"
    assert event.payload["format"] == "xlsx"
    assert event.payload["rows"] == 1
    filters = event.payload["filters"]
    assert filters["q"] is True
    assert filters["priority"] == ["1_urgent"]
    assert filters["year_group"] == "7"
    assert filters["notified_from"] == "2020-01-01"
    assert filters["sort"] == "-surname"
    assert "Lovel" not in str(event.payload)


def test_the_audited_row_count_matches_the_file(
    officer: User, client_for: Any, authority: Authority
) -> None:
    for _ in range(3):
        make_case(authority)
    rows = csv_rows(export(client_for(officer), format="csv", q=""))
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.payload["rows"] == len(rows) - 1 == 3
    assert event.payload["filters"] == {"q": False, "status": "open", "sort": "-notified_on"}


def test_export_queries_do_not_grow_with_the_data(
    officer: User, client_for: Any, authority: Authority
) -> None:
    client = client_for(officer)

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            b"".join(export(client, format="csv", q="ada").streaming_content)
        return len(queries)

    for i in range(3):
        make_case(authority, restricted=i == 0)
    few = measure()
    for i in range(60):
        make_case(authority, restricted=i % 5 == 0)
    assert measure() == few
