"""Reads of the Lost Pupil Database: uploads a user may see, the search, a pupil's record as the
file holds it, and the activity figures.

The search reuses the matching engine and its service-side pieces: the active model
(`matching.selectors.active_model`), the same blocking keys (`engine.query_keys`, stored by
`engine.index_keys`), one SQL query for the candidates sharing keys, and scoring in Python.
"""

from __future__ import annotations

import dataclasses
import io
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Authority, Role
from cme.children.models import Child, FormerUPN, OtherName
from cme.children.restriction import active_grants
from cme.children.upn import normalise_upn
from cme.lpd.models import EventKind, FileStatus, LpdEvent, LpdFile, LpdKey, LpdPupil
from cme.lpd.records import school_words
from cme.matching import engine
from cme.matching.display import percent
from cme.matching.engine.normalise import name_tokens
from cme.matching.selectors import active_model
from cme.transfers.ctf import CtfHeader, CtfPupil, read_ctf

# As in matching: the pupils sharing the most keys first; past this many the rest are noise.
KEY_CANDIDATES = 1000
SHOW_FROM = 0.01
DEFAULT_LIMIT = 20
# Fields of the engine's evidence that say where a child lived: never shown for a pupil whose
# location is withheld.
LOCATION_FIELDS = frozenset({"Postcode", "Address"})
WITHHELD_LABEL = "Lost CTF of a restricted child: school and address withheld"


def _membership(user: Any) -> Any:
    return getattr(user, "membership", None)


def uploads_visible_to(user: Any) -> QuerySet[LpdFile]:
    """A school user's own school's uploads; the CME team's: their authority's (its schools'
    included)."""
    membership = _membership(user)
    if membership is None or not user.has_perm("lpd.view_uploads"):
        return LpdFile.objects.none()
    files = LpdFile.objects.select_related("establishment", "uploaded_by").defer("content")
    if membership.role == Role.SCHOOL_USER:
        return files.filter(establishment_id=membership.establishment_id)
    return files.filter(authority_id=membership.authority_id)


@dataclass(frozen=True)
class Searcher:
    """Who is searching: their authority, and the restricted children they hold a grant for."""

    authority_id: int
    granted_child_ids: frozenset[int] = frozenset()

    @classmethod
    def for_user(cls, user: Any) -> Searcher | None:
        membership = _membership(user)
        if membership is None or not user.has_perm("lpd.search"):
            return None
        granted = frozenset(active_grants(user).values_list("child_id", flat=True))
        return cls(authority_id=membership.authority_id, granted_child_ids=granted)


def _upns(pupil: LpdPupil) -> set[str]:
    return {u for u in (pupil.upn, *(pupil.former_upns or [])) if u}


Holders = set[tuple[int, int]]  # (child id, authority id) of restricted children


def _name_words(*names: str) -> set[str]:
    return {word for name in names for word in name_tokens(name)}


@dataclass(frozen=True)
class _BornThen:
    """A restricted child born on one of the days asked about, with every word of their names."""

    pk: int
    authority_id: int
    date_of_birth: date | None
    words: set[str]


def _restricted_children(
    upns: set[str], born: set[date]
) -> tuple[dict[str, Holders], list[_BornThen]]:
    """Restricted children of any authority holding one of `upns` as a current or former UPN (by
    UPN), and those born on one of the days in `born`. Two queries, and a third for other names
    when a restricted child was born on one of the days (most searches find none)."""
    rows = list(
        Child.objects.filter(is_restricted=True)
        .filter(Q(upn__in=sorted(upns)) | Q(date_of_birth__in=sorted(born)))
        .values_list("pk", "authority_id", "upn", "date_of_birth", "forename", "surname")
    )
    by_upn: dict[str, Holders] = defaultdict(set)
    for pk, authority_id, upn, *_ in rows:
        if upn in upns:
            by_upn[upn].add((pk, authority_id))
    if upns:
        for pk, upn, authority_id in FormerUPN.objects.filter(
            child__is_restricted=True, upn__in=sorted(upns)
        ).values_list("child_id", "upn", "child__authority_id"):
            by_upn[upn].add((pk, authority_id))
    same_day = [row for row in rows if row[3] in born]
    other: dict[int, list[str]] = defaultdict(list)
    if same_day:
        for child_id, forename, surname in OtherName.objects.filter(
            child_id__in=[row[0] for row in same_day]
        ).values_list("child_id", "forename", "surname"):
            other[child_id] += [forename, surname]
    born_then = [
        _BornThen(pk, authority_id, dob, _name_words(forename, surname, *other[pk]))
        for pk, authority_id, _, dob, forename, surname in same_day
    ]
    return by_upn, born_then


def restricted_holders(pupils: Collection[LpdPupil]) -> dict[int, Holders]:
    """For each pupil (by id), the restricted children of any authority they may be: sharing a
    current or former UPN, or born the same day and sharing a word of a name (legal or other).

    A family fleeing harm may be lost with a new UPN or none, so the UPN alone is not enough. The
    name test is loose on purpose: a pupil wrongly taken for a restricted child only has their
    location withheld from the searcher. Two queries whatever the number of pupils (three when a
    restricted child was born on one of the pupils' birthdays)."""
    upns = {normalise_upn(u) for p in pupils for u in _upns(p)}
    born = {p.dob for p in pupils if p.dob}
    if not upns and not born:
        return {pupil.pk: set() for pupil in pupils}
    by_upn, born_then = _restricted_children(upns, born)
    holders: dict[int, Holders] = {}
    for pupil in pupils:
        found = {h for upn in _upns(pupil) for h in by_upn.get(normalise_upn(upn), ())}
        words = _name_words(pupil.forename, pupil.surname)
        found |= {
            (child.pk, child.authority_id)
            for child in born_then
            if child.date_of_birth == pupil.dob and child.words & words
        }
        holders[pupil.pk] = found
    return holders


def location_withheld(holders: Holders, searcher: Searcher) -> bool:
    """A lost pupil who may be a restricted child (§3.9.3.2) keeps where they lived and learnt to
    themselves: shown only to the restricting authority's people holding a grant."""
    return any(
        authority_id != searcher.authority_id or child_id not in searcher.granted_child_ids
        for child_id, authority_id in holders
    )


def pupil_is_restricted(pupil: LpdPupil) -> bool:
    """The pupil may be a restricted child of any authority: every export of their CTF withholds
    the location, whatever grant the downloader holds."""
    return bool(restricted_holders([pupil])[pupil.pk])


def pupil_withheld(pupil: LpdPupil, searcher: Searcher) -> bool:
    return location_withheld(restricted_holders([pupil])[pupil.pk], searcher)


@dataclass(frozen=True)
class LpdCandidate:
    """A ranked lost pupil, shaped like matching's `Candidate` so the same template shows it."""

    pupil: LpdPupil
    scored: engine.ScoredPair
    withheld: bool
    school_evidence: engine.FieldEvidence | None
    hidden: bool = False  # the matching template's flag: an LPD hit is never wholly hidden

    @property
    def percent(self) -> str:
        return percent(self.scored.probability)

    @property
    def label(self) -> str:
        if self.withheld:
            return WITHHELD_LABEL
        file = self.pupil.file
        return f"Lost CTF from {file.source_school}, uploaded {file.uploaded_at:%-d %B %Y}"

    @property
    def evidence(self) -> tuple[engine.FieldEvidence, ...]:
        shown = tuple(
            item
            for item in self.scored.evidence
            if not (self.withheld and item.field in LOCATION_FIELDS)
        )
        if self.school_evidence is not None and not self.withheld:
            shown = (*shown, self.school_evidence)
        return shown

    @property
    def link(self) -> str:
        return reverse("lpd_pupil", args=[self.pupil.pk])


def names_school(wanted: str, schools: str) -> bool:
    """Whether the pupil's school history (`schools_text`) names the school typed: its name's
    whole words in order ("little orchard"), or its codes ("990/2001", "9902001"); never any
    substring ("1" names nothing)."""
    words = wanted.split()
    compact = wanted.replace(" ", "")
    if not words:
        return False
    for entry in schools.split(" | ") if schools else ():
        if compact in entry.split():
            return True
        have = school_words(entry).split()
        if any(have[i : i + len(words)] == words for i in range(len(have) - len(words) + 1)):
            return True
    return False


def _school_evidence(previous_school: str, pupil: LpdPupil) -> engine.FieldEvidence | None:
    wanted = school_words(previous_school)
    if not wanted:
        return None
    agrees = names_school(wanted, pupil.schools)
    return engine.FieldEvidence(
        field="Previous school",
        verdict="agrees" if agrees else "disagrees",
        detail="named in the pupil's school history" if agrees else "",
        weight=0.0,
    )


def _candidate_ids(keys: Iterable[str]) -> QuerySet[Any, int]:
    return (
        LpdKey.objects.filter(key__in=sorted(keys))
        .values("pupil_id")
        .annotate(shared=Count("*"))
        .order_by("-shared", "pupil_id")
        .values_list("pupil_id", flat=True)[:KEY_CANDIDATES]
    )


def lpd_search(
    searcher: Searcher,
    record: engine.PersonRecord,
    *,
    previous_school: str = "",
    limit: int = DEFAULT_LIMIT,
) -> list[LpdCandidate]:
    """Lost pupils close to `record`, best first, across every authority's uploads.

    The previous school does not change the probability (the model has no school comparison);
    it is shown as evidence and ranks a pupil whose history names it first among equals."""
    model = active_model()
    query = engine.prepare(record)
    keys = engine.query_keys(query)
    if not keys:
        return []
    # A restricted child's location is withheld, so it must not move their score, their rank or
    # whether they are found at all: they are scored, and found, as if the searcher had typed no
    # postcode or address (finding: the probability was an oracle for the child's postcode).
    ids = set(_candidate_ids(keys))
    if record.postcode or record.address:
        blind = engine.prepare(dataclasses.replace(record, postcode="", address=""))
        blind_keys = engine.query_keys(blind)
        blind_ids = set(_candidate_ids(blind_keys)) if blind_keys else set()
        ids |= blind_ids
    else:
        blind, blind_ids = query, ids
    pupils = list(
        LpdPupil.objects.filter(pk__in=sorted(ids), file__status=FileStatus.AVAILABLE)
        .select_related("file")
        .order_by()  # ranked below; the model's default order would cost a sort
        .defer("file__content", "file__errors")
    )
    holders = restricted_holders(pupils)
    found = []
    for pupil in pupils:
        withheld = location_withheld(holders[pupil.pk], searcher)
        if withheld and pupil.pk not in blind_ids:
            continue  # found only through the location the searcher typed
        features = engine.PreparedRecord.from_json(pupil.features)
        pair = model.score(blind if withheld else query, features)
        if pair.probability < SHOW_FROM:
            continue
        school = _school_evidence(previous_school, pupil) if previous_school else None
        found.append(
            LpdCandidate(pupil=pupil, scored=pair, withheld=withheld, school_evidence=school)
        )
    found.sort(
        key=lambda c: (
            -round(c.scored.match_weight, 1),
            # Not for a withheld pupil: their place in the list would tell where they were.
            0
            if c.school_evidence and c.school_evidence.verdict == "agrees" and not c.withheld
            else 1,
            c.pupil.pk,
        )
    )
    return found[:limit]


def searchable_pupil(pk: int) -> LpdPupil | None:
    """A pupil of an available file (any authority's: the LPD is shared)."""
    return (
        LpdPupil.objects.filter(pk=pk, file__status=FileStatus.AVAILABLE)
        .select_related("file", "file__establishment")
        .first()
    )


def pupil_from_file(pupil: LpdPupil) -> tuple[CtfHeader, CtfPupil]:
    """The file's header and the pupil's whole record, read again from the stored file (the XSD
    was checked at upload)."""
    content = bytes(pupil.file.content)
    ctf = read_ctf(io.BytesIO(content), validate=False)
    return ctf.header, ctf.pupils[pupil.position]


# -- Activity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthActivity:
    month: date  # the first day of the month
    uploads: int
    searches: int
    downloads: int
    opened: int


def _months_back(today: date, months: int) -> list[date]:
    first = today.replace(day=1)
    result = []
    year, month = first.year, first.month
    for _ in range(months):
        result.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return result


def lpd_activity_by_month(
    authority: Authority, months: int = 12, *, today: date | None = None
) -> list[MonthActivity]:
    """Uploads, searches, records opened and downloads by `authority`'s people and systems, per
    calendar month for the last `months` months (this one included, newest first), zeros
    included. One query."""
    months = max(1, months)
    wanted = _months_back(today or timezone.localdate(), months)
    start = wanted[-1]
    counts: dict[tuple[date, str], int] = {}
    rows = (
        LpdEvent.objects.filter(
            authority=authority,
            occurred_at__gte=timezone.make_aware(datetime(start.year, start.month, 1)),
        )
        .annotate(month=TruncMonth("occurred_at"))
        .values_list("month", "kind")
        .annotate(n=Count("*"))
        .order_by()
    )
    for month, kind, n in rows:
        day = month.date() if hasattr(month, "date") else month
        counts[(day.replace(day=1), kind)] = counts.get((day.replace(day=1), kind), 0) + n
    return [
        MonthActivity(
            month=m,
            uploads=counts.get((m, EventKind.UPLOAD), 0),
            searches=counts.get((m, EventKind.SEARCH), 0),
            downloads=counts.get((m, EventKind.DOWNLOAD), 0),
            opened=counts.get((m, EventKind.OPEN), 0),
        )
        for m in wanted
    ]
