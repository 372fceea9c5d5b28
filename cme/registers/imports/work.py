"""The background work of an import: checking every row, then applying the file.

Each step first claims the batch with a conditional update (`status = from` → `to`), so a batch is
worked by one worker only, however many are running. Checking changes nothing but the batch.
Applying runs in one transaction with the step's final status change: either the whole file is in
the registers and the batch says applied, or nothing is and the batch says failed (recorded in a
transaction of its own, after the rollback).

Logs name the batch and the kind of failure only: exception messages can quote a pupil's details.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from cme.core import audit
from cme.core.models import AuditAction
from cme.matching import hooks as matching
from cme.registers.imports import alerts
from cme.registers.imports.apply import establishment_plan_write, roll_plan_write
from cme.registers.imports.checks import (
    Checked,
    EstablishmentRow,
    Progress,
    PupilRow,
    check_establishments,
    check_roll,
)
from cme.registers.imports.csvfile import LAYOUTS, FileRefused, read_header
from cme.registers.imports.plans import EstablishmentPlan, RollPlan, establishment_plan, roll_plan
from cme.registers.models import Establishment, ImportBatch, ImportKind, ImportStatus

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "The import stopped because of an error. Nothing was changed. Upload the file again; if "
    "this happens again, tell your system administrator the import number."
)
STALE_MESSAGE = (
    "The register changed after this file was checked (perhaps another import was applied), so "
    "what you confirmed is no longer what would happen. Nothing was changed. Upload the file "
    "again to see a new preview."
)
NO_LONGER_VALID = (
    "The file no longer passes the checks (the register changed after it was checked). Nothing "
    "was changed. Upload the file again to see the problems."
)


class ImportStopped(Exception):
    """Applying stopped for a reason the person can act on; the message is shown to them."""


def batch_move(
    batch_id: int, from_status: ImportStatus, to_status: ImportStatus, **fields: Any
) -> bool:
    """Move a batch on only if it is still where the caller expects it: the claim and every
    finish. False means another worker (or a person cancelling) got there first."""
    moved = ImportBatch.objects.filter(pk=batch_id, status=from_status).update(
        status=to_status, heartbeat_at=timezone.now(), **fields
    )
    return moved == 1


def _checked(
    batch: ImportBatch, progress: Progress | None = None
) -> Checked[PupilRow] | Checked[EstablishmentRow]:
    header = read_header(batch.content, LAYOUTS[ImportKind(batch.kind)])
    if batch.kind == ImportKind.ROLL:
        return check_roll(batch.content, header, today=timezone.localdate(), progress=progress)
    return check_establishments(
        batch.content, header, la_code=batch.authority.la_code, progress=progress
    )


def _plan(
    batch: ImportBatch, checked: Checked[PupilRow] | Checked[EstablishmentRow]
) -> RollPlan | EstablishmentPlan:
    if batch.kind == ImportKind.ROLL:
        assert batch.establishment is not None
        return roll_plan(batch.establishment, [r for r in checked.rows if isinstance(r, PupilRow)])
    return establishment_plan(
        batch.authority.la_code, [r for r in checked.rows if isinstance(r, EstablishmentRow)]
    )


def _ignored(batch: ImportBatch) -> list[str]:
    try:
        return list(read_header(batch.content, LAYOUTS[ImportKind(batch.kind)]).ignored)
    except FileRefused:
        return []


def import_batch_validate(*, batch_id: int) -> bool:
    """Check every row of an uploaded batch and work out the preview. False if not claimed."""
    if not batch_move(batch_id, ImportStatus.UPLOADED, ImportStatus.VALIDATING, rows_done=0):
        return False
    batch = ImportBatch.objects.select_related("authority", "establishment").get(pk=batch_id)

    def progress(done: int) -> None:
        ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.VALIDATING).update(
            rows_done=done, heartbeat_at=timezone.now()
        )

    finished = {"finished_at": timezone.now(), "rows_done": batch.total_rows}
    try:
        checked = _checked(batch, progress)
        summary: dict[str, Any] = {
            "rows": checked.row_count,
            "errors": checked.error_count,
            "ignored_columns": _ignored(batch),
        }
        if checked.error_count:
            batch_move(
                batch_id,
                ImportStatus.VALIDATING,
                ImportStatus.INVALID,
                summary=summary,
                errors=[error.as_json() for error in checked.errors],
                content="",
                **finished,
            )
            return True
        plan = _plan(batch, checked)
        if isinstance(plan, RollPlan):
            summary["alerts"] = len(
                alerts.matches_for(
                    authority_id=batch.authority_id,
                    establishment=plan.establishment,
                    rows=[r for r in checked.rows if isinstance(r, PupilRow)],
                )
            )
        batch_move(
            batch_id,
            ImportStatus.VALIDATING,
            ImportStatus.READY,
            summary={**summary, **plan.counts()},
            preview=plan.preview(),
            plan_digest=plan.digest,
            rows_done=batch.total_rows,
        )
    except FileRefused as refused:
        batch_move(
            batch_id,
            ImportStatus.VALIDATING,
            ImportStatus.INVALID,
            errors=[{"row": 1, "column": "", "message": str(refused)}],
            summary={"rows": batch.total_rows, "errors": 1},
            content="",
            **finished,
        )
    except Exception as problem:
        logger.error("import %s failed while checking (%s)", batch_id, type(problem).__name__)
        batch_move(
            batch_id,
            ImportStatus.VALIDATING,
            ImportStatus.FAILED,
            failure=FAILED_MESSAGE,
            content="",
            finished_at=timezone.now(),
        )
    return True


def _apply(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("authority", "establishment", "confirmed_by").get(
        pk=batch_id
    )
    if batch.kind == ImportKind.ROLL:
        # One import of an establishment's roll at a time (a row lock on PostgreSQL; SQLite
        # already lets one writer in).
        assert batch.establishment_id is not None
        Establishment.objects.select_for_update().get(pk=batch.establishment_id)
    checked = _checked(batch)
    if checked.error_count:
        raise ImportStopped(NO_LONGER_VALID)
    plan = _plan(batch, checked)
    if plan.digest != batch.plan_digest:
        raise ImportStopped(STALE_MESSAGE)
    counts: dict[str, Any] = {**plan.counts(), "rows": checked.row_count}
    if isinstance(plan, RollPlan):
        roll_plan_write(plan)
        rows = [r for r in checked.rows if isinstance(r, PupilRow)]
        matches = alerts.matches_for(
            authority_id=batch.authority_id, establishment=plan.establishment, rows=rows
        )
        raised = alerts.alerts_raise(
            batch=batch,
            establishment=plan.establishment,
            matches=matches,
            actor=batch.confirmed_by,
            today=timezone.localdate(),
        )
        counts["alerts"] = len(raised)
        matching.roll_imported(plan.establishment, batch.authority_id)
    else:
        establishment_plan_write(plan)
    audit.record(
        action=AuditAction.IMPORTED,
        actor=batch.confirmed_by,
        target=batch,
        authority_id=batch.authority_id,
        payload={"kind": batch.kind, "establishment": batch.establishment_id, **counts},
    )
    moved = batch_move(
        batch_id,
        ImportStatus.APPLYING,
        ImportStatus.APPLIED,
        summary={**batch.summary, **counts},
        content="",
        rows_done=batch.total_rows,
        finished_at=timezone.now(),
    )
    if not moved:
        raise ImportStopped("This import was stopped before it finished. Nothing was changed.")


def import_batch_fail(*, batch_id: int, message: str, from_status: ImportStatus) -> bool:
    """Mark a batch failed (after its work was rolled back), with the reason for the person."""
    with transaction.atomic():
        batch = ImportBatch.objects.filter(pk=batch_id).first()
        moved = batch_move(
            batch_id,
            from_status,
            ImportStatus.FAILED,
            failure=message[:300],
            content="",
            finished_at=timezone.now(),
        )
        if moved and batch is not None:
            audit.record(
                action=AuditAction.UPDATED,
                actor=batch.confirmed_by,
                target=batch,
                authority_id=batch.authority_id,
                payload={"kind": batch.kind, "status": ImportStatus.FAILED.value},
            )
    return moved


def import_batch_apply(*, batch_id: int) -> bool:
    """Apply a confirmed batch, all or nothing. False if it was not waiting to be applied."""
    if not batch_move(batch_id, ImportStatus.CONFIRMED, ImportStatus.APPLYING):
        return False
    try:
        with transaction.atomic():
            _apply(batch_id)
    except ImportStopped as stopped:
        import_batch_fail(
            batch_id=batch_id, message=str(stopped), from_status=ImportStatus.APPLYING
        )
    except Exception as problem:
        logger.error("import %s failed while applying (%s)", batch_id, type(problem).__name__)
        import_batch_fail(
            batch_id=batch_id, message=FAILED_MESSAGE, from_status=ImportStatus.APPLYING
        )
    return True
