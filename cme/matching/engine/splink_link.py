"""Bulk linkage through Splink 5's own `predict`, running the engine's model unchanged.

`link(..., backend="splink")` uses this. The blocking is the engine's (each record's keys, as an
array Splink explodes), term frequencies are the model's (registered as Splink lookups), and the
top-N and ambiguity rules are applied to Splink's predictions as in `linkage.py`. It gives the
same probabilities as the DuckDB backend; it costs more (docs/adr/0005-matching-engine.md).
"""

# ruff: noqa: S608 - SQL here is built from the engine's own constants and table names, never
# from input; values that come from data are registered Arrow tables.

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from cme.matching.engine.comparisons import COMPARISONS
from cme.matching.engine.model import MatchModel
from cme.matching.engine.records import Features
from cme.matching.engine.splink_settings import splink_settings
from cme.matching.engine.sql import features_table, keys_sql


def _with_keys(con: Any, name: str, rows: Sequence[Features], *, query_side: bool) -> None:
    con.register(f"{name}_arrow", features_table(rows))
    keys = keys_sql(f"{name}_arrow", query_side=query_side)
    con.execute(
        f"""CREATE TABLE {name} AS SELECT t.*, coalesce(k.bkeys, []) AS bkeys
            FROM {name}_arrow t LEFT JOIN (
                SELECT row, list(DISTINCT key) AS bkeys FROM ({keys}) GROUP BY row
            ) k USING (row)"""
    )
    con.unregister(f"{name}_arrow")


def splink_candidates(
    register: Sequence[Features], queries: Sequence[Features], model: MatchModel, cutoff: float
) -> list[tuple[str, str, float, str]]:
    """(query id, register id, match weight, candidate's legal forename) at or above `cutoff`."""
    import splink

    db = splink.DuckDBAPI()
    con = db._con  # the API's own DuckDB connection, so tables need no copying
    _with_keys(con, "cme_queries", queries, query_side=True)
    _with_keys(con, "cme_register", register, query_side=False)
    rule = splink.block_on("bkeys", arrays_to_explode=["bkeys"])
    settings = splink_settings(model, blocking_rules=[rule])
    for comparison, spec in zip(COMPARISONS, settings["comparisons"], strict=True):
        if comparison.tf_attribute:
            spec["comparison_levels"][1]["tf_adjustment_column"] = comparison.tf_attribute
    left = db.register("cme_queries", table_name="queries")
    right = db.register("cme_register", table_name="register")
    linker = splink.Linker([left, right], settings, log_level="WARNING")
    for i, comparison in enumerate(COMPARISONS):
        if comparison.tf_attribute:
            column = comparison.tf_attribute
            values = [
                v
                for (v,) in con.execute(
                    f"""SELECT DISTINCT {column} FROM (SELECT {column} FROM cme_register
                        UNION ALL SELECT {column} FROM cme_queries) WHERE {column} <> ''"""
                ).fetchall()
            ]
            # Splink weighs an exact agreement log2(m / frequency): give it the model's.
            m0 = model.m[comparison.key][0]
            frequencies = [m0 / 2 ** model.tf_weight(i, v) for v in values]
            lookup = pa.table(
                {column: pa.array(values, pa.string()), f"tf_{column}": pa.array(frequencies)}
            )
            table = db.register(lookup, table_name=f"cme_tf_{column}")
            linker.table_management.register_term_frequency_lookup(table, column)
    predicted = linker.inference.predict(threshold_match_weight=cutoff)
    rows: list[tuple[str, str, float, str]] = (
        predicted.as_duckdbpyrelation().select("id_l, id_r, match_weight, f0_r").fetchall()
    )
    return rows


def ranked_splink_candidates(
    register: Sequence[Features], queries: Sequence[Features], model: MatchModel, cutoff: float
) -> Iterator[list[tuple[str, str, float, str]]]:
    """Splink's predictions grouped by query, best first (ties by register id)."""
    rows = splink_candidates(register, queries, model, cutoff)
    rows.sort(key=lambda row: (row[0], -row[2], row[1]))
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and rows[end][0] == rows[start][0]:
            end += 1
        yield rows[start:end]
        start = end
