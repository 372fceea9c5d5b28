"""`cme demo`: load the fictional demo data, or print the demo sign-ins in demo mode.

cme demo                   build whatever is missing (idempotent) and print counts
cme demo --if-empty        the same, but only when no authority exists yet
cme demo --print-logins    one line per demo user, ROLE EMAIL PASSWORD

Every form needs CME_DEMO=1: demo users share a published password.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cme.demo.build import demo_build, demo_counts, demo_data_exists, demo_logins
from cme.demo.catalogue import DEFAULT_PUPILS


class Command(BaseCommand):
    help = "Load fictional demo data (Exampleshire and Otherborough), or print the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="Print ROLE EMAIL PASSWORD for each demo user (only in demo mode, CME_DEMO=1).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load the demo only when no authority exists yet.",
        )
        parser.add_argument(
            "--pupils",
            type=int,
            default=DEFAULT_PUPILS,
            help=f"Pupils on Exampleshire's roll (default {DEFAULT_PUPILS:,}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CME_DEMO:
            # Demo users share a published password: they must never appear on a live service.
            raise CommandError(
                "Demo mode is off, so no demo data was loaded. Run with CME_DEMO=1, and only on a "
                "service that holds no real records."
            )
        if options["print_logins"]:
            self._print_logins()
            return
        if options["if_empty"] and demo_data_exists():
            self.stdout.write("An authority already exists, so the demo data was not loaded.")
            return
        if options["pupils"] < 0:
            raise CommandError("--pupils cannot be negative.")
        started = time.monotonic()
        added = demo_build(pupils=options["pupils"])
        seconds = time.monotonic() - started
        total = demo_counts()
        self.stdout.write(
            f"Demo data ready ({seconds:.1f}s): {total.authorities} authorities, "
            f"{total.establishments} establishments, {total.agencies} partner agencies, "
            f"{total.users} demo users, {total.pupils_on_roll:,} pupils on roll, {total.terms} terms, "
            f"{total.cases} cases."
        )
        self.stdout.write(
            f"Added this run: {added.authorities} authorities, {added.establishments} "
            f"establishments, {added.agencies} partner agencies, {added.users} demo users, "
            f"{added.pupils_on_roll:,} pupils on roll, {added.terms} terms, {added.cases} cases."
        )

    def _print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self.stderr.write("There are no demo users yet: run `cme demo` first.")
        for login in logins:
            self.stdout.write(f"{login.role} {login.email} {login.password}")
