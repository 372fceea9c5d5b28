"""CTF files for the import and export tests, made with the project's own writer."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from cme.children.upn import make_upn
from cme.transfers.ctf import Address, Contact, CtfHeader, CtfPupil, Phone, write_ctf


def header(
    source: tuple[str, str] = ("990", "2001"), dest: tuple[str, str] = ("XXX", "XXXX")
) -> CtfHeader:
    return CtfHeader(
        source_lea=source[0],
        source_estab=source[1],
        source_name="Meadow Lane Primary School",
        dest_lea=dest[0],
        dest_estab=dest[1],
        generated_at=datetime(2026, 3, 2, 9, 30),
    )


_FORENAMES = ("Ophelia", "Rosalind", "Benedict", "Cordelia", "Lysander", "Perdita", "Orsino")


def pupil(number: int = 1, **changes: Any) -> CtfPupil:
    base = CtfPupil(
        upn=make_upn("990", "2001", 19, number),
        surname=f"Thistlewood{chr(ord('a') + number % 26)}",
        forename=_FORENAMES[number % len(_FORENAMES)],
        dob=date(2012 + number % 5, 1 + number % 12, 1 + number % 27),
        sex="F",
        addresses=(
            Address(paon="14", street="Copper Beech Lane", town="Exton", postcode="EX1 2AB"),
        ),
        phones=(Phone("H", "01632 960001"),),
        contacts=(
            Contact(
                order=1,
                surname="Thistlewood",
                forename="Helena",
                relationship="PAM",
                parental_responsibility=True,
                address_as_pupil=True,
                phones=(Phone("M", "07700 900111"),),
            ),
        ),
        last_attendance_date=date(2026, 2, 20),
    )
    return replace(base, **changes)


def ctf_bytes(pupils: list[CtfPupil], **header_args: Any) -> bytes:
    out = io.BytesIO()
    write_ctf(header(**header_args), pupils, out)
    return out.getvalue()


def transfers_world(authority: Any, establishment: Any, actor: Any) -> dict[str, Any]:
    """For the access matrix: a CTF uploaded by `establishment`'s school, and a case of a
    restricted child (the export grant page is only for those)."""
    from cme.cases.tests.factories import make_child, open_case
    from cme.transfers import services

    upload = services.ctf_upload_store(
        actor=actor, authority=authority, establishment=establishment, content=ctf_bytes([pupil(1)])
    ).upload
    hidden = make_child(authority, is_restricted=True, restriction_reason="Refuge")
    return {"ctf_upload": upload, "ctf_restricted_case": open_case(authority, actor, hidden)}
