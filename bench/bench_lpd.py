"""A Lost Pupil Database search against 500,000 lost CTFs, through the database.

    python bench/bench_lpd.py --pupils 500000 --queries 1000 --seed 1 [--json FILE]

Uses the project's settings (SQLite in $CME_VAR_DIR, or PostgreSQL with DATABASE_URL: a database of
its own, never a shared one). When the LPD holds a different number of pupils it is emptied and
filled again, without parsing any XML: the register of `bench/synth.py --scenario lookup` becomes
one lost CTF per child (an `LpdFile` row with a placeholder body), an `LpdPupil` row with its
prepared features, and an `LpdKey` row per blocking key, written straight to the tables (COPY on
PostgreSQL, executemany on SQLite, through `seed_cases.insert`), then ANALYZE. One child in 500
is also a restricted child of another authority, so the restriction check finds something.

Then, as a CME officer of another authority, it times `lpd_search` — what the search page runs:
the query's blocking keys, one query for the pupils sharing them, scoring with the model in use,
one query for restricted children by current UPN or date of birth, one by former UPN (and one
for their other names when one was born on a candidate's birthday) — for each query (the
synthetic queries carry realistic errors: misspelt and swapped names, nicknames, mistyped
dates, moves), and then the same with the search's audit event and activity row written (what the
page adds). It reports p50, p95 and max in ms, candidates scored, queries per search, and how
often the right pupil comes first.
"""

from __future__ import annotations

import argparse
import hashlib
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
from cme.children.models import Child  # noqa: E402
from cme.lpd import selectors, services  # noqa: E402
from cme.lpd.models import LpdEvent, LpdFile, LpdKey, LpdPupil  # noqa: E402
from cme.matching import engine  # noqa: E402
from cme.matching.engine.files import read_records  # noqa: E402
from cme.matching.selectors import active_model  # noqa: E402

UPLOADER_LA, SEARCHER_LA = "995", "996"
OFFICER = "lpd-officer@bench.example"
UPLOADER = "lpd-uploader@bench.example"
RESTRICTED_EVERY = 500


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def synthetic(pupils: int, queries: int, seed: int) -> Path:
    folder = Path(tempfile.gettempdir()) / f"cme-lpd-{pupils}-{queries}-{seed}"
    if not (folder / "truth.csv").exists():
        started = time.perf_counter()
        write(generate("lookup", pupils, queries, seed), folder)
        print(f"  generated data in {time.perf_counter() - started:.1f} s: {folder}", flush=True)
    return folder


def _user(email: str, authority: Authority, role: Role) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, password=make_password("never-used-here"))
        Membership.objects.create(user=user, authority=authority, role=role)
    return user


def empty_lpd() -> None:
    with connection.cursor() as cursor:
        for model in (LpdEvent, LpdKey, LpdPupil, LpdFile):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    Child.objects.filter(restriction_reason="bench lpd").delete()


def fill_lpd(uploader: User, folder: Path, restricted_in: Authority) -> None:
    started = time.perf_counter()
    records = read_records(folder / "register.csv", warn=lambda message: None)
    prepared = [engine.prepare(record) for record in records]
    print(f"  read and prepared {len(prepared):,} records in {time.perf_counter() - started:.1f} s")
    membership = uploader.membership
    assert membership is not None

    def files() -> Iterator[tuple[Any, ...]]:
        for number in range(1, len(records) + 1):
            digest = hashlib.sha256(f"bench-lpd-{number}".encode()).hexdigest()
            yield (
                membership.authority_id,
                uploader.pk,
                digest,
                0,
                b"",
                "25.0",
                UPLOADER_LA,
                f"{number % 9000 + 1000:04d}",
                f"Benchmark School {number % 9000}",
                1,
            )

    started = time.perf_counter()
    count = insert(
        LpdFile,
        [
            "authority",
            "uploaded_by",
            "sha256",
            "size",
            "content",
            "ctf_version",
            "source_lea",
            "source_estab",
            "source_name",
            "pupil_count",
        ],
        files(),
    )
    print(f"  {count:,} files in {time.perf_counter() - started:.1f} s", flush=True)
    file_ids = list(LpdFile.objects.order_by("pk").values_list("pk", flat=True))

    def pupils() -> Iterator[tuple[Any, ...]]:
        for file_id, record, p in zip(file_ids, records, prepared, strict=True):
            features = json.dumps(p.to_json(), separators=(",", ":"))
            yield (
                file_id,
                0,
                record.upns[0] if record.upns else "",
                (record.forenames or ("",))[0][:100],
                (record.surnames or ("",))[0][:100],
                record.dob,
                record.sex,
                record.postcode[:10],
                "Benchmark School",
                "BENCHMARK SCHOOL",
                features,
            )

    started = time.perf_counter()
    count = insert(
        LpdPupil,
        [
            "file",
            "position",
            "upn",
            "forename",
            "surname",
            "dob",
            "sex",
            "postcode",
            "last_school",
            "schools",
            "features",
        ],
        pupils(),
    )
    print(f"  {count:,} pupils in {time.perf_counter() - started:.1f} s", flush=True)
    pupil_ids = list(LpdPupil.objects.order_by("file_id").values_list("pk", flat=True))

    def keys() -> Iterator[tuple[Any, ...]]:
        for pupil_id, p in zip(pupil_ids, prepared, strict=True):
            for key in engine.index_keys(p):
                yield (key, pupil_id)

    started = time.perf_counter()
    count = insert(LpdKey, ["key", "pupil"], keys())
    print(f"  {count:,} keys in {time.perf_counter() - started:.1f} s", flush=True)
    restricted = [
        Child(
            authority=restricted_in,
            forename=(r.forenames or ("X",))[0][:100],
            surname=(r.surnames or ("X",))[0][:100],
            upn=r.upns[0],
            is_restricted=True,
            restriction_reason="bench lpd",
        )
        for r in records[::RESTRICTED_EVERY]
        if r.upns
    ]
    Child.objects.bulk_create(restricted, batch_size=1000)
    print(f"  {len(restricted):,} restricted children")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def truth_of(folder: Path) -> dict[str, set[int]]:
    """query id -> register row numbers (0-based) of its true matches."""
    numbers: dict[str, int] = {}
    with (folder / "register.csv").open(encoding="utf-8") as register:
        next(register)
        for number, line in enumerate(register):
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
    parser.add_argument("--pupils", type=int, default=500_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    folder = synthetic(args.pupils, args.queries, args.seed)
    uploaders, _ = Authority.objects.get_or_create(
        la_code=UPLOADER_LA, defaults={"name": "Lostshire Council"}
    )
    searchers, _ = Authority.objects.get_or_create(
        la_code=SEARCHER_LA, defaults={"name": "Findborough Council"}
    )
    uploader = _user(UPLOADER, uploaders, Role.CME_OFFICER)
    officer = _user(OFFICER, searchers, Role.CME_OFFICER)
    if LpdPupil.objects.count() != args.pupils:
        empty_lpd()
        fill_lpd(uploader, folder, uploaders)
    searcher = selectors.Searcher.for_user(officer)
    assert searcher is not None
    model = active_model()
    queries = read_records(folder / "queries.csv", warn=lambda message: None)
    truth = truth_of(folder)
    row_of = {
        pk: n
        for n, pk in enumerate(LpdPupil.objects.order_by("file_id").values_list("pk", flat=True))
    }

    for record in queries[: args.warmup]:
        selectors.lpd_search(searcher, record)
    with CaptureQueriesContext(connection) as captured:
        selectors.lpd_search(searcher, queries[0])
    queries_per_search = len(captured.captured_queries)

    times: list[float] = []
    cpu: list[float] = []
    scored: list[int] = []
    withheld = top_right = with_truth = 0
    load_before = os.getloadavg()
    for record in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        found = selectors.lpd_search(searcher, record)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        withheld += sum(1 for c in found if c.withheld)
        expected = truth.get(record.id, set())
        if expected:
            with_truth += 1
            top_right += bool(found) and row_of[found[0].pupil.pk] in expected
    # What the page adds: the audit event and the activity row, in their transaction.
    recorded: list[float] = []
    for record in queries[:200]:
        started = time.perf_counter()
        found = selectors.lpd_search(searcher, record)
        services.lpd_search_record(
            authority_id=searcher.authority_id,
            actor=officer,
            fields=["forename", "surname", "date_of_birth"],
            results=len(found),
            withheld=sum(1 for c in found if c.withheld),
        )
        recorded.append((time.perf_counter() - started) * 1000)
    for record in queries[:500]:
        keys = engine.query_keys(engine.prepare(record))
        scored.append(len(selectors._candidate_ids(keys)))

    vendor = connection.vendor
    # The plan of the key lookup, to show it reads the covering index only.
    sample = selectors._candidate_ids(engine.query_keys(engine.prepare(queries[0])))
    print(sample.explain(analyze=True) if vendor == "postgresql" else sample.explain())
    version = (
        connection.Database.sqlite_version
        if vendor == "sqlite"
        else connection.cursor().connection.info.server_version
    )
    result = {
        "database": f"{vendor} {version}",
        "pupils": LpdPupil.objects.count(),
        "keys": LpdKey.objects.count(),
        "searches": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(percentile(cpu, 95), 2),
        "with_audit_p50_ms": round(statistics.median(recorded), 2),
        "with_audit_p95_ms": round(percentile(recorded, 95), 2),
        "queries_per_search": queries_per_search,
        "candidates_p50": statistics.median(scored),
        "candidates_p95": percentile([float(n) for n in scored], 95),
        "candidates_max": max(scored),
        "top_candidate_correct": round(top_right / max(1, with_truth), 4),
        "queries_with_truth": with_truth,
        "withheld_results": withheld,
        "model": model.version,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }
    for name, value in result.items():
        print(f"{name:>22}: {value}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
