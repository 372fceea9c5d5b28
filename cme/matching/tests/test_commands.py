"""`cme match` on small files with known answers, its errors, and `cme matching`."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cme.accounts.models import Role
from cme.cases.models import Stage
from cme.matching.models import MatchEntry, MatchProposal, StoredModel
from cme.matching.tests.factories import child_with_case, on_roll, school

HEADER = "id,forename,surname,dob,sex,postcode,upn\n"
REGISTER = HEADER + (
    "r1,William,Hartley,2013-04-09,M,LS6 2AB,\n"
    "r2,Sophie,Hartley,2013-04-09,F,LS6 2AB,\n"
    "r3,Aisha,Begum,2012-11-30,F,BD7 1DP,\n"
    "r4,Tomasz,Kowalski,2014-02-01,M,HX1 5QR,\n"
    "r5,Grace,Okafor,2011-07-21,F,WF1 3JT,\n"
)
QUERIES = HEADER + (
    "q1,Bill,Hartley,2013-04-09,M,LS6 2AB,\n"  # William, by his nickname
    "q2,Aysha,Begum,2012-11-30,F,BD7 1DP,\n"  # misspelt
    "q3,Nobody,Atall,1999-13-01,M,ZZ9 9ZZ,\n"  # no one, with a date that does not parse
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_match(
    tmp_path: Path, *extra: str, register: str = REGISTER
) -> tuple[list[dict[str, str]], str]:
    out, err = StringIO(), StringIO()
    call_command(
        "match",
        "--register",
        str(write(tmp_path, "register.csv", register)),
        "--queries",
        str(write(tmp_path, "queries.csv", QUERIES)),
        "--out",
        str(tmp_path / "out.csv"),
        *extra,
        stdout=out,
        stderr=err,
    )
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle)), err.getvalue()


@pytest.mark.django_db
def test_match_finds_the_known_answers(tmp_path: Path) -> None:
    rows, warnings = run_match(tmp_path)

    found = {(r["query_id"], r["register_id"]) for r in rows}
    assert ("q1", "r1") in found  # Bill is William; his twin sister is not him
    assert ("q1", "r2") not in found
    assert ("q2", "r3") in found
    assert not any(r["query_id"] == "q3" for r in rows)
    assert "row" in warnings and "dob" in warnings
    assert "1999-13-01" not in warnings  # the value itself is not repeated


@pytest.mark.django_db
def test_match_writes_the_documented_header(tmp_path: Path) -> None:
    run_match(tmp_path)
    header = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("query_id,register_id,match_probability")


@pytest.mark.django_db
def test_explain_adds_why_and_top_limits_the_rows(tmp_path: Path) -> None:
    rows, _ = run_match(tmp_path, "--explain", "--top", "2", "--threshold", "0.0001")

    assert len(rows[0]) > 3
    per_query: dict[str, int] = {}
    for row in rows:
        per_query[row["query_id"]] = per_query.get(row["query_id"], 0) + 1
    assert max(per_query.values()) <= 2


@pytest.mark.django_db
def test_a_register_without_an_id_column_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="id"):
        run_match(tmp_path, register="name,dob\nA,2010-01-01\n")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threshold", "1.5"], "between 0 and 1"),
        (["--threshold", "high"], "between 0 and 1"),
        (["--top", "0"], "1 or more"),
        (["--model", "v-none"], "no stored model"),
    ],
)
def test_bad_options_are_clear_errors(tmp_path: Path, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run_match(tmp_path, *args)


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "match",
            "--register",
            str(tmp_path / "nope.csv"),
            "--queries",
            str(write(tmp_path, "queries.csv", QUERIES)),
            "--out",
            str(tmp_path / "out.csv"),
        )


@pytest.mark.django_db
def test_matching_index_reconcile_and_train(authority: Any, make_member: Any) -> None:
    officer = make_member(Role.CME_OFFICER)
    child_with_case(authority, officer, stage=Stage.TRACKING)
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside)
    MatchEntry.objects.all().delete()

    out = StringIO()
    call_command("matching", "index", stdout=out)
    assert MatchEntry.objects.count() == 2
    call_command("matching", "reconcile", "--authority", authority.la_code, stdout=out)
    assert MatchProposal.objects.count() == 1
    call_command("matching", "train", "--authority", authority.la_code, stdout=out)
    stored = StoredModel.objects.get(is_active=True)
    # The child sought is linked to the roll: a roll alone would teach EM that siblings match.
    assert stored.trained_on["mode"] == "link queries to register"
    assert (stored.trained_on["register_records"], stored.trained_on["query_records"]) == (1, 1)
    assert "active model" in out.getvalue()


@pytest.mark.django_db
def test_reconcile_needs_a_known_authority() -> None:
    with pytest.raises(CommandError, match="--authority"):
        call_command("matching", "reconcile")
    with pytest.raises(CommandError, match="No authority"):
        call_command("matching", "reconcile", "--authority", "123")
