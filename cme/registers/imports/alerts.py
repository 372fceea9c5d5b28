"""A child with an open case (or tracking) who is on a roll: tell the case.

Matched on UPN (the child's, or one of their former UPNs), or on legal first name, last name and
date of birth together. Each case is told once per establishment: importing the same roll again,
or next month's roll with the child still on it, raises nothing new. The case timeline names the
school unless the child's record is restricted, when the school is withheld (§3.9.3.2).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cme.cases.models import Case, CaseEvent, EventKind, Stage, Task, TaskKind
from cme.children.upn import normalise_upn
from cme.core import audit
from cme.core.models import AuditAction
from cme.registers.imports.checks import PupilRow
from cme.registers.models import Establishment, ImportAlert, ImportBatch

TASK_TITLE = "Child appears on a school roll: check and close if registered"

NameKey = tuple[str, str, date]


@dataclass(frozen=True)
class Match:
    case: Case
    matched_on: str  # "upn", "former_upn" or "name"


def _name_key(forename: str, surname: str, born: date) -> NameKey:
    return (" ".join(forename.split()).casefold(), " ".join(surname.split()).casefold(), born)


def matches_for(
    *, authority_id: int, establishment: Establishment, rows: Iterable[PupilRow]
) -> list[Match]:
    """Open cases of the authority whose child is among `rows`, not yet told about this roll."""
    cases = (
        Case.objects.filter(authority_id=authority_id)
        .exclude(stage=Stage.CLOSED)
        .select_related("child")
        .prefetch_related("child__former_upns")
    )
    by_upn: dict[str, list[tuple[Case, str]]] = defaultdict(list)
    by_name: dict[NameKey, list[Case]] = defaultdict(list)
    for case in cases:
        child = case.child
        if child.upn:
            by_upn[normalise_upn(child.upn)].append((case, "upn"))
        for former in child.former_upns.all():
            by_upn[normalise_upn(former.upn)].append((case, "former_upn"))
        if child.date_of_birth is not None:
            by_name[_name_key(child.forename, child.surname, child.date_of_birth)].append(case)
    if not by_upn and not by_name:
        return []
    told = set(
        ImportAlert.objects.filter(establishment=establishment).values_list("case_id", flat=True)
    )
    found: dict[int, Match] = {}
    for row in rows:
        for case, how in by_upn.get(row.upn, []):
            if case.pk not in told and case.pk not in found:
                found[case.pk] = Match(case, how)
        for case in by_name.get(_name_key(row.forename, row.surname, row.date_of_birth), []):
            if case.pk not in told and case.pk not in found:
                found[case.pk] = Match(case, "name")
    return sorted(found.values(), key=lambda match: match.case.pk)


def alerts_raise(
    *,
    batch: ImportBatch,
    establishment: Establishment,
    matches: list[Match],
    actor: Any,
    today: date,
) -> list[ImportAlert]:
    """Add a timeline entry and a task to each matched case. Runs inside the import's transaction."""
    raised: list[ImportAlert] = []
    for match in matches:
        case = match.case
        where = (
            "a school roll (the school is withheld: this record is restricted)"
            if case.child.is_restricted
            else f"the roll of {establishment.name}"
        )
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            kind=EventKind.TASK,
            summary=f"Appeared on {where} (roll import {today:%-d %B %Y})",
        )
        task = Task.objects.create(
            case=case,
            kind=TaskKind.GENERAL,
            title=TASK_TITLE,
            due_on=today,
            assigned_to_id=case.owner_id,
        )
        alert = ImportAlert.objects.create(
            batch=batch, case=case, establishment=establishment, task=task
        )
        audit.record(
            action=AuditAction.CREATED,
            actor=actor,
            target=task,
            authority_id=case.authority_id,
            payload={
                "case": case.pk,
                "kind": "roll_alert",
                "import": batch.pk,
                "matched_on": match.matched_on,
            },
        )
        raised.append(alert)
    return raised
