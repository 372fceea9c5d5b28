"""Reads for CTFs, scoped to the signed-in user, and the lookup of a pupil among known children.

A school user sees the files their own school uploaded; the CME team of an authority sees every
file uploaded to it. Exports and grants are read through the case, which the case team's own
selectors already scope.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases.models import Case, Stage
from cme.children.models import Child, FormerUPN
from cme.children.restriction import active_grants
from cme.children.upn import is_valid_upn, normalise_upn
from cme.matching import engine
from cme.matching.models import MatchEntry
from cme.matching.selectors import active_model, candidate_entry_ids
from cme.transfers.ctf import CtfPupil
from cme.transfers.models import CtfExport, CtfExportGrant, CtfImportedPupil, CtfUpload


def uploads_visible_to(user: Any) -> QuerySet[CtfUpload]:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("transfers.upload_ctf"):
        return CtfUpload.objects.none()
    uploads = CtfUpload.objects.select_related("uploaded_by", "establishment", "imported_by")
    if membership.role == Role.SCHOOL_USER:
        return uploads.filter(
            authority_id=membership.authority_id, establishment_id=membership.establishment_id
        )
    return uploads.filter(authority_id=membership.authority_id)


def upload_list(user: Any) -> QuerySet[CtfUpload]:
    """The list page's rows: everything but the file itself."""
    return uploads_visible_to(user).defer("content", "errors")


def uploads_withheld_from(user: Any, uploads: Collection[CtfUpload]) -> set[int]:
    """The ids of `uploads` that hold a pupil matched to a restricted child `user` holds no grant
    for: their From and To schools say where that child was and is going, so they are withheld.

    A pupil counts when the import matched them to a restricted child, or when any of the
    file's UPNs (current or former) is a restricted child's of the file's authority. A few
    queries whatever the number of files."""
    uploads = list(uploads)
    if not uploads:
        return set()
    hidden: set[int] = set(
        CtfImportedPupil.objects.filter(
            upload_id__in=[u.pk for u in uploads], child__is_restricted=True
        )
        .exclude(child_id__in=active_grants(user).values("child_id"))
        .values_list("upload_id", flat=True)
    )
    wanted = {upn for u in uploads if u.pk not in hidden for upn in u.upns}
    if not wanted:
        return hidden
    restricted = (
        Child.objects.filter(authority_id__in={u.authority_id for u in uploads}, is_restricted=True)
        .filter(Q(upn__in=wanted) | Q(former_upns__upn__in=wanted))
        .exclude(pk__in=active_grants(user).values("child_id"))
    )
    by_authority: dict[int, set[str]] = {}
    for authority_id, upn, former in restricted.values_list(
        "authority_id", "upn", "former_upns__upn"
    ):
        by_authority.setdefault(authority_id, set()).update(v for v in (upn, former) if v)
    for upload in uploads:
        if by_authority.get(upload.authority_id, set()) & set(upload.upns):
            hidden.add(upload.pk)
    return hidden


def exports_of(case: Case) -> QuerySet[CtfExport]:
    return CtfExport.objects.filter(case=case).select_related("exported_by")


def usable_grant(case: Case, grant_id: int | None = None) -> CtfExportGrant | None:
    """The case's unused, unexpired export grant (the one numbered `grant_id`, if given)."""
    grants = CtfExportGrant.objects.filter(
        case=case, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    if grant_id is not None:
        grants = grants.filter(pk=grant_id)
    return grants.order_by("-granted_at").first()


# -- Finding a pupil among the authority's children ---------------------------------------------


@dataclass(frozen=True)
class Match:
    child_id: int
    by_upn: bool
    probability: float | None  # the engine's, for a match by name and date of birth


def pupil_upns(pupil: CtfPupil) -> list[str]:
    """The pupil's valid UPNs, current first, then former ones."""
    found: list[str] = []
    for value in (pupil.upn, *pupil.former_upns):
        upn = normalise_upn(value)
        if is_valid_upn(upn) and upn not in found:
            found.append(upn)
    return found


def _by_upn(authority_id: int, upns: list[str]) -> int | None:
    if not upns:
        return None
    former = FormerUPN.objects.filter(upn__in=upns).values("child_id")
    child = (
        Child.objects.filter(authority_id=authority_id)
        .filter(Q(upn__in=upns) | Q(pk__in=former))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return child


def _names(*values: str) -> tuple[str, ...]:
    return tuple(value.strip() for value in values if value and value.strip())


def person_record(pupil: CtfPupil) -> engine.PersonRecord:
    """The pupil as the matching engine reads a query."""
    address = pupil.addresses[0] if pupil.addresses else None
    street = ""
    if address is not None:
        parts = (address.saon, address.paon, address.street, *address.lines)
        street = ", ".join(part for part in parts if part)
    return engine.PersonRecord(
        id="ctf",
        forenames=_names(pupil.forename, pupil.preferred_forename),
        middle_names=pupil.middle_names,
        surnames=_names(pupil.surname, pupil.preferred_surname, pupil.former_surname),
        dob=pupil.dob,
        sex=pupil.sex if pupil.sex in ("M", "F") else "",
        postcode=address.postcode if address is not None else "",
        address=street,
        upns=tuple(pupil_upns(pupil)),
        parent_names=_names(*(f"{c.forename} {c.surname}" for c in pupil.contacts)),
    )


def _by_engine(authority_id: int, pupil: CtfPupil, taken: Collection[int] = ()) -> Match | None:
    """The best child the engine finds at or above the model's threshold, other than `taken`.

    Not limited by the uploader's role: the import runs for the authority, whoever uploaded
    the file, and what the preview shows of the match is decided by the page.
    """
    model = active_model()
    query = engine.prepare(person_record(pupil))
    keys = engine.query_keys(query)
    if not keys:
        return None
    rows = (
        MatchEntry.objects.filter(
            authority_id=authority_id,
            is_current=True,
            child__isnull=False,
            pk__in=candidate_entry_ids(authority_id, keys),
        )
        .exclude(child_id__in=list(taken))
        .values_list("child_id", "features")
    )
    best: Match | None = None
    for child_id, features in rows:
        scored = model.score(query, engine.PreparedRecord.from_json(features))
        if scored.probability < model.threshold:
            continue
        if best is None or (best.probability or 0.0) < scored.probability:
            best = Match(child_id=child_id, by_upn=False, probability=scored.probability)
    return best


def find_child(authority_id: int, pupil: CtfPupil, taken: Collection[int] = ()) -> Match | None:
    """The authority's child this pupil is: by UPN (current or former), else by the engine.

    `taken` are the children already given to the file's earlier pupils: a file lists each
    pupil once, so the engine must not find one of them again (twins in one file share a date
    of birth, an address, a surname and parents, and would otherwise become one child)."""
    child_id = _by_upn(authority_id, pupil_upns(pupil))
    if child_id is not None:
        return Match(child_id=child_id, by_upn=True, probability=None)
    return _by_engine(authority_id, pupil, taken)


def open_case_of(child: Child) -> Case | None:
    return (
        Case.objects.filter(child=child, authority_id=child.authority_id)
        .exclude(stage=Stage.CLOSED)
        .order_by("-notified_on", "-pk")
        .first()
    )
