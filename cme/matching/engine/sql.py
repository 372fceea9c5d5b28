"""Prepared records as Arrow tables, and the DuckDB SQL that blocks and scores them in bulk.

The level expressions come from `comparisons.py` (written beside their Python twins); the weights
come from the model, so a pair gets the same match weight here as from `MatchModel.score`.
"""

# ruff: noqa: S608 - SQL here is built from the engine's own constants and table names, never
# from input; values that come from data are bound as parameters or registered Arrow tables.

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from cme.matching.engine.comparisons import COMPARISONS
from cme.matching.engine.model import MatchModel
from cme.matching.engine.records import (
    FEATURE_NAMES,
    SET_FEATURES,
    Features,
    PreparedRecord,
)

# Each key family's bit in a candidate pair's `fams`, by the key's first letter (see keys.py).
KEY_FAMILIES = {"F": 1, "G": 2, "S": 4, "N": 8, "P": 16, "U": 32}
LEVEL_COLUMNS = tuple(f"g_{c.key}" for c in COMPARISONS)


def connect(threads: int = 2) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    return con


def features_table(rows: Sequence[Features]) -> pa.Table:
    """One row per record (features in the stored layout); `row` is its position in `rows`."""
    columns: dict[str, pa.Array] = {"row": pa.array(range(len(rows)), pa.int32())}
    list_type = pa.list_(pa.string())
    for name, values in zip(FEATURE_NAMES, zip(*rows, strict=True), strict=True):
        columns[name] = pa.array(values, list_type if name in SET_FEATURES else pa.string())
    return pa.table(columns)


def records_table(records: Sequence[PreparedRecord]) -> pa.Table:
    return features_table([p.features() for p in records])


def _date_keys_sql(table: str, dob: str) -> str:
    return f"""
    SELECT row, 'F' || {dob} || unnest(list_distinct([left(x, 1) for x in list_concat(fa, fg)]))
      AS key FROM {table} WHERE {dob} <> ''
    UNION ALL SELECT row, 'G' || {dob} || unnest(list_distinct([left(x, 1) for x in sa]))
      FROM {table} WHERE {dob} <> ''
    UNION ALL SELECT row, 'S' || unnest(sp) || left({dob}, 6) FROM {table} WHERE {dob} <> ''"""


def keys_sql(table: str, *, query_side: bool) -> str:
    """Blocking keys of every row of `table` as (row, key, fam): the same as keys.py builds."""
    parts = [
        _date_keys_sql(table, "dob8"),
        f"""SELECT row, 'N' || f || '|' || unnest(sp) FROM (
              SELECT row, unnest(list_distinct(list_concat(fg, fp))) AS f, sp FROM {table})""",
        f"""SELECT row, 'P' || pc || unnest(list_distinct([left(x, 1) for x in list_concat(fa, fg)]))
            FROM {table} WHERE length(pc) >= 5""",
        f"SELECT row, 'U' || unnest(upns) FROM {table}",
    ]
    if query_side:
        swapped = (
            "(CASE WHEN dob8 <> '' AND substr(dob8, 5, 2) <> substr(dob8, 7, 2) THEN "
            "left(dob8, 4) || substr(dob8, 7, 2) || substr(dob8, 5, 2) ELSE '' END)"
        )
        parts.append(_date_keys_sql(table, swapped))
        parts.append(
            f"""SELECT row, 'N' || s || '|' || unnest(fp) FROM (
                  SELECT row, unnest(sp) AS s, fp FROM {table})"""
        )
    families = " ".join(f"WHEN '{k}' THEN {bit}" for k, bit in KEY_FAMILIES.items())
    union = "\nUNION ALL ".join(parts)
    # Duplicates are harmless: pairs are grouped after the join.
    return f"""SELECT row, key, CASE left(key, 1) {families} END::UTINYINT AS fam
               FROM ({union})"""


def candidate_pairs_sql(query_keys: str, register_keys: str, *, same_table: bool) -> str:
    """Distinct (qrow, rrow, fams) sharing a key; `fams` has a bit per key family shared."""
    not_self = "WHERE q.row <> r.row" if same_table else ""
    return f"""SELECT q.row AS qrow, r.row AS rrow, bit_or(q.fam) AS fams
               FROM {query_keys} q JOIN {register_keys} r USING (key) {not_self}
               GROUP BY ALL"""


def levels_sql(pairs: str, queries: str, register: str, *, extra: str = "") -> str:
    """Each pair of `pairs` (qrow, rrow, ...) with its level in every comparison."""
    levels = ",\n".join(f"({c.sql}) AS g_{c.key}" for c in COMPARISONS)
    return f"""SELECT p.qrow, p.rrow{extra}, {levels}
               FROM {pairs} p JOIN {queries} q ON q.row = p.qrow JOIN {register} r ON r.row = p.rrow"""


def load(con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[Features]) -> None:
    """A DuckDB table `name` of the records: copied once from Arrow, because every join on an
    Arrow view converts its list columns again."""
    con.register(f"{name}_arrow", features_table(rows))
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def add_tf_weights(con: duckdb.DuckDBPyConnection, table: str, model: MatchModel) -> None:
    """Give `table` a column tfw_<comparison> per term-frequency comparison: the weight of an
    exact agreement on that record's value."""
    joins, columns = [], []
    for i, c in enumerate(COMPARISONS):
        if c.tf_attribute:
            weights = pa.table(
                {
                    "value": pa.array(list(model.tf_weights[i]), pa.string()),
                    "w": pa.array(list(model.tf_weights[i].values()), pa.float64()),
                }
            )
            con.register(f"tf_{c.key}", weights)
            joins.append(f"LEFT JOIN tf_{c.key} ON tf_{c.key}.value = t.{c.tf_attribute}")
            columns.append(f"coalesce(tf_{c.key}.w, {model.tf_default[i]!r}) AS tfw_{c.key}")
    con.execute(
        f"""CREATE TEMP TABLE {table}_tf AS SELECT t.*, {", ".join(columns)}
            FROM {table} t {" ".join(joins)}"""
    )


TF_COLUMNS = "".join(f", r.tfw_{c.key}" for c in COMPARISONS if c.tf_attribute)


def weight_sql(model: MatchModel, levels: str) -> str:
    """`levels` rows (with the tfw_ columns) and `w`, their total match weight."""
    terms = []
    for i, c in enumerate(COMPARISONS):
        cases = [f"WHEN {j} THEN {w!r}" for j, w in enumerate(model.weights[i])]
        if c.tf_attribute:
            cases[0] = f"WHEN 0 THEN l.tfw_{c.key}"
        terms.append(f"(CASE l.g_{c.key} {' '.join(cases)} ELSE 0.0 END)")
    total = " + ".join([repr(model.prior_weight), *terms])
    return f"SELECT l.*, {total} AS w FROM {levels} l"
