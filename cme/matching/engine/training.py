"""Training without labels: u from random pairs, m by expectation-maximisation over blocked pairs.

This is the Fellegi-Sunter estimation Splink performs, done directly in DuckDB and numpy (see
docs/adr/0005-matching-engine.md for why): the levels of every pair come from the same SQL as bulk
linkage, pairs are counted by their pattern of levels, and EM runs on those few thousand counts.

EM runs once per key family, leaving out the comparisons that family blocks on (pairs that share a
date of birth say nothing about how often true matches share one), as Splink does per blocking
rule. Starting values and a weak prior come from the shipped model, so a register with few true
duplicates still gives sensible m values.
"""

# ruff: noqa: S608 - SQL here is built from the engine's own constants and table names, never
# from input; values that come from data are bound as parameters or registered Arrow tables.

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from cme.matching.engine.comparisons import COMPARISONS, levels_of
from cme.matching.engine.linkage import feature_rows, gc_paused
from cme.matching.engine.model import DEFAULT_THRESHOLD, MatchModel, default_model
from cme.matching.engine.records import (
    FEATURE_NAMES,
    Features,
    PersonRecord,
    PreparedRecord,
    prepare,
)
from cme.matching.engine.sql import (
    KEY_FAMILIES,
    LEVEL_COLUMNS,
    candidate_pairs_sql,
    connect,
    keys_sql,
    levels_sql,
    load,
)

KEYS = [c.key for c in COMPARISONS]
# EM sessions: key families whose pairs are used, and the comparisons those keys block on.
SESSIONS = (
    (KEY_FAMILIES["F"], {"dob", "forename"}),
    (KEY_FAMILIES["G"], {"dob", "surname"}),
    (KEY_FAMILIES["S"], {"surname", "dob"}),
    (KEY_FAMILIES["N"], {"forename", "surname"}),
)
# Pairs sharing a postcode are left out: brothers and sisters share it, their surname and
# address too, and EM then learns a "same household" class instead of "same child".
TF_KEEP = 5000  # most common values kept per name table (by default)
PRIOR_STRENGTH = 20.0  # the shipped m values count as this many true matches
LABEL_STRENGTH = 100.0  # the EM m values count as this many labelled matches
U_PRIOR_PAIRS = 2000.0  # the shipped u values count as this many random pairs


Pattern = tuple[int, ...]  # key-family bits, then one level per comparison (-1 = missing)


def _patterns(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Pattern, float]]:
    """Distinct level patterns of the pairs `sql` returns (with `fams`), and their counts."""
    cols = ", ".join(LEVEL_COLUMNS)
    rows = con.execute(f"SELECT fams, {cols}, count(*) AS n FROM ({sql}) GROUP BY ALL").fetchall()
    return [(tuple(row[:-1]), float(row[-1])) for row in rows]


def _distribution(patterns: list[tuple[Pattern, float]], c: int, start: list[float]) -> list[float]:
    """Share of pairs at each level of comparison c, blended with `start` as if it had been
    seen in U_PRIOR_PAIRS pairs (so small files borrow from the shipped model)."""
    totals = [U_PRIOR_PAIRS * x for x in start]
    for pattern, n in patterns:
        if pattern[c + 1] >= 0:
            totals[pattern[c + 1]] += n
    whole = sum(totals)
    return [t / whole for t in totals]


def _log_ratios(m: list[list[float]], u: list[list[float]]) -> list[list[float]]:
    return [
        [math.log(a / b) for a, b in zip(mc, uc, strict=True)] for mc, uc in zip(m, u, strict=True)
    ]


def _match_probabilities(
    patterns: list[tuple[Pattern, float]],
    ratios: list[list[float]],
    active: list[int],
    share: float,
) -> list[float]:
    prior = math.log(share / (1 - share))
    out = []
    for pattern, _ in patterns:
        total = prior
        for c in active:
            level = pattern[c + 1]
            if level >= 0:
                total += ratios[c][level]
        out.append(1.0 / (1.0 + math.exp(-min(max(total, -500.0), 500.0))))
    return out


def _em(
    patterns: list[tuple[Pattern, float]],
    m_start: list[list[float]],
    u: list[list[float]],
    active: list[int],
    iterations: int = 25,
) -> tuple[list[list[float]], float]:
    """m for the active comparisons, and the expected number of matches among the pairs."""
    m = [list(a) for a in m_start]
    share = 0.01
    pairs = sum(n for _, n in patterns)
    matches = 0.0
    for _ in range(iterations):
        probabilities = _match_probabilities(patterns, _log_ratios(m, u), active, share)
        weighted = [p * n for p, (_, n) in zip(probabilities, patterns, strict=True)]
        matches = sum(weighted)
        share = min(max(matches / pairs, 1e-9), 1 - 1e-9)
        for c in active:
            totals = [PRIOR_STRENGTH * x for x in m_start[c]]
            for w, (pattern, _) in zip(weighted, patterns, strict=True):
                if pattern[c + 1] >= 0:
                    totals[pattern[c + 1]] += w
            whole = sum(totals)
            m[c] = [t / whole for t in totals]
    return m, matches


def _term_frequencies(records: Sequence[Features], keep: int) -> dict[str, dict[str, float]]:
    tables = {}
    for c in COMPARISONS:
        if c.tf_attribute:
            at = FEATURE_NAMES.index(c.tf_attribute)
            counted = Counter(v for row in records if (v := row[at]))
            total = sum(counted.values()) or 1
            tables[c.key] = {v: n / total for v, n in counted.most_common(keep) if n > 1}
    return tables


def _random_pairs(n_queries: int, n_register: int, count: int, same: bool) -> str:
    """SQL for `count` pseudo-random (qrow, rrow) pairs; the same every run."""
    not_self = "WHERE qrow <> rrow" if same else ""
    return f"""SELECT * FROM (
        SELECT (hash(i * 2 + 1) % {int(n_queries)})::INTEGER AS qrow,
               (hash(i * 2) % {int(n_register)})::INTEGER AS rrow, 0::UTINYINT AS fams
        FROM range({int(count)}) t(i)) {not_self}"""


def train(
    register: Iterable[PersonRecord],
    *,
    queries: Iterable[PersonRecord] | None = None,
    labelled_pairs: Iterable[tuple[PersonRecord, PersonRecord, bool]] = (),
    description: dict[str, Any] | None = None,
) -> MatchModel:
    """A model for these registers: unsupervised, then refined by labelled pairs if given."""
    reg = feature_rows(register)
    qs = feature_rows(queries) if queries is not None else None
    labelled = [(prepare(a), prepare(b), same) for a, b, same in labelled_pairs]
    return train_features(reg, qs, labelled=labelled, description=description)


def train_features(
    register: Sequence[Features],
    queries: Sequence[Features] | None,
    *,
    labelled: Sequence[tuple[PreparedRecord, PreparedRecord, bool]] = (),
    description: dict[str, Any] | None = None,
    u_pairs: int = 300_000,
    em_queries: int = 10_000,
    tf_keep: int = TF_KEEP,
) -> MatchModel:
    """`train` for records already in the stored layout (`PreparedRecord.features()`)."""
    with gc_paused():
        return _train(register, queries, labelled, description, u_pairs, em_queries, tf_keep)


def _train(
    register: Sequence[Features],
    queries: Sequence[Features] | None,
    labelled: Sequence[tuple[PreparedRecord, PreparedRecord, bool]],
    description: dict[str, Any] | None,
    u_pairs: int,
    em_queries: int,
    tf_keep: int,
) -> MatchModel:
    start = default_model()
    same = queries is None
    con = connect()
    load(con, "reg", register)
    sample: Sequence[Features] = register if same else queries  # type: ignore[assignment]
    if len(sample) > em_queries:
        picks = random.Random(7).sample(  # noqa: S311 - sampling, not secrets
            range(len(sample)), em_queries
        )
        sample = [sample[i] for i in sorted(picks)]
    # Query rows in "qs" index `sample`; in dedupe mode they must still index the register.
    load(con, "qs", sample)
    random_source = register if same else queries
    assert random_source is not None
    if not same:
        load(con, "qall", random_source)
    count = min(u_pairs, len(random_source) * len(register))
    upairs = "(" + _random_pairs(len(random_source), len(register), count, same) + ")"
    random_patterns = _patterns(
        con, levels_sql(upairs, "reg" if same else "qall", "reg", extra=", p.fams")
    )
    u = [_distribution(random_patterns, i, start.u[c.key]) for i, c in enumerate(COMPARISONS)]

    con.execute(f"CREATE TEMP TABLE rkeys AS {keys_sql('reg', query_side=False)}")
    con.execute(f"CREATE TEMP TABLE qkeys AS {keys_sql('qs', query_side=True)}")
    pairs = candidate_pairs_sql("qkeys", "rkeys", same_table=False)
    if same:  # a record is not its own duplicate
        row_ids = pa.table({"row": pa.array(range(len(sample)), pa.int32()),
                            "id": pa.array([p[0] for p in sample], pa.string())})  # fmt: skip
        con.register("qids", row_ids)
        pairs = f"""SELECT c.* FROM ({pairs}) c JOIN qids ON qids.row = c.qrow
                    JOIN reg ON reg.row = c.rrow WHERE qids.id <> reg.id"""
    blocked = _patterns(con, levels_sql(f"({pairs})", "qs", "reg", extra=", p.fams"))
    con.close()

    m_start = [list(start.m[k]) for k in KEYS]
    sums = [[0.0] * len(a) for a in m_start]
    weights = [0.0] * len(KEYS)
    for family_bits, blocked_on in SESSIONS:
        session = [(p, n) for p, n in blocked if p[0] & family_bits]
        if sum(n for _, n in session) < 50:
            continue
        active = [i for i, k in enumerate(KEYS) if k not in blocked_on]
        m_fit, matches = _em(session, m_start, u, active)
        for i in active:
            sums[i] = [s + matches * x for s, x in zip(sums[i], m_fit[i], strict=True)]
            weights[i] += matches
    m = [
        [s / weights[i] for s in sums[i]] if weights[i] > 0 else m_start[i]
        for i in range(len(KEYS))
    ]
    all_pairs = len(sample) * (len(register) - 1 if same else len(register))
    # With no candidate pairs at all there is nothing to estimate from: keep the shipped prior.
    prior = _prior(blocked, m, u, all_pairs) if blocked else start.prior
    m = _refine_with_labels(m, labelled)

    trained_on = {
        "register_records": len(register),
        "query_records": 0 if same else len(queries or ()),
        "mode": "deduplicate register" if same else "link queries to register",
        "candidate_pairs": int(sum(n for _, n in blocked)),
        "random_pairs_for_u": count,
        "labelled_pairs": len(labelled),
        "labelled_matches": sum(1 for *_, s in labelled if s),
        **(description or {}),
    }
    now = datetime.now(UTC)
    return MatchModel(
        m={k: m[i] for i, k in enumerate(KEYS)},
        u={k: u[i] for i, k in enumerate(KEYS)},
        prior=prior,
        threshold=DEFAULT_THRESHOLD,
        term_frequencies=_term_frequencies([*register, *(queries or ())], tf_keep),
        version=now.strftime("%Y%m%d-%H%M%S"),
        trained_at=now,
        trained_on=trained_on,
    )


def _prior(
    patterns: list[tuple[Pattern, float]], m: list[list[float]], u: list[list[float]], pairs: int
) -> float:
    """Probability that two records drawn at random match: EM on that share alone, over every
    possible pair; pairs that share no key count as certain non-matches."""
    ratios = _log_ratios(m, u)
    every = list(range(len(KEYS)))
    share = min(1.0 / max(pairs, 1), 0.5)  # one possible pair must not start at certainty
    for _ in range(50):
        probabilities = _match_probabilities(patterns, ratios, every, share)
        matches = sum(p * n for p, (_, n) in zip(probabilities, patterns, strict=True))
        share = min(max(matches / pairs, 1e-12), 0.5)
    return share


def _refine_with_labels(
    m: list[list[float]], labelled: Sequence[tuple[PreparedRecord, PreparedRecord, bool]]
) -> list[list[float]]:
    """Blend in the levels of pairs officers accepted (rejected pairs are not a random sample of
    non-matches, so they do not change u)."""
    matches = [levels_of(a, b) for a, b, same in labelled if same]
    if not matches:
        return m
    refined = []
    for i, current in enumerate(m):
        seen = [0.0] * len(current)
        for lv in matches:
            if lv[i] >= 0:
                seen[lv[i]] += 1
        whole = LABEL_STRENGTH + sum(seen)
        refined.append(
            [(x * LABEL_STRENGTH + n) / whole for x, n in zip(current, seen, strict=True)]
        )
    return refined
