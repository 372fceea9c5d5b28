"""The model as Splink 5 settings, so Splink can run it (charts, `predict`, comparisons).

The engine does its own training and bulk scoring (docs/adr/0005-matching-engine.md) but keeps to
Splink's model: the same level definitions run unchanged inside Splink, and
`test_engine_splink.py` checks that Splink's `predict` then gives the engine's probabilities.
Term-frequency adjustments are left out: Splink computes its own frequency tables from its input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from cme.matching.engine.comparisons import COMPARISONS
from cme.matching.engine.model import MatchModel

# Rules close to the engine's key families (keys.py), in Splink's l./r. form, on legal names only.
BLOCKING_RULES = (
    "l.dob8 = r.dob8 AND left(l.f0, 1) = left(r.f0, 1)",
    "l.dob8 = r.dob8 AND left(l.s0, 1) = left(r.s0, 1)",
    "l.s0 = r.s0 AND left(l.dob8, 6) = left(r.dob8, 6)",
    "l.f0 = r.f0 AND l.s0 = r.s0",
    "l.pc = r.pc AND left(l.f0, 1) = left(r.f0, 1)",
)


def splink_sql(sql: str) -> str:
    """The engine's q./r. table aliases become Splink's _l/_r column suffixes."""
    return re.sub(r"\br\.(\w+)", r"\1_r", re.sub(r"\bq\.(\w+)", r"\1_l", sql))


def splink_settings(
    model: MatchModel, *, blocking_rules: Sequence[Any] = BLOCKING_RULES
) -> dict[str, Any]:
    """A Splink settings dict for `model` (link_only, unique id column `id`).

    Each level's m and u are set so that m / u is exactly the engine's weight, the fixed twin and
    UPN rules included; m or u is adjusted, whichever keeps both within 0 and 1.
    """
    comparisons = []
    for i, comparison in enumerate(COMPARISONS):
        missing = splink_sql(comparison.sql_levels.missing)
        levels: list[dict[str, Any]] = [
            {"sql_condition": missing, "label_for_charts": "missing", "is_null_level": True}
        ]
        conditions = [*comparison.sql_levels.conditions, "ELSE"]
        for j, condition in enumerate(conditions):
            weight = model.weights[i][j]
            m, u = model.m[comparison.key][j], model.u[comparison.key][j]
            if weight >= 0:
                u = m / 2**weight
            else:
                m = u * 2**weight
            levels.append(
                {
                    "sql_condition": splink_sql(condition),
                    "label_for_charts": comparison.levels[j].detail,
                    "m_probability": m,
                    "u_probability": u,
                }
            )
        comparisons.append({"output_column_name": comparison.key, "comparison_levels": levels})
    return {
        "link_type": "link_only",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": list(blocking_rules),
        "unique_id_column_name": "id",
        "probability_two_random_records_match": model.prior,
    }
