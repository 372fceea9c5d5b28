"""Records for training, and a single entry's source row rebuilt as a record."""

from __future__ import annotations

from collections.abc import Iterator

from cme.accounts.models import Authority
from cme.cases.models import Case
from cme.children.models import Child
from cme.intake.models import Referral
from cme.matching import engine
from cme.matching.models import MatchEntry, SourceKind
from cme.matching.sources import (
    Source,
    child_source,
    ehe_source,
    referral_source,
    return_source,
    roll_entry_source,
)
from cme.registers.models import Establishment, RollEntry
from cme.returns.models import DeletionReturn, EHERegistration, NewPupilReturn

CHILD_PREFETCH = ("other_names", "former_upns", "addresses", "carers")
CHUNK = 2000


def entry_source(entry: MatchEntry) -> Source | None:
    """The entry's source row as it is now, or None when it has gone (a pupil who left)."""
    kind, pk = entry.kind, entry.source_pk
    if kind == SourceKind.ROLL:
        row = RollEntry.objects.filter(pk=pk).select_related("establishment").first()
        return (
            roll_entry_source(
                row,
                authority_id=entry.authority_id,
                restricted=entry.is_restricted,
                child_id=entry.child_id,
            )
            if row
            else None
        )
    if kind == SourceKind.CHILD:
        child = Child.objects.filter(pk=pk).prefetch_related(*CHILD_PREFETCH).first()
        case = Case.objects.filter(child_id=pk).order_by("-notified_on", "-pk").first()
        return child_source(child, case) if child else None
    if kind == SourceKind.EHE:
        ehe = EHERegistration.objects.filter(pk=pk).select_related("child").first()
        return ehe_source(ehe) if ehe else None
    if kind == SourceKind.REFERRAL:
        referral = Referral.objects.filter(pk=pk).first()
        return referral_source(referral) if referral else None
    model = NewPupilReturn if kind == SourceKind.NEW_PUPIL else DeletionReturn
    ret = model.objects.filter(pk=pk).select_related("establishment").first()
    return return_source(ret) if ret else None


def roll_records(authority: Authority | None = None) -> Iterator[engine.PersonRecord]:
    """Every pupil on roll: the register the model links to."""
    rolls = RollEntry.objects.select_related("establishment").order_by("pk")
    if authority is not None:
        rolls = rolls.filter(establishment__la_code=authority.la_code)
    authorities = dict(Authority.objects.values_list("la_code", "pk"))
    for row in rolls.iterator(chunk_size=CHUNK):
        establishment: Establishment = row.establishment
        yield roll_entry_source(
            row, authority_id=authorities.get(establishment.la_code, 0), restricted=False
        ).record


def sought_records(authority: Authority | None = None) -> Iterator[engine.PersonRecord]:
    """Every child with a case: the children looked for on the rolls. (Returns and referrals
    describe the same children again, so they would only add repeats.)"""
    children = Child.objects.filter(cases__isnull=False).distinct().order_by("pk")
    if authority is not None:
        children = children.filter(authority=authority)
    for child in children.prefetch_related(*CHILD_PREFETCH).iterator(chunk_size=CHUNK):
        yield child_source(child, None).record
