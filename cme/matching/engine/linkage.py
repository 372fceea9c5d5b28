"""Bulk linkage: every query against a register, blocked and scored in DuckDB."""

# ruff: noqa: S608 - SQL here is built from the engine's own constants and table names, never
# from input; values that come from data are bound as parameters or registered Arrow tables.

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from cme.matching.engine.model import MatchModel, probability_from_weight, weight_from_probability
from cme.matching.engine.records import Features, PersonRecord, PreparedRecord, features
from cme.matching.engine.sql import (
    TF_COLUMNS,
    add_tf_weights,
    candidate_pairs_sql,
    connect,
    keys_sql,
    levels_sql,
    load,
    weight_sql,
)


@dataclass(frozen=True, slots=True)
class LinkResult:
    query_id: str
    register_id: str
    probability: float
    match_weight: float
    rank: int  # 1 = the query's best candidate
    # Another child (a different legal forename: a twin, say) scores within AMBIGUITY_MARGIN of
    # the best candidate. With top=1 such a query gets no result: an officer must look.
    ambiguous: bool = False


AMBIGUITY_MARGIN = 1.0  # bits of match weight


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building hundreds of thousands of small objects makes the cyclic collector rescan them
    all again and again; none of them form cycles, so it can wait."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def feature_rows(records: Iterable[PersonRecord | PreparedRecord]) -> list[Features]:
    with gc_paused():
        return [r.features() if isinstance(r, PreparedRecord) else features(r) for r in records]


def link(
    register: Iterable[PersonRecord | PreparedRecord],
    queries: Iterable[PersonRecord | PreparedRecord],
    model: MatchModel,
    *,
    threshold: float | None = None,
    top: int = 1,
    backend: str = "duckdb",
) -> Iterator[LinkResult]:
    """Each query's candidates at or above the threshold, best first, at most `top` of them.

    `backend="splink"` has Splink 5's `predict` score the same pairs with the same model (same
    results, more time); the default scores them in DuckDB directly."""
    reg = feature_rows(register)
    qs = feature_rows(queries)
    yield from link_features(reg, qs, model, threshold=threshold, top=top, backend=backend)


def link_features(
    register: Sequence[Features],
    queries: Sequence[Features],
    model: MatchModel,
    *,
    threshold: float | None = None,
    top: int = 1,
    backend: str = "duckdb",
) -> Iterator[LinkResult]:
    """`link` for records already in the stored layout (`PreparedRecord.features()`)."""
    if not register or not queries:
        return
    cutoff = weight_from_probability(model.threshold if threshold is None else threshold)
    with gc_paused():
        if backend == "splink":
            from cme.matching.engine.splink_link import ranked_splink_candidates

            found = [
                result
                for group in ranked_splink_candidates(register, queries, model, cutoff)
                for result in _results(group[: max(top, 2)], top)
            ]
        elif backend == "duckdb":
            found = list(_link(register, queries, model, cutoff, top))
        else:
            raise ValueError(f"unknown backend {backend!r}")
    yield from found


def _link(
    register: Sequence[Features],
    queries: Sequence[Features],
    model: MatchModel,
    cutoff: float,
    top: int,
) -> Iterator[LinkResult]:
    con = connect()
    load(con, "reg", register)
    load(con, "qs", queries)
    add_tf_weights(con, "reg", model)
    con.execute(f"CREATE TEMP TABLE rkeys AS {keys_sql('reg', query_side=False)}")
    con.execute(f"CREATE TEMP TABLE qkeys AS {keys_sql('qs', query_side=True)}")
    pairs = candidate_pairs_sql("qkeys", "rkeys", same_table=False)
    levels = levels_sql(f"({pairs})", "qs", "reg_tf", extra=f", r.f0 AS candidate_f0{TF_COLUMNS}")
    scored = weight_sql(model, f"({levels})")
    rows = con.execute(
        f"""SELECT qrow, rrow, w, candidate_f0,
                   row_number() OVER (PARTITION BY qrow ORDER BY w DESC, rrow) AS rank
            FROM ({scored}) WHERE w >= ?
            QUALIFY rank <= ? ORDER BY qrow, rank""",
        [cutoff, max(top, 2)],
    ).fetchall()
    con.close()
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and rows[end][0] == rows[start][0]:
            end += 1
        group = [(queries[q][0], register[r][0], w, f0) for q, r, w, f0, _ in rows[start:end]]
        yield from _results(group, top)
        start = end


def _results(candidates: list[tuple[str, str, float, str]], top: int) -> Iterator[LinkResult]:
    """One query's candidates (query id, register id, weight, candidate's legal forename), best
    first, with the ambiguity rule applied."""
    _, _, best_weight, best_forename = candidates[0]
    ambiguous = any(
        w >= best_weight - AMBIGUITY_MARGIN and forename != best_forename
        for _, _, w, forename in candidates[1:]
    )
    if ambiguous and top == 1:
        return
    for rank, (query_id, register_id, weight, _) in enumerate(candidates[:top], start=1):
        yield LinkResult(
            query_id, register_id, probability_from_weight(weight), weight, rank, ambiguous
        )
