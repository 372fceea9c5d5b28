"""The Fellegi-Sunter model: m and u per comparison level, term frequencies, prior, threshold."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from cme.matching.engine.comparisons import (
    COMPARISONS,
    FORENAME,
    FORENAME_DIFFERENT_LEVELS,
    UPN,
    UPN_AGREES_LEVEL,
)
from cme.matching.engine.records import PreparedRecord

MODEL_FORMAT = 1
DEFAULT_THRESHOLD = 0.8
# A pair's weight must clear the threshold by this much for a decisive UPN, and twins must miss
# it by at least this much, whatever else agrees.
GUARD_MARGIN = 4.0


@dataclass(frozen=True)
class FieldEvidence:
    field: str  # "Forename", "Surname", "Date of birth", ...
    verdict: str  # "agrees" | "close" | "disagrees" | "missing"
    detail: str  # plain words
    weight: float  # this field's match weight (log2 Bayes factor)


@dataclass(frozen=True)
class ScoredPair:
    probability: float
    match_weight: float
    evidence: tuple[FieldEvidence, ...]
    decisive: bool  # a UPN agrees


@dataclass(frozen=True)
class LevelSummary:
    verdict: str
    detail: str
    m: float  # share of true matches at this level
    u: float  # share of non-matches at this level
    weight: float  # log2(m / u), after the fixed rules below
    note: str = ""  # why a weight differs from log2(m / u)


@dataclass(frozen=True)
class ComparisonSummary:
    key: str
    field: str
    levels: tuple[LevelSummary, ...]
    term_frequency: str = ""  # how common values change the first level, in words


def probability_from_weight(weight: float) -> float:
    if weight < -1000:
        return 0.0
    return 1.0 / (1.0 + math.pow(2.0, -weight))


def weight_from_probability(probability: float) -> float:
    probability = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(probability / (1 - probability))


@dataclass
class MatchModel:
    """Parameters plus the weights worked out from them (in `__post_init__`)."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float  # probability that a blocked candidate pair is a match
    threshold: float = DEFAULT_THRESHOLD
    term_frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    version: str = "default"
    trained_at: datetime | None = None
    trained_on: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.prior_weight = weight_from_probability(self.prior)
        self.threshold_weight = weight_from_probability(self.threshold)
        self.weights = [
            [math.log2(m / u) for m, u in zip(self.m[c.key], self.u[c.key], strict=True)]
            for c in COMPARISONS
        ]
        self.notes: dict[tuple[int, int], str] = {}
        # Term frequency: an exact agreement weighs log2(m / frequency of the value).
        self.tf_weights: list[dict[str, float]] = []
        self.tf_default: list[float] = []
        for i, c in enumerate(COMPARISONS):
            table = self.term_frequencies.get(c.key, {}) if c.tf_attribute else {}
            m0 = self.m[c.key][0]
            self.tf_weights.append({name: math.log2(m0 / f) for name, f in table.items()})
            rarest = min(table.values()) if table else self.u[c.key][0]
            self.tf_default.append(math.log2(m0 / rarest) if c.tf_attribute else self.weights[i][0])
        self._apply_fixed_rules()
        self._evidence = [
            [
                FieldEvidence(c.field, lv.verdict, lv.detail, w)
                for lv, w in zip(c.levels, ws, strict=True)
            ]
            for c, ws in zip(COMPARISONS, self.weights, strict=True)
        ]
        self._missing = [
            FieldEvidence(c.field, "missing", "not known on both", 0.0) for c in COMPARISONS
        ]
        self._tf_index = [i for i, c in enumerate(COMPARISONS) if c.tf_attribute]

    def _max_weight(self, i: int) -> float:
        top = max(self.weights[i])
        if COMPARISONS[i].tf_attribute:
            top = max([top, self.tf_default[i], *self.tf_weights[i].values()])
        return top

    def _apply_fixed_rules(self) -> None:
        """Twins never match; a shared UPN always does. Both outweigh everything else."""
        others = [i for i in range(len(COMPARISONS)) if i not in (FORENAME, UPN)]
        most = self.prior_weight + sum(max(0.0, self._max_weight(i)) for i in others)
        twin_cap = self.threshold_weight - most - GUARD_MARGIN
        for level in FORENAME_DIFFERENT_LEVELS:
            if self.weights[FORENAME][level] > twin_cap:
                self.weights[FORENAME][level] = twin_cap
                self.notes[(FORENAME, level)] = "set so that twins never reach the threshold"
        least = self.prior_weight + sum(
            min(0.0, *self.weights[i]) for i in range(len(COMPARISONS)) if i != UPN
        )
        upn_floor = self.threshold_weight - least + GUARD_MARGIN
        if self.weights[UPN][UPN_AGREES_LEVEL] < upn_floor:
            self.weights[UPN][UPN_AGREES_LEVEL] = upn_floor
            self.notes[(UPN, UPN_AGREES_LEVEL)] = "set so that a shared UPN is always a match"

    def tf_weight(self, i: int, value: str) -> float:
        return self.tf_weights[i].get(value, self.tf_default[i])

    def score(self, query: PreparedRecord, candidate: PreparedRecord) -> ScoredPair:
        """Fellegi-Sunter score of one pair, with the evidence field by field."""
        total = self.prior_weight
        evidence: list[FieldEvidence] = []
        tf_index = self._tf_index
        for i, comparison in enumerate(COMPARISONS):
            level = comparison.level_of(query, candidate)
            if level < 0:
                evidence.append(self._missing[i])
                continue
            found = self._evidence[i][level]
            if level == 0 and i in tf_index:
                weight = self.tf_weight(i, getattr(candidate, comparison.tf_attribute))
                found = FieldEvidence(found.field, found.verdict, found.detail, weight)
            elif comparison.detail_of is not None and level in (1, 2, 5):
                detail = comparison.detail_of(level, query, candidate)
                if detail:
                    found = FieldEvidence(found.field, found.verdict, detail, found.weight)
            total += found.weight
            evidence.append(found)
        decisive = evidence[UPN].verdict == "agrees"
        return ScoredPair(probability_from_weight(total), total, tuple(evidence), decisive)

    def is_match(self, scored: ScoredPair) -> bool:
        return scored.probability >= self.threshold

    def describe(self) -> list[ComparisonSummary]:
        """Each comparison with its levels' m, u and weight, for the managers' page."""
        summaries = []
        for i, c in enumerate(COMPARISONS):
            levels = tuple(
                LevelSummary(
                    lv.verdict,
                    lv.detail,
                    self.m[c.key][j],
                    self.u[c.key][j],
                    self.weights[i][j],
                    self.notes.get((i, j), ""),
                )
                for j, lv in enumerate(c.levels)
            )
            tf = ""
            if c.tf_attribute:
                tf = (
                    f"an exact agreement weighs log2(m / share of records with that value); "
                    f"{len(self.tf_weights[i])} common values known"
                )
            summaries.append(ComparisonSummary(c.key, c.field, levels, tf))
        return summaries

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "version": self.version,
            "trained_at": self.trained_at.isoformat() if self.trained_at else None,
            "trained_on": self.trained_on,
            "threshold": self.threshold,
            "prior": self.prior,
            "m": self.m,
            "u": self.u,
            "term_frequencies": self.term_frequencies,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MatchModel:
        if d.get("format") != MODEL_FORMAT:
            raise ValueError(f"model format {d.get('format')} is not {MODEL_FORMAT}")
        trained_at = datetime.fromisoformat(d["trained_at"]) if d.get("trained_at") else None
        return cls(
            m={k: list(v) for k, v in d["m"].items()},
            u={k: list(v) for k, v in d["u"].items()},
            prior=float(d["prior"]),
            threshold=float(d["threshold"]),
            term_frequencies=d.get("term_frequencies", {}),
            version=str(d["version"]),
            trained_at=trained_at,
            trained_on=dict(d.get("trained_on", {})),
        )


@cache
def _default_model_dict() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("default_model.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def default_model() -> MatchModel:
    """The parameters shipped with the package (trained on synthetic data)."""
    return MatchModel.from_dict(_default_model_dict())
