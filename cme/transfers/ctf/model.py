"""What a Common Transfer File holds, as plain frozen dataclasses (no Django).

Text fields are "" when the file leaves them out; dates, numbers and flags are None. Field order
follows the order of the XML the writer produces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, NamedTuple

Destination = Literal["known", "unknown", "abroad"]

# The codes a header uses instead of a real school (SPEC §4).
UNKNOWN_LEA, UNKNOWN_ESTAB = "XXX", "XXXX"
ABROAD_LEA, ABROAD_ESTAB = "MMM", "MMMM"

_LEA = re.compile(r"[0-9]{3}")
_ESTAB = re.compile(r"[0-9]{4}")


def destination_of(lea: str, estab: str) -> Destination:
    """ "unknown" for XXX/XXXX, "abroad" for MMM/MMMM, "known" for a real LA and establishment.

    Anything else (missing, malformed or mixed codes) counts as unknown: a CTF whose destination
    cannot be read is a lost pupil's CTF.
    """
    if lea == ABROAD_LEA and estab == ABROAD_ESTAB:
        return "abroad"
    if _LEA.fullmatch(lea) and _ESTAB.fullmatch(estab):
        return "known"
    return "unknown"


@dataclass(frozen=True, slots=True)
class CtfHeader:
    """The `Header` block: who sent the file, to whom, and when."""

    source_lea: str
    source_estab: str
    dest_lea: str = UNKNOWN_LEA
    dest_estab: str = UNKNOWN_ESTAB
    version: str = "25.0"
    generated_at: datetime | None = None
    qualifier: str = "full"  # "full" or "partial"
    document_name: str = "Common Transfer File"
    supplier_id: str = ""
    source_urn: str = ""
    source_name: str = ""
    academic_year: str = ""
    dest_urn: str = ""

    @property
    def destination(self) -> Destination:
        return destination_of(self.dest_lea, self.dest_estab)


@dataclass(frozen=True, slots=True)
class Address:
    """A BS7666 address (SAON/PAON/street/…) or free address lines, with a postcode."""

    saon: str = ""
    paon: str = ""
    street: str = ""
    locality: str = ""
    town: str = ""
    administrative_area: str = ""
    post_town: str = ""
    uprn: str = ""
    lines: tuple[str, ...] = ()
    postcode: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class Phone:
    kind: str  # the file's TelephoneType code, e.g. "H" home, "M" mobile, "W" work
    number: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A parent, carer or other contact, in the file's order of priority."""

    order: int | None = None
    title: str = ""
    surname: str = ""
    forename: str = ""
    sex: str = ""
    relationship: str = ""
    parental_responsibility: bool | None = None
    address_as_pupil: bool = False
    address: Address | None = None
    phones: tuple[Phone, ...] = ()
    email: str = ""


@dataclass(frozen=True, slots=True)
class AttendanceYear:
    """One academic year's sessions. `attended` is derived when the file does not give it."""

    year: str = ""
    sessions_possible: int | None = None
    sessions_authorised: int | None = None
    sessions_unauthorised: int | None = None
    sessions_attended: int | None = None

    @property
    def attended(self) -> int | None:
        if self.sessions_attended is not None:
            return self.sessions_attended
        parts = (self.sessions_possible, self.sessions_authorised, self.sessions_unauthorised)
        if any(part is None for part in parts):
            return None
        possible, authorised, unauthorised = (part or 0 for part in parts)
        return possible - authorised - unauthorised


@dataclass(frozen=True, slots=True)
class SchoolSpell:
    """One school in the pupil's history."""

    lea: str = ""
    estab: str = ""
    name: str = ""
    entry_date: date | None = None
    leaving_date: date | None = None
    leaving_reason: str = ""


class SenNeed(NamedTuple):
    rank: int | None
    need_type: str


@dataclass(frozen=True, slots=True)
class SenRecord:
    start_date: date | None = None
    provision: str = ""
    needs: tuple[SenNeed, ...] = ()


@dataclass(frozen=True, slots=True)
class FsmPeriod:
    start_date: date | None = None
    end_date: date | None = None
    uk_country: str = ""


class Language(NamedTuple):
    kind: str  # LanguageType: "F" first language, "H" home language, …
    code: str


@dataclass(frozen=True, slots=True)
class LookedAfter:
    in_care: bool | None = None
    care_authority: str = ""


class Assessment(NamedTuple):
    """One stage assessment result, kept as the file's text: CME only shows and stores these."""

    stage: str = ""
    locale: str = ""
    year: str = ""
    subject: str = ""
    method: str = ""
    component: str = ""
    result_status: str = ""
    result_qualifier: str = ""
    result: str = ""
    result_date: str = ""


@dataclass(frozen=True, slots=True)
class CtfPupil:
    upn: str = ""
    former_upns: tuple[str, ...] = ()
    surname: str = ""
    forename: str = ""
    middle_names: str = ""
    preferred_surname: str = ""
    preferred_forename: str = ""
    former_surname: str = ""
    dob: date | None = None
    sex: str = ""  # "M", "F", … as the file gives it (from `Gender` in older files)
    ethnicity: str = ""
    first_language: str = ""
    nc_year: str = ""
    addresses: tuple[Address, ...] = ()
    phones: tuple[Phone, ...] = ()
    email: str = ""
    contacts: tuple[Contact, ...] = ()
    attendance: tuple[AttendanceYear, ...] = ()
    last_attendance_date: date | None = None
    school_history: tuple[SchoolSpell, ...] = ()
    sen: tuple[SenRecord, ...] = ()
    fsm_review_date: date | None = None
    fsm: tuple[FsmPeriod, ...] = ()
    languages: tuple[Language, ...] = ()
    looked_after: LookedAfter | None = None
    assessments: tuple[Assessment, ...] = ()


@dataclass(slots=True)
class CtfFile:
    """A file that was read: its header, the pupils that could be read, and what was wrong.

    `errors` never holds personal data: each names a pupil by position and line, and a field.
    """

    header: CtfHeader
    pupils: list[CtfPupil] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
