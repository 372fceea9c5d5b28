"""Bulk linkage, training and `cme match` at realistic sizes, on synthetic data with known truth.

    python bench/bench_linkage.py reconcile [--register 100000 --queries 100000 --seed 1]
    python bench/bench_linkage.py train [--register 1000000]
    python bench/bench_linkage.py files [--register 50000 --queries 5000]
    python bench/bench_linkage.py score
    python bench/bench_linkage.py sweep [--register 100000 --queries 100000 --seed 3]
    python bench/bench_linkage.py splink    # Splink's own predict running the same model

Each part runs in its own process (so its peak RSS is its own) and prints one JSON line. Data
comes from bench/synth.py, written once to --cache (default /tmp/cme-bench-linkage) and reused.
Times are wall clock (`time.perf_counter`); peak memory is `resource.getrusage` ru_maxrss.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from cme.matching.engine import default_model, prepare  # noqa: E402
from cme.matching.engine.files import match_files, read_records  # noqa: E402
from cme.matching.engine.linkage import feature_rows, gc_paused, link_features  # noqa: E402
from cme.matching.engine.records import PreparedRecord  # noqa: E402
from cme.matching.engine.training import train_features  # noqa: E402


def synthetic(scenario: str, register: int, queries: int, seed: int, cache: Path) -> Path:
    out = cache / f"{scenario}-{register}-{queries}-{seed}"
    if not (out / "truth.csv").exists():
        command = [sys.executable, str(ROOT / "bench" / "synth.py"), "--scenario", scenario,
                   "--register", str(register), "--queries", str(queries), "--seed", str(seed),
                   "--out", str(out)]  # fmt: skip
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our own script
    return out


def pairs(path: Path, a: str, b: str) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        return {(row[a], row[b]) for row in csv.DictReader(f)}


def accuracy(found: set[tuple[str, str]], data: Path) -> dict[str, Any]:
    truth = pairs(data / "truth.csv", "query_id", "register_id")
    twin_of: dict[str, set[str]] = {}
    for a, b in pairs(data / "twins.csv", "register_id_a", "register_id_b"):
        twin_of.setdefault(a, set()).add(b)
        twin_of.setdefault(b, set()).add(a)
    true_of = dict(truth)
    # A twin is merged when a query about one twin is linked to the other.
    twins_merged = sum(1 for q, r in found - truth if r in twin_of.get(true_of.get(q, ""), ()))
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_pairs": len(truth), "found": len(found), "false_positives": len(found - truth),
            "false_negatives": len(truth - found), "twins_merged": twins_merged}  # fmt: skip


def environment() -> dict[str, Any]:
    return {"load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}  # fmt: skip


def read(data: Path, name: str) -> list[Any]:
    return read_records(data / name, lambda _: None)


def part_reconcile(args: argparse.Namespace) -> dict[str, Any]:
    data = synthetic("reconcile", args.register, args.queries, args.seed, args.cache)
    register_records, query_records = read(data, "register.csv"), read(data, "queries.csv")
    clock = time.perf_counter()
    register, queries = feature_rows(register_records), feature_rows(query_records)
    prepare_s = time.perf_counter() - clock
    clock = time.perf_counter()
    model = train_features(register, queries)
    train_s = time.perf_counter() - clock
    # What a reconciliation run does: records come prepared from the index, the model is stored.
    stored_register = [PreparedRecord.from_features(f).to_json() for f in register]
    stored_queries = [PreparedRecord.from_features(f).to_json() for f in queries]
    clock, cpu = time.perf_counter(), time.process_time()
    with gc_paused():
        register_rows = [tuple(v[1:]) for v in stored_register]
        query_rows = [tuple(v[1:]) for v in stored_queries]
    results = list(link_features(register_rows, query_rows, model, top=1))
    link_s, link_cpu_s = time.perf_counter() - clock, time.process_time() - cpu
    found = {(r.query_id, r.register_id) for r in results}
    return {"part": "reconcile", "register": args.register, "queries": args.queries,
            "seed": args.seed, "threshold": model.threshold, "prepare_s": round(prepare_s, 2),
            "train_s": round(train_s, 2), "link_s": round(link_s, 2),
            "link_cpu_s": round(link_cpu_s, 2),
            "prepare_plus_link_s": round(prepare_s + link_s, 2),
            **accuracy(found, data), **environment()}  # fmt: skip


def part_sweep(args: argparse.Namespace) -> dict[str, Any]:
    """F1 by threshold on data the default threshold was not chosen from (another seed)."""
    data = synthetic("reconcile", args.register, args.queries, args.seed, args.cache)
    register = feature_rows(read(data, "register.csv"))
    queries = feature_rows(read(data, "queries.csv"))
    model = train_features(register, queries)
    results = list(link_features(register, queries, model, threshold=0.05, top=1))
    sweep = {}
    for threshold in (0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95, 0.99):
        found = {(r.query_id, r.register_id) for r in results if r.probability >= threshold}
        sweep[str(threshold)] = accuracy(found, data)["f1"]
    return {"part": "sweep", "seed": args.seed, "f1_by_threshold": sweep, **environment()}


def part_train(args: argparse.Namespace) -> dict[str, Any]:
    data = synthetic("lookup", args.register, 1000, args.seed, args.cache)
    records = read(data, "register.csv")
    clock = time.perf_counter()
    register = feature_rows(records)
    prepare_s = time.perf_counter() - clock
    del records  # training needs only the prepared features, as `cme matching train` does
    clock = time.perf_counter()
    model = train_features(register, None)
    train_s = time.perf_counter() - clock
    return {"part": "train", "register": args.register, "prepare_s": round(prepare_s, 2),
            "train_s": round(train_s, 2), "total_s": round(prepare_s + train_s, 2),
            "prior": model.prior, "candidate_pairs": model.trained_on["candidate_pairs"],
            **environment()}  # fmt: skip


def part_files(args: argparse.Namespace) -> dict[str, Any]:
    data = synthetic("files", args.register, args.queries, args.seed, args.cache)
    out = args.cache / "files-out.csv"
    warnings: list[str] = []
    clock = time.perf_counter()
    report = match_files(data / "register.csv", data / "queries.csv", out, threshold=None,
                         top=1, explain=False, model=None, warn=warnings.append)  # fmt: skip
    total_s = time.perf_counter() - clock
    found = pairs(out, "query_id", "register_id")
    return {"part": "files", "register": args.register, "queries": args.queries,
            "total_s": round(total_s, 2), "steps_s": {k: round(v, 2) for k, v in report.seconds.items()},
            "warnings": len(warnings), **accuracy(found, data), **environment()}  # fmt: skip


def part_score(args: argparse.Namespace) -> dict[str, Any]:
    data = synthetic("lookup", 20000, 1000, args.seed, args.cache)
    register = [prepare(r) for r in read(data, "register.csv")]
    queries = [prepare(r) for r in read(data, "queries.csv")]
    stored = [p.to_json() for p in register[:300]]
    candidates = [PreparedRecord.from_json(s) for s in stored]
    model = default_model()
    pairs_scored = len(queries) * len(candidates)
    clock, cpu = time.perf_counter(), time.process_time()
    for query in queries:
        for candidate in candidates:
            model.score(query, candidate)
    score_us = (time.perf_counter() - clock) / pairs_scored * 1e6
    score_cpu_us = (time.process_time() - cpu) / pairs_scored * 1e6
    clock, cpu = time.perf_counter(), time.process_time()
    with gc_paused():
        for query in queries[:200]:
            for value in stored:
                model.score(query, PreparedRecord.from_json(value))
    with_json_us = (time.perf_counter() - clock) / (200 * len(stored)) * 1e6
    with_json_cpu_us = (time.process_time() - cpu) / (200 * len(stored)) * 1e6
    return {"part": "score", "score_us_per_pair": round(score_us, 2),
            "score_cpu_us_per_pair": round(score_cpu_us, 2),
            "from_json_plus_score_us_per_pair": round(with_json_us, 2),
            "from_json_plus_score_cpu_us_per_pair": round(with_json_cpu_us, 2),
            "ms_for_300_candidates": round(with_json_us * 300 / 1000, 2), **environment()}  # fmt: skip


def part_splink(args: argparse.Namespace) -> dict[str, Any]:
    """The engine's `link` against Splink 5's own predict running the same model: (1) through
    `link(backend="splink")` (the engine's keys and term frequencies; same results), and (2) with
    plain Splink blocking rules on legal names (`splink_settings.BLOCKING_RULES`, no term
    frequencies, no ambiguity rule)."""
    import splink

    from cme.matching.engine.splink_settings import splink_settings
    from cme.matching.engine.sql import features_table

    data = synthetic("reconcile", args.register, args.queries, args.seed, args.cache)
    register = feature_rows(read(data, "register.csv"))
    queries = feature_rows(read(data, "queries.csv"))
    model = train_features(register, queries)
    out: dict[str, Any] = {"part": "splink", "splink_version": splink.__version__}
    for backend in ("duckdb", "splink"):
        wall, cpu = time.perf_counter(), time.process_time()
        found = {(r.query_id, r.register_id) for r in link_features(
            register, queries, model, top=1, backend=backend)}  # fmt: skip
        out[f"engine_{backend}"] = {"wall_s": round(time.perf_counter() - wall, 2),
                        "cpu_s": round(time.process_time() - cpu, 2), **accuracy(found, data)}  # fmt: skip
    model.term_frequencies = {}
    model.__post_init__()
    wall, cpu = time.perf_counter(), time.process_time()
    db = splink.DuckDBAPI()
    left = db.register(features_table(queries), table_name="queries")
    right = db.register(features_table(register), table_name="register")
    linker = splink.Linker([left, right], splink_settings(model), log_level="WARNING")
    predicted = linker.inference.predict(threshold_match_probability=model.threshold)
    rows = predicted.as_duckdbpyrelation().select("id_l, id_r, match_probability").fetchall()
    best: dict[str, tuple[float, str]] = {}
    for query_id, register_id, probability in rows:
        if probability > best.get(query_id, (-1.0, ""))[0]:
            best[query_id] = (probability, register_id)
    out["splink_plain_rules"] = {"wall_s": round(time.perf_counter() - wall, 2),
                                 "cpu_s": round(time.process_time() - cpu, 2),
                                 **accuracy({(q, r) for q, (_, r) in best.items()}, data)}  # fmt: skip
    return {**out, **environment()}


PARTS = {"reconcile": (part_reconcile, 100_000, 100_000, 1), "train": (part_train, 1_000_000, 0, 1),
         "files": (part_files, 50_000, 5_000, 1), "score": (part_score, 0, 0, 1),
         "sweep": (part_sweep, 100_000, 100_000, 3),
         "splink": (part_splink, 100_000, 100_000, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=sorted(PARTS))
    parser.add_argument("--register", type=int)
    parser.add_argument("--queries", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/cme-bench-linkage"))  # noqa: S108
    args = parser.parse_args()
    run, register, queries, seed = PARTS[args.part]
    args.register = args.register or register
    args.queries = args.queries or queries
    args.seed = args.seed or seed
    args.cache.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args)))


if __name__ == "__main__":
    main()
