"""What a person does to an import: upload a file, confirm it, or cancel it. Each is one transaction
with its audit event; the background work (imports.work) is started by the view afterwards."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Authority, User
from cme.core import audit
from cme.core.models import AuditAction
from cme.registers.models import Establishment, ImportBatch, ImportKind, ImportStatus


class ImportRefused(Exception):
    """The import cannot move on as asked; the message says why."""


@transaction.atomic
def import_batch_create(
    *,
    actor: User,
    authority: Authority,
    kind: ImportKind,
    text: str,
    rows: int,
    establishment: Establishment | None = None,
) -> ImportBatch:
    """Store an uploaded file (already decoded, its header and size checked) to be checked."""
    if kind == ImportKind.ROLL and establishment is None:
        raise ImportRefused("Choose the school whose roll this is")
    if establishment is not None and establishment.la_code != authority.la_code:
        raise ImportRefused("You can import rolls only of establishments in your own area")
    batch = ImportBatch.objects.create(
        authority=authority,
        kind=kind,
        establishment=establishment if kind == ImportKind.ROLL else None,
        uploaded_by=actor,
        content=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        size=len(text.encode()),
        total_rows=rows,
        heartbeat_at=timezone.now(),
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=batch,
        authority=authority,
        payload={
            "kind": batch.kind,
            "establishment": batch.establishment_id,
            "rows": rows,
            "size": batch.size,
        },
    )
    return batch


@transaction.atomic
def import_batch_confirm(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Queue a checked batch to be applied, once: a second confirm is refused."""
    now = timezone.now()
    moved = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
        status=ImportStatus.CONFIRMED, confirmed_by=actor, confirmed_at=now, heartbeat_at=now
    )
    if not moved:
        raise ImportRefused("This import is not waiting to be confirmed")
    batch.refresh_from_db()
    audit.record(
        action=AuditAction.UPDATED,
        actor=actor,
        target=batch,
        authority_id=batch.authority_id,
        payload={
            "kind": batch.kind,
            "status": ImportStatus.CONFIRMED.value,
            **{key: batch.summary.get(key, 0) for key in ("new", "changed", "left")},
        },
    )
    return batch


@transaction.atomic
def import_batch_cancel(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Discard a checked batch that has not been confirmed; its file is deleted."""
    moved = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
        status=ImportStatus.CANCELLED, content="", preview={}, finished_at=timezone.now()
    )
    if not moved:
        raise ImportRefused("Only an import waiting to be confirmed can be cancelled")
    batch.refresh_from_db()
    audit.record(
        action=AuditAction.UPDATED,
        actor=actor,
        target=batch,
        authority_id=batch.authority_id,
        payload={"kind": batch.kind, "status": ImportStatus.CANCELLED.value},
    )
    return batch
