"""Each register row as the engine's `PersonRecord`, with what the index stores beside it.

A `Source` carries the record, the entry's non-personal label, and the links the pages need. For
a restricted child the label never names a school or a place (§3.9.3.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cme.cases.models import Case
from cme.children.models import Child, NameKind
from cme.intake.models import Referral
from cme.matching.engine import PersonRecord
from cme.matching.models import SourceKind
from cme.registers.models import Establishment, RollEntry
from cme.returns.models import DeletionReturn, EHERegistration, NewPupilReturn

RESTRICTED_SOURCE_LABEL = "Restricted record"


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    pk: int
    authority_id: int
    record: PersonRecord
    label: str
    child_id: int | None = None
    case_id: int | None = None
    establishment_id: int | None = None
    year_group: str = ""
    is_restricted: bool = False


def record_id(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def _names(*values: str) -> tuple[str, ...]:
    """Distinct non-blank names in order (the legal one first)."""
    seen: list[str] = []
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in {s.casefold() for s in seen}:
            seen.append(value)
    return tuple(seen)


def _sex(value: str) -> str:
    return value if value in ("M", "F") else ""


def _address(*parts: str) -> str:
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _restricted_label(kind: SourceKind) -> str:
    return f"{kind.label} ({RESTRICTED_SOURCE_LABEL.lower()})"


def roll_entry_source(
    entry: RollEntry, *, authority_id: int, restricted: bool, child_id: int | None = None
) -> Source:
    establishment: Establishment = entry.establishment
    label = _restricted_label(SourceKind.ROLL) if restricted else f"On roll at {establishment.name}"
    return Source(
        kind=SourceKind.ROLL,
        pk=entry.pk,
        authority_id=authority_id,
        record=PersonRecord(
            id=record_id(SourceKind.ROLL, entry.pk),
            forenames=_names(entry.forename, entry.preferred_forename),
            middle_names=entry.middle_names,
            surnames=_names(entry.surname),
            dob=entry.date_of_birth,
            sex=_sex(entry.sex),
            postcode=entry.postcode,
            address=entry.address,
            upns=_names(entry.upn),
        ),
        label=label,
        child_id=child_id,
        establishment_id=establishment.pk,
        year_group=entry.year_group,
        is_restricted=restricted,
    )


def child_record(child: Child, record_key: str) -> PersonRecord:
    """A child with their other names, former UPNs, current address and carers (prefetched)."""
    others = list(child.other_names.all())
    current = next((a for a in child.addresses.all() if a.is_current), None)
    forenames = _names(
        child.forename,
        child.preferred_forename,
        *(o.forename for o in others if o.kind != NameKind.FORMER),
        *(o.forename for o in others if o.kind == NameKind.FORMER),
    )
    surnames = _names(
        child.surname,
        child.preferred_surname,
        *(o.surname for o in others if o.kind == NameKind.FORMER),
        *(o.surname for o in others if o.kind != NameKind.FORMER),
    )
    return PersonRecord(
        id=record_key,
        forenames=forenames,
        middle_names=child.middle_names,
        surnames=surnames,
        dob=child.date_of_birth,
        sex=_sex(child.sex),
        postcode=current.postcode if current else "",
        address=_address(current.line1, current.line2, current.town) if current else "",
        upns=_names(child.upn, *(f.upn for f in child.former_upns.all())),
        parent_names=_names(*(c.full_name for c in child.carers.all())),
    )


def child_source(child: Child, case: Case | None) -> Source:
    kind = SourceKind.CHILD
    if case is not None and case.stage == "tracking":
        label = "Being tracked: left a provider without a known destination"
    elif case is not None and case.is_open:
        label = "Child with an open case"
    else:
        label = "Child with a closed case"
    return Source(
        kind=kind,
        pk=child.pk,
        authority_id=child.authority_id,
        record=child_record(child, record_id(kind, child.pk)),
        label=label,
        child_id=child.pk,
        case_id=case.pk if case else None,
        is_restricted=child.is_restricted,
    )


def ehe_source(registration: EHERegistration) -> Source:
    kind = SourceKind.EHE
    child = registration.child
    return Source(
        kind=kind,
        pk=registration.pk,
        authority_id=registration.authority_id,
        record=child_record(child, record_id(kind, registration.pk)),
        label="On the elective home education register",
        child_id=child.pk,
        is_restricted=child.is_restricted,
    )


def _split_other_names(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())


def referral_source(referral: Referral, *, restricted: bool = False) -> Source:
    kind = SourceKind.REFERRAL
    others = _split_other_names(referral.child_other_names)
    other_forenames = [o.split()[0] for o in others]
    other_surnames = [o.split()[-1] for o in others if len(o.split()) > 1]
    return Source(
        kind=kind,
        pk=referral.pk,
        authority_id=referral.authority_id,
        record=PersonRecord(
            id=record_id(kind, referral.pk),
            forenames=_names(referral.child_forename, *other_forenames),
            surnames=_names(referral.child_surname, *other_surnames),
            dob=referral.child_date_of_birth,
            sex=_sex(referral.child_sex),
            postcode=referral.postcode,
            address=referral.address,
            upns=_names(referral.child_upn),
            parent_names=_split_other_names(referral.carers),
        ),
        label=_restricted_label(kind) if restricted else f"Referral {referral.reference}",
        child_id=referral.child_id,
        case_id=referral.case_id,
        is_restricted=restricted,
    )


def return_source(ret: NewPupilReturn | DeletionReturn, *, restricted: bool = False) -> Source:
    kind = SourceKind.NEW_PUPIL if isinstance(ret, NewPupilReturn) else SourceKind.DELETION
    parents: Iterable[Any] = ret.parents if isinstance(ret, DeletionReturn) else ()
    if restricted:
        label = _restricted_label(kind)
    elif kind == SourceKind.NEW_PUPIL:
        label = f"New pupil at {ret.establishment.name}"
    else:
        label = f"Deleted from the roll of {ret.establishment.name}"
    return Source(
        kind=kind,
        pk=ret.pk,
        authority_id=ret.authority_id,
        record=PersonRecord(
            id=record_id(kind, ret.pk),
            forenames=_names(ret.forename, ret.preferred_forename),
            middle_names=ret.middle_names,
            surnames=_names(ret.surname, ret.preferred_surname),
            dob=ret.date_of_birth,
            sex=_sex(ret.sex),
            postcode=ret.postcode,
            address=_address(ret.address_line1, ret.address_line2, ret.town),
            upns=_names(ret.upn),
            parent_names=_names(*(str(p.get("name", "")) for p in parents if isinstance(p, dict))),
        ),
        label=label,
        child_id=ret.child_id,
        establishment_id=ret.establishment_id,
        is_restricted=restricted,
    )


def record_as_json(record: PersonRecord) -> dict[str, Any]:
    """A PersonRecord as plain JSON, for labelled pairs kept for training."""
    return {
        "id": record.id,
        "forenames": list(record.forenames),
        "middle_names": record.middle_names,
        "surnames": list(record.surnames),
        "dob": record.dob.isoformat() if record.dob else None,
        "dob_text": record.dob_text,
        "sex": record.sex,
        "postcode": record.postcode,
        "address": record.address,
        "upns": list(record.upns),
        "parent_names": list(record.parent_names),
    }


def record_from_json(value: dict[str, Any]) -> PersonRecord:
    dob = value.get("dob")
    return PersonRecord(
        id=str(value.get("id", "")),
        forenames=tuple(value.get("forenames", ())),
        middle_names=str(value.get("middle_names", "")),
        surnames=tuple(value.get("surnames", ())),
        dob=date.fromisoformat(dob) if dob else None,
        dob_text=str(value.get("dob_text", "")),
        sex=str(value.get("sex", "")),
        postcode=str(value.get("postcode", "")),
        address=str(value.get("address", "")),
        upns=tuple(value.get("upns", ())),
        parent_names=tuple(value.get("parent_names", ())),
    )
