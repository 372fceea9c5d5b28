"""Server time of the reports: the dashboard, the termly report and the DfE return.

    createdb -h 127.0.0.1 -U postgres bench_reports
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports
    .venv/bin/cme migrate
    .venv/bin/python bench/seed_cases.py --cases 1000000 --events 10000000
    .venv/bin/python bench/bench_reports.py [--jit-off] [--repeat 5] [--only dashboard,return]
    dropdb -h 127.0.0.1 -U postgres bench_reports

Runs in this process with Django's test client against a database filled by bench/seed_cases.py,
signed in as one of its CME managers (given a TOTP device here, so the second-factor middleware
lets them through). The dashboard is timed as users open it (its figures kept) and as the daily
clock, the cron job or the refresh button works them out. Each page is requested `--warmup`
times, then timed `--repeat` times
(time.perf_counter around client.get or client.post: middleware, view, queries and template,
without the network); then once more inside CaptureQueriesContext, which prints each query's
own time. The DfE return is timed both as the download (POST) and as its two queries alone.
`--jit-off` runs `SET jit = off` on the connection first (PostgreSQL), to compare.

Targets (issue 9): dashboard <= 1 s and DfE return <= 5 s at 1,000,000 cases and 10,000,000
events; <= 200 ms on the demo data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cme.settings")

import django

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cme.accounts.models import Role, User  # noqa: E402
from cme.cases.models import Case, CaseEvent  # noqa: E402
from cme.reports import dfe_return  # noqa: E402
from cme.reports.terms import term_of  # noqa: E402


def timed(fn: Callable[[], object], *, warmup: int, repeat: int) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def show(name: str, samples: list[float]) -> None:
    print(
        f"| {name:<34} | {statistics.median(samples):8.0f} | {min(samples):8.0f} "
        f"| {max(samples):8.0f} |",
        flush=True,
    )


def queries_of(name: str, fn: Callable[[], object]) -> None:
    with CaptureQueriesContext(connection) as queries:
        fn()
    print(f"\n{name}: {len(queries.captured_queries)} queries")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:8.0f} ms  {query['sql'][:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jit-off", action="store_true", help="SET jit = off (PostgreSQL)")
    parser.add_argument(
        "--only", help="comma-separated: dashboard, refresh, termly, download, return (default all)"
    )
    parser.add_argument("--email", help="the manager to sign in as (default: the first manager)")
    args = parser.parse_args()

    manager = (
        User.objects.get(email=args.email)
        if args.email
        else User.objects.filter(memberships__role=Role.CME_MANAGER).order_by("pk").first()
    )
    if manager is None:
        sys.exit("No CME manager in this database: seed it with bench/seed_cases.py first.")
    if not Authenticator.objects.filter(user=manager, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(manager, generate_totp_secret())
    assert manager.membership is not None
    authority = manager.membership.authority
    if args.jit_off and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    today = timezone.localdate()
    census = dfe_return.next_census_date(today)
    previous = term_of(today).previous().code
    load = os.getloadavg()
    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: "
        f"{Case.objects.filter(authority=authority).count():,} cases in the authority, "
        f"{Case.objects.count():,} in all, {CaseEvent.objects.count():,} events; "
        f"jit {'off' if args.jit_off else 'as configured'}; "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {time.strftime('%Y-%m-%d %H:%M %Z')}\n"
    )
    census_form = {
        "census_date_0": str(census.day),
        "census_date_1": str(census.month),
        "census_date_2": str(census.year),
        "action": "download",
    }

    def page(path: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    def download() -> object:
        response = client.post("/reports/dfe-return/", census_form)
        assert response.status_code == 200
        return response

    def refresh() -> object:
        response = client.post("/reports/dashboard/refresh/")
        assert response.status_code == 302
        return response

    scenarios: dict[str, tuple[str, Callable[[], object]]] = {
        # The first warm-up request works the day's figures out if none are kept yet.
        "dashboard": ("dashboard /reports/ (figures kept)", page("/reports/")),
        "refresh": ("dashboard: work figures out (POST)", refresh),
        "termly": (f"termly report ({previous})", page(f"/reports/termly/?term={previous}")),
        "download": ("DfE return download (POST)", download),
        "return": ("DfE return queries only", lambda: dfe_return.return_rows(authority, census)),
    }
    chosen = [name.strip() for name in args.only.split(",")] if args.only else list(scenarios)
    print(f"| {'ms':<34} | {'median':>8} | {'min':>8} | {'max':>8} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for key in chosen:
        name, fn = scenarios[key]
        show(name, timed(fn, warmup=args.warmup, repeat=args.repeat))
    if "dashboard" in chosen:
        queries_of("dashboard", page("/reports/"))
    if "refresh" in chosen:
        queries_of("dashboard: work figures out", refresh)
    if {"download", "return"} & set(chosen):
        queries_of("DfE return", lambda: dfe_return.return_rows(authority, census))


if __name__ == "__main__":
    main()
