"""Fictional lost CTFs in the Lost Pupil Database, across the demo authorities.

Each authority's schools have left a few pupils' destinations unknown (and one moved abroad): each
lost CTF is written with the project's CTF writer and stored with its pupils and search keys, as an
upload would. One lost pupil is a restricted child of the first authority, uploaded by another
authority's school, so a search shows the location withheld. Each authority also gets six months
of LPD activity (uploads, searches, records opened, downloads) for the activity page.

Like the rest of the demo this is fixture loading: plain ORM, no audit events. A file already in
the LPD (same bytes) is left alone; an authority with LPD activity gets none added. The same
inputs give the same rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cme.accounts.models import Authority, Membership, Role
from cme.children.models import Child
from cme.lpd.models import EventKind, LpdEvent, LpdFile
from cme.lpd.services import store_pupils
from cme.registers.models import Establishment
from cme.transfers.ctf import (
    ABROAD_ESTAB,
    ABROAD_LEA,
    UNKNOWN_ESTAB,
    UNKNOWN_LEA,
    Address,
    AttendanceYear,
    Contact,
    CtfHeader,
    CtfPupil,
    Phone,
    SchoolSpell,
    read_ctf,
    write_ctf,
)
from cme.transfers.ctf.samples import sample_upn

FORENAMES = ("Maja", "Tyler", "Amira", "Kacper", "Ellie", "Yusuf", "Ruby", "Daniel", "Zainab")
SURNAMES = ("Nowicki", "Bradshaw", "Haddad", "Wiśniewski", "Corrigan", "Okafor", "Lindqvist")
STREETS = ("Mill Lane", "Church Street", "Victoria Road", "The Crescent", "Albert Terrace")
LOST_PER_AUTHORITY = 4
MONTHS_OF_ACTIVITY = 6


def _pupil(rng: random.Random, school: Establishment, serial: int, today: date) -> CtfPupil:
    forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
    dob = date(today.year - rng.randint(6, 14), rng.randint(1, 12), rng.randint(1, 28))
    left = today - timedelta(days=rng.randint(20, 150))
    district = f"{'EX' if school.la_code == '990' else 'OL'}{rng.randint(1, 9)}"
    return CtfPupil(
        upn=sample_upn(school.la_code, school.number, dob.year + 5, serial),
        surname=surname,
        forename=forename,
        dob=dob,
        sex=rng.choice("MF"),
        nc_year=str(max(1, min(11, today.year - dob.year - 5))),
        addresses=(
            Address(
                paon=str(rng.randint(1, 120)),
                street=rng.choice(STREETS),
                town="Exampleton" if school.la_code == "990" else "Otherborough",
                postcode=f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
            ),
        ),
        contacts=(
            Contact(
                order=1,
                surname=surname,
                forename=rng.choice(("Joanna", "Lee", "Samira", "Piotr", "Claire")),
                relationship="PAF" if rng.random() < 0.5 else "PAM",
                parental_responsibility=True,
                address_as_pupil=True,
                phones=(Phone("M", f"07700 900{rng.randint(100, 999)}"),),
            ),
        ),
        attendance=(AttendanceYear(str(today.year - 1), 380, 10, rng.randint(0, 40)),),
        last_attendance_date=left,
        school_history=(
            SchoolSpell(
                school.la_code, school.number, school.name, left - timedelta(days=700), left
            ),
        ),
    )


def _content(header: CtfHeader, pupil: CtfPupil) -> bytes:
    out = io.BytesIO()
    write_ctf(header, [pupil], out)
    return out.getvalue()


def _store(
    authority: Authority, school: Establishment, content: bytes, uploaded_at: datetime
) -> bool:
    digest = hashlib.sha256(content).hexdigest()
    if LpdFile.objects.filter(sha256=digest).exists():
        return False
    uploader = (
        Membership.objects.filter(authority=authority, establishment=school, is_active=True)
        .values_list("user_id", flat=True)
        .first()
    )
    ctf = read_ctf(io.BytesIO(content))
    upload = LpdFile.objects.create(
        authority=authority,
        establishment=school if uploader else None,
        uploaded_by_id=uploader
        or Membership.objects.filter(authority=authority, role=Role.CME_OFFICER)
        .values_list("user_id", flat=True)
        .first(),
        uploaded_at=uploaded_at,
        destination=ctf.header.destination,
        sha256=digest,
        size=len(content),
        content=content,
        ctf_version=ctf.header.version,
        source_lea=ctf.header.source_lea,
        source_estab=ctf.header.source_estab,
        source_name=ctf.header.source_name,
        errors=list(ctf.errors),
    )
    upload.pupil_count = store_pupils(upload, ctf)
    upload.save(update_fields=["pupil_count"])
    return True


def _header(school: Establishment, generated: datetime, *, abroad: bool = False) -> CtfHeader:
    return CtfHeader(
        source_lea=school.la_code,
        source_estab=school.number,
        source_urn=school.urn or "",
        source_name=school.name,
        dest_lea=ABROAD_LEA if abroad else UNKNOWN_LEA,
        dest_estab=ABROAD_ESTAB if abroad else UNKNOWN_ESTAB,
        generated_at=generated.replace(tzinfo=None),
        supplier_id="CME demo",
    )


def _activity(authority: Authority, rng: random.Random, today: date) -> int:
    if LpdEvent.objects.filter(authority=authority).exists():
        return 0
    events = []
    for months_ago in range(MONTHS_OF_ACTIVITY):
        first = date(today.year, today.month, 1)
        for _ in range(months_ago):
            first = (first - timedelta(days=1)).replace(day=1)
        for kind, most in (
            (EventKind.UPLOAD, 3),
            (EventKind.SEARCH, 8),
            (EventKind.OPEN, 4),
            (EventKind.DOWNLOAD, 2),
        ):
            for _ in range(rng.randint(0 if months_ago else 1, most)):
                day = min(first + timedelta(days=rng.randint(0, 27)), today)
                when = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16))))
                events.append(LpdEvent(authority=authority, kind=kind, occurred_at=when))
    LpdEvent.objects.bulk_create(events)
    return len(events)


def build_lpd(authorities: Iterable[Authority], *, today: date | None = None) -> int:
    """Lost CTFs from each authority's schools, a restricted child's among them, and activity.
    Returns the number of files added."""
    today = today or timezone.localdate()
    authorities = list(authorities)
    added = 0
    for authority in authorities:
        rng = random.Random(f"demo-lpd-{authority.la_code}")  # noqa: S311 (demo data)
        schools = list(Establishment.objects.filter(la_code=authority.la_code).order_by("number"))
        if not schools:
            continue
        # The demo school user's school posts the first, so signing in as them shows an upload.
        own = (
            Membership.objects.filter(
                authority=authority, role=Role.SCHOOL_USER, establishment__isnull=False
            )
            .order_by("pk")
            .values_list("establishment_id", flat=True)
            .first()
        )
        for n in range(LOST_PER_AUTHORITY):
            school = schools[rng.randrange(len(schools))]
            if n == 0 and own is not None:
                school = next((s for s in schools if s.pk == own), school)
            uploaded = timezone.make_aware(
                datetime.combine(today - timedelta(days=rng.randint(5, 120)), time(10))
            )
            pupil = _pupil(rng, school, 900 + n, today)
            header = _header(school, uploaded, abroad=n == LOST_PER_AUTHORITY - 1)
            added += _store(authority, school, _content(header, pupil), uploaded)
        _activity(authority, rng, today)
    # A restricted child of the first authority, posted lost by a school of another: searching
    # for them shows the record with their location withheld.
    if len(authorities) > 1:
        restricted = (
            Child.objects.filter(authority=authorities[0], is_restricted=True)
            .exclude(upn="")
            .exclude(date_of_birth__isnull=True)
            .order_by("pk")
            .first()
        )
        poster = (
            Establishment.objects.filter(la_code=authorities[1].la_code).order_by("number").first()
        )
        if restricted is not None and poster is not None:
            rng = random.Random("demo-lpd-restricted")  # noqa: S311 (demo data)
            base = _pupil(rng, poster, 990, today)
            pupil = dataclasses.replace(
                base,
                upn=restricted.upn,
                forename=restricted.forename,
                surname=restricted.surname,
                dob=restricted.date_of_birth,
                sex=restricted.sex if restricted.sex in ("M", "F") else "",
            )
            uploaded = timezone.make_aware(datetime.combine(today - timedelta(days=30), time(10)))
            content = _content(_header(poster, uploaded), pupil)
            added += _store(authorities[1], poster, content, uploaded)
    return added
