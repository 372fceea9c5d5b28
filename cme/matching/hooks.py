"""What other apps' services call after they change a register row (no signals: see
ARCHITECTURE.md). Each keeps the matching index in step in the caller's transaction; returns and
roll imports also queue a reconciliation for after the transaction commits.

Matching must never stop case work: a failure here is logged (its type only, never a child's
details), the caller's change goes ahead, and `cme matching index` rebuilds the index.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from cme.matching import indexing

logger = logging.getLogger(__name__)


def _safely(what: str, work: Callable[[], Any]) -> None:
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the caller's work intact
            work()
    except Exception as problem:
        logger.error("matching: %s failed (%s)", what, type(problem).__name__)


def child_changed(child: Any) -> None:
    _safely("indexing a child", lambda: indexing.index_children([child.pk]))


def referral_received(referral: Any) -> None:
    _safely("indexing a referral", lambda: indexing.index_referrals([referral.pk]))


def ehe_changed(registration: Any) -> None:
    _safely("indexing an EHE registration", lambda: indexing.index_ehe([registration.pk]))


_upload = threading.local()


@contextmanager
def returns_batched() -> Iterator[None]:
    """Index the returns saved inside this block together, at its end, in the caller's
    transaction: a file of 2,000 returns is then indexed in a few chunked writes instead of
    2,000 rounds of reads and writes. Nothing is indexed if the block fails."""
    pending: list[Any] = []
    _upload.pending = pending
    try:
        yield
        if pending:
            _safely("indexing school returns", lambda: _index_returns(pending))
    finally:
        _upload.pending = None


def _index_returns(returns: Sequence[Any]) -> None:
    by_model: dict[type, list[int]] = {}
    for ret in returns:
        by_model.setdefault(type(ret), []).append(ret.pk)
    for model, pks in by_model.items():
        indexing.index_returns(model, pks)
    children = sorted({ret.child_id for ret in returns if ret.child_id})
    if children:
        indexing.index_children(children)


def return_received(ret: Any) -> None:
    """A deletion or new pupil return was saved (and maybe a child and a tracking case made)."""
    pending = getattr(_upload, "pending", None)
    if pending is not None:
        pending.append(ret)
    else:
        _safely("indexing a school return", lambda: _index_returns([ret]))
    reconcile_after_commit(ret.authority_id)


def roll_imported(establishment: Any, authority_id: int) -> None:
    """Index the new roll once the import has committed: a roll of 2,000 pupils writes some
    30,000 keys, which need not hold up the import's own transaction."""
    _after_commit(
        f"roll:{establishment.pk}",
        lambda: _safely("indexing a roll", lambda: indexing.index_roll(establishment)),
    )
    reconcile_after_commit(authority_id)


def _reconcile(authority_id: int) -> None:
    from cme.accounts.models import Authority
    from cme.matching.reconcile import reconcile

    authority = Authority.objects.filter(pk=authority_id).first()
    if authority is not None:
        _safely("reconciliation", lambda: reconcile(authority))


def _after_commit(tag: str, work: Callable[[], None]) -> None:
    """Run `work` once the transaction commits, once per tag however often it is asked for (a
    file of 500 returns reconciles once, when the file is saved)."""
    for _savepoints, queued, _robust in getattr(connection, "run_on_commit", []):
        if getattr(queued, "matching_tag", None) == tag:
            return

    def run() -> None:
        work()

    run.matching_tag = tag  # type: ignore[attr-defined]
    transaction.on_commit(run)


def reconcile_after_commit(authority_id: int) -> None:
    _after_commit(f"reconcile:{authority_id}", lambda: _reconcile(authority_id))
