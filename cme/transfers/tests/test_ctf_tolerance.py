"""Older and imperfect files: read what can be read, report the rest without personal data."""

from __future__ import annotations

import io

from cme.transfers.ctf import LookedAfter, read_ctf, validate_ctf
from cme.transfers.ctf.samples import sample_upn
from cme.transfers.ctf.validate import safe_message

UPN_1 = sample_upn("801", "2000", 12, 1)
UPN_2 = sample_upn("801", "2000", 12, 2)
UPN_4 = sample_upn("801", "2000", 12, 4)
FORMER = sample_upn("803", "4002", 10, 9)

OLDER_FILE = f"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName>
    <CTFversion>12.0</CTFversion>
    <DateTime>2014-07-18T16:02:11</DateTime>
    <DocumentQualifier>partial</DocumentQualifier>
    <SourceSchool>
      <LEA>801</LEA>
      <Estab>2000</Estab>
      <SchoolName>Old Mill Primary</SchoolName>
      <AcademicYear>2014</AcademicYear>
    </SourceSchool>
    <DestSchool>
      <LEA>XXX</LEA>
      <Estab>XXXX</Estab>
    </DestSchool>
  </Header>
  <CTFpupilData>
    <Pupil>
      <UPN>{UPN_1}</UPN>
      <Surname>Tansy</Surname>
      <Forename>Oberon</Forename>
      <DOB>2008-11-30</DOB>
      <Gender>M</Gender>
      <BasicDetails>
        <FormerUPN>{FORMER}</FormerUPN>
        <PreferredSurname>Tansey</PreferredSurname>
        <MiddleNames>Hal</MiddleNames>
        <Ethnicity>WIRT</Ethnicity>
        <Languages>
          <Type><LanguageType>F</LanguageType><Language>ENG</Language></Type>
        </Languages>
        <InCare>false</InCare>
        <CareAuthority>802</CareAuthority>
      </BasicDetails>
      <Contacts>
        <Contact>
          <Order>1</Order>
          <Surname>Tansy</Surname>
          <Forename>Willa</Forename>
          <Gender>F</Gender>
          <Relationship>PAM</Relationship>
          <Responsibility>1</Responsibility>
          <AddressAsPupil>1</AddressAsPupil>
        </Contact>
      </Contacts>
    </Pupil>
  </CTFpupilData>
</CTfile>
""".encode()


def pupil_xml(upn: str, surname: str, dob: str, sex: str = "F", extra: str = "") -> str:
    upn_element = f"<UPN>{upn}</UPN>" if upn else ""
    surname_element = f"<Surname>{surname}</Surname><Forename>Ivy</Forename>" if surname else ""
    return f"""
    <Pupil>
      {upn_element}
      {surname_element}
      <DOB>{dob}</DOB>
      <Sex>{sex}</Sex>{extra}
    </Pupil>"""


def ctf_xml(*pupils: str, dest_lea: str = "802") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile>
  <Header>
    <DocumentName>Common Transfer File</DocumentName>
    <CTFversion>25.0</CTFversion>
    <DateTime>2026-01-05T08:00:00</DateTime>
    <DocumentQualifier>full</DocumentQualifier>
    <SourceSchool><LEA>801</LEA><Estab>2000</Estab></SourceSchool>
    <DestSchool><LEA>{dest_lea}</LEA><Estab>3001</Estab></DestSchool>
  </Header>
  <CTFpupilData>{"".join(pupils)}
  </CTFpupilData>
</CTfile>
""".encode()


def test_an_older_file_with_gender_and_names_in_basic_details_is_read_in_full() -> None:
    ctf = read_ctf(io.BytesIO(OLDER_FILE))
    assert ctf.errors == []
    assert ctf.header.version == "12.0"
    assert ctf.header.qualifier == "partial"
    assert ctf.header.destination == "unknown"
    [pupil] = ctf.pupils
    assert (pupil.upn, pupil.surname, pupil.forename, pupil.sex) == (UPN_1, "Tansy", "Oberon", "M")
    assert pupil.former_upns == (FORMER,)
    assert (pupil.preferred_surname, pupil.middle_names) == ("Tansey", "Hal")
    assert (pupil.ethnicity, pupil.first_language) == ("WIRT", "ENG")
    assert pupil.looked_after == LookedAfter(in_care=False, care_authority="802")
    [contact] = pupil.contacts
    assert (contact.sex, contact.parental_responsibility, contact.address_as_pupil) == (
        "F",
        True,
        True,
    )
    # Optional blocks that are missing are simply empty.
    assert (pupil.addresses, pupil.attendance, pupil.school_history, pupil.sen) == ((),) * 4
    assert pupil.last_attendance_date is None


def test_the_xsd_accepts_the_older_file() -> None:
    assert validate_ctf(io.BytesIO(OLDER_FILE)) == []


def test_a_bad_pupil_is_reported_and_the_others_are_still_read() -> None:
    document = ctf_xml(
        pupil_xml(UPN_1, "Rowan", "2015-02-03"),
        pupil_xml(UPN_2, "Bracken", "2015-13-45", sex="FM"),
        pupil_xml("", "", "2015-04-05"),
        pupil_xml(UPN_4, "Sorrel", "2015-06-07"),
    )
    ctf = read_ctf(io.BytesIO(document))
    assert [pupil.surname for pupil in ctf.pupils] == ["Rowan", "Bracken", "Sorrel"]
    bad = ctf.pupils[1]
    assert (bad.upn, bad.dob, bad.sex) == (UPN_2, None, "")
    ours = [message for message in ctf.errors if "schema:" not in message]
    assert ours == [
        "pupil 2 (line 21): DOB is not a date",
        "pupil 2 (line 22): Sex is not a known code",
        "pupil 3 (line 24): no UPN",
        "pupil 3 (line 24): no Surname",
        "pupil 3 (line 24): no Forename",
        "pupil 3 (line 24): skipped: no UPN or name",
    ]
    assert "pupil 2 (line 21): schema: DOB: the value is not a valid xs:date" in ctf.errors
    assert not any(message.startswith(("pupil 1 ", "pupil 4 ")) for message in ctf.errors)


def test_error_messages_never_hold_the_values_from_the_file() -> None:
    document = ctf_xml(
        pupil_xml("Z12", "Bracken-" + "x" * 120, "1999-99-99", sex="Female"),
        dest_lea="Westshire",
    )
    ctf = read_ctf(io.BytesIO(document))
    assert ctf.errors
    for message in ctf.errors:
        for value in ("Z12", "Bracken", "1999", "Female", "Westshire"):
            assert value not in message, message


def test_a_bad_destination_is_reported_and_counts_as_unknown() -> None:
    ctf = read_ctf(io.BytesIO(ctf_xml(pupil_xml(UPN_1, "Rowan", "2015-02-03"), dest_lea="12")))
    assert ctf.header.destination == "unknown"
    assert ctf.errors == [
        "header (line 9): DestSchool LEA is not a valid code",
        "header (line 9): schema: LEA: the value is not in the expected form",
    ]
    assert len(ctf.pupils) == 1


def test_the_xsd_rejects_a_bad_lea_code_and_says_on_which_line() -> None:
    document = ctf_xml(pupil_xml(UPN_1, "Rowan", "2015-02-03"), dest_lea="12")
    assert validate_ctf(io.BytesIO(document)) == [
        "header (line 9): schema: LEA: the value is not in the expected form"
    ]


def test_the_xsd_rejects_a_bad_lea_in_a_pupils_school_history() -> None:
    history = "<SchoolHistory><School><LEA>8O1</LEA><Estab>2000</Estab></School></SchoolHistory>"
    document = ctf_xml(pupil_xml(UPN_1, "Rowan", "2015-02-03", extra=history))
    assert validate_ctf(io.BytesIO(document)) == [
        "pupil 1 (line 16): schema: LEA: the value is not in the expected form"
    ]


def test_unknown_elements_are_reported_by_the_xsd_but_do_not_stop_reading() -> None:
    document = ctf_xml(pupil_xml(UPN_1, "Rowan", "2015-02-03", extra="<Shoesize>3</Shoesize>"))
    ctf = read_ctf(io.BytesIO(document))
    assert [pupil.surname for pupil in ctf.pupils] == ["Rowan"]
    assert len(ctf.errors) == 1
    assert "schema: Shoesize: This element is not expected" in ctf.errors[0]


def test_a_file_without_a_header_is_read_and_says_so() -> None:
    document = b"<CTfile><CTFpupilData>" + pupil_xml(UPN_1, "Rowan", "2015-02-03").encode()
    ctf = read_ctf(io.BytesIO(document + b"</CTFpupilData><Extra/></CTfile>"))
    assert ctf.errors[0] == "file: no Header"
    assert not any("no SourceSchool" in message for message in ctf.errors)
    assert "file (line 7): unexpected element Extra" in ctf.errors
    assert ctf.header.destination == "unknown"
    assert (ctf.header.version, ctf.header.source_lea, ctf.header.qualifier) == ("", "", "")
    assert [pupil.surname for pupil in ctf.pupils] == ["Rowan"]


def test_a_namespaced_file_is_read_by_local_names() -> None:
    document = OLDER_FILE.replace(b"<CTfile>", b'<CTfile xmlns="urn:example:ctf">')
    ctf = read_ctf(io.BytesIO(document), validate=False)
    assert ctf.errors == []
    assert [pupil.surname for pupil in ctf.pupils] == ["Tansy"]


def test_schema_messages_drop_quoted_values_even_with_quotes_inside() -> None:
    message = (
        "Element 'Surname': [facet 'maxLength'] The value 'O'Brien-Smythe' has a length of 140; "
        "this exceeds the allowed maximum length of '100'."
    )
    assert safe_message(message) == "Surname: the value is too long"
    typed = "Element 'DOB': '2015-13-45' is not a valid value of the atomic type 'xs:date'."
    assert safe_message(typed) == "DOB: the value is not a valid xs:date"
    assert safe_message("something else 'Smith'") == "does not match the schema"


def test_mixed_or_malformed_destination_codes_count_as_unknown() -> None:
    from cme.transfers.ctf import destination_of

    assert destination_of("801", "XXXX") == "unknown"
    assert destination_of("MMM", "2000") == "unknown"
    assert destination_of("", "") == "unknown"
    assert destination_of("801", "2000") == "known"
    assert destination_of("MMM", "MMMM") == "abroad"


def test_a_header_without_a_destination_says_so_once_per_code() -> None:
    document = ctf_xml(pupil_xml(UPN_1, "Rowan", "2015-02-03")).replace(
        b"<DestSchool><LEA>802</LEA><Estab>3001</Estab></DestSchool>", b""
    )
    ctf = read_ctf(io.BytesIO(document), validate=False)
    assert ctf.errors == [
        "header (line 3): no DestSchool LEA",
        "header (line 3): no DestSchool Estab",
    ]
    assert ctf.header.destination == "unknown"


def test_a_bad_former_upn_is_reported_and_left_out() -> None:
    formers = f"<FormerUPNs><FormerUPN>{FORMER}</FormerUPN><FormerUPN>12</FormerUPN></FormerUPNs>"
    ctf = read_ctf(io.BytesIO(ctf_xml(pupil_xml(UPN_1, "Rowan", "2015-02-03", extra=formers))))
    assert ctf.pupils[0].former_upns == (FORMER,)
    assert ctf.errors[0] == "pupil 1 (line 16): FormerUPN is not a UPN"


BASIC_DETAILS_STYLE = f"""
    <Pupil>
      <UPN>{UPN_1}</UPN>
      <BasicDetails>
        <LegalSurname>Teasel</LegalSurname>
        <LegalForename>Wren</LegalForename>
        <DOB>2016-09-09</DOB>
        <Gender>U</Gender>
      </BasicDetails>
      <Address>
        <AddressLine1>4 Fennel Row</AddressLine1>
        <AddressLine2>Brambleford</AddressLine2>
        <Postcode>BF2 1AA</Postcode>
      </Address>
    </Pupil>"""


def test_names_and_birth_date_in_basic_details_and_bare_address_lines_are_read() -> None:
    ctf = read_ctf(io.BytesIO(ctf_xml(BASIC_DETAILS_STYLE)))
    assert ctf.errors == []
    [pupil] = ctf.pupils
    assert (pupil.surname, pupil.forename, pupil.sex) == ("Teasel", "Wren", "U")
    assert pupil.dob is not None and pupil.dob.isoformat() == "2016-09-09"
    [address] = pupil.addresses
    assert (address.lines, address.postcode) == (("4 Fennel Row", "Brambleford"), "BF2 1AA")


def test_utf16_and_latin1_files_are_read() -> None:
    document = ctf_xml(pupil_xml(UPN_1, "Zoë", "2015-02-03")).decode()
    for encoding, codec in (("UTF-16", "utf-16"), ("ISO-8859-1", "latin-1")):
        encoded = document.replace('encoding="UTF-8"', f'encoding="{encoding}"').encode(codec)
        ctf = read_ctf(io.BytesIO(encoded))
        assert ctf.errors == []
        assert [pupil.surname for pupil in ctf.pupils] == ["Zoë"]
