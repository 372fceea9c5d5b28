"""Matching in the demo: the index over the demo registers, and the matches reconciliation finds
in them (the demo's own rows, nothing added). Idempotent, like the rest of the demo."""

from __future__ import annotations

from cme.accounts.models import Authority
from cme.matching.indexing import index_everything
from cme.matching.reconcile import reconcile


def build_matching(authority: Authority) -> int:
    """Index the authority's registers and reconcile; return the number of new proposals."""
    index_everything(authority)
    return reconcile(authority, audited=False).total
