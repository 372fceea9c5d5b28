"""Builders for LPD tests: lost CTFs written with the project's own writer."""

from __future__ import annotations

import dataclasses
import io
import itertools
from datetime import date
from typing import Any

from cme.children.upn import make_upn
from cme.registers.models import Establishment
from cme.transfers.ctf import CtfHeader, CtfPupil, write_ctf
from cme.transfers.ctf.samples import full_pupil

_serial = itertools.count(1)


def lost_pupil(**fields: Any) -> CtfPupil:
    """A full record (address, contacts, school history…) with its own UPN and these fields."""
    n = next(_serial)
    defaults: dict[str, Any] = {
        "upn": make_upn("990", "2001", 2019, n % 1000),
        "former_upns": (),
        "forename": "Oliwia",
        "surname": "Kowalczyk",
        "middle_names": "",
        "preferred_forename": "",
        "preferred_surname": "",
        "former_surname": "",
        "dob": date(2014, 3, 9),
        "sex": "F",
    }
    return dataclasses.replace(full_pupil(n), **{**defaults, **fields})


def lost_ctf(
    school: Establishment | None = None,
    pupils: list[CtfPupil] | None = None,
    *,
    dest: tuple[str, str] = ("XXX", "XXXX"),
    source: tuple[str, str] | None = None,
) -> bytes:
    lea, estab = source or ((school.la_code, school.number) if school else ("990", "2001"))
    header = CtfHeader(
        source_lea=lea,
        source_estab=estab,
        source_name=school.name if school else "Meadow Lane Primary School",
        dest_lea=dest[0],
        dest_estab=dest[1],
    )
    out = io.BytesIO()
    write_ctf(header, pupils if pupils is not None else [lost_pupil()], out)
    return out.getvalue()


def lpd_world(authority: Any, establishment: Establishment) -> dict[str, Any]:
    """For the access matrix: a lost CTF the matrix's school uploaded, and its pupil."""
    from cme.accounts.models import Membership, Role, User
    from cme.lpd import services

    uploader = User.objects.create_user(
        "lpd-uploader@990.example.gov.uk", "a-long-test-password", full_name="LPD uploader"
    )
    Membership.objects.create(
        user=uploader, authority=authority, role=Role.SCHOOL_USER, establishment=establishment
    )
    upload = services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil()]), actor=uploader
    ).file
    return {"lpd_file": upload, "lpd_pupil": upload.pupils.get()}
