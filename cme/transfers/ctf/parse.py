"""Turning a `Header` or `Pupil` element into the model, field by field.

A bad value is reported (without the value) and left blank; the rest of the pupil is still read.
Names and identifiers are accepted on `Pupil` or inside `BasicDetails`, as files differ.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from lxml import etree

from .fields import (
    Problems,
    bool_of,
    children,
    code_of,
    date_of,
    datetime_of,
    int_of,
    text_of,
)
from .model import (
    Address,
    Assessment,
    AttendanceYear,
    Contact,
    CtfHeader,
    CtfPupil,
    FsmPeriod,
    Language,
    LookedAfter,
    Phone,
    SchoolSpell,
    SenNeed,
    SenRecord,
)

LEA = re.compile(r"[0-9]{3}")
ESTAB = re.compile(r"[0-9]{4}")
DEST_LEA = re.compile(r"[0-9]{3}|XXX|MMM")
DEST_ESTAB = re.compile(r"[0-9]{4}|XXXX|MMMM")
UPN = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
# One letter or digit: M and F, and the codes suppliers use for unknown or not stated (U, 9, …);
# the import decides what each means.
SEX = re.compile(r"[A-Z0-9]")
FIRST_LANGUAGE_TYPES = frozenset({"F", "FIRST"})

_PLAIN_PUPIL_TEXT = {
    "Surname": "surname",
    "Forename": "forename",
    "LegalSurname": "surname",
    "LegalForename": "forename",
    "MiddleNames": "middle_names",
    "PreferredSurname": "preferred_surname",
    "PreferredForename": "preferred_forename",
    "FormerSurname": "former_surname",
    "Email": "email",
    "Ethnicity": "ethnicity",
    "FirstLanguage": "first_language",
    "NCyearActual": "nc_year",
}
_BS7666 = {
    "SAON": "saon",
    "PAON": "paon",
    "Street": "street",
    "Locality": "locality",
    "Town": "town",
    "AdministrativeArea": "administrative_area",
    "PostTown": "post_town",
    "UniquePropertyReferenceNumber": "uprn",
}
_LISTS = (
    "former_upns",
    "addresses",
    "phones",
    "contacts",
    "attendance",
    "school_history",
    "sen",
    "fsm",
    "languages",
    "assessments",
)
_ASSESSMENT_FIELDS = {name.lower().replace("_", ""): name for name in Assessment._fields}


# What the reader knows of a header before reading one: nothing (the dataclass's defaults are
# for writing).
EMPTY_HEADER: dict[str, Any] = {
    "source_lea": "",
    "source_estab": "",
    "dest_lea": "",
    "dest_estab": "",
    "version": "",
    "qualifier": "",
    "document_name": "",
}


def parse_header(element: etree._Element, problems: Problems) -> CtfHeader:
    values: dict[str, Any] = dict(EMPTY_HEADER)
    missing = ["SourceSchool LEA", "SourceSchool Estab", "DestSchool LEA", "DestSchool Estab"]
    for name, child in children(element):
        if name == "DocumentName":
            values["document_name"] = text_of(child)
        elif name == "CTFversion":
            values["version"] = text_of(child)
        elif name == "DateTime":
            values["generated_at"] = datetime_of(child, "DateTime", problems)
        elif name == "DocumentQualifier":
            values["qualifier"] = text_of(child).lower()
        elif name == "SupplierID":
            values["supplier_id"] = text_of(child)
        elif name in ("SourceSchool", "DestSchool"):
            values.update(_school(child, name, missing, problems))
    for code in missing:
        problems.add(element, f"no {code}")
    return CtfHeader(**values)


def _school(
    element: etree._Element, block: str, missing: list[str], problems: Problems
) -> dict[str, str]:
    """The codes of `SourceSchool` or `DestSchool` (the latter may say unknown or abroad)."""
    source = block == "SourceSchool"
    prefix = "source" if source else "dest"
    lea, estab = (LEA, ESTAB) if source else (DEST_LEA, DEST_ESTAB)
    values: dict[str, str] = {}
    for name, child in children(element):
        if name in ("LEA", "Estab"):
            label = f"{block} {name}"
            if label in missing:
                missing.remove(label)
            pattern = lea if name == "LEA" else estab
            values[f"{prefix}_{name.lower()}"] = code_of(child, label, pattern, problems)
        elif name == "URN":
            values[f"{prefix}_urn"] = text_of(child)
        elif name == "SchoolName" and source:
            values["source_name"] = text_of(child)
        elif name == "AcademicYear" and source:
            values["academic_year"] = text_of(child)
    return values


def parse_pupil(element: etree._Element, problems: Problems) -> CtfPupil:
    values: dict[str, Any] = {}
    lists: dict[str, list[Any]] = {key: [] for key in _LISTS}
    _pupil_children(element, values, lists, problems)
    if not values.get("first_language"):
        firsts = [lang.code for lang in lists["languages"] if lang.kind in FIRST_LANGUAGE_TYPES]
        if firsts:
            values["first_language"] = firsts[0]
    for field_name, label in (("upn", "UPN"), ("surname", "Surname"), ("forename", "Forename")):
        if field_name not in values:
            problems.add(element, f"no {label}")
    if "dob" not in values:
        problems.add(element, "no DOB")
    values.update((key, tuple(items)) for key, items in lists.items())
    return CtfPupil(**values)


def _pupil_children(
    element: etree._Element,
    values: dict[str, Any],
    lists: dict[str, list[Any]],
    problems: Problems,
) -> None:
    for name, child in children(element):
        if name in _PLAIN_PUPIL_TEXT:
            values[_PLAIN_PUPIL_TEXT[name]] = text_of(child)
        elif name == "UPN":
            values["upn"] = _upn(child, "UPN", problems)
        elif name in ("FormerUPN", "FormerUPNs"):
            formers = [child] if name == "FormerUPN" else [former for _, former in children(child)]
            upns = (_upn(former, "FormerUPN", problems) for former in formers)
            lists["former_upns"].extend(upn for upn in upns if upn)
        elif name == "DOB":
            values["dob"] = date_of(child, "DOB", problems)
        elif name in ("Sex", "Gender"):
            values["sex"] = _sex(child, name, problems)
        elif name == "BasicDetails":
            _pupil_children(child, values, lists, problems)
        elif name == "Address":
            lists["addresses"].append(_address(child))
        elif name == "Phones":
            lists["phones"].extend(_phones(child))
        elif name == "Contacts":
            lists["contacts"].extend(_contact(contact, problems) for _, contact in children(child))
        elif name == "Attendance":
            _attendance(child, values, lists, problems)
        elif name == "SchoolHistory":
            lists["school_history"].extend(_spell(s, problems) for _, s in children(child))
        elif name == "SENhistory":
            lists["sen"].extend(_sen(record, problems) for _, record in children(child))
        elif name == "FSMhistory":
            _fsm(child, values, lists, problems)
        elif name == "Languages":
            lists["languages"].extend(_languages(child))
        elif name == "LookedAfter":
            values["looked_after"] = _looked_after(child, problems)
        elif name in ("InCare", "CareAuthority"):  # older files: in BasicDetails
            so_far = values.get("looked_after") or LookedAfter()
            values["looked_after"] = _looked_after_part(so_far, name, child, problems)
        elif name == "StageAssessments":
            lists["assessments"].extend(_assessments(child))


def _upn(element: etree._Element, label: str, problems: Problems) -> str:
    value = "".join(text_of(element).split()).upper()
    if UPN.fullmatch(value):
        return value
    problems.add(element, f"{label} is not a UPN")
    return ""


def _sex(element: etree._Element, label: str, problems: Problems) -> str:
    value = text_of(element).upper()
    if SEX.fullmatch(value):
        return value
    problems.add(element, f"{label} is not a known code")
    return ""


def _address(element: etree._Element) -> Address:
    values: dict[str, Any] = {}
    for name, child in children(element):
        if name == "BS7666Address":
            for part, value in children(child):
                if part in _BS7666:
                    values[_BS7666[part]] = text_of(value)
        elif name == "AddressLines":
            values["lines"] = tuple(text_of(line) for _, line in children(child))
        elif name.startswith("AddressLine"):  # some files leave out the AddressLines wrapper
            values["lines"] = (*values.get("lines", ()), text_of(child))
        elif name in ("Postcode", "Zip"):
            values["postcode"] = text_of(child)
        elif name == "Country":
            values["country"] = text_of(child)
    return Address(**values)


def _phones(element: etree._Element) -> list[Phone]:
    phones = []
    for _, phone in children(element):
        parts = {name: text_of(child) for name, child in children(phone)}
        phones.append(Phone(kind=parts.get("TelephoneType", ""), number=parts.get("PhoneNo", "")))
    return phones


def _contact(element: etree._Element, problems: Problems) -> Contact:
    values: dict[str, Any] = {}
    phones: list[Phone] = []
    for name, child in children(element):
        if name == "Order":
            values["order"] = int_of(child, "Contact Order", problems)
        elif name in ("Title", "Surname", "Forename", "Relationship", "Email"):
            values[name.lower()] = text_of(child)
        elif name in ("Sex", "Gender"):
            values["sex"] = _sex(child, f"Contact {name}", problems)
        elif name == "Responsibility":
            values["parental_responsibility"] = bool_of(child, "Contact Responsibility", problems)
        elif name == "AddressAsPupil":
            values["address_as_pupil"] = bool(bool_of(child, "Contact AddressAsPupil", problems))
        elif name == "Address":
            values["address"] = _address(child)
        elif name == "Phones":
            phones.extend(_phones(child))
    return Contact(**values, phones=tuple(phones))


def _attendance(
    element: etree._Element,
    values: dict[str, Any],
    lists: dict[str, list[Any]],
    problems: Problems,
) -> None:
    counts = {
        "SessionsPossible": "sessions_possible",
        "SessionsAuthorised": "sessions_authorised",
        "SessionsUnauthorised": "sessions_unauthorised",
        "SessionsAttended": "sessions_attended",
    }
    for name, child in children(element):
        if name == "LastAttendanceDate":
            values["last_attendance_date"] = date_of(child, name, problems)
        elif name == "YearData":
            year: dict[str, Any] = {}
            for part, value in children(child):
                if part == "Year":
                    year["year"] = text_of(value)
                elif part in counts:
                    year[counts[part]] = int_of(value, f"Attendance {part}", problems)
            lists["attendance"].append(AttendanceYear(**year))


def _spell(element: etree._Element, problems: Problems) -> SchoolSpell:
    values: dict[str, Any] = {}
    for name, child in children(element):
        if name == "LEA":
            values["lea"] = code_of(child, "SchoolHistory LEA", DEST_LEA, problems)
        elif name == "Estab":
            values["estab"] = code_of(child, "SchoolHistory Estab", DEST_ESTAB, problems)
        elif name == "SchoolName":
            values["name"] = text_of(child)
        elif name == "EntryDate":
            values["entry_date"] = date_of(child, "SchoolHistory EntryDate", problems)
        elif name == "LeavingDate":
            values["leaving_date"] = date_of(child, "SchoolHistory LeavingDate", problems)
        elif name == "LeavingReason":
            values["leaving_reason"] = text_of(child)
    return SchoolSpell(**values)


def _sen(element: etree._Element, problems: Problems) -> SenRecord:
    values: dict[str, Any] = {}
    needs: list[SenNeed] = []
    for name, child in children(element):
        if name == "StartDate":
            values["start_date"] = date_of(child, "SEN StartDate", problems)
        elif name == "SENprovision":
            values["provision"] = text_of(child)
        elif name == "SENneeds":
            for _, need in children(child):
                rank: int | None = None
                need_type = ""
                for part, value in children(need):
                    if part == "SENtypeRank":
                        rank = int_of(value, "SENtypeRank", problems)
                    elif part == "SENtype":
                        need_type = text_of(value)
                needs.append(SenNeed(rank, need_type))
    return SenRecord(**values, needs=tuple(needs))


def _fsm(
    element: etree._Element,
    values: dict[str, Any],
    lists: dict[str, list[Any]],
    problems: Problems,
) -> None:
    for name, child in children(element):
        if name == "FSMreviewDate":
            values["fsm_review_date"] = date_of(child, name, problems)
        elif name == "FSMinstance":
            period: dict[str, Any] = {}
            for part, value in children(child):
                if part == "FSMstartDate":
                    period["start_date"] = date_of(value, part, problems)
                elif part == "FSMendDate":
                    period["end_date"] = date_of(value, part, problems)
                elif part == "UKcountry":
                    period["uk_country"] = text_of(value)
            lists["fsm"].append(FsmPeriod(**period))


def _languages(element: etree._Element) -> list[Language]:
    languages = []
    for _, entry in children(element):
        parts = {name: text_of(child) for name, child in children(entry)}
        languages.append(Language(parts.get("LanguageType", ""), parts.get("Language", "")))
    return languages


def _looked_after(element: etree._Element, problems: Problems) -> LookedAfter:
    looked_after = LookedAfter()
    for name, child in children(element):
        looked_after = _looked_after_part(looked_after, name, child, problems)
    return looked_after


def _looked_after_part(
    so_far: LookedAfter, name: str, element: etree._Element, problems: Problems
) -> LookedAfter:
    if name == "InCare":
        return dataclasses.replace(so_far, in_care=bool_of(element, name, problems))
    if name == "CareAuthority":
        code = code_of(element, name, DEST_LEA, problems)
        return dataclasses.replace(so_far, care_authority=code)
    return so_far


def _assessments(element: etree._Element) -> list[Assessment]:
    """Every `StageAssessment` (at any depth), with the `Stage` of the `KeyStage` around it."""
    found = []
    for key_stage in element:
        stage = ""
        for name, child in children(key_stage):
            if name == "Stage":
                stage = text_of(child)
        for result in key_stage.iter("{*}StageAssessment"):
            values = {"stage": stage}
            for name, child in children(result):
                key = _ASSESSMENT_FIELDS.get(name.lower())
                if key and key != "stage":
                    values[key] = text_of(child)
            found.append(Assessment(**values))
    return found
