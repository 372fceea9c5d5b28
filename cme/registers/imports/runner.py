"""Running imports in the background, without a task queue.

The database is the queue: a batch waiting for work has status `uploaded` (to be checked) or
`confirmed` (to be applied), and each step claims it with a conditional update, so any number of
runners may look at the same batches and each is worked once. Two ways to run the work, chosen
by the `CME_IMPORTS_RUN` setting:

- "thread" (the default, for the embedded one-machine service): the page that uploads or confirms
  starts a daemon thread once its transaction has committed;
- "worker": pages only queue; `cme imports run` (from cron every minute, or `--loop`) does the work.
- "sync": the work runs in the request itself (tests).

`cme imports run` also finds batches abandoned part-way (a worker killed mid-check or mid-apply:
no word for `STALE_AFTER`): a check is started again (it changed nothing), an apply is marked
failed (its transaction was rolled back, so nothing changed). Run it from cron in every
deployment as the safety net.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from cme.registers.imports.work import (
    batch_move,
    import_batch_apply,
    import_batch_fail,
    import_batch_validate,
)
from cme.registers.models import ImportBatch, ImportStatus

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
ABANDONED_MESSAGE = (
    "The import stopped before it finished (the service was restarted). Nothing was changed. "
    "Upload the file again."
)


def mode() -> str:
    return str(getattr(settings, "CME_IMPORTS_RUN", "thread"))


def run_batch(batch_id: int) -> None:
    """Do whatever work the batch is waiting for, if no one else has claimed it."""
    import_batch_validate(batch_id=batch_id)
    import_batch_apply(batch_id=batch_id)


def _in_thread(batch_id: int) -> None:
    try:
        run_batch(batch_id)
    except Exception as problem:
        logger.error("import %s: background run failed (%s)", batch_id, type(problem).__name__)
    finally:
        connections.close_all()


def dispatch(batch_id: int) -> None:
    """Start the work a batch now waits for, as the deployment runs it (see the module's notes)."""
    how = mode()
    if how == "sync":
        run_batch(batch_id)
    elif how == "thread":
        transaction.on_commit(
            lambda: threading.Thread(
                target=_in_thread, args=(batch_id,), name=f"import-{batch_id}", daemon=True
            ).start()
        )


def recover_stale(*, now: datetime | None = None) -> int:
    """Start again checks abandoned part-way; fail applies abandoned part-way. Returns how many."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    recovered = 0
    stale = ImportBatch.objects.filter(
        status__in=[ImportStatus.VALIDATING, ImportStatus.APPLYING], heartbeat_at__lt=cutoff
    ).values_list("pk", "status")
    for batch_id, status in list(stale):
        if status == ImportStatus.VALIDATING:
            recovered += batch_move(batch_id, ImportStatus.VALIDATING, ImportStatus.UPLOADED)
        else:
            recovered += import_batch_fail(
                batch_id=batch_id, message=ABANDONED_MESSAGE, from_status=ImportStatus.APPLYING
            )
    return recovered


def run_pending(*, limit: int | None = None) -> int:
    """Work every batch that is waiting, oldest first. Returns how many this run worked."""
    recover_stale()
    waiting = ImportBatch.objects.filter(
        status__in=[ImportStatus.UPLOADED, ImportStatus.CONFIRMED]
    ).order_by("pk")
    worked = 0
    for batch_id in list(waiting.values_list("pk", flat=True)[:limit]):
        before = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).first()
        run_batch(batch_id)
        after = ImportBatch.objects.filter(pk=batch_id).values_list("status", flat=True).first()
        worked += before != after
    return worked
