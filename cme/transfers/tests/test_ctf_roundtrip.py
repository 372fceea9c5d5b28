"""Writing a CTF and reading it back; the header's destinations; the inspect summary."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from lxml import etree

from cme.transfers.ctf import (
    CtfFile,
    CtfHeader,
    CtfPupil,
    ctf_schema,
    inspect_json,
    read_ctf,
    validate_ctf,
    write_ctf,
)
from cme.transfers.ctf.samples import full_pupil, minimal_pupil, sample_header


def written(header: CtfHeader, pupils: list[CtfPupil], **options: bool) -> bytes:
    output = io.BytesIO()
    write_ctf(header, pupils, output, **options)
    return output.getvalue()


def round_trip(header: CtfHeader, pupils: list[CtfPupil]) -> CtfFile:
    return read_ctf(io.BytesIO(written(header, pupils)))


@pytest.mark.parametrize("pupil", [full_pupil(7), minimal_pupil()], ids=["full", "minimal"])
def test_a_pupil_reads_back_exactly_as_written_field_by_field(pupil: CtfPupil) -> None:
    ctf = round_trip(sample_header(), [pupil])
    assert ctf.errors == []
    [read_back] = ctf.pupils
    for field in dataclasses.fields(CtfPupil):
        assert getattr(read_back, field.name) == getattr(pupil, field.name), field.name


def test_the_full_sample_really_fills_every_field() -> None:
    pupil = full_pupil(7)
    empty = [
        f.name for f in dataclasses.fields(CtfPupil) if getattr(pupil, f.name) in ("", (), None)
    ]
    assert empty == []


def test_the_header_reads_back_exactly_as_written() -> None:
    header = sample_header(qualifier="partial")
    assert round_trip(header, [minimal_pupil()]).header == header


def test_many_pupils_come_back_in_order() -> None:
    pupils = [full_pupil(n) for n in range(1, 30)]
    assert round_trip(sample_header(), pupils).pupils == pupils


@pytest.mark.parametrize(
    ("lea", "estab", "destination"),
    [("802", "3001", "known"), ("XXX", "XXXX", "unknown"), ("MMM", "MMMM", "abroad")],
)
def test_the_destination_codes_are_written_and_read_back(
    lea: str, estab: str, destination: str
) -> None:
    data = written(sample_header(lea, estab), [minimal_pupil()])
    assert f"<DestSchool>\n    <LEA>{lea}</LEA>\n    <Estab>{estab}</Estab>".encode() in data
    ctf = read_ctf(io.BytesIO(data))
    assert (ctf.header.dest_lea, ctf.header.dest_estab) == (lea, estab)
    assert ctf.header.destination == destination
    assert ctf.errors == []


def test_the_header_has_the_document_name_version_time_and_qualifier() -> None:
    root = etree.fromstring(written(sample_header(), []))
    header = root.find("Header")
    assert header is not None
    assert header.findtext("DocumentName") == "Common Transfer File"
    assert header.findtext("CTFversion") == "25.0"
    assert header.findtext("DateTime") == "2026-03-02T09:30:15"
    assert header.findtext("DocumentQualifier") == "full"


def test_the_xsd_accepts_what_the_writer_produces_as_a_whole_document() -> None:
    pupils = [full_pupil(1), minimal_pupil(), full_pupil(2)]
    for header in (sample_header(), sample_header("XXX", "XXXX"), sample_header("MMM", "MMMM")):
        document = etree.fromstring(written(header, pupils))
        ctf_schema().assertValid(document)
        withheld = etree.fromstring(written(header, pupils, withhold_location=True))
        ctf_schema().assertValid(withheld)


def test_validate_ctf_finds_nothing_wrong_with_the_writers_file(tmp_path: object) -> None:
    data = written(sample_header(), [full_pupil(1), minimal_pupil()])
    assert validate_ctf(io.BytesIO(data)) == []


def test_withholding_location_leaves_no_address_phone_or_school_in_the_bytes() -> None:
    pupil = full_pupil(3)
    header = sample_header()
    data = written(header, [pupil], withhold_location=True)
    located = [header.source_name]
    for address in [*pupil.addresses, *(c.address for c in pupil.contacts if c.address)]:
        located += [address.paon, address.street, address.locality, address.town]
        located += [address.post_town, address.postcode, address.uprn, *address.lines]
    located += [phone.number for phone in pupil.phones]
    located += [phone.number for contact in pupil.contacts for phone in contact.phones]
    located += [spell.name for spell in pupil.school_history]
    located += [e for e in (pupil.email, *(c.email for c in pupil.contacts)) if e]
    # Short values (a house number) also occur in dates; the element checks below cover them.
    for text in (text for text in located if len(text) >= 5):
        assert text.encode() not in data, text
    for element in (
        b"<Address",
        b"<PAON",
        b"<Phone",
        b"<Email",
        b"<SchoolHistory",
        b"<SchoolName",
        b"<CareAuthority",  # the care authority's code narrows where the child is
    ):
        assert element not in data
    assert header.source_urn and header.source_urn.encode() not in data
    # Everything that is not location still travels.
    read_back = read_ctf(io.BytesIO(data)).pupils[0]
    assert read_back == dataclasses.replace(
        pupil,
        addresses=(),
        phones=(),
        email="",
        school_history=(),
        contacts=tuple(
            dataclasses.replace(c, address=None, address_as_pupil=False, phones=(), email="")
            for c in pupil.contacts
        ),
        looked_after=pupil.looked_after
        and dataclasses.replace(pupil.looked_after, care_authority=""),
    )


def test_without_withholding_the_same_location_is_in_the_file() -> None:
    data = written(sample_header(), [full_pupil(3)])
    assert b"Larkspur Road" in data and b"07700 900456" in data and b"Little Orchard" in data


def test_inspect_json_gives_the_summary_the_command_prints() -> None:
    ctf = round_trip(sample_header("XXX", "XXXX"), [full_pupil(1), minimal_pupil()])
    summary = inspect_json(ctf)
    assert summary == {
        "ctf_version": "25.0",
        "source_lea": "801",
        "source_estab": "2000",
        "dest_lea": "XXX",
        "dest_estab": "XXXX",
        "destination": "unknown",
        "pupils": [
            {
                "upn": full_pupil(1).upn,
                "surname": "Pennywhistle1",
                "forename": "Marigold",
                "dob": "2014-02-02",
                "sex": "F",
            },
            {
                "upn": minimal_pupil().upn,
                "surname": "Quill",
                "forename": "Ada",
                "dob": date(2015, 6, 1).isoformat(),
                "sex": "F",
            },
        ],
        "errors": [],
    }


def test_a_path_reads_the_same_as_a_stream(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "out.xml"
    path.write_bytes(written(sample_header(), [full_pupil(1)]))
    assert read_ctf(path).pupils == [full_pupil(1)]
    assert read_ctf(str(path)).pupils == [full_pupil(1)]


def test_on_pupil_hands_each_pupil_over_instead_of_keeping_it() -> None:
    pupils = [full_pupil(n) for n in range(1, 6)]
    handed: list[CtfPupil] = []
    ctf = read_ctf(io.BytesIO(written(sample_header(), pupils)), on_pupil=handed.append)
    assert handed == pupils
    assert ctf.pupils == []
    assert ctf.header == sample_header()


@pytest.mark.parametrize(
    "changes",
    [
        {"source_lea": "80"},
        {"dest_estab": "XXX"},
        {"dest_lea": ""},
        {"dest_lea": "XXX"},  # mixed with a real establishment
        {"qualifier": "Full"},
    ],
)
def test_the_writer_refuses_a_header_the_xsd_would_reject(changes: dict[str, str]) -> None:
    output = io.BytesIO()
    with pytest.raises(ValueError, match="Cannot write this CTF"):
        write_ctf(dataclasses.replace(sample_header(), **changes), [minimal_pupil()], output)  # type: ignore[arg-type]
    assert output.getvalue() == b""
