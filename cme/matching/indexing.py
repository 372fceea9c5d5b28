"""Keeping the matching index in step with the registers.

The services that create or change a register row call one of the `index_*` functions in the same
transaction (never a signal). Each loads its rows in a fixed number of queries, prepares each
record once and replaces the entry's blocking keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases.models import Case
from cme.children.models import Child, FormerUPN
from cme.intake.models import Referral
from cme.matching import engine
from cme.matching.models import MatchEntry, MatchKey, SourceKind
from cme.matching.sources import (
    Source,
    child_source,
    ehe_source,
    referral_source,
    return_source,
    roll_entry_source,
)
from cme.registers.models import Establishment, RollEntry
from cme.returns.models import DeletionReturn, EHERegistration, EHEStatus, NewPupilReturn

CHUNK = 1000
ENTRY_FIELDS = [
    "authority_id",
    "child_id",
    "case_id",
    "establishment_id",
    "year_group",
    "is_restricted",
    "is_current",
    "left_on",
    "features",
    "label",
    "indexed_at",
]
# A Year 6 pupil who leaves a roll stays in the index for the Key Stage 2 to 3 check (§3.9.1).
TRANSFER_YEAR = "6"


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@transaction.atomic
def entries_store(sources: Iterable[Source]) -> int:
    """Create or refresh the entries for `sources` (one kind or many) and their keys."""
    count = 0
    for chunk in _chunks(list(sources)):
        count += _store_chunk(chunk)
    return count


def _as_stored(features: Any) -> Any:
    """The features as they read back from the JSON column (tuples become lists), so an
    unchanged record compares equal to its stored entry."""
    return json.loads(json.dumps(features))


def _store_chunk(sources: Sequence[Source]) -> int:
    wanted = {(s.kind.value, s.pk): s for s in sources}
    kinds = {s.kind.value for s in sources}
    existing = {
        (e.kind, e.source_pk): e
        for e in MatchEntry.objects.filter(kind__in=kinds, source_pk__in={s.pk for s in sources})
    }
    now = timezone.now()
    prepared = {key: engine.prepare(source.record) for key, source in wanted.items()}
    new, changed = [], []
    for key, source in wanted.items():
        fields = {
            "authority_id": source.authority_id,
            "child_id": source.child_id,
            "case_id": source.case_id,
            "establishment_id": source.establishment_id,
            "year_group": source.year_group,
            "is_restricted": source.is_restricted,
            "is_current": True,
            "left_on": None,
            "features": _as_stored(prepared[key].to_json()),
            "label": source.label[:200],
            "indexed_at": now,
        }
        entry = existing.get(key)
        if entry is None:
            new.append(MatchEntry(kind=source.kind, source_pk=source.pk, **fields))
            continue
        # Next month's roll is mostly the same pupils: an unchanged entry keeps its row and keys.
        differs = [n for n in ENTRY_FIELDS if n != "indexed_at" and getattr(entry, n) != fields[n]]
        if differs:
            MatchEntry.objects.filter(pk=entry.pk).update(
                **{n: fields[n] for n in [*differs, "indexed_at"]}
            )
            if "features" in differs or "authority_id" in differs:
                changed.append(entry)
    if changed:
        MatchKey.objects.filter(entry__in=changed).delete()
    MatchEntry.objects.bulk_create(new)
    if new and new[0].pk is None:  # a backend that does not return ids
        ids = {
            (e.kind, e.source_pk): e
            for e in MatchEntry.objects.filter(
                kind__in=kinds, source_pk__in=[e.source_pk for e in new]
            )
        }
        new = [ids[(e.kind, e.source_pk)] for e in new]
    keys = [
        MatchKey(
            key=key[:40],
            entry=entry,
            authority_id=wanted[(entry.kind, entry.source_pk)].authority_id,
        )
        for entry in [*changed, *new]
        for key in sorted(engine.index_keys(prepared[(entry.kind, entry.source_pk)]))
    ]
    MatchKey.objects.bulk_create(keys, batch_size=CHUNK)
    return len(wanted)


def entries_remove(kind: SourceKind, pks: Iterable[int]) -> None:
    MatchEntry.objects.filter(kind=kind, source_pk__in=list(pks)).delete()


def _authority_for(establishment: Establishment) -> Authority | None:
    return Authority.objects.filter(la_code=establishment.la_code).first()


def _children_by_upn(authority_id: int, upns: set[str]) -> dict[str, tuple[int, bool]]:
    """Child id and restriction of the authority's children holding any of `upns` (current or
    former): a pupil on roll who is a restricted child here must not have their school shown."""
    if not upns:
        return {}
    found: dict[str, tuple[int, bool]] = {}
    for pk, upn, restricted in Child.objects.filter(
        authority_id=authority_id, upn__in=upns
    ).values_list("pk", "upn", "is_restricted"):
        found[upn] = (pk, restricted)
    for pk, upn, restricted in FormerUPN.objects.filter(
        child__authority_id=authority_id, upn__in=upns
    ).values_list("child_id", "upn", "child__is_restricted"):
        found.setdefault(upn, (pk, restricted))
    return found


@transaction.atomic
def index_roll(establishment: Establishment, *, today: date | None = None) -> int:
    """Re-index an establishment's whole roll, after an import. Pupils who left are removed,
    except Year 6 leavers, kept (not current) for the transfer to Year 7."""
    authority = _authority_for(establishment)
    if authority is None:
        return 0
    entries = list(RollEntry.objects.filter(establishment=establishment).order_by("pk"))
    for entry in entries:
        entry.establishment = establishment
    children = _children_by_upn(authority.pk, {e.upn for e in entries if e.upn})
    sources = []
    for entry in entries:
        child_id, restricted = children.get(entry.upn, (None, False))
        sources.append(
            roll_entry_source(
                entry, authority_id=authority.pk, restricted=restricted, child_id=child_id
            )
        )
    gone = MatchEntry.objects.filter(
        kind=SourceKind.ROLL, establishment=establishment, is_current=True
    ).exclude(source_pk__in=[e.pk for e in entries])
    gone.filter(year_group=TRANSFER_YEAR).update(
        is_current=False, left_on=today or timezone.localdate()
    )
    gone.exclude(year_group=TRANSFER_YEAR).delete()
    return entries_store(sources)


def _children_with_latest_case(child_ids: Iterable[int]) -> list[tuple[Child, Case | None]]:
    children = list(
        Child.objects.filter(pk__in=list(child_ids)).prefetch_related(
            "other_names",
            "former_upns",
            "addresses",
            "carers",
            Prefetch("cases", queryset=Case.objects.order_by("-notified_on", "-pk")),
        )
    )
    return [(child, next(iter(child.cases.all()), None)) for child in children]


@transaction.atomic
def index_children(child_ids: Iterable[int]) -> int:
    """Index children who have a case (open or closed); a child without one is left out."""
    rows = _children_with_latest_case(child_ids)
    with_case = [child_source(child, case) for child, case in rows if case is not None]
    entries_remove(SourceKind.CHILD, [child.pk for child, case in rows if case is None])
    count = entries_store(with_case)
    # The child's other entries (EHE, returns, referrals) carry their restriction too.
    for child, _case in rows:
        MatchEntry.objects.filter(child=child).exclude(kind=SourceKind.CHILD).exclude(
            is_restricted=child.is_restricted
        ).update(is_restricted=child.is_restricted)
    return count


def index_child(child: Child) -> int:
    return index_children([child.pk])


@transaction.atomic
def index_ehe(registration_ids: Iterable[int]) -> int:
    registrations = list(
        EHERegistration.objects.filter(pk__in=list(registration_ids)).prefetch_related(
            "child__other_names", "child__former_upns", "child__addresses", "child__carers"
        )
    )
    active = [r for r in registrations if r.status == EHEStatus.ACTIVE]
    entries_remove(SourceKind.EHE, [r.pk for r in registrations if r.status != EHEStatus.ACTIVE])
    return entries_store(ehe_source(r) for r in active)


@transaction.atomic
def index_referrals(referral_ids: Iterable[int]) -> int:
    referrals = Referral.objects.filter(pk__in=list(referral_ids)).select_related("child")
    return entries_store(
        referral_source(r, restricted=bool(r.child and r.child.is_restricted)) for r in referrals
    )


@transaction.atomic
def index_returns(model: type[NewPupilReturn] | type[DeletionReturn], ids: Iterable[int]) -> int:
    returns = model.objects.filter(pk__in=list(ids)).select_related("establishment", "child")
    return entries_store(
        return_source(r, restricted=bool(r.child and r.child.is_restricted)) for r in returns
    )


def index_everything(authority: Authority | None = None) -> dict[str, int]:
    """(Re)build the whole index, or one authority's part of it, in chunks."""
    scope = Q(authority=authority) if authority else Q()
    counts: dict[str, int] = {}
    establishments = Establishment.objects.all()
    if authority is not None:
        establishments = establishments.filter(la_code=authority.la_code)
    counts[SourceKind.ROLL] = sum(index_roll(e) for e in establishments)
    child_ids = list(
        Case.objects.filter(scope).values_list("child_id", flat=True).distinct().order_by()
    )
    counts[SourceKind.CHILD] = sum(index_children(c) for c in _chunks(child_ids))
    ehe_ids = list(EHERegistration.objects.filter(scope).values_list("pk", flat=True))
    counts[SourceKind.EHE] = sum(index_ehe(c) for c in _chunks(ehe_ids))
    referral_ids = list(Referral.objects.filter(scope).values_list("pk", flat=True))
    counts[SourceKind.REFERRAL] = sum(index_referrals(c) for c in _chunks(referral_ids))
    for kind, model in (
        (SourceKind.NEW_PUPIL, NewPupilReturn),
        (SourceKind.DELETION, DeletionReturn),
    ):
        ids = list(model.objects.filter(scope).values_list("pk", flat=True))
        counts[kind] = sum(index_returns(model, c) for c in _chunks(ids))
    return {str(k): v for k, v in counts.items()}
