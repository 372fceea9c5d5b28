"""Made-up CTF records for tests, benchmarks and demos. Every name and place is invented."""

from __future__ import annotations

from datetime import date, datetime

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

_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def sample_upn(lea: str, estab: str, year: int, serial: int) -> str:
    """A UPN with a correct check letter (SPEC §5), e.g. sample_upn("801", "2000", 5, 1)."""
    body = f"{lea}{estab}{year % 100:02d}{serial % 1000:03d}"
    total = sum(int(digit) * position for position, digit in enumerate(body, start=2))
    return _CHECK_LETTERS[total % 23] + body


def sample_header(
    dest_lea: str = "802", dest_estab: str = "3001", *, qualifier: str = "full"
) -> CtfHeader:
    return CtfHeader(
        source_lea="801",
        source_estab="2000",
        source_urn="123456",
        source_name="Brambleford Primary School",
        academic_year="2025",
        dest_lea=dest_lea,
        dest_estab=dest_estab,
        version="25.0",
        generated_at=datetime(2026, 3, 2, 9, 30, 15),
        qualifier=qualifier,
        supplier_id="CME",
    )


def minimal_pupil() -> CtfPupil:
    return CtfPupil(
        upn=sample_upn("801", "2000", 19, 7),
        surname="Quill",
        forename="Ada",
        dob=date(2015, 6, 1),
        sex="F",
    )


def full_pupil(number: int = 1) -> CtfPupil:
    """A pupil with every block CME reads filled in; `number` varies names and identifiers."""
    home = Address(
        paon=str(10 + number % 90),
        street="Larkspur Road",
        locality="Upper Hembury",
        town="Brambleford",
        administrative_area="Westshire",
        post_town="Brambleford",
        uprn=str(100000000 + number),
        postcode="BF1 4QZ",
    )
    return CtfPupil(
        upn=sample_upn("801", "2000", 18, number),
        former_upns=(sample_upn("802", "3001", 16, number), sample_upn("803", "4002", 17, number)),
        surname=f"Pennywhistle{number}",
        forename="Marigold",
        middle_names="June Rose",
        preferred_surname="Penny",
        preferred_forename="Goldie",
        former_surname="Hawthorne",
        dob=date(2014, 1 + number % 12, 1 + number % 28),
        sex="F" if number % 2 else "M",
        ethnicity="WBRI",
        first_language="ENG",
        nc_year="6",
        addresses=(home,),
        phones=(Phone("H", "01632 960123"), Phone("M", "07700 900456")),
        email="marigold.family@example.org",
        contacts=(
            Contact(
                order=1,
                title="Ms",
                surname="Hawthorne",
                forename="Clementine",
                sex="F",
                relationship="PAM",
                parental_responsibility=True,
                address_as_pupil=True,
                phones=(Phone("M", "07700 900789"),),
                email="clementine@example.org",
            ),
            Contact(
                order=2,
                title="Mr",
                surname="Pennywhistle",
                forename="Rufus",
                sex="M",
                relationship="PAF",
                parental_responsibility=False,
                address=Address(
                    lines=("Flat 3", "12 Quayside", "Port Elsmere"),
                    postcode="PE9 8XY",
                    country="GBR",
                ),
                phones=(Phone("W", "01632 960999"),),
            ),
        ),
        attendance=(
            AttendanceYear("2024", 380, 12, 4, 364),
            AttendanceYear("2025", 210, 6, 30),
        ),
        last_attendance_date=date(2026, 2, 13),
        school_history=(
            SchoolSpell(
                "803", "4002", "Little Orchard Infants", date(2018, 9, 5), date(2021, 7, 20), "MOVE"
            ),
            SchoolSpell("801", "2000", "Brambleford Primary School", date(2021, 9, 1)),
        ),
        sen=(SenRecord(date(2022, 10, 3), "K", (SenNeed(1, "SLCN"), SenNeed(2, "SEMH"))),),
        fsm_review_date=date(2025, 9, 1),
        fsm=(FsmPeriod(date(2021, 9, 1), date(2023, 3, 31), "ENG"), FsmPeriod(date(2024, 1, 8))),
        languages=(Language("F", "ENG"), Language("H", "POL")),
        looked_after=LookedAfter(in_care=True, care_authority="802"),
        assessments=(
            Assessment("KS1", "ENG", "2021", "MAT", "TA", "", "", "", "EXS", "2021-06-30"),
            Assessment("KS1", "ENG", "2021", "ENG", "TA", "RD", "", "", "WTS", "2021-06-30"),
            Assessment("KS2", "ENG", "2025", "MAT", "TT", "", "", "", "104", "2025-07-08"),
        ),
    )
