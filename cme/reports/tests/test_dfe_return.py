"""The return's CSV, its census dates and the `cme report dfe-return` command."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cme.accounts.models import Authority
from cme.cases.models import Source
from cme.core.models import AuditAction, AuditEvent
from cme.reports import dfe_return
from cme.reports.tests import factories as f
from cme.reports.tests.factories import CENSUS

pytestmark = pytest.mark.django_db

SMALL_FIXTURE_CSV = """measure,breakdown,value,count
cme_at_census,total,,1
cme_at_census,sex,female,0
cme_at_census,sex,male,1
cme_at_census,sex,not_known,0
cme_at_census,year_group,reception,0
cme_at_census,year_group,year_1,0
cme_at_census,year_group,year_2,0
cme_at_census,year_group,year_3,1
cme_at_census,year_group,year_4,0
cme_at_census,year_group,year_5,0
cme_at_census,year_group,year_6,0
cme_at_census,year_group,year_7,0
cme_at_census,year_group,year_8,0
cme_at_census,year_group,year_9,0
cme_at_census,year_group,year_10,0
cme_at_census,year_group,year_11,0
cme_at_census,year_group,not_known,0
cme_at_census,time_missing,under_4_weeks,0
cme_at_census,time_missing,4_to_12_weeks,0
cme_at_census,time_missing,12_to_26_weeks,1
cme_at_census,time_missing,over_26_weeks,0
"""


@pytest.fixture
def one_child(authority: Authority) -> None:
    # Year 3 in 2025/26, notified 1 July 2025: 93 days missing on the census date; also missing
    # in the previous academic year (Year 2 then, 61 days by 31 August).
    boy = f.child(authority, sex="M", date_of_birth=date(2017, 10, 1))
    f.case(authority, boy, notified_on=date(2025, 7, 1), source=Source.HOUSING)


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def test_the_csv_has_the_exact_header_and_every_category_in_a_fixed_order(
    authority: Authority, one_child: None
) -> None:
    text = dfe_return.csv_text(dfe_return.return_rows(authority, CENSUS))
    assert text.startswith(SMALL_FIXTURE_CSV)
    reasons = [line for line in text.splitlines() if line.startswith("cme_at_census,reason,")]
    assert reasons == [
        f"cme_at_census,reason,{code},{1 if code == 'housing' else 0}" for code in Source.values
    ]
    rows = read_csv(text)
    assert [r["measure"] for r in rows[: len(rows) // 2]] == ["cme_at_census"] * (len(rows) // 2)
    previous = {(r["breakdown"], r["value"]): r["count"] for r in rows[len(rows) // 2 :]}
    assert previous[("total", "")] == "1"
    assert previous[("year_group", "year_2")] == "1"
    assert previous[("time_missing", "4_to_12_weeks")] == "1"


def test_two_runs_give_the_same_bytes(authority: Authority, one_child: None) -> None:
    first = dfe_return.csv_text(dfe_return.return_rows(authority, CENSUS))
    assert dfe_return.csv_text(dfe_return.return_rows(authority, CENSUS)) == first


def test_the_return_takes_two_queries(
    authority: Authority, one_child: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        dfe_return.return_rows(authority, CENSUS)


@pytest.mark.parametrize(
    ("today", "census"),
    [
        (date(2025, 9, 15), date(2025, 10, 2)),  # first Thursday of October
        (date(2025, 10, 2), date(2025, 10, 2)),  # a census day is its own next census
        (date(2025, 10, 3), date(2026, 1, 15)),  # third Thursday of January
        (date(2026, 1, 16), date(2026, 5, 21)),  # third Thursday of May
        (date(2026, 5, 22), date(2026, 10, 1)),
    ],
)
def test_the_next_census_date(today: date, census: date) -> None:
    assert dfe_return.next_census_date(today) == census


def test_the_command_writes_the_file_and_audits_the_export(
    authority: Authority, one_child: None, tmp_path: Path
) -> None:
    out = tmp_path / "return.csv"
    call_command(
        "report", "dfe-return", "--authority", "990", "--census-date", "2025-10-02", "--out", out
    )
    assert out.read_text(encoding="utf-8").startswith(SMALL_FIXTURE_CSV)
    assert [p.name for p in tmp_path.iterdir()] == ["return.csv"]  # no temporary file left
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor_id is None
    assert event.authority_id == authority.pk
    assert event.payload == {
        "report": "dfe_return",
        "census_date": "2025-10-02",
        "via": "command_line",
    }


def test_the_command_replaces_an_existing_file(
    authority: Authority, one_child: None, tmp_path: Path
) -> None:
    out = tmp_path / "return.csv"
    out.write_text("old", encoding="utf-8")
    call_command(
        "report", "dfe-return", "--authority=990", "--census-date=2025-10-02", f"--out={out}"
    )
    assert out.read_text(encoding="utf-8").startswith("measure,breakdown,value,count\n")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--authority=123", "--census-date=2025-10-02"], "No authority has the LA code '123'"),
        (["--authority=990", "--census-date=2025-02-30"], "must be a real date"),
        (["--authority=990", "--census-date=02/10/2025"], "must be a real date"),
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(
    authority: Authority, tmp_path: Path, arguments: list[str], message: str
) -> None:
    out = tmp_path / "return.csv"
    with pytest.raises(CommandError, match=message):
        call_command("report", "dfe-return", *arguments, f"--out={out}")
    assert not out.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_the_command_refuses_a_folder_that_does_not_exist(
    authority: Authority, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "return.csv"
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "report", "dfe-return", "--authority=990", "--census-date=2025-10-02", f"--out={out}"
        )


def test_the_command_refuses_an_unwritable_folder_and_records_no_export(
    authority: Authority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root here, so a read-only folder is simulated where the file is created.
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    out = tmp_path / "return.csv"
    with pytest.raises(CommandError, match=r"Could not write .*Permission denied"):
        call_command(
            "report", "dfe-return", "--authority=990", "--census-date=2025-10-02", f"--out={out}"
        )
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_a_failed_rename_rolls_back_the_audit_event(authority: Authority, tmp_path: Path) -> None:
    out = tmp_path / "a-folder"
    out.mkdir()  # renaming a file over a folder fails
    with pytest.raises(CommandError, match="Could not write"):
        call_command(
            "report", "dfe-return", "--authority=990", "--census-date=2025-10-02", f"--out={out}"
        )
    assert [p.name for p in tmp_path.iterdir()] == ["a-folder"]
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()
