"""Writing a plan to the registers. Called inside the import's one transaction: if anything fails
part-way, nothing of the file is kept."""

from __future__ import annotations

from cme.registers.imports.plans import ROLL_FIELDS, EstablishmentPlan, RollPlan
from cme.registers.models import Establishment, RollEntry

CHUNK = 500


def checkpoint(done: int) -> None:
    """Called after each chunk of rows is written. Does nothing; tests replace it to stop an import
    part-way and show that what was written so far is rolled back."""


def roll_plan_write(plan: RollPlan) -> None:
    establishment = plan.establishment
    done = 0
    for start in range(0, len(plan.left), CHUNK):
        chunk = plan.left[start : start + CHUNK]
        RollEntry.objects.filter(pk__in=[entry.pk for entry in chunk]).delete()
        done += len(chunk)
        checkpoint(done)
    for start in range(0, len(plan.changed), CHUNK):
        changes = plan.changed[start : start + CHUNK]
        # One UPDATE of just the changed fields per pupil: on SQLite this is ten times quicker
        # than bulk_update's CASE expressions over all fields (0.27 s against 2.5 s for 2,000).
        for entry, row, names in changes:
            RollEntry.objects.filter(pk=entry.pk).update(
                **{name: getattr(row, name) for name in names}
            )
        done += len(changes)
        checkpoint(done)
    for start in range(0, len(plan.new), CHUNK):
        rows = plan.new[start : start + CHUNK]
        RollEntry.objects.bulk_create(
            RollEntry(
                establishment=establishment,
                upn=row.upn,
                **{name: getattr(row, name) for name in ROLL_FIELDS},
            )
            for row in rows
        )
        done += len(rows)
        checkpoint(done)


def establishment_plan_write(plan: EstablishmentPlan) -> None:
    done = 0
    fields = ["urn", "name", "kind", "phase", "is_open"]
    for start in range(0, len(plan.changed), CHUNK):
        changes = plan.changed[start : start + CHUNK]
        establishments = []
        for establishment, row, _names in changes:
            for name in fields:
                setattr(establishment, name, getattr(row, name))
            establishments.append(establishment)
        Establishment.objects.bulk_update(establishments, fields)
        done += len(changes)
        checkpoint(done)
    for start in range(0, len(plan.new), CHUNK):
        rows = plan.new[start : start + CHUNK]
        Establishment.objects.bulk_create(
            Establishment(
                la_code=row.la_code,
                number=row.number,
                urn=row.urn,
                name=row.name,
                kind=row.kind,
                phase=row.phase,
                is_open=row.is_open,
            )
            for row in rows
        )
        done += len(rows)
        checkpoint(done)
