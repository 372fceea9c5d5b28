"""Drive one loopback deployment from the two-deployment test: `python -m
tests.two_deployments.deployment '<json list of steps>'`, run with CME_VAR_DIR set to the
deployment's own folder. Prints one JSON list: each step's result.

Steps are [name, *args]. Several steps share one process, because starting Django is the slow
part of the test.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def _setup(la_code: str, name: str, with_case: bool) -> dict[str, Any]:
    from cme.accounts.models import Authority, Membership, Role, User
    from cme.enquiries import services

    authority = Authority.objects.create(name=name, la_code=la_code)
    people = {}
    for role in (Role.CME_OFFICER, Role.CME_MANAGER):
        user = User.objects.create_user(
            f"{role.value}@{la_code}.example", None, full_name=f"{role.label} of {la_code}"
        )
        Membership.objects.create(user=user, authority=authority, role=role)
        people[role.value] = user.pk
    result: dict[str, Any] = {"public_key": services.directory_entry_for(authority).public_key}
    if with_case:
        from cme.enquiries.tests.factories import full_case

        officer = User.objects.get(pk=people["cme_officer"])
        result["case"] = full_case(authority, officer).pk
    return result


def _send(case_pk: int, to_code: str) -> dict[str, Any]:
    from cme.accounts.models import User
    from cme.cases.models import Case
    from cme.enquiries import services
    from cme.enquiries.models import DirectoryEntry

    case = Case.objects.get(pk=case_pk)
    officer = User.objects.get(email=f"cme_officer@{case.authority.la_code}.example")
    draft = services.enquiry_prepare(
        case=case,
        actor=officer,
        to=DirectoryEntry.objects.get(la_code=to_code),
        reason="The mother's new tenancy is in your area",
        extra={"possible_new_address": "Flat 3, 88 Tannery Lane"},
    )
    return {"status": services.enquiry_send(enquiry=draft, actor=officer).status}


def _answer() -> dict[str, Any]:
    from django.utils import timezone

    from cme.accounts.models import User
    from cme.enquiries import services
    from cme.enquiries.models import Direction, Enquiry

    enquiry = Enquiry.objects.get(direction=Direction.INCOMING)
    officer = User.objects.get(email=f"cme_officer@{enquiry.authority.la_code}.example")
    services.incoming_assess(enquiry=enquiry, actor=officer, risk="medium", notes="")
    services.check_record(
        enquiry=enquiry,
        actor=officer,
        kind="home_visit",
        made_on=timezone.localdate(),
        outcome="Family at the address",
    )
    answered = services.incoming_answer(
        enquiry=enquiry, actor=officer, answer="found_at_address", message="Seen at home"
    )
    return {"status": answered.status}


def _replay() -> dict[str, Any]:
    """Put the delivered messages back in the outbox, as if their acknowledgement was lost."""
    from django.utils import timezone

    from cme.enquiries.models import Delivery, OutboxMessage

    count = OutboxMessage.objects.update(status=Delivery.PENDING, next_attempt_at=timezone.now())
    return {"requeued": count}


def _state() -> dict[str, Any]:
    from cme.cases.models import Case
    from cme.core.models import AuditEvent
    from cme.enquiries.models import Direction, Enquiry, OutboxMessage, ReceivedMessage

    return {
        "incoming": [
            {"status": e.status, "details": e.details, "their_reference": e.their_reference}
            for e in Enquiry.objects.filter(direction=Direction.INCOMING)
        ],
        "outgoing": [
            {"status": e.status, "answer": e.answer, "message": e.answer_message}
            for e in Enquiry.objects.filter(direction=Direction.OUTGOING)
        ],
        "outbox": [(m.kind, m.status, m.attempts) for m in OutboxMessage.objects.all()],
        "received": ReceivedMessage.objects.count(),
        "cases": [(c.stage, c.outcome) for c in Case.objects.all()],
        "refused": [
            e.payload.get("refused")
            for e in AuditEvent.objects.filter(target_type="enquiries.message").order_by("seq")
        ],
    }


def run(steps: list[list[Any]]) -> list[Any]:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from cme.enquiries import services, transport

    results: list[Any] = []
    for name, *args in steps:
        if name == "init":
            call_command("migrate", run_syncdb=True, verbosity=0)
            results.append("ok")
        elif name == "setup":
            results.append(_setup(args[0], args[1], bool(args[2])))
        elif name == "remote":
            services.directory_remote_save(
                actor=None, la_code=args[0], name=args[1], base_url=args[2], public_key=args[3]
            )
            results.append("ok")
        elif name == "send":
            results.append(_send(int(args[0]), args[1]))
        elif name == "drain":
            # An optional number of seconds from now: the backoff has passed by then.
            ahead = timedelta(seconds=int(args[0])) if args else timedelta(0)
            results.append(transport.outbox_drain(now=timezone.now() + ahead))
        elif name == "answer":
            results.append(_answer())
        elif name == "replay":
            results.append(_replay())
        elif name == "state":
            results.append(_state())
        else:
            raise SystemExit(f"unknown step {name}")
    return results


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.two_deployments.settings")
    import django

    django.setup()
    print(json.dumps(run(json.loads(sys.argv[1]))))
