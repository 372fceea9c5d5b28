"""A CTF pupil as the matching engine and the LPD's search see it (no database access)."""

from __future__ import annotations

from cme.children.upn import normalise_upn
from cme.matching.engine import PersonRecord
from cme.transfers.ctf import Address, CtfHeader, CtfPupil


def _distinct(*values: str) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        value = " ".join(value.split())
        if value and value.casefold() not in {s.casefold() for s in seen}:
            seen.append(value)
    return tuple(seen)


def address_text(address: Address) -> str:
    parts = [address.saon, address.paon, address.street, address.locality, address.town]
    if not any(parts):
        parts = list(address.lines)
    return ", ".join(p.strip() for p in parts if p and p.strip())


def person_record(pupil: CtfPupil, record_id: str) -> PersonRecord:
    home = pupil.addresses[0] if pupil.addresses else None
    parents = tuple(
        f"{c.forename} {c.surname}".strip() for c in pupil.contacts if c.forename and c.surname
    )
    upns = _distinct(*(normalise_upn(u) for u in (pupil.upn, *pupil.former_upns)))
    return PersonRecord(
        id=record_id,
        forenames=_distinct(pupil.forename, pupil.preferred_forename),
        middle_names=pupil.middle_names,
        surnames=_distinct(pupil.surname, pupil.preferred_surname, pupil.former_surname),
        dob=pupil.dob,
        sex=pupil.sex if pupil.sex in ("M", "F") else "",
        postcode=home.postcode if home else "",
        address=address_text(home) if home else "",
        upns=upns,
        parent_names=parents,
    )


def school_words(text: str) -> str:
    """Capitals and single spaces, for comparing what an officer types with a school's name."""
    return " ".join(text.upper().replace("/", " / ").split())


def schools_text(header: CtfHeader, pupil: CtfPupil) -> str:
    """Every school the pupil is known at: the history and the source school, names and codes."""
    found = [(s.lea, s.estab, s.name) for s in pupil.school_history]
    found.append((header.source_lea, header.source_estab, header.source_name))
    parts = []
    for lea, estab, name in found:
        if name:
            parts.append(school_words(name))
        if lea and estab:
            parts.append(f"{lea}/{estab} {lea}{estab}")
    return " | ".join(parts)


def last_school(header: CtfHeader, pupil: CtfPupil) -> tuple[str, str]:
    """The name (or codes) of the pupil's last school, and the date they left it, if given."""
    if pupil.school_history:
        last = pupil.school_history[-1]
        name = last.name or (f"{last.lea}/{last.estab}" if last.lea else "")
        return name, last.leaving_date.isoformat() if last.leaving_date else ""
    name = header.source_name or f"{header.source_lea}/{header.source_estab}"
    return name, ""
