"""One interactive "Find a child" lookup against a 1,000,000-child register, through the database.

    python bench/bench_lookup.py --register 1000000 --queries 2000 --seed 1 [--json FILE]

Uses the project's settings (SQLite in $CME_VAR_DIR, or PostgreSQL with DATABASE_URL — a database
of its own, never a shared one). On first run it fills the matching index: the register of
`bench/synth.py --scenario lookup` (pupils on roll of one authority) as `MatchEntry` rows with their
prepared features and `MatchKey` rows with their blocking keys, written straight to the tables
(COPY on PostgreSQL, executemany on SQLite), then ANALYZE. Later runs reuse it.

Then, signed in as a CME officer of that authority, it times `find_candidates` — what the page
runs: the blocking keys of the query, one query for the entry ids sharing them, one for those
entries, scoring each with the model in use — for each query (after a warm-up), and reports p50,
p95 and max in ms, how many candidates were scored, the queries per lookup, and accuracy against
the known truth: for queries of a register child, how often the top candidate is that child and
how often it is proposed at or above the model's threshold; for queries of children not on the
register, how often anything reaches the threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from seed_cases import insert  # noqa: E402
from synth import generate, write  # noqa: E402

from cme.accounts.models import Authority, Membership, Role, User  # noqa: E402
from cme.matching import engine  # noqa: E402
from cme.matching.engine.files import read_records  # noqa: E402
from cme.matching.engine.training import train  # noqa: E402
from cme.matching.models import MatchEntry, MatchKey, SourceKind, StoredModel  # noqa: E402
from cme.matching.selectors import active_model, candidate_entry_ids, find_candidates  # noqa: E402

LOOKUP_LA = "994"
OFFICER = "lookup-officer@bench.example"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def synthetic(register: int, queries: int, seed: int) -> Path:
    folder = Path(tempfile.gettempdir()) / f"cme-lookup-{register}-{queries}-{seed}"
    if not (folder / "truth.csv").exists():
        started = time.perf_counter()
        write(generate("lookup", register, queries, seed), folder)
        print(f"  generated data in {time.perf_counter() - started:.1f} s: {folder}", flush=True)
    return folder


def fill_index(authority: Authority, folder: Path) -> None:
    started = time.perf_counter()
    records = read_records(folder / "register.csv", warn=lambda message: None)
    prepared = [engine.prepare(record) for record in records]
    print(f"  read and prepared {len(prepared):,} records in {time.perf_counter() - started:.1f} s")

    def entries() -> Iterator[tuple[Any, ...]]:
        for number, p in enumerate(prepared, start=1):
            features = json.dumps(p.to_json(), separators=(",", ":"))
            yield (authority.pk, SourceKind.ROLL.value, number, features, "On roll (benchmark)")

    started = time.perf_counter()
    count = insert(MatchEntry, ["authority", "kind", "source_pk", "features", "label"], entries())
    print(f"  {count:,} entries in {time.perf_counter() - started:.1f} s", flush=True)
    ids = dict(
        MatchEntry.objects.filter(authority=authority).values_list("source_pk", "pk").iterator()
    )

    def keys() -> Iterator[tuple[Any, ...]]:
        for number, p in enumerate(prepared, start=1):
            entry_id = ids[number]
            for key in engine.index_keys(p):
                yield (key, entry_id, authority.pk)

    started = time.perf_counter()
    count = insert(MatchKey, ["key", "entry", "authority_id"], keys())
    print(f"  {count:,} keys in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def trained_model(folder: Path) -> None:
    """Train without labels, linking the queries (referrals, cases) to the register, as `cme
    matching train` links the children the authority looks for to its rolls, and make it active.
    (A register alone holds no duplicates: EM would take siblings for matches.)"""
    started = time.perf_counter()
    records = read_records(folder / "register.csv", warn=lambda message: None)
    queries = read_records(folder / "queries.csv", warn=lambda message: None)
    model = train(
        records, queries=queries, description={"register": "bench lookup", "records": len(records)}
    )
    StoredModel.objects.update(is_active=False)
    StoredModel.objects.create(
        version=f"bench-{int(time.time())}",
        trained_on={"register": "bench lookup", "records": len(records)},
        parameters=model.to_dict(),
        is_active=True,
    )
    print(f"  trained on {len(records):,} records in {time.perf_counter() - started:.1f} s")


def officer_of(authority: Authority) -> User:
    user = User.objects.filter(email=OFFICER).first()
    if user is None:
        user = User.objects.create(email=OFFICER, password=make_password("never-used-here"))
        Membership.objects.create(user=user, authority=authority, role=Role.CME_OFFICER)
    return user


def truth_of(folder: Path) -> dict[str, set[int]]:
    """query id -> register row numbers (1-based, as source_pk) of its true matches."""
    numbers: dict[str, int] = {}
    with (folder / "register.csv").open(encoding="utf-8") as register:
        next(register)
        for number, line in enumerate(register, start=1):
            numbers[line.split(",", 1)[0]] = number
    truth: dict[str, set[int]] = {}
    with (folder / "truth.csv").open(encoding="utf-8") as pairs:
        next(pairs)
        for line in pairs:
            query_id, register_id = line.strip().split(",")
            truth.setdefault(query_id, set()).add(numbers[register_id])
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--register", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--model",
        choices=["trained", "default"],
        default="trained",
        help="score with a model trained on the register (stored once), or the shipped default",
    )
    args = parser.parse_args()

    folder = synthetic(args.register, args.queries, args.seed)
    authority, _ = Authority.objects.get_or_create(
        la_code=LOOKUP_LA, defaults={"name": "Lookupshire Council"}
    )
    if not MatchEntry.objects.filter(authority=authority).exists():
        fill_index(authority, folder)
    if args.model == "trained" and not StoredModel.objects.filter(is_active=True).exists():
        trained_model(folder)
    elif args.model == "default":
        StoredModel.objects.update(is_active=False)
    officer = officer_of(authority)
    model = active_model()
    queries = read_records(folder / "queries.csv", warn=lambda message: None)
    truth = truth_of(folder)

    for record in queries[: args.warmup]:
        find_candidates(officer, record, limit=5)
    with CaptureQueriesContext(connection) as captured:
        find_candidates(officer, queries[0], limit=5)
    queries_per_lookup = len(captured.captured_queries)

    times: list[float] = []
    cpu: list[float] = []
    scored: list[int] = []
    top_right = proposed_right = with_truth = false_alarms = without_truth = 0
    load_before = os.getloadavg()
    for record in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        found = find_candidates(officer, record, limit=5)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        expected = truth.get(record.id, set())
        top = found[0] if found else None
        if expected:
            with_truth += 1
            if top is not None and top.entry.source_pk in expected:
                top_right += 1
                proposed_right += top.scored.probability >= model.threshold
        else:
            without_truth += 1
            false_alarms += top is not None and top.scored.probability >= model.threshold
    # Candidates scored per lookup, measured apart so the timing above is the page's own work.
    authority_id = authority.pk
    for record in queries[:500]:
        ids = candidate_entry_ids(authority_id, engine.query_keys(engine.prepare(record)))
        scored.append(len(ids))

    result = {
        "database": f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else connection.cursor().connection.info.server_version}",  # noqa: E501
        "register": MatchEntry.objects.filter(authority=authority).count(),
        "keys": MatchKey.objects.filter(authority_id=authority_id).count(),
        "lookups": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "queries_per_lookup": queries_per_lookup,
        "candidates_p50": statistics.median(scored),
        "candidates_p95": percentile([float(n) for n in scored], 95),
        "candidates_max": max(scored),
        "top_candidate_correct": round(top_right / max(1, with_truth), 4),
        "proposed_at_threshold": round(proposed_right / max(1, with_truth), 4),
        "false_alarm_rate": round(false_alarms / max(1, without_truth), 4),
        "queries_with_truth": with_truth,
        "queries_without_truth": without_truth,
        "threshold": model.threshold,
        "model": model.version,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }
    for name, value in result.items():
        print(f"{name:>24}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
