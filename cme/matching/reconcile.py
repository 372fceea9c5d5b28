"""Reconciliation: find the children the authority is looking for in what schools tell it.

Three questions, each a set of "leavers" looked up among "targets" by blocking key:
- children tracked after leaving a provider without a known destination (§3.9), against new
  pupil returns and current rolls;
- Year 6 pupils who left a primary roll, against Year 7 rolls, in the autumn (§3.9.1);
- children recorded twice in the system.

Pairs at or above the model's threshold become proposals. A pair already proposed (whatever was
decided) is never proposed again, so running this twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases.models import Stage
from cme.core import audit
from cme.core.models import AuditAction
from cme.matching import engine
from cme.matching.models import (
    MatchEntry,
    MatchKey,
    MatchProposal,
    ProposalKind,
    SourceKind,
)
from cme.matching.selectors import active_model, model_version_in_use

KEY_CHUNK = 500
# Most proposals one leaver may produce: the best few, never a flood.
TOP_PER_LEAVER = 3
# From this many leavers the engine's bulk linkage is quicker than one key lookup per leaver.
BULK_FROM = 2000
# The Key Stage 2 to 3 transfer is checked in the autumn term's first months.
TRANSFER_MONTHS = frozenset({9, 10})
TRANSFER_FROM, TRANSFER_TO = "6", "7"


@dataclass
class ReconcileReport:
    proposed: dict[str, int] = field(default_factory=dict)
    leavers: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.proposed.values())


def _evidence_json(scored: engine.ScoredPair) -> list[dict[str, Any]]:
    return [
        {"field": e.field, "verdict": e.verdict, "detail": e.detail, "weight": round(e.weight, 3)}
        for e in scored.evidence
    ]


def _targets_by_key(
    authority_id: int, keys: Iterable[str], targets: Mapping[str, Any]
) -> dict[str, list[int]]:
    """Target entry ids for each key, in chunks of keys (the index does the work)."""
    on_entry = {f"entry__{name}": value for name, value in targets.items()}
    found: dict[str, list[int]] = defaultdict(list)
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), KEY_CHUNK):
        rows = MatchKey.objects.filter(
            authority_id=authority_id, key__in=ordered[start : start + KEY_CHUNK], **on_entry
        ).values_list("key", "entry_id")
        for key, entry_id in rows:
            found[key].append(entry_id)
    return found


class Row(NamedTuple):
    """The few columns of an entry reconciliation reads: cheaper than a model instance, which
    matters when there are tens of thousands."""

    pk: int
    kind: str
    source_pk: int
    child_id: int | None
    case_id: int | None
    features: Any


def _rows(entries: QuerySet[MatchEntry]) -> list[Row]:
    columns = ("pk", "kind", "source_pk", "child_id", "case_id", "features")
    return [Row(*values) for values in entries.values_list(*columns)]


def _entries(ids: Iterable[int]) -> dict[int, Row]:
    found: dict[int, Row] = {}
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), KEY_CHUNK):
        for row in _rows(MatchEntry.objects.filter(pk__in=ordered[start : start + KEY_CHUNK])):
            found[row.pk] = row
    return found


Pairs = dict[int, list[Row]]  # leaver entry id -> targets worth scoring


def _blocked_pairs(
    authority_id: int,
    prepared: Mapping[int, engine.PreparedRecord],
    targets: Mapping[str, Any],
) -> Pairs:
    """Few leavers: look each one's query keys up in the key index."""
    keys_of = {pk: engine.query_keys(p) for pk, p in prepared.items()}
    by_key = _targets_by_key(authority_id, {k for keys in keys_of.values() for k in keys}, targets)
    ids = {pk: {t for k in keys for t in by_key.get(k, ())} for pk, keys in keys_of.items()}
    loaded = _entries(t for ts in ids.values() for t in ts)
    return {pk: [loaded[t] for t in sorted(ts) if t in loaded] for pk, ts in ids.items()}


def _linked_pairs(
    authority_id: int,
    prepared: Mapping[int, engine.PreparedRecord],
    targets: Mapping[str, Any],
    model: engine.MatchModel,
    cache: dict[int, engine.PreparedRecord],
) -> Pairs:
    """Many leavers: the engine's bulk linkage (DuckDB) over every target, best few each."""
    target_rows = _rows(MatchEntry.objects.filter(authority_id=authority_id, **targets))
    register = []
    for row in target_rows:
        cache[row.pk] = cache.get(row.pk) or engine.PreparedRecord.from_json(row.features)
        register.append(cache[row.pk])
    by_record = {r.id: row for r, row in zip(register, target_rows, strict=True)}
    leaver_by_record = {p.id: pk for pk, p in prepared.items()}
    pairs: Pairs = defaultdict(list)
    # One more than kept: a record linked against its own register finds itself first.
    for result in engine.link(register, list(prepared.values()), model, top=TOP_PER_LEAVER + 1):
        target = by_record.get(result.register_id)
        leaver = leaver_by_record.get(result.query_id)
        if target is not None and leaver is not None:
            pairs[leaver].append(target)
    return pairs


def _propose(
    *,
    authority_id: int,
    kind: ProposalKind,
    leavers: Sequence[Row],
    targets: Mapping[str, Any],
    model: engine.MatchModel,
    symmetric: bool = False,
) -> int:
    """Score each leaver against its candidate targets; store the confident pairs."""
    if not leavers:
        return 0
    prepared = {e.pk: engine.PreparedRecord.from_json(e.features) for e in leavers}
    cache = dict(prepared)  # prepared records by entry id, each decoded once
    if len(leavers) >= BULK_FROM:
        pairs = _linked_pairs(authority_id, prepared, targets, model, cache)
    else:
        pairs = _blocked_pairs(authority_id, prepared, targets)
    known = set(
        MatchProposal.objects.filter(authority_id=authority_id, kind=kind).values_list(
            "left_id", "right_id"
        )
    )
    version = model_version_in_use()
    new: dict[tuple[int, int], MatchProposal] = {}
    for leaver in leavers:
        scored_pairs = []
        for target in pairs.get(leaver.pk, ()):
            if target.pk == leaver.pk:
                continue
            if symmetric and target.child_id is not None and target.child_id == leaver.child_id:
                continue
            candidate = cache.get(target.pk)
            if candidate is None:
                candidate = cache[target.pk] = engine.PreparedRecord.from_json(target.features)
            scored = model.score(prepared[leaver.pk], candidate)
            if scored.probability >= model.threshold:
                scored_pairs.append((scored, target))
        scored_pairs.sort(key=lambda pair: -pair[0].match_weight)
        for scored, target in scored_pairs[:TOP_PER_LEAVER]:
            left, right = leaver.pk, target.pk
            if symmetric and right < left:
                left, right = right, left
            if (left, right) in known or (left, right) in new:
                continue
            new[(left, right)] = MatchProposal(
                authority_id=authority_id,
                kind=kind,
                left_id=left,
                right_id=right,
                case_id=leaver.case_id if kind == ProposalKind.TRACKING else None,
                probability=scored.probability,
                evidence=_evidence_json(scored),
                decisive=scored.decisive,
                model_version=version,
            )
    MatchProposal.objects.bulk_create(new.values(), ignore_conflicts=True)
    return len(new)


@transaction.atomic
def reconcile(
    authority: Authority, *, actor: Any = None, today: date | None = None, audited: bool = True
) -> ReconcileReport:
    """Run every reconciliation for one authority; return how many new proposals each made."""
    today = today or timezone.localdate()
    model = active_model()
    report = ReconcileReport()
    entries = MatchEntry.objects.filter(authority=authority)

    tracked = _rows(
        entries.filter(kind=SourceKind.CHILD, case__stage=Stage.TRACKING, is_current=True)
    )
    report.leavers[ProposalKind.TRACKING] = len(tracked)
    report.proposed[ProposalKind.TRACKING] = _propose(
        authority_id=authority.pk,
        kind=ProposalKind.TRACKING,
        leavers=tracked,
        targets={"kind__in": [SourceKind.NEW_PUPIL, SourceKind.ROLL], "is_current": True},
        model=model,
    )

    if today.month in TRANSFER_MONTHS:
        year_six = _rows(
            entries.filter(
                kind=SourceKind.ROLL,
                is_current=False,
                year_group=TRANSFER_FROM,
                left_on__year=today.year,
            )
        )
        report.leavers[ProposalKind.TRANSFER] = len(year_six)
        report.proposed[ProposalKind.TRANSFER] = _propose(
            authority_id=authority.pk,
            kind=ProposalKind.TRANSFER,
            leavers=year_six,
            targets={"kind": SourceKind.ROLL, "is_current": True, "year_group": TRANSFER_TO},
            model=model,
        )

    children = _rows(entries.filter(kind=SourceKind.CHILD, is_current=True))
    report.leavers[ProposalKind.DUPLICATE] = len(children)
    report.proposed[ProposalKind.DUPLICATE] = _propose(
        authority_id=authority.pk,
        kind=ProposalKind.DUPLICATE,
        leavers=children,
        targets={"kind": SourceKind.CHILD, "is_current": True},
        model=model,
        symmetric=True,
    )
    if not audited:  # the demo's fixture loading records no audit events
        return report
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target_type="matching.reconciliation",
        target_id=today.isoformat(),
        authority=authority,
        payload={"proposed": {str(k): v for k, v in report.proposed.items()}},
    )
    return report
