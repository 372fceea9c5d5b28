"""A CTF pupil as the preview page shows it: plain strings, so the template stays simple."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cme.transfers.ctf import Address, CtfPupil

_PUPIL_ERROR = re.compile(r"pupil (\d+)\b")
_SEX = {"M": "Male", "F": "Female"}
_SEN = {"K": "SEN support", "E": "Education, health and care plan", "S": "Statement", "N": "None"}


def address_text(address: Address) -> str:
    parts: Iterable[str] = (
        address.saon,
        address.paon,
        address.street,
        *address.lines,
        address.locality,
        address.town or address.post_town,
        address.postcode,
        address.country,
    )
    return ", ".join(part for part in parts if part)


@dataclass
class PupilView:
    names: str
    other_names: str
    dob: str
    sex: str
    upn: str
    former_upns: str
    addresses: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    last_attendance: str = ""
    attendance: list[str] = field(default_factory=list)
    schools: list[str] = field(default_factory=list)
    sen: list[str] = field(default_factory=list)
    looked_after: str = ""


def pupil_view(pupil: CtfPupil, *, withheld: bool = False) -> PupilView:
    """The pupil as the preview shows them. `withheld` (a restricted child the viewer may not
    see) also leaves out the care authority, which narrows where the child is."""
    others = [
        f"preferred: {pupil.preferred_forename} {pupil.preferred_surname}".strip()
        if pupil.preferred_forename or pupil.preferred_surname
        else "",
        f"former surname: {pupil.former_surname}" if pupil.former_surname else "",
    ]
    contacts = []
    for contact in pupil.contacts:
        name = " ".join(p for p in (contact.title, contact.forename, contact.surname) if p)
        details = [contact.relationship] if contact.relationship else []
        if contact.parental_responsibility:
            details.append("parental responsibility")
        details += [phone.number for phone in contact.phones]
        if contact.email:
            details.append(contact.email)
        if contact.address is not None:
            details.append(address_text(contact.address))
        elif contact.address_as_pupil:
            details.append("lives with the pupil")
        contacts.append(f"{name} ({'; '.join(details)})" if details else name)
    schools = []
    for spell in pupil.school_history:
        dates = " to ".join(
            d.strftime("%-d %b %Y") for d in (spell.entry_date, spell.leaving_date) if d
        )
        label = spell.name or "School"
        schools.append(f"{label} ({spell.lea}/{spell.estab}){', ' + dates if dates else ''}")
    looked_after = ""
    if pupil.looked_after is not None and pupil.looked_after.in_care is not None:
        looked_after = "Yes" if pupil.looked_after.in_care else "No"
        if pupil.looked_after.in_care and pupil.looked_after.care_authority and not withheld:
            looked_after += f" (care authority {pupil.looked_after.care_authority})"
    return PupilView(
        names=" ".join(p for p in (pupil.forename, pupil.middle_names, pupil.surname) if p),
        other_names="; ".join(o for o in others if o),
        dob=pupil.dob.strftime("%-d %B %Y") if pupil.dob else "",
        sex=_SEX.get(pupil.sex, pupil.sex or ""),
        upn=pupil.upn,
        former_upns=", ".join(pupil.former_upns),
        addresses=[address_text(a) for a in pupil.addresses]
        + [f"Phone: {p.number}" for p in pupil.phones],
        contacts=contacts,
        last_attendance=pupil.last_attendance_date.strftime("%-d %B %Y")
        if pupil.last_attendance_date
        else "",
        attendance=[
            f"{year.year}: {year.attended} of {year.sessions_possible} sessions attended"
            for year in pupil.attendance
            if year.sessions_possible is not None
        ],
        schools=schools,
        sen=[
            f"{_SEN.get(r.provision, r.provision)}"
            + (f": {', '.join(n.need_type for n in r.needs)}" if r.needs else "")
            for r in pupil.sen
        ],
        looked_after=looked_after,
    )


def errors_by_pupil(errors: Iterable[str]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for message in errors:
        match = _PUPIL_ERROR.match(message)
        if match is not None:
            found.setdefault(int(match.group(1)), []).append(message)
    return found
