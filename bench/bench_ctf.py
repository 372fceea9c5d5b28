"""Reading a 2,000-pupil Common Transfer File: wall time and peak memory.

    python bench/bench_ctf.py [--pupils 2000] [--repeat 5] [--keep FILE] [--json FILE]
    DATABASE_URL=postgres://…/bench_ctf python bench/bench_ctf.py --import [--pupils 2000]

Writes a CTF of `--pupils` full records (every block CME reads: addresses, contacts, attendance,
school history, SEN, FSM, languages, looked after, assessments) with the project's writer, then
reads it in a fresh Python process with `read_ctf` — with XSD validation of every part (what an
upload does) and without — and reports, per mode, the wall time of each read (first, median,
max), the median CPU time (the machine may be shared), and the peak memory of the first read:
the growth of the process's maximum resident set size (`ru_maxrss`, which counts lxml's C
allocations) over the process after imports, plus tracemalloc's peak of Python allocations in a
separate read. Target (issue 6): ≤ 2 s and ≤ 200 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cme.transfers.ctf import read_ctf, write_ctf  # noqa: E402
from cme.transfers.ctf.samples import full_pupil, sample_header  # noqa: E402

MB = 1024 * 1024


def maxrss_bytes() -> int:
    # Linux reports kilobytes (macOS bytes); the benchmark machine is Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def write_file(path: Path, pupils: int) -> float:
    started = time.perf_counter()
    with path.open("wb") as out:
        write_ctf(sample_header(), (full_pupil(n) for n in range(1, pupils + 1)), out)
    return time.perf_counter() - started


def measure(path: Path, validate: bool, streaming: bool, repeat: int) -> dict[str, object]:
    """Runs in the child process: `repeat` timed reads (memory from the first), then one read
    under tracemalloc."""
    from cme.transfers.ctf.validate import ctf_schema

    ctf_schema()  # loaded once per process, like a server would
    baseline = maxrss_bytes()
    counted = [0]

    def count(_pupil: object) -> None:
        counted[0] += 1

    # Streaming: each pupil goes to a callback and is dropped, as an import would do.
    on_pupil = count if streaming else None
    times, cpu_times, rss_peak = [], [], 0
    for _ in range(repeat):
        counted[0] = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        ctf = read_ctf(path, validate=validate, on_pupil=on_pupil)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
        rss_peak = rss_peak or maxrss_bytes()
    pupils_read = counted[0] if streaming else len(ctf.pupils)
    tracemalloc.start()
    read_ctf(path, validate=validate, on_pupil=on_pupil)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "validate": validate,
        "streaming": streaming,
        "pupils_read": pupils_read,
        "errors": len(ctf.errors),
        "first_s": round(times[0], 3),
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "cpu_median_s": round(statistics.median(cpu_times), 3),
        "rss_baseline_mb": round(baseline / MB, 1),
        "rss_peak_mb": round(rss_peak / MB, 1),
        "rss_growth_mb": round((rss_peak - baseline) / MB, 1),
        "tracemalloc_peak_mb": round(python_peak / MB, 1),
    }


MODES = [(True, False), (False, False), (True, True)]  # (XSD per part, streaming)
COLUMNS = [
    ("XSD", "validate"),
    ("pupils kept/streamed", "streaming"),
    ("pupils", "pupils_read"),
    ("errors", "errors"),
    ("first s", "first_s"),
    ("median s", "median_s"),
    ("max s", "max_s"),
    ("CPU median s", "cpu_median_s"),
    ("RSS after imports MB", "rss_baseline_mb"),
    ("RSS peak MB", "rss_peak_mb"),
    ("RSS growth MB", "rss_growth_mb"),
    ("tracemalloc peak MB", "tracemalloc_peak_mb"),
]


def cell(row: dict[str, object], key: str) -> str:
    if key == "validate":
        return "yes" if row[key] else "no"
    if key == "streaming":
        return "streamed" if row[key] else "kept"
    return str(row[key])


def distinct_pupils(count: int, seed: int) -> list[Any]:
    """Full records with the synthetic population's names, dates of birth, addresses and UPNs
    (bench/synth.py), so that, as in a real file, the pupils are different children."""
    from datetime import date

    from cme.transfers.ctf import Address, Contact

    sys.path.insert(0, str(HERE))
    from synth import generate

    people = generate("lookup", count, 1, seed=seed).register
    pupils: list[Any] = []
    for number, person in enumerate(people, start=1):
        base = full_pupil(number)
        pupils.append(
            dataclasses.replace(
                base,
                upn=person["upn"],
                former_upns=(),
                surname=person["surname"],
                forename=person["forename"],
                middle_names=person["middle_names"],
                preferred_surname="",
                preferred_forename="",
                former_surname=person["former_surname"],
                dob=date.fromisoformat(person["dob"]),
                sex=person["sex"],
                addresses=(Address(lines=(person["address"],), postcode=person["postcode"]),),
                contacts=tuple(
                    dataclasses.replace(contact, surname=person["surname"])
                    for contact in base.contacts
                    if isinstance(contact, Contact)
                ),
            )
        )
    return pupils


def bench_import(pupils: int, repeat_preview: int) -> None:
    """Store, preview and import a lost-pupil CTF of `pupils` full records into the database
    DATABASE_URL names (a scratch one: it creates an authority 801 and an officer), then import
    it again (the idempotent path). Times each step with perf_counter and counts queries."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")
    import django

    django.setup()
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cme.accounts.models import Authority, Membership, Role, User
    from cme.children.models import Child
    from cme.transfers import services

    authority, _ = Authority.objects.get_or_create(
        la_code="801", defaults={"name": "Benchshire Council"}
    )
    officer, _ = User.objects.get_or_create(
        email="ctf-officer@bench.example", defaults={"full_name": "Bench officer"}
    )
    Membership.objects.get_or_create(user=officer, authority=authority, role=Role.CME_OFFICER)
    run = int(time.time())
    out = io.BytesIO()
    header = sample_header("XXX", "XXXX")
    # A different file each run (a new date), so the sha256 does not find an earlier upload.
    header = dataclasses.replace(header, supplier_id=f"B{run}")
    write_ctf(header, distinct_pupils(pupils, seed=run), out)
    content = out.getvalue()
    before = Child.objects.count()
    steps: list[tuple[str, float, int]] = []

    def timed(name: str, work: object) -> object:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = work()  # type: ignore[operator]
            steps.append((name, time.perf_counter() - started, len(queries)))
        return result

    stored = timed(
        "store (read, XSD, save)",
        lambda: services.ctf_upload_store(actor=officer, authority=authority, content=content),
    )
    upload = stored.upload  # type: ignore[attr-defined]
    for number in range(repeat_preview):
        timed(
            f"preview {number + 1} (match every pupil)", lambda: services.ctf_preview(upload=upload)
        )
    summary = timed("import", lambda: services.ctf_import(actor=officer, upload=upload))
    timed(
        "import again (nothing changes)", lambda: services.ctf_import(actor=officer, upload=upload)
    )
    print(f"{pupils} pupils, {len(content) / MB:.1f} MB; load average {os.getloadavg()[0]:.2f}")
    print(f"children before {before}, after {Child.objects.count()}; {summary}")
    print()
    print("| step | seconds | queries |")
    print("|---|---|---|")
    for name, seconds, queries in steps:
        print(f"| {name} | {seconds:.2f} | {queries} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the CTF here and keep it")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument(
        "--import",
        dest="import_",
        action="store_true",
        help="store, preview and import into DATABASE_URL's database (a scratch one)",
    )
    args = parser.parse_args()
    if args.import_:
        bench_import(args.pupils, 1)
        return
    if args.child:
        file, validate, streaming, repeat = args.child
        print(json.dumps(measure(Path(file), validate == "1", streaming == "1", int(repeat))))
        return

    with tempfile.TemporaryDirectory() as scratch:
        path = args.keep or Path(scratch) / "bench.ctf.xml"
        write_s = write_file(path, args.pupils)
        size_mb = path.stat().st_size / MB
        rows = []
        for validate, streaming in MODES:
            flags = [str(int(validate)), str(int(streaming)), str(args.repeat)]
            command = [sys.executable, __file__, "--child", str(path), *flags]
            output = subprocess.run(  # noqa: S603 - our own script, fixed arguments
                command, check=True, capture_output=True, text=True
            ).stdout
            rows.append(json.loads(output))

    print(f"CTF of {args.pupils} full pupils: {size_mb:.1f} MB, written in {write_s:.2f} s")
    print(f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}")
    print()
    print("| " + " | ".join(title for title, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        print("| " + " | ".join(cell(row, key) for _, key in COLUMNS) + " |")
    if args.json:
        summary = {"pupils": args.pupils, "size_mb": round(size_mb, 1), "write_s": write_s}
        args.json.write_text(json.dumps({**summary, "reads": rows}, indent=2))


if __name__ == "__main__":
    main()
