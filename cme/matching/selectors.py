"""Reads for matching: the model in use, candidate lookup, and the review queue.

`find_candidates` never scans a register: in one query it asks the key index for the entries
that share a blocking key with the query and loads just those the user may see; it scores them
with the active model in Python.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse

from cme.children.restriction import RESTRICTED_LABEL, active_grants
from cme.matching import engine
from cme.matching.display import percent
from cme.matching.models import (
    MatchEntry,
    MatchKey,
    MatchProposal,
    ProposalStatus,
    SourceKind,
    StoredModel,
)

# Entries sharing the most keys with the query come first; past this many the rest are noise.
KEY_CANDIDATES = 1000
# Below this a candidate is not worth a reader's time.
SHOW_FROM = 0.01
DEFAULT_VERSION = "default"

_models: dict[str, engine.MatchModel] = {}


# The active version is read from the cache, so a lookup costs no query for it; training a new
# model clears the entry (`forget_model_version`), and it expires anyway after a minute.
VERSION_CACHE_KEY = "matching:active-model-version"
VERSION_CACHE_SECONDS = 60


def model_version_in_use() -> str:
    version = cache.get(VERSION_CACHE_KEY)
    if version is None:
        stored = StoredModel.objects.filter(is_active=True).values_list("version", flat=True)
        version = stored.first() or DEFAULT_VERSION
        cache.set(VERSION_CACHE_KEY, version, VERSION_CACHE_SECONDS)
    return str(version)


def forget_model_version() -> None:
    cache.delete(VERSION_CACHE_KEY)


def active_model() -> engine.MatchModel:
    """The active stored model (or the engine's shipped default), loaded once per version."""
    version = model_version_in_use()
    model = _models.get(version)
    if model is None:
        if version == DEFAULT_VERSION:
            model = engine.default_model()
        else:
            stored = StoredModel.objects.get(version=version)
            model = engine.MatchModel.from_dict(stored.parameters)
        _models.clear()  # one model per process: an old version is never used again
        _models[version] = model
    return model


def stored_model(version: str) -> engine.MatchModel:
    return engine.MatchModel.from_dict(StoredModel.objects.get(version=version).parameters)


def _authority_id(user: Any) -> int | None:
    membership = getattr(user, "membership", None)
    return membership.authority_id if membership else None


def entries_visible_to(user: Any) -> QuerySet[MatchEntry]:
    """Current entries of the user's authority, if their role may search; annotated with whether
    they hold a grant for a restricted child."""
    authority_id = _authority_id(user)
    if authority_id is None or not user.has_perm("matching.find_child"):
        return MatchEntry.objects.none()
    granted = active_grants(user).filter(child_id=OuterRef("child_id"))
    return MatchEntry.objects.filter(authority_id=authority_id, is_current=True).annotate(
        has_grant=Exists(granted)
    )


class EntryRow(NamedTuple):
    """The columns of an entry a lookup reads (a tuple: building model instances for a few
    hundred candidates costs more than scoring them)."""

    pk: int
    kind: str
    source_pk: int
    child_id: int | None
    case_id: int | None
    is_restricted: bool
    label: str
    features: Any
    has_grant: bool


ENTRY_COLUMNS = EntryRow._fields


@dataclass(frozen=True)
class Candidate:
    entry: EntryRow
    scored: engine.ScoredPair
    hidden: bool  # a restricted child the user holds no grant for

    @property
    def percent(self) -> str:
        return percent(self.scored.probability)

    @property
    def label(self) -> str:
        return RESTRICTED_LABEL if self.hidden else self.entry.label

    @property
    def evidence(self) -> tuple[engine.FieldEvidence, ...]:
        # The detail text may quote the candidate's own values: none of it for a hidden record.
        return () if self.hidden else self.scored.evidence

    @property
    def link(self) -> str | None:
        return None if self.hidden else entry_link(self.entry)


def entry_link(entry: MatchEntry | EntryRow) -> str | None:
    """Where the record can be opened, for kinds that have a page."""
    kind = entry.kind
    if kind == SourceKind.CHILD and entry.case_id:
        return reverse("case_detail", args=[entry.case_id])
    if kind == SourceKind.REFERRAL:
        return reverse("referral_detail", args=[entry.source_pk])
    if kind == SourceKind.NEW_PUPIL:
        return reverse("returns_new_pupil_detail", args=[entry.source_pk])
    if kind == SourceKind.DELETION:
        return reverse("returns_deletion_detail", args=[entry.source_pk])
    if kind == SourceKind.EHE:
        return reverse("ehe_list")
    return None


def candidate_entry_ids(authority_id: int, keys: Collection[str]) -> QuerySet[Any, int]:
    """Entry ids sharing a key with the query, most keys shared first. A subquery: the lookup
    reads the key index and the entries in one round trip."""
    return (
        MatchKey.objects.filter(authority_id=authority_id, key__in=sorted(keys))
        .values("entry_id")
        .annotate(shared=Count("*"))
        .order_by("-shared", "entry_id")
        .values_list("entry_id", flat=True)[:KEY_CANDIDATES]
    )


def find_candidates(
    user: Any,
    record: engine.PersonRecord,
    limit: int = 20,
    *,
    exclude: Collection[tuple[str, int]] = (),
) -> list[Candidate]:
    """Ranked candidates for `record` among the entries the user may see."""
    authority_id = _authority_id(user)
    if authority_id is None or not user.has_perm("matching.find_child"):
        return []
    model = active_model()
    query = engine.prepare(record)
    keys = engine.query_keys(query)
    if not keys:
        return []
    rows = (
        entries_visible_to(user)
        .filter(pk__in=candidate_entry_ids(authority_id, keys))
        .values_list(*ENTRY_COLUMNS)
    )
    found = []
    for values in rows:
        entry = EntryRow(*values)
        if (entry.kind, entry.source_pk) in exclude:
            continue
        scored = model.score(query, engine.PreparedRecord.from_json(entry.features))
        if scored.probability < SHOW_FROM:
            continue
        hidden = entry.is_restricted and not entry.has_grant
        found.append(Candidate(entry=entry, scored=scored, hidden=hidden))
    found.sort(key=lambda c: (-c.scored.match_weight, c.entry.pk))
    return found[:limit]


def proposals_visible_to(user: Any) -> QuerySet[MatchProposal]:
    authority_id = _authority_id(user)
    if authority_id is None or not user.has_perm("matching.review_matches"):
        return MatchProposal.objects.none()
    granted = active_grants(user)
    return (
        MatchProposal.objects.filter(authority_id=authority_id)
        .select_related("left", "right", "case", "decided_by")
        .annotate(
            left_grant=Exists(granted.filter(child_id=OuterRef("left__child_id"))),
            right_grant=Exists(granted.filter(child_id=OuterRef("right__child_id"))),
        )
    )


def open_proposals(user: Any) -> QuerySet[MatchProposal]:
    return proposals_visible_to(user).filter(status=ProposalStatus.PROPOSED)
