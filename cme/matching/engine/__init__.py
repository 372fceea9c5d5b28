"""The matching engine: pure Python and DuckDB, no Django.

`prepare` a `PersonRecord` once, store its `index_keys`, look candidates up by `query_keys` and
`MatchModel.score` them; `train` a model and `link` files in bulk. See docs/matching.md.
"""

from cme.matching.engine.keys import index_keys, query_keys
from cme.matching.engine.linkage import link
from cme.matching.engine.model import (
    DEFAULT_THRESHOLD,
    ComparisonSummary,
    FieldEvidence,
    LevelSummary,
    MatchModel,
    ScoredPair,
    default_model,
)
from cme.matching.engine.records import PersonRecord, PreparedRecord, prepare
from cme.matching.engine.training import train

__all__ = [
    "DEFAULT_THRESHOLD",
    "ComparisonSummary",
    "FieldEvidence",
    "LevelSummary",
    "MatchModel",
    "PersonRecord",
    "PreparedRecord",
    "ScoredPair",
    "default_model",
    "index_keys",
    "link",
    "prepare",
    "query_keys",
    "train",
]
