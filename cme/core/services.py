"""Writes owned by the core app."""

from __future__ import annotations

from typing import Any

from cme.core import audit
from cme.core.models import AuditAction


def audit_trail_verify(*, actor: Any) -> audit.VerifyResult:
    """Check the whole chain and record that someone checked it, with the result."""
    result = audit.verify()
    membership = getattr(actor, "membership", None)
    audit.record(
        action=AuditAction.AUDIT_VERIFIED,
        actor=actor,
        authority_id=membership.authority_id if membership else None,
        payload={"ok": result.ok, "checked": result.checked, "problems": len(result.problems)},
    )
    return result
