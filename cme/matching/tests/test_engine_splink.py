"""The engine is a Fellegi-Sunter model Splink can run as it is: given the engine's level
definitions and weights, Splink 5's own `predict` gives the engine's probabilities."""

from __future__ import annotations

import random

import pytest

from cme.matching.engine import MatchModel, default_model, prepare
from cme.matching.engine.linkage import feature_rows, link
from cme.matching.engine.splink_settings import splink_settings
from cme.matching.engine.sql import features_table
from cme.matching.tests.test_engine_sql import _random_record

splink = pytest.importorskip("splink")


def test_splink_predict_gives_the_engines_probabilities() -> None:
    base = default_model().to_dict()
    base["term_frequencies"] = {}  # Splink would build its own tables
    model = MatchModel.from_dict(base)
    rng = random.Random(5)  # noqa: S311 - test data, not secrets
    records = [_random_record(rng, n) for n in range(120)]
    rows = feature_rows(records)
    db = splink.DuckDBAPI()
    left = db.register(features_table(rows), table_name="left_records")
    right = db.register(features_table(rows), table_name="right_records")
    linker = splink.Linker([left, right], splink_settings(model, blocking_rules=["1=1"]))
    predicted = linker.inference.predict().as_duckdbpyrelation()
    found = predicted.select("id_l, id_r, match_probability").fetchall()
    assert len(found) == len(records) ** 2
    prepared = {r.id: prepare(r) for r in records}
    for left_id, right_id, probability in found:
        expected = model.score(prepared[left_id], prepared[right_id]).probability
        assert probability == pytest.approx(expected, abs=1e-9)


def test_linking_through_splink_gives_the_same_results() -> None:
    model = default_model()  # with term frequencies, which Splink is given as lookups
    rng = random.Random(9)  # noqa: S311 - test data, not secrets
    records = [_random_record(rng, n) for n in range(200)]
    ours = link(records, records, model, threshold=0.01, top=1000)
    theirs = link(records, records, model, threshold=0.01, top=1000, backend="splink")
    ours_found = {(r.query_id, r.register_id): r.probability for r in ours}
    theirs_found = {(r.query_id, r.register_id): r.probability for r in theirs}
    assert len(ours_found) > 500
    assert ours_found.keys() == theirs_found.keys()
    for pair, probability in ours_found.items():
        assert theirs_found[pair] == pytest.approx(probability, abs=1e-9)
