"""Bulk linkage (DuckDB SQL) and interactive scoring (Python) must agree exactly."""

# ruff: noqa: S608 - SQL built from the engine's own constants, never from input

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from cme.matching.engine import PersonRecord, default_model, index_keys, prepare, query_keys
from cme.matching.engine.comparisons import COMPARISONS, levels_of
from cme.matching.engine.linkage import feature_rows, link
from cme.matching.engine.sql import connect, features_table, keys_sql, levels_sql

FORENAMES = ["William", "Bill", "Liam", "Mohammed", "Muhammad", "Aisha", "Ayesha", "Zofia",
             "Sophie", "Jack", "James", "Jake", "Ella", "Ellie", "Olivia", "Oliwia", "Nia"]  # fmt: skip
SURNAMES = ["Smith", "Smyth", "Smith-Jones", "Jones", "Khan", "Khann", "Nowak", "Novak",
            "O'Brien", "Obrien", "Ahmed", "Patel", "Kowalski"]  # fmt: skip
POSTCODES = ["LS1 4AB", "LS1 4AD", "LS1 5XX", "M1 1AA", "M11 2BB", "not known", ""]
ADDRESSES = ["12 High Street", "12 High St, Leeds", "Flat 2, 18 Montague Avenue", "", "3 Mill Lane"]


def _random_record(rng: random.Random, number: int) -> PersonRecord:
    born = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 60))
    dob_text = rng.choice(["", "", "", "2010-13-02", "about 2010", "02/01/2010"])
    forenames = tuple(rng.sample(FORENAMES, rng.choice([0, 1, 1, 1, 2])))
    surnames = tuple(rng.sample(SURNAMES, rng.choice([0, 1, 1, 2])))
    return PersonRecord(
        id=str(number),
        forenames=forenames,
        middle_names=rng.choice(["", "", "Jack", "Mary Ann"]),
        surnames=surnames,
        dob=None if dob_text else rng.choice([born, born, None]),
        dob_text=dob_text,
        sex=rng.choice(["M", "F", ""]),
        postcode=rng.choice(POSTCODES),
        address=rng.choice(ADDRESSES),
        upns=tuple(rng.sample(["A1", "B2", "C3"], rng.choice([0, 0, 1]))),
        parent_names=tuple(
            rng.sample(["Jane Smith", "John Smith", "Mary Khan"], rng.choice([0, 1]))
        ),
    )


@pytest.fixture(scope="module")
def records() -> list[PersonRecord]:
    rng = random.Random(5)  # noqa: S311 - test data, not secrets
    return [_random_record(rng, n) for n in range(300)]


def test_sql_levels_equal_python_levels_for_every_pair(records: list[PersonRecord]) -> None:
    rows = feature_rows(records)
    con = connect()
    con.register("t", features_table(rows))
    con.execute("CREATE TABLE pairs AS SELECT a.row AS qrow, b.row AS rrow FROM t a, t b")
    columns = ", ".join(f"g_{c.key}" for c in COMPARISONS)
    found = con.execute(f"SELECT qrow, rrow, {columns} FROM ({levels_sql('pairs', 't', 't')})")
    prepared = [prepare(r) for r in records]
    mismatches = [
        (q, r, tuple(levels))
        for q, r, *levels in found.fetchall()
        if tuple(levels) != levels_of(prepared[q], prepared[r])
    ]
    assert mismatches == []
    # The random records must exercise every level, or the test proves little.
    seen = con.execute(
        " UNION ALL ".join(
            f"SELECT '{c.key}', count(DISTINCT g_{c.key}) FROM ({levels_sql('pairs', 't', 't')})"
            for c in COMPARISONS
        )
    ).fetchall()
    assert all(count >= 3 for _, count in seen)


def test_bulk_probability_equals_interactive_probability(records: list[PersonRecord]) -> None:
    model = default_model()
    prepared = {r.id: prepare(r) for r in records}
    results = list(link(records, records, model, threshold=0.0, top=1000))
    assert len(results) > 1000
    for result in results:
        scored = model.score(prepared[result.query_id], prepared[result.register_id])
        assert result.probability == pytest.approx(scored.probability, abs=1e-9)
        assert result.match_weight == pytest.approx(scored.match_weight, abs=1e-9)


def test_sql_blocking_keys_equal_python_keys(records: list[PersonRecord]) -> None:
    rows = feature_rows(records)
    con = connect()
    con.register("t", features_table(rows))
    for query_side, python_keys in ((False, index_keys), (True, query_keys)):
        found: dict[int, set[str]] = {}
        for row, key, _ in con.execute(keys_sql("t", query_side=query_side)).fetchall():
            found.setdefault(row, set()).add(key)
        for row, record in enumerate(records):
            assert found.get(row, set()) == python_keys(prepare(record)), record
