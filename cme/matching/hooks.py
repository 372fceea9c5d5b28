"""What other apps' services call after they change a register row (no signals: see
ARCHITECTURE.md). Each keeps the matching index in step in the caller's transaction; returns and
roll imports also queue a reconciliation for after the transaction commits.

Matching must never stop case work: a failure here is logged (its type only, never a child's
details), the caller's change goes ahead, and `cme matching index` rebuilds the index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
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


def return_received(ret: Any) -> None:
    """A deletion or new pupil return was saved (and maybe a child and a tracking case made)."""

    def work() -> None:
        indexing.index_returns(type(ret), [ret.pk])
        if ret.child_id:
            indexing.index_children([ret.child_id])

    _safely("indexing a school return", work)
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
