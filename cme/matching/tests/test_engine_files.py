"""`match_files`, the core of `cme match`, on small files with known answers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cme.matching.engine import default_model
from cme.matching.engine.files import MatchFilesError, match_files

HEADER = "id,forename,middle_names,surname,preferred_forename,former_surname,dob,sex,postcode,address,upn"
REGISTER = [
    "R1,William,George,Nowak,,,2014-03-07,M,LS6 2AB,14 Cardigan Road,",
    "R2,Harry,,Nowak,,,2014-03-07,M,LS6 2AB,14 Cardigan Road,",  # William's twin
    "R3,Aisha,,Khan,,Begum,2012-11-30,F,M1 1AA,1 Mill Lane,",
    "R4,Oliver,,Brown,Ollie,,2015-06-01,M,B1 1AA,2 Park Road,A123456789012",
    "R5,Zofia,,Kowalska,,,2013-01-02,F,NG7 1AB,9 Oak Street,",
]
QUERIES = [
    "Q1,Bill,,Nowak,,,2014-03-07,M,,,",  # William, by his nickname
    "Q2,Ayesha,,Begum,,,2012-11-30,F,M2 2BB,,",  # Aisha under her former surname
    "Q3,Someone,,Else,,,2001-01-01,,,,A123456789012",  # Oliver's UPN
    "Q4,Zofia,,Kowalska,,,2013-02-01,F,,,",  # day and month swapped
    "Q5,Nobody,,Known,,,1999-09-09,M,ZZ1 1ZZ,,",  # not on the register
]
EXPECTED = {("Q1", "R1"), ("Q2", "R3"), ("Q3", "R4"), ("Q4", "R5")}


def write(path: Path, lines: list[str], *, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding=encoding)
    return path


def run(tmp_path: Path, register: list[str] = REGISTER, queries: list[str] = QUERIES,
        **options: object) -> tuple[list[dict[str, str]], list[str]]:  # fmt: skip
    warnings: list[str] = []
    out = tmp_path / "out.csv"
    settings: dict[str, object] = {"threshold": None, "top": 1, "explain": False,
                                   "model": default_model()}  # fmt: skip
    settings.update(options)
    match_files(
        write(tmp_path / "register.csv", register),
        write(tmp_path / "queries.csv", queries),
        out,
        warn=warnings.append,
        **settings,  # type: ignore[arg-type]
    )
    with out.open(encoding="utf-8") as f:
        return list(csv.DictReader(f)), warnings


def test_it_finds_each_known_child_and_nobody_else(tmp_path: Path) -> None:
    rows, warnings = run(tmp_path)
    assert {(r["query_id"], r["register_id"]) for r in rows} == EXPECTED
    assert all(float(r["match_probability"]) >= default_model().threshold for r in rows)
    assert warnings == []


def test_the_output_header_is_the_contract(tmp_path: Path) -> None:
    run(tmp_path)
    first_line = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "query_id,register_id,match_probability"


def test_explain_adds_a_column_per_field_in_words(tmp_path: Path) -> None:
    rows, _ = run(tmp_path, explain=True)
    william = next(r for r in rows if r["query_id"] == "Q1")
    assert william["forename"] == "close: nickname or variant (Bill / William)"
    assert william["dob"] == "agrees: same date"
    assert william["postcode"] == "missing"


def test_top_gives_more_candidates_best_first(tmp_path: Path) -> None:
    rows, _ = run(tmp_path, top=3, threshold=0.0)
    for_q1 = [r for r in rows if r["query_id"] == "Q1"]
    assert for_q1[0]["register_id"] == "R1"
    probabilities = [float(r["match_probability"]) for r in for_q1]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len(for_q1) <= 3


def test_the_twin_is_never_proposed(tmp_path: Path) -> None:
    rows, _ = run(tmp_path, top=5)
    assert not any(r["register_id"] == "R2" for r in rows)


def test_a_bad_date_is_compared_as_text_and_reported_without_the_value(tmp_path: Path) -> None:
    queries = ["Q1,William,,Nowak,,,1965-13-10,M,LS6 2AB,,"]
    rows, warnings = run(tmp_path, queries=queries, threshold=0.0)
    assert rows  # the row is kept, not dropped
    assert len(warnings) == 1
    assert "row 2: dob is not a date (YYYY-MM-DD); compared as text" in warnings[0]
    assert "1965" not in warnings[0]


def test_missing_and_unknown_columns_are_fine(tmp_path: Path) -> None:
    (tmp_path / "register.csv").write_text(
        "id,surname,forename,shoe_size\nR1,Nowak,William,5\n", encoding="utf-8"
    )
    (tmp_path / "queries.csv").write_text(
        "forename,id,surname\nWilliam,Q1,Nowak\n", encoding="utf-8"
    )
    report = match_files(
        tmp_path / "register.csv", tmp_path / "queries.csv", tmp_path / "out.csv",
        threshold=0.0, top=1, explain=False, model=default_model(), warn=print,
    )  # fmt: skip
    assert report.output_rows == 1


def test_it_trains_on_the_two_files_when_no_model_is_given(tmp_path: Path) -> None:
    rows, _ = run(tmp_path, model=None)
    assert ("Q1", "R1") in {(r["query_id"], r["register_id"]) for r in rows}


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("\ufeff" + HEADER + "\n" + REGISTER[0] + "\n", encoding="utf-8")
    report = match_files(
        path, write(tmp_path / "queries.csv", QUERIES[:1]), tmp_path / "out.csv",
        threshold=None, top=1, explain=False, model=default_model(), warn=print,
    )  # fmt: skip
    assert report.output_rows == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("forename,surname\nAnna,Smith\n", "there is no id column"),
        (HEADER + "\n", "there are no rows under the header"),
        (HEADER + "\nR1,A,,B,,,,,,,\nR1,C,,D,,,,,,,\n", "row 3: id is used by an earlier row too"),
        (HEADER + "\n,A,,B,,,,,,,\n", "row 2: id is blank"),
    ],
)
def test_unusable_files_get_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "register.csv").write_text(content, encoding="utf-8")
    with pytest.raises(MatchFilesError, match=message):
        match_files(
            tmp_path / "register.csv", write(tmp_path / "queries.csv", QUERIES), tmp_path / "o.csv",
            threshold=None, top=1, explain=False, model=default_model(), warn=print,
        )  # fmt: skip


def test_a_file_that_is_not_utf8_gets_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path / "register.csv", ["R1,Zoë,,Brontë,,,,,,,"], encoding="latin-1")
    with pytest.raises(MatchFilesError, match="not UTF-8"):
        match_files(
            tmp_path / "register.csv", write(tmp_path / "queries.csv", QUERIES), tmp_path / "o.csv",
            threshold=None, top=1, explain=False, model=default_model(), warn=print,
        )  # fmt: skip
