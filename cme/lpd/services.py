"""Every change to the Lost Pupil Database, and the record of every use of it.

Each service is atomic and records its own audit event (field names, counts and ids only) and,
for the activity figures, an `LpdEvent` counted per authority and month.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.models import Authority, Role, User
from cme.core import audit
from cme.core.models import AuditAction
from cme.lpd.models import EventKind, FileStatus, LpdEvent, LpdFile, LpdKey, LpdPupil
from cme.lpd.records import last_school, person_record, schools_text
from cme.matching import engine
from cme.registers.models import Establishment
from cme.transfers import hooks
from cme.transfers.ctf import CtfFile, CtfRefused, read_ctf
from cme.transfers.selectors import pupil_upns

# A lost CTF normally holds one pupil (§3.9.4.1); a school leaving many pupils' destinations
# unknown still fits well under this.
MAX_BYTES = 5 * 1024 * 1024
KNOWN_DESTINATION = (
    "This CTF has a known destination school. Send it to that school instead: only CTFs with "
    "an unknown destination (XXX/XXXX) or a move abroad (MMM/MMMM) go to the Lost Pupil Database"
)
NO_SOURCE = (
    "This CTF does not say which school it comes from (a 3-digit LA and 4-digit establishment "
    "number in SourceSchool): the LPD needs it"
)
NO_PUPILS = "No pupil in this CTF could be read"
NOT_YOUR_SCHOOL = "This CTF was not written by your school: upload your own school's CTFs only"
BATCH = 1000


class UploadRefused(Exception):
    """The file cannot go into the LPD; the message says why and holds no personal data."""


@dataclass(frozen=True)
class Uploaded:
    file: LpdFile
    created: bool  # False: the same file was already in the LPD


def _as_stored(features: Any) -> Any:
    return json.loads(json.dumps(features))


def _membership(actor: User) -> Any:
    membership = actor.membership
    if membership is None:
        raise UploadRefused("You cannot upload to the Lost Pupil Database")
    return membership


def _read(content: bytes) -> CtfFile:
    try:
        return read_ctf(io.BytesIO(content), max_bytes=MAX_BYTES)
    except CtfRefused as refused:
        raise UploadRefused(f"This file cannot be uploaded: {refused.reason}") from refused


def store_pupils(upload: LpdFile, ctf: CtfFile) -> int:
    """One row per pupil the reader returned, with its prepared features and blocking keys (the
    upload's own step; the demo data calls it too)."""
    pupils: list[LpdPupil] = []
    keys: list[LpdKey] = []
    prepared: list[engine.PreparedRecord] = []
    for position, pupil in enumerate(ctf.pupils):
        record = engine.prepare(person_record(pupil, f"lpd:{upload.pk}:{position}"))
        school, left = last_school(ctf.header, pupil)
        prepared.append(record)
        pupils.append(
            LpdPupil(
                file=upload,
                position=position,
                upn=pupil.upn[:13],
                former_upns=list(pupil.former_upns),
                forename=pupil.forename[:100],
                surname=pupil.surname[:100],
                dob=pupil.dob,
                sex=pupil.sex[:1],
                postcode=(pupil.addresses[0].postcode if pupil.addresses else "")[:10],
                last_school=school[:200],
                leaving_date=date.fromisoformat(left) if left else None,
                schools=schools_text(ctf.header, pupil),
                features=_as_stored(record.to_json()),
            )
        )
    LpdPupil.objects.bulk_create(pupils, batch_size=BATCH)
    if pupils and pupils[0].pk is None:  # a backend that does not return ids
        by_position = {p.position: p for p in LpdPupil.objects.filter(file=upload)}
        pupils = [by_position[p.position] for p in pupils]
    for stored, record in zip(pupils, prepared, strict=True):
        keys.extend(LpdKey(key=key[:40], pupil=stored) for key in sorted(engine.index_keys(record)))
    LpdKey.objects.bulk_create(keys, batch_size=BATCH)
    return len(pupils)


def _aware(value: datetime | None) -> datetime | None:
    """A CTF's DateTime has no zone: it is the sending school's (UK) local time."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


def _event(*, kind: EventKind, authority_id: int) -> None:
    LpdEvent.objects.create(authority_id=authority_id, kind=kind)


def _existing(
    authority: Authority, establishment: Establishment | None, digest: str
) -> LpdFile | None:
    return LpdFile.objects.filter(
        authority=authority,
        establishment=establishment,
        sha256=digest,
        status=FileStatus.AVAILABLE,
    ).first()


def _close_ctf_clock(
    upload: LpdFile,
    ctf: CtfFile,
    *,
    actor: User | None,
    authority: Authority,
    establishment: Establishment | None,
) -> None:
    """Sending a lost CTF to the LPD is how a school meets §3.9.4.4 for a pupil whose destination
    is unknown (or abroad): it stops that school's 15-school-day clock, for each pupil with a
    valid UPN. Only the school's own upload, or its authority's, counts: a file naming another
    authority's school closes nothing."""
    source: Establishment | None = establishment  # checked above: the file is the school's own
    if source is None:
        source = Establishment.objects.filter(
            la_code=upload.source_lea, number=upload.source_estab
        ).first()
        if source is None or source.la_code != authority.la_code:
            return
    sent_on = timezone.localdate()
    for pupil in ctf.pupils:
        upns = pupil_upns(pupil)
        if upns:
            hooks.ctf_left_school(
                authority=authority,
                upn=upns[0],
                source_lea=upload.source_lea,
                source_estab=upload.source_estab,
                establishment=source,
                sent_on=sent_on,
                destination=upload.destination,
                actor=actor,
            )


@transaction.atomic
def lpd_file_upload(
    *,
    content: bytes,
    actor: User | None,
    authority: Authority | None = None,
) -> Uploaded:
    """Store a lost CTF and index its pupils. A person uploads as their membership allows (a
    school user their own school's files only); the authority's own system (API) passes
    `authority` and no actor. The same bytes again give the existing upload."""
    establishment: Establishment | None = None
    if actor is not None:
        membership = _membership(actor)
        authority = membership.authority
        if membership.role == Role.SCHOOL_USER:
            establishment = membership.establishment
    if authority is None:
        raise UploadRefused("You cannot upload to the Lost Pupil Database")
    ctf = _read(content)
    header = ctf.header
    if header.destination == "known":
        raise UploadRefused(KNOWN_DESTINATION)
    if not (header.source_lea.isdigit() and len(header.source_lea) == 3) or not (
        header.source_estab.isdigit() and len(header.source_estab) == 4
    ):
        raise UploadRefused(NO_SOURCE)
    if establishment is not None and (header.source_lea, header.source_estab) != (
        establishment.la_code,
        establishment.number,
    ):
        raise UploadRefused(NOT_YOUR_SCHOOL)
    if not ctf.pupils:
        raise UploadRefused(NO_PUPILS)
    # The same bytes again from the same uploader (the authority's team, or one school) are
    # the upload they already have; another authority's or school's copy is theirs, not this
    # uploader's, and is never given back (nor, withdrawn, touched).
    digest = hashlib.sha256(content).hexdigest()
    existing = _existing(authority, establishment, digest)
    if existing is not None:
        return Uploaded(file=existing, created=False)
    try:
        with transaction.atomic():
            upload = LpdFile.objects.create(
                authority=authority,
                establishment=establishment,
                uploaded_by=actor,
                via_api=actor is None,
                destination=header.destination,
                sha256=digest,
                size=len(content),
                content=content,
                ctf_version=header.version[:20],
                source_lea=header.source_lea[:3],
                source_estab=header.source_estab[:4],
                source_name=header.source_name[:200],
                generated_at=_aware(header.generated_at),
                errors=list(ctf.errors[:500]),
            )
    except IntegrityError:
        # The same file uploaded at the same moment by the same uploader: theirs is the upload.
        existing = _existing(authority, establishment, digest)
        if existing is None:
            raise
        return Uploaded(file=existing, created=False)
    upload.pupil_count = store_pupils(upload, ctf)
    upload.save(update_fields=["pupil_count"])
    audit.record(
        action=AuditAction.IMPORTED,
        actor=actor,
        target=upload,
        authority=authority,
        payload={
            "pupils": upload.pupil_count,
            "errors": len(ctf.errors),
            "destination": header.destination,
            "via_api": actor is None,
        },
    )
    _close_ctf_clock(upload, ctf, actor=actor, authority=authority, establishment=establishment)
    _event(kind=EventKind.UPLOAD, authority_id=authority.pk)
    return Uploaded(file=upload, created=True)


@transaction.atomic
def lpd_file_withdraw(*, upload: LpdFile, actor: User) -> None:
    """Take a file out of the LPD: its pupils and keys go, and so does the file's content; the
    upload row stays (withdrawn) for the record and the activity figures."""
    if not upload.is_available:
        return
    upload.pupils.all().delete()
    upload.status = FileStatus.WITHDRAWN
    upload.withdrawn_at = timezone.now()
    upload.withdrawn_by = actor
    upload.content = b""
    upload.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "content"])
    membership = actor.membership
    authority_id = membership.authority_id if membership else upload.authority_id
    audit.record(
        action=AuditAction.DELETED,
        actor=actor,
        target=upload,
        authority_id=authority_id,
        payload={"withdrawn": True},
    )
    _event(kind=EventKind.WITHDRAW, authority_id=authority_id)


@transaction.atomic
def lpd_search_record(
    *,
    authority_id: int,
    actor: User | None,
    fields: Sequence[str],
    results: int,
    withheld: int,
    via_api: bool = False,
) -> None:
    """A search was made: which fields were given (never what), and how many results."""
    audit.record(
        action=AuditAction.VIEWED,
        actor=actor,
        target_type="lpd.search",
        authority_id=authority_id,
        payload={
            "fields": sorted(fields),
            "results": results,
            "restricted_results": withheld,
            "via_api": via_api,
        },
    )
    _event(kind=EventKind.SEARCH, authority_id=authority_id)


@transaction.atomic
def lpd_pupil_open_record(*, pupil: LpdPupil, actor: User, withheld: bool) -> None:
    membership = actor.membership
    assert membership is not None
    audit.record(
        action=AuditAction.VIEWED,
        actor=actor,
        target=pupil,
        authority_id=membership.authority_id,
        payload={"file": pupil.file_id, "location_withheld": withheld},
    )
    _event(kind=EventKind.OPEN, authority_id=membership.authority_id)


@transaction.atomic
def lpd_pupil_download_record(
    *, pupil: LpdPupil, actor: User, withheld: bool, forwarded_to: Establishment | None
) -> None:
    """A pupil's CTF was downloaded, to forward to `forwarded_to` when the officer named it."""
    membership = actor.membership
    assert membership is not None
    audit.record(
        action=AuditAction.EXPORTED,
        actor=actor,
        target=pupil,
        authority_id=membership.authority_id,
        payload={
            "file": pupil.file_id,
            "location_withheld": withheld,
            "forwarded_to": forwarded_to.pk if forwarded_to else None,
        },
    )
    _event(kind=EventKind.DOWNLOAD, authority_id=membership.authority_id)
