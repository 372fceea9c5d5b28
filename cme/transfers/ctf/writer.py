"""Writing a CTF that CME's reader and XSD accept.

Pupils are written one at a time (lxml's incremental `xmlfile`), so a large file never sits in
memory. Names and identifiers go on `Pupil` itself; the reader also accepts them in
`BasicDetails`, where some suppliers put them.

`withhold_location=True` is for a restricted child (§3.9.3.2): the file then carries no
addresses, no phone numbers or email addresses (the pupil's or contacts'), no contact addresses,
no school names, no source URN, no school history and no care authority — nothing that says
where the child lives or learns, or how the family can be reached. Only the header's LA and
establishment codes remain, as a CTF cannot travel without them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import BinaryIO

from lxml import etree

from .model import UNKNOWN_ESTAB, UNKNOWN_LEA, Address, Contact, CtfHeader, CtfPupil, Phone
from .parse import ESTAB, LEA

DOCUMENT_NAME = "Common Transfer File"


def write_ctf(
    header: CtfHeader,
    pupils: Iterable[CtfPupil],
    out: BinaryIO,
    *,
    withhold_location: bool = False,
) -> None:
    """Write `header` and `pupils` to `out` as UTF-8 XML.

    Raises ValueError, before writing anything, for a header the XSD would reject (codes,
    qualifier); pupils' values are written as given.
    """
    _check_header(header)
    # Written by hand for the double quotes and "UTF-8" that other systems' parsers expect.
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    with etree.xmlfile(out, encoding="utf-8") as xml, xml.element("CTfile"):
        xml.write("\n")
        xml.write(_header(header, withhold_location=withhold_location), pretty_print=True)
        with xml.element("CTFpupilData"):
            xml.write("\n")
            for pupil in pupils:
                element = _pupil(pupil, withhold_location=withhold_location)
                xml.write(element, pretty_print=True)
        xml.write("\n")


def _check_header(header: CtfHeader) -> None:
    problems = []
    if not (LEA.fullmatch(header.source_lea) and ESTAB.fullmatch(header.source_estab)):
        problems.append("the source school needs a 3-digit LA and a 4-digit establishment")
    unknown = (header.dest_lea, header.dest_estab) == (UNKNOWN_LEA, UNKNOWN_ESTAB)
    if header.destination == "unknown" and not unknown:
        problems.append("the destination needs a school's codes, XXX/XXXX or MMM/MMMM")
    if header.qualifier not in ("full", "partial"):
        problems.append('the qualifier must be "full" or "partial"')
    if problems:
        raise ValueError("Cannot write this CTF: " + "; ".join(problems))


def _add(parent: etree._Element, name: str, value: object = None) -> etree._Element:
    """A child element; its text is `value` written the way the XSD expects."""
    child = etree.SubElement(parent, name)
    if value is not None:
        child.text = _text(value)
    return child


def _add_if(parent: etree._Element, name: str, value: object) -> None:
    """A child element only when there is a value: "" and None leave it out."""
    if value is not None and value != "":
        _add(parent, name, value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _header(header: CtfHeader, *, withhold_location: bool) -> etree._Element:
    element = etree.Element("Header")
    _add(element, "DocumentName", header.document_name or DOCUMENT_NAME)
    _add(element, "CTFversion", header.version)
    generated_at = header.generated_at or datetime.now(UTC).replace(tzinfo=None)
    _add(element, "DateTime", generated_at)
    _add(element, "DocumentQualifier", header.qualifier)
    _add_if(element, "SupplierID", header.supplier_id)
    source = _add(element, "SourceSchool")
    _add(source, "LEA", header.source_lea)
    _add(source, "Estab", header.source_estab)
    if not withhold_location:
        # The URN names the school as surely as its name does.
        _add_if(source, "URN", header.source_urn)
        _add_if(source, "SchoolName", header.source_name)
    _add_if(source, "AcademicYear", header.academic_year)
    dest = _add(element, "DestSchool")
    _add(dest, "LEA", header.dest_lea)
    _add(dest, "Estab", header.dest_estab)
    _add_if(dest, "URN", header.dest_urn)
    return element


def _pupil(pupil: CtfPupil, *, withhold_location: bool) -> etree._Element:
    element = etree.Element("Pupil")
    _add_if(element, "UPN", pupil.upn)
    if pupil.former_upns:
        formers = _add(element, "FormerUPNs")
        for upn in pupil.former_upns:
            _add(formers, "FormerUPN", upn)
    for name, value in (
        ("Surname", pupil.surname),
        ("Forename", pupil.forename),
        ("MiddleNames", pupil.middle_names),
        ("PreferredSurname", pupil.preferred_surname),
        ("PreferredForename", pupil.preferred_forename),
        ("FormerSurname", pupil.former_surname),
        ("DOB", pupil.dob),
        ("Sex", pupil.sex),
    ):
        _add_if(element, name, value)
    if pupil.ethnicity or pupil.first_language or pupil.nc_year:
        basic = _add(element, "BasicDetails")
        _add_if(basic, "NCyearActual", pupil.nc_year)
        _add_if(basic, "Ethnicity", pupil.ethnicity)
        _add_if(basic, "FirstLanguage", pupil.first_language)
    if not withhold_location:
        for address in pupil.addresses:
            _address(element, address)
        _phones(element, pupil.phones)
        _add_if(element, "Email", pupil.email)
    if pupil.contacts:
        contacts = _add(element, "Contacts")
        for contact in pupil.contacts:
            _contact(contacts, contact, withhold_location=withhold_location)
    _attendance(element, pupil)
    if pupil.school_history and not withhold_location:
        history = _add(element, "SchoolHistory")
        for spell in pupil.school_history:
            school = _add(history, "School")
            _add_if(school, "LEA", spell.lea)
            _add_if(school, "Estab", spell.estab)
            _add_if(school, "SchoolName", spell.name)
            _add_if(school, "EntryDate", spell.entry_date)
            _add_if(school, "LeavingDate", spell.leaving_date)
            _add_if(school, "LeavingReason", spell.leaving_reason)
    _needs_and_support(element, pupil, withhold_location=withhold_location)
    if pupil.assessments:
        _assessments(element, pupil)
    return element


def _address(parent: etree._Element, address: Address) -> None:
    element = _add(parent, "Address")
    bs7666 = (
        ("SAON", address.saon),
        ("PAON", address.paon),
        ("Street", address.street),
        ("Locality", address.locality),
        ("Town", address.town),
        ("AdministrativeArea", address.administrative_area),
        ("PostTown", address.post_town),
        ("UniquePropertyReferenceNumber", address.uprn),
    )
    if any(value for _, value in bs7666):
        block = _add(element, "BS7666Address")
        for name, value in bs7666:
            _add_if(block, name, value)
    if address.lines:
        lines = _add(element, "AddressLines")
        for number, line in enumerate(address.lines[:5], start=1):
            _add(lines, f"AddressLine{number}", line)
    _add_if(element, "Postcode", address.postcode)
    _add_if(element, "Country", address.country)


def _phones(parent: etree._Element, phones: Iterable[Phone]) -> None:
    phones = list(phones)
    if not phones:
        return
    element = _add(parent, "Phones")
    for phone in phones:
        entry = _add(element, "Phone")
        _add_if(entry, "TelephoneType", phone.kind)
        _add(entry, "PhoneNo", phone.number)


def _contact(parent: etree._Element, contact: Contact, *, withhold_location: bool) -> None:
    element = _add(parent, "Contact")
    _add_if(element, "Order", contact.order)
    for name, value in (
        ("Title", contact.title),
        ("Surname", contact.surname),
        ("Forename", contact.forename),
        ("Sex", contact.sex),
        ("Relationship", contact.relationship),
        ("Responsibility", contact.parental_responsibility),
    ):
        _add_if(element, name, value)
    if not withhold_location:
        if contact.address_as_pupil:
            _add(element, "AddressAsPupil", True)
        if contact.address is not None:
            _address(element, contact.address)
        _phones(element, contact.phones)
        _add_if(element, "Email", contact.email)


def _attendance(parent: etree._Element, pupil: CtfPupil) -> None:
    if not pupil.attendance and pupil.last_attendance_date is None:
        return
    element = _add(parent, "Attendance")
    for year in pupil.attendance:
        data = _add(element, "YearData")
        _add_if(data, "Year", year.year)
        _add_if(data, "SessionsPossible", year.sessions_possible)
        _add_if(data, "SessionsAuthorised", year.sessions_authorised)
        _add_if(data, "SessionsUnauthorised", year.sessions_unauthorised)
        _add_if(data, "SessionsAttended", year.sessions_attended)
    _add_if(element, "LastAttendanceDate", pupil.last_attendance_date)


def _needs_and_support(
    parent: etree._Element, pupil: CtfPupil, *, withhold_location: bool = False
) -> None:
    """SEN and FSM history, languages and looked-after status (the care authority, which narrows
    where the child is, left out when the location is withheld)."""
    if pupil.sen:
        history = _add(parent, "SENhistory")
        for record in pupil.sen:
            sen = _add(history, "SEN")
            _add_if(sen, "StartDate", record.start_date)
            _add_if(sen, "SENprovision", record.provision)
            if record.needs:
                needs = _add(sen, "SENneeds")
                for need in record.needs:
                    entry = _add(needs, "SENneed")
                    _add_if(entry, "SENtypeRank", need.rank)
                    _add(entry, "SENtype", need.need_type)
    if pupil.fsm or pupil.fsm_review_date:
        fsm = _add(parent, "FSMhistory")
        _add_if(fsm, "FSMreviewDate", pupil.fsm_review_date)
        for period in pupil.fsm:
            instance = _add(fsm, "FSMinstance")
            _add_if(instance, "FSMstartDate", period.start_date)
            _add_if(instance, "FSMendDate", period.end_date)
            _add_if(instance, "UKcountry", period.uk_country)
    if pupil.languages:
        languages = _add(parent, "Languages")
        for language in pupil.languages:
            entry = _add(languages, "Type")
            _add(entry, "LanguageType", language.kind)
            _add(entry, "Language", language.code)
    if pupil.looked_after is not None:
        looked_after = _add(parent, "LookedAfter")
        _add_if(looked_after, "InCare", pupil.looked_after.in_care)
        if not withhold_location:
            _add_if(looked_after, "CareAuthority", pupil.looked_after.care_authority)


def _assessments(parent: etree._Element, pupil: CtfPupil) -> None:
    """One KeyStage per stage, in the order the stages first appear."""
    element = _add(parent, "StageAssessments")
    stages: dict[str, etree._Element] = {}
    for result in pupil.assessments:
        if result.stage not in stages:
            stages[result.stage] = _add(element, "KeyStage")
            _add_if(stages[result.stage], "Stage", result.stage)
        entry = _add(stages[result.stage], "StageAssessment")
        for name, value in (
            ("Locale", result.locale),
            ("Year", result.year),
            ("Subject", result.subject),
            ("Method", result.method),
            ("Component", result.component),
            ("ResultStatus", result.result_status),
            ("ResultQualifier", result.result_qualifier),
            ("Result", result.result),
            ("ResultDate", result.result_date),
        ):
            _add_if(entry, name, value)
