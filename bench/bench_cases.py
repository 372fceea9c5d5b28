"""Server time and queries per page for the case list, "My work" and the case page.

    CME_VAR_DIR=/tmp/cmebench-sqlite .venv/bin/python bench/bench_cases.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cme_bench .venv/bin/python bench/bench_cases.py

Runs in this process with Django's test client against a database filled by bench/seed_cases.py,
signed in as its CME officer (who has TOTP set up, so the second-factor middleware lets them
through). Settings are the project's own (DEBUG off). Each scenario is requested `--warmup` times,
then timed `--repeat` times (time.perf_counter around client.get: the whole middleware stack,
view, queries and template rendering, without the network); then requested once more inside
CaptureQueriesContext to count its queries and their database time. Percentiles are nearest-rank.

Prints a Markdown table; `--json FILE` also writes the numbers, `--target MS` marks p95 misses.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")

import django

django.setup()

from django.db import DEFAULT_DB_ALIAS, connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.utils import DatabaseErrorWrapper  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cme.accounts.models import User  # noqa: E402
from cme.cases.models import Case, CaseEvent, Stage  # noqa: E402
from cme.cases.selectors import SORTS  # noqa: E402
from cme.cases.views import TIMELINE_PAGE  # noqa: E402
from cme.children.models import Child  # noqa: E402

OFFICER_EMAIL = "officer@bench.example"
OWNER_EMAIL = "caseworker5@bench.example"


@dataclass
class Scenario:
    name: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    expect: str = ""  # text the page must contain, to be sure it is the page we meant


@dataclass
class Result:
    name: str
    requests: int
    p50: float
    p95: float
    max: float
    cpu_p50: float
    queries: str
    db_ms: float
    kib: float
    load: float

    def row(self, target: float | None) -> str:
        mark = ""
        if target is not None:
            mark = " | yes" if self.p95 <= target else " | **no**"
        return (
            f"| {self.name} | {self.p50:.1f} | {self.p95:.1f} | {self.max:.1f}"
            f" | {self.cpu_p50:.1f} | {self.queries}"
            f" | {self.db_ms:.1f} | {self.kib:.0f} | {self.load:.1f}{mark} |"
        )


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def list_scenarios(officer: User) -> list[Scenario]:
    authority_id = officer.membership.authority_id  # type: ignore[union-attr]
    owner = User.objects.get(email=OWNER_EMAIL)
    # Search inputs from the data: an open case (the list shows open cases unless asked) whose
    # child has a UPN and a date of birth, chosen by a fixed seed.
    searchable = (
        Case.objects.filter(
            authority_id=authority_id,
            child__is_restricted=False,
            child__date_of_birth__isnull=False,
        )
        .exclude(stage=Stage.CLOSED)
        .exclude(child__upn="")
        .select_related("child")
        .order_by("pk")
    )
    rnd = random.Random(7)  # noqa: S311 (repeatable choice)
    case = searchable[rnd.randrange(min(1000, searchable.count()))]
    child = case.child
    common = (
        Child.objects.filter(authority_id=authority_id)
        .values("surname")
        .annotate(n=Count("pk"))
        .order_by("-n", "surname")
        .first()
    )
    assert common is not None
    found = case.reference
    cases = "/cases/"
    scenarios = [
        Scenario("list: default (open, newest first)", cases),
        Scenario("list: stage = locating", cases, {"stage": Stage.LOCATING.value}),
        Scenario(
            "list: priority urgent + owner",
            cases,
            {"priority": "1_urgent", "owner": str(owner.pk)},
        ),
        Scenario("list: overdue", cases, {"overdue": "on"}),
        Scenario("list: vulnerable group (runaway)", cases, {"vulnerable": "runaway"}),
        Scenario("list: year group 7", cases, {"year_group": "7"}),
    ]
    for key in SORTS:
        for sort in (key, f"-{key}"):
            scenarios.append(Scenario(f"list: sort {sort}", cases, {"sort": sort}))
    scenarios += [
        Scenario(
            f"search: common surname prefix ({len(common['surname'][:3])} letters)",
            cases,
            {"q": common["surname"][:3].lower()},
        ),
        Scenario("search: surname prefix (4 letters)", cases, {"q": child.surname[:4].lower()}),
        Scenario(
            "search: full name", cases, {"q": f"{child.forename} {child.surname}"}, expect=found
        ),
        Scenario(
            "search: date of birth",
            cases,
            {"q": child.date_of_birth.strftime("%d/%m/%Y")},  # type: ignore[union-attr]
            expect=found,
        ),
        Scenario("search: UPN", cases, {"q": child.upn}, expect=found),
        Scenario("search: case reference", cases, {"q": case.reference}, expect=found),
        Scenario("list: page 50", cases, {"page": "50"}),
        Scenario("my work", "/my-work/"),
    ]
    return scenarios


def case_ids(officer: User, *, random_count: int, heavy_count: int) -> tuple[list[int], list[int]]:
    """Random cases of the officer's authority, and the ones with the most timeline events."""
    authority_id = officer.membership.authority_id  # type: ignore[union-attr]
    heavy = list(
        CaseEvent.objects.filter(case__authority_id=authority_id)
        .values("case_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "case_id")
        .values_list("case_id", flat=True)[:heavy_count]
    )
    every = list(
        Case.objects.filter(authority_id=authority_id).order_by("pk").values_list("pk", flat=True)
    )
    rnd = random.Random(11)  # noqa: S311 (repeatable choice)
    pool = [pk for pk in every if pk not in set(heavy)]
    return sorted(rnd.sample(pool, min(random_count, len(pool)))), heavy


class _Stopwatch(DatabaseErrorWrapper):
    """Django enters this around every call into the database driver (connect, execute, fetch,
    commit): timing it gives the database's share of a request, rows fetched included. (An
    execute wrapper would miss SQLite's fetches, where much of a query's work happens.)"""

    def __init__(self, wrapper: Any, spent: list[float]) -> None:
        super().__init__(wrapper)
        self.spent, self.started = spent, [0.0]

    def __enter__(self) -> None:
        self.started.append(time.perf_counter())

    def __exit__(self, *exc: Any) -> None:
        self.spent.append(time.perf_counter() - self.started.pop())
        super().__exit__(*exc)


class Bench:
    def __init__(
        self, client: Client, *, warmup: int, repeat: int, max_load: float | None, max_wait: float
    ) -> None:
        self.client, self.warmup, self.repeat = client, warmup, repeat
        self.max_load, self.max_wait = max_load, max_wait

    def wait_for_quiet(self) -> float:
        """On a shared machine, wait (up to max_wait s) for the 1-minute load to fall to max_load.

        Returns the 1-minute load average when the scenario starts."""
        deadline = time.monotonic() + self.max_wait
        while (
            self.max_load is not None
            and os.getloadavg()[0] > self.max_load
            and time.monotonic() < deadline
        ):
            time.sleep(2)
        return os.getloadavg()[0]

    def get(self, scenario: Scenario) -> tuple[float, float, bytes]:
        """Wall-clock ms, this process's CPU ms (not the PostgreSQL server's), and the page."""
        cpu, start = time.process_time(), time.perf_counter()
        response = self.client.get(scenario.path, scenario.params)
        elapsed = (time.perf_counter() - start) * 1000
        cpu = (time.process_time() - cpu) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{scenario.name}: HTTP {response.status_code} from {scenario.path}")
        return elapsed, cpu, response.content

    def counted(self, scenario: Scenario) -> tuple[int, float, int]:
        spent: list[float] = []
        wrapper = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the proxy
        wrapper.__dict__["wrap_database_errors"] = _Stopwatch(wrapper, spent)
        try:
            with CaptureQueriesContext(connection) as captured:
                *_, content = self.get(scenario)
        finally:
            del wrapper.__dict__["wrap_database_errors"]
        if scenario.expect and scenario.expect.encode() not in content:
            raise SystemExit(f"{scenario.name}: {scenario.expect!r} is not on the page")
        db_ms = sum(spent) * 1000
        return len(captured), db_ms, len(content)

    def run(self, name: str, scenarios: list[Scenario]) -> Result:
        """Time every scenario in the group `repeat` times; one result for the whole group."""
        load = self.wait_for_quiet()
        for scenario in scenarios:
            for _ in range(self.warmup):
                self.get(scenario)
        samples, cpu = [], []
        for _ in range(self.repeat):
            for scenario in scenarios:
                elapsed, used, _ = self.get(scenario)
                samples.append(elapsed)
                cpu.append(used)
        counts = [self.counted(scenario) for scenario in scenarios]
        queries = sorted({c[0] for c in counts})
        return Result(
            name=name,
            requests=len(samples),
            p50=percentile(samples, 50),
            p95=percentile(samples, 95),
            max=max(samples),
            cpu_p50=percentile(cpu, 50),
            queries="–".join(str(q) for q in (queries[0], queries[-1]))
            if len(queries) > 1
            else str(queries[0]),
            db_ms=sorted(c[1] for c in counts)[len(counts) // 2],
            kib=sorted(c[2] for c in counts)[len(counts) // 2] / 1024,
            load=load,
        )


def _load(load: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.2f}" for x in load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--random-cases", type=int, default=40)
    parser.add_argument("--heavy-cases", type=int, default=10)
    parser.add_argument("--target", type=float, default=150.0, help="p95 target in ms")
    parser.add_argument("--only", help="run only scenarios whose name contains this text")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--max-load",
        type=float,
        help="before each scenario, wait until the 1-minute load average is at most this",
    )
    parser.add_argument("--max-wait", type=float, default=180, help="seconds to wait at most")
    args = parser.parse_args()

    officer = User.objects.get(email=OFFICER_EMAIL)
    # The test client's host name; settings are otherwise left as they are.
    client = Client(SERVER_NAME="localhost")
    client.force_login(officer)
    bench = Bench(
        client,
        warmup=args.warmup,
        repeat=args.repeat,
        max_load=args.max_load,
        max_wait=args.max_wait,
    )

    cases = Case.objects.count()
    events = CaseEvent.objects.count()
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            header = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        header = f"SQLite {connection.Database.sqlite_version}"
    load_before = os.getloadavg()
    print(f"# {header}: {db['NAME']} — {cases:,} cases, {events:,} events", flush=True)

    groups: list[tuple[str, list[Scenario]]] = [(s.name, [s]) for s in list_scenarios(officer)]
    randoms, heavy = case_ids(officer, random_count=args.random_cases, heavy_count=args.heavy_cases)
    heaviest = heavy[0]
    last_page = math.ceil(CaseEvent.objects.filter(case_id=heaviest).count() / TIMELINE_PAGE)
    reference = Case.objects.get(pk=heaviest).reference
    groups += [
        (
            f"case page: {len(randoms)} random cases",
            [Scenario("case", f"/cases/{pk}/") for pk in randoms],
        ),
        (
            f"case page: {len(heavy)} cases with most events",
            [Scenario("case", f"/cases/{pk}/") for pk in heavy],
        ),
        (
            f"case page: last timeline page ({last_page}) of the heaviest",
            [
                Scenario(
                    "case", f"/cases/{heaviest}/", {"timeline": str(last_page)}, expect=reference
                )
            ],
        ),
    ]
    if args.only:
        groups = [g for g in groups if args.only in g[0]]

    print(
        "\n| scenario | p50 ms | p95 ms | max ms | CPU p50 ms | queries | DB ms | KiB | load |"
        " p95 ≤ target |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    results = []
    for name, scenarios in groups:
        result = bench.run(name, scenarios)
        results.append(result)
        print(result.row(args.target), flush=True)
    load_after = os.getloadavg()
    misses = [r.name for r in results if r.p95 > args.target]
    print(
        f"\n{len(results) - len(misses)} of {len(results)} scenarios meet p95 ≤ {args.target:g} ms."
    )
    print(f"Load average (1, 5, 15 min) before: {_load(load_before)}; after: {_load(load_after)}.")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "vendor": connection.vendor,
                    "cases": cases,
                    "events": events,
                    "repeat": args.repeat,
                    "load_before": load_before,
                    "load_after": load_after,
                    "results": [asdict(r) for r in results],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
