"""Writes for matching: deciding a proposal, training and activating a model, and the hooks the
other apps' services call after they change a register row.

Each decision is atomic, audited, and kept as a labelled pair (both records as they were) so the
model can learn from the officers' judgement.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases import services as case_services
from cme.cases.models import Case, CaseEvent, EventKind, Outcome, Stage
from cme.core import audit
from cme.core.models import AuditAction
from cme.matching import engine
from cme.matching.display import percent
from cme.matching.models import (
    MatchDecision,
    MatchEntry,
    MatchProposal,
    ProposalKind,
    ProposalStatus,
    StoredModel,
)
from cme.matching.reconcile import ReconcileReport, reconcile
from cme.matching.selectors import forget_model_version
from cme.matching.sources import record_as_json, record_from_json
from cme.matching.training import entry_source, roll_records, sought_records

MIN_REASON = 5


class ProposalRefused(Exception):
    """A decision the rules do not allow; the message says why."""


def _record_of(entry: MatchEntry) -> dict[str, Any]:
    """The entry's person as it is now; the prepared features when its source row has gone."""
    source = entry_source(entry)
    if source is None:
        return {"id": f"{entry.kind}:{entry.source_pk}", "features": entry.features}
    return record_as_json(source.record)


def _decide(
    proposal: MatchProposal, actor: Any, status: ProposalStatus, reason: str
) -> MatchProposal:
    locked = (
        MatchProposal.objects.select_for_update()
        .select_related("left", "right")
        .get(pk=proposal.pk)
    )
    if locked.status != ProposalStatus.PROPOSED:
        raise ProposalRefused("This match has already been decided")
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    MatchDecision.objects.create(
        authority_id=locked.authority_id,
        proposal=locked,
        left_record=_record_of(locked.left),
        right_record=_record_of(locked.right),
        is_match=status == ProposalStatus.ACCEPTED,
        decided_by=actor,
    )
    audit.record(
        action=AuditAction.UPDATED,
        actor=actor,
        target=locked,
        authority_id=locked.authority_id,
        payload={
            "status": status.value,
            "kind": locked.kind,
            "probability": round(locked.probability, 4),
            "case": locked.case_id,
            "reason_given": bool(reason.strip()),
        },
    )
    return locked


def _close_tracking(proposal: MatchProposal, actor: Any) -> None:
    """Close the tracking case as registered at a new provider, and say why on its timeline."""
    if proposal.case_id is None:
        return
    case = Case.objects.select_related("child").get(pk=proposal.case_id)
    if case.stage != Stage.TRACKING:
        return
    try:
        case_services.case_transition(
            case=case,
            to=Stage.CLOSED,
            actor=actor,
            version=case.version,
            outcome=Outcome.REGISTERED,
        )
    except case_services.CaseRefused as refused:
        raise ProposalRefused(str(refused)) from refused
    # A restricted child's new school is not written on the timeline (§3.9.3.2).
    where = "a new provider" if case.child.is_restricted else proposal.right.label
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=EventKind.UPDATED,
        summary=f"Matched ({percent(proposal.probability)}) to {where}"[:300],
    )


@transaction.atomic
def proposal_accept(*, proposal: MatchProposal, actor: Any) -> MatchProposal:
    decided = _decide(proposal, actor, ProposalStatus.ACCEPTED, "")
    if decided.kind == ProposalKind.TRACKING:
        _close_tracking(decided, actor)
    return decided


@transaction.atomic
def proposal_reject(*, proposal: MatchProposal, actor: Any, reason: str) -> MatchProposal:
    if len(reason.strip()) < MIN_REASON:
        raise ProposalRefused("Say why these records are not the same child")
    return _decide(proposal, actor, ProposalStatus.REJECTED, reason)


def reconcile_run(*, authority: Authority, actor: Any = None) -> ReconcileReport:
    return reconcile(authority, actor=actor)


def _labelled_pairs(
    authority: Authority | None,
) -> Iterator[tuple[engine.PersonRecord, engine.PersonRecord, bool]]:
    decisions = MatchDecision.objects.all()
    if authority is not None:
        decisions = decisions.filter(authority=authority)
    for decision in decisions.iterator():
        left, right = decision.left_record, decision.right_record
        if "features" in left or "features" in right:
            continue  # only the prepared form survives: nothing to train on
        yield record_from_json(left), record_from_json(right), decision.is_match


@transaction.atomic
def model_store(
    *, model: engine.MatchModel, actor: Any = None, activate: bool = True
) -> StoredModel:
    version = model.version or timezone.now().strftime("%Y%m%d%H%M%S")
    if activate:
        StoredModel.objects.filter(is_active=True).update(is_active=False)
    stored = StoredModel.objects.create(
        version=version[:40],
        trained_at=model.trained_at or timezone.now(),
        trained_on=model.trained_on,
        parameters=model.to_dict(),
        is_active=activate,
        created_by=actor,
    )
    forget_model_version()
    transaction.on_commit(forget_model_version)  # again, for a lookup that raced the commit
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=stored,
        payload={"version": stored.version, "active": activate},
    )
    return stored


def model_train(*, authority: Authority | None = None, actor: Any = None) -> StoredModel:
    """Train on the registers (and the officers' labelled pairs) and make it the active model.

    The children with cases are linked to the rolls, as lookups and reconciliation do. A roll on
    its own holds no duplicates, so EM run on it alone would learn from brothers and sisters (same
    surname and address) and take them for matches; it is the fallback only when there are no
    rolls or no cases yet.
    """
    rolls = list(roll_records(authority))
    sought = list(sought_records(authority))
    pairs = list(_labelled_pairs(authority))
    description = {
        "records": len(rolls) + len(sought),
        "labelled_pairs": len(pairs),
        "authority": authority.la_code if authority else "all",
    }
    if rolls and sought:
        model = engine.train(rolls, queries=sought, labelled_pairs=pairs, description=description)
    else:
        model = engine.train(rolls or sought, labelled_pairs=pairs, description=description)
    return model_store(model=model, actor=actor)
