"""Receiving and sending Common Transfer Files. Each service records its own audit events, with
codes and counts only: never a name, a UPN or a school of a restricted child.

- `ctf_upload_store`: a file that can be read safely is kept (once per authority: the same file
  again is the same upload); a refused file is not kept at all.
- `ctf_preview`: what importing would do with each pupil. Reads only.
- `ctf_import`: all or nothing, once. Each pupil is found among the authority's children (by UPN
  or former UPN, else by the matching engine at or above its threshold) or becomes a new child;
  the child is enriched (UPN, former UPNs, address history); a pupil whose destination is
  unknown gets a tracking case, or their open case is noted and enriched (last known placement,
  date of last attendance), as a deletion return with no destination does.

Sending a CTF from a case (`ctf_export_grant_add`, `ctf_export`) is in `exports.py`.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases import services as case_services
from cme.cases.models import Case, EventKind, Source, Stage
from cme.children.models import (
    Address,
    Carer,
    Child,
    Ethnicity,
    FormerUPN,
    NameKind,
    OtherName,
    Relationship,
    Sex,
    SpecialNeeds,
)
from cme.children.upn import is_valid_upn, normalise_upn, validate_upn
from cme.core import audit
from cme.core.models import AuditAction
from cme.matching import hooks as matching
from cme.registers.models import Establishment
from cme.transfers import hooks, rules, selectors
from cme.transfers.ctf import Address as CtfAddress
from cme.transfers.ctf import (
    Contact,
    CtfFile,
    CtfPupil,
    CtfRefused,
    SenRecord,
    destination_of,
    read_ctf,
)
from cme.transfers.models import (
    MAX_UPLOAD_BYTES,
    Channel,
    CtfImportedPupil,
    CtfUpload,
    PupilOutcome,
    UploadStatus,
)

# An authority sending a CTF itself (not on behalf of a school) uses its LA code and this number.
AUTHORITY_ESTAB = "0000"


class TransferRefused(Exception):
    """A file or an export the rules do not allow; the message says why, safe to show."""


class ExportRefused(TransferRefused):
    pass


def _today() -> date:
    return timezone.localdate()


# -- Upload --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    upload: CtfUpload
    created: bool  # False: this authority already had this exact file


def _read(content: bytes) -> CtfFile:
    try:
        return read_ctf(io.BytesIO(content), max_bytes=MAX_UPLOAD_BYTES)
    except CtfRefused as refused:
        verb = "" if refused.reason.startswith("has ") else "is "
        raise TransferRefused(f"The file cannot be used: it {verb}{refused.reason}") from None


def _naive(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


@transaction.atomic
def ctf_upload_store(
    *,
    actor: Any,
    authority: Authority,
    content: bytes,
    establishment: Establishment | None = None,
    channel: Channel = Channel.PAGE,
) -> Stored:
    """Keep a CTF that can be read safely. Raises TransferRefused (nothing kept) for a file that
    is too large, not XML, has a DTD or entity, is not a CTF, or (for a school) is neither from
    nor to that school."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise TransferRefused(
            f"The file cannot be used: it is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
        )
    ctf = _read(content)
    header = ctf.header
    if establishment is not None:
        ours = (establishment.la_code, establishment.number)
        if ours not in {
            (header.source_lea, header.source_estab),
            (header.dest_lea, header.dest_estab),
        }:
            raise TransferRefused(
                "The file cannot be used: it is neither from nor to your school "
                f"({establishment.dfe_number})"
            )
    digest = hashlib.sha256(content).hexdigest()
    # One upload per file for each school (the sending and the receiving school each keep
    # their own), and one for the authority's own staff and token.
    mine = CtfUpload.objects.filter(authority=authority, establishment=establishment, sha256=digest)
    existing = mine.first()
    if existing is not None:
        return Stored(existing, created=False)
    upload = CtfUpload(
        authority=authority,
        establishment=establishment,
        uploaded_by=actor,
        channel=channel,
        content=content,
        size=len(content),
        sha256=digest,
        ctf_version=header.version[:20],
        generated_at=_naive(header.generated_at),
        source_lea=header.source_lea[:3],
        source_estab=header.source_estab[:4],
        source_name=header.source_name[:200],
        dest_lea=header.dest_lea[:3],
        dest_estab=header.dest_estab[:4],
        destination=header.destination,
        pupil_count=len(ctf.pupils),
        upns=sorted({upn for pupil in ctf.pupils for upn in selectors.pupil_upns(pupil)}),
        errors=list(ctf.errors),
    )
    try:
        with transaction.atomic():
            upload.save()
    except IntegrityError:
        # The same file, uploaded at the same moment by someone else: theirs is the upload.
        return Stored(mine.get(), created=False)
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=upload,
        authority=authority,
        payload={
            "kind": "ctf_upload",
            "channel": channel,
            "establishment": establishment.pk if establishment else None,
            "destination": upload.destination,
            "pupils": upload.pupil_count,
            "errors": len(upload.errors),
            "sha256": digest,
        },
    )
    return Stored(upload, created=True)


def stored_ctf(upload: CtfUpload) -> CtfFile:
    """The stored file read again (it was read safely once; it is read the same way)."""
    return _read(bytes(upload.content))


# -- Preview -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PupilPlan:
    position: int
    pupil: CtfPupil
    outcome: PupilOutcome
    child: Child | None = None
    probability: float | None = None
    open_case: Case | None = None
    opens_case: bool = False
    upn_problem: str = ""

    @property
    def restricted(self) -> bool:
        return self.child is not None and self.child.is_restricted

    @property
    def percent(self) -> str:
        return "" if self.probability is None else f"{self.probability * 100:.1f}%"


@dataclass
class Preview:
    upload: CtfUpload
    ctf: CtfFile
    plans: list[PupilPlan] = field(default_factory=list)
    source_school: Establishment | None = None
    dest_school: Establishment | None = None


def upn_problem(pupil: CtfPupil) -> str:
    """What is wrong with the pupil's UPN, for a warning ("" when it is valid or absent)."""
    upn = normalise_upn(pupil.upn)
    if not upn or is_valid_upn(upn):
        return ""
    try:
        validate_upn(upn)
    except ValidationError as problem:
        if problem.code == "upn_check_letter":
            return "The UPN's check letter is wrong: check it was copied correctly"
    return "The UPN is not in the right form"


def establishment_at(lea: str, estab: str) -> Establishment | None:
    if not (lea and estab):
        return None
    return Establishment.objects.filter(la_code=lea, number=estab).first()


def _plan(
    authority_id: int,
    position: int,
    pupil: CtfPupil,
    destination: str,
    taken: Collection[int] = (),
) -> PupilPlan:
    problem = upn_problem(pupil)
    match = selectors.find_child(authority_id, pupil, taken)
    if match is None:
        if not (pupil.surname or pupil.forename):
            return PupilPlan(position, pupil, PupilOutcome.SKIPPED, upn_problem=problem)
        return PupilPlan(
            position,
            pupil,
            PupilOutcome.CREATED,
            opens_case=destination == "unknown",
            upn_problem=problem,
        )
    child = Child.objects.get(pk=match.child_id)
    case = selectors.open_case_of(child)
    return PupilPlan(
        position,
        pupil,
        PupilOutcome.MATCHED_UPN if match.by_upn else PupilOutcome.MATCHED_ENGINE,
        child=child,
        probability=match.probability,
        open_case=case,
        opens_case=case is None and destination == "unknown",
        upn_problem=problem,
    )


def ctf_preview(*, upload: CtfUpload, positions: Collection[int] | None = None) -> Preview:
    """What importing the file would do with each pupil (or, once imported, what it did).

    `positions` (1 for the first pupil) limits the work to the pupils a page shows: finding a
    pupil among the authority's children costs a few queries each."""
    ctf = stored_ctf(upload)
    preview = Preview(
        upload=upload,
        ctf=ctf,
        source_school=establishment_at(upload.source_lea, upload.source_estab),
        dest_school=establishment_at(upload.dest_lea, upload.dest_estab)
        if upload.destination == "known"
        else None,
    )
    if upload.is_imported:
        done = {
            row.position: row
            for row in CtfImportedPupil.objects.filter(upload=upload).select_related(
                "child", "case"
            )
        }
        for position, pupil in enumerate(ctf.pupils, start=1):
            if positions is not None and position not in positions:
                continue
            row = done.get(position)
            preview.plans.append(
                PupilPlan(
                    position,
                    pupil,
                    PupilOutcome(row.outcome) if row else PupilOutcome.SKIPPED,
                    child=row.child if row else None,
                    probability=row.probability if row else None,
                    open_case=row.case if row else None,
                    opens_case=bool(row and row.case_opened),
                    upn_problem=upn_problem(pupil),
                )
            )
        return preview
    for position, pupil in enumerate(ctf.pupils, start=1):
        if positions is None or position in positions:
            preview.plans.append(_plan(upload.authority_id, position, pupil, upload.destination))
    return preview


# -- Import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSummary:
    pupils: int
    matched: int
    created: int
    skipped: int
    cases_opened: int
    cases_noted: int
    errors: int
    already_imported: bool = False


def _summary(upload: CtfUpload, *, already: bool) -> ImportSummary:
    rows = list(CtfImportedPupil.objects.filter(upload=upload).values_list("outcome", "case_id"))
    opened = CtfImportedPupil.objects.filter(upload=upload, case_opened=True).count()
    matched = sum(
        1 for o, _ in rows if o in (PupilOutcome.MATCHED_UPN, PupilOutcome.MATCHED_ENGINE)
    )
    return ImportSummary(
        pupils=upload.pupil_count,
        matched=matched,
        created=sum(1 for o, _ in rows if o == PupilOutcome.CREATED),
        skipped=sum(1 for o, _ in rows if o == PupilOutcome.SKIPPED),
        cases_opened=opened,
        cases_noted=sum(1 for _, case in rows if case) - opened,
        errors=len(upload.errors),
        already_imported=already,
    )


_SEX = {"M": Sex.MALE, "F": Sex.FEMALE}
_SEN = {"E": SpecialNeeds.EHCP, "S": SpecialNeeds.EHCP, "K": SpecialNeeds.SUPPORT}
_RELATIONSHIP = {
    "PAM": Relationship.MOTHER,
    "PAF": Relationship.FATHER,
    "STM": Relationship.STEP_PARENT,
    "STF": Relationship.STEP_PARENT,
    "FOM": Relationship.FOSTER_CARER,
    "FOF": Relationship.FOSTER_CARER,
    "CFO": Relationship.FOSTER_CARER,
    "OTH": Relationship.OTHER,
    "REL": Relationship.OTHER_RELATIVE,
    "GRM": Relationship.GRANDPARENT,
    "GRF": Relationship.GRANDPARENT,
    "SWR": Relationship.CORPORATE_PARENT,
}


def _address_fields(address: CtfAddress) -> dict[str, str]:
    first = " ".join(part for part in (address.saon, address.paon, address.street) if part)
    lines = list(address.lines)
    if not first and lines:
        first = lines.pop(0)
    second = address.locality or ", ".join(lines[:-1] if len(lines) > 1 else lines)
    town = address.town or address.post_town or (lines[-1] if len(lines) > 1 else "")
    return {
        "line1": first[:120],
        "line2": second[:120],
        "town": town[:80],
        "postcode": address.postcode.upper()[:8],
    }


def _one_line(address: CtfAddress | None) -> str:
    if address is None:
        return ""
    fields = _address_fields(address)
    return ", ".join(value for value in fields.values() if value)[:250]


def _sen_of(records: tuple[SenRecord, ...]) -> str:
    for record in reversed(records):
        found = _SEN.get(record.provision.upper())
        if found is not None:
            return found
    return ""


def _child_create(actor: Any, authority: Authority, pupil: CtfPupil, upload: CtfUpload) -> Child:
    """A new child from the file, with its former surname, contacts as carers and first address
    as current. Written directly (one audit event for the lot) rather than through the child
    services one part at a time: each of those re-indexes the child for matching, and the import
    indexes each child once, at the end of its pupil."""
    upn = normalise_upn(pupil.upn)
    child = Child.objects.create(
        authority=authority,
        forename=pupil.forename[:100],
        middle_names=pupil.middle_names[:150],
        surname=pupil.surname[:100],
        preferred_forename=pupil.preferred_forename[:100],
        preferred_surname=pupil.preferred_surname[:100],
        date_of_birth=pupil.dob,
        sex=_SEX.get(pupil.sex.upper(), Sex.UNKNOWN),
        ethnicity=pupil.ethnicity if pupil.ethnicity in Ethnicity.values else "",
        first_language=pupil.first_language[:60],
        upn=upn if is_valid_upn(upn) else "",
        special_needs=_sen_of(pupil.sen) or SpecialNeeds.UNKNOWN,
        looked_after=bool(pupil.looked_after and pupil.looked_after.in_care),
    )
    if pupil.former_surname:
        OtherName.objects.create(
            child=child, kind=NameKind.FORMER, surname=pupil.former_surname[:100]
        )
    carers = [_carer(child, contact, pupil) for contact in pupil.contacts]
    Carer.objects.bulk_create([carer for carer in carers if carer is not None])
    if pupil.addresses and _address_fields(pupil.addresses[0])["line1"]:
        Address.objects.create(child=child, is_current=True, **_address_fields(pupil.addresses[0]))
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=child,
        authority=authority,
        payload={
            "from": "transfers.ctfupload",
            "upload": upload.pk,
            "carers": sum(1 for carer in carers if carer is not None),
            "address": bool(pupil.addresses),
            "other_names": bool(pupil.former_surname),
        },
    )
    return child


def _carer(child: Child, contact: Contact, pupil: CtfPupil) -> Carer | None:
    name = " ".join(p for p in (contact.title, contact.forename, contact.surname) if p)
    if not name:
        return None
    address = pupil.addresses[0] if contact.address_as_pupil and pupil.addresses else None
    return Carer(
        child=child,
        full_name=name[:150],
        relationship=_RELATIONSHIP.get(contact.relationship.upper(), Relationship.OTHER),
        has_parental_responsibility=bool(contact.parental_responsibility),
        lives_with_child=contact.address_as_pupil,
        phone=contact.phones[0].number[:30] if contact.phones else "",
        email=contact.email[:254] if "@" in contact.email else "",
        address=_one_line(contact.address or address),
    )


def _enrich(actor: Any, child: Child, pupil: CtfPupil) -> bool:
    """Add what the file knows and the record does not: UPNs and addresses. An existing record's
    names, parents and current address are never replaced by a file (the family may have fled
    the address and the "parent" the file names), so its addresses join the history.

    True when something the matching index reads (the UPNs) changed; the history addresses
    are not in the index."""
    changed: list[str] = []
    upns = selectors.pupil_upns(pupil)
    if upns and not child.upn:
        # Straight to the column: a full clean of an older record could refuse for an
        # unrelated field, and the UPN is already checked.
        Child.objects.filter(pk=child.pk).update(upn=upns[0])
        child.upn = upns[0]
        changed.append("upn")
    known = {child.upn, *child.former_upns.values_list("upn", flat=True)}
    added = [upn for upn in upns if upn not in known]
    FormerUPN.objects.bulk_create([FormerUPN(child=child, upn=upn) for upn in added])
    if added:
        changed.append("former_upns")
    have = {
        (line1.casefold(), postcode.replace(" ", "").casefold())
        for line1, postcode in Address.objects.filter(child=child).values_list("line1", "postcode")
    }
    history = []
    for address in pupil.addresses:
        fields = _address_fields(address)
        key = (fields["line1"].casefold(), fields["postcode"].replace(" ", "").casefold())
        if fields["line1"] and key not in have:
            have.add(key)
            history.append(Address(child=child, is_current=False, **fields))
    Address.objects.bulk_create(history)
    if history:
        changed.append("address")
    if changed:
        audit.record(
            action=AuditAction.UPDATED,
            actor=actor,
            target=child,
            authority_id=child.authority_id,
            payload={"fields": changed, "from": "ctf", "former_upns_added": len(added)},
        )
    return bool({"upn", "former_upns"} & set(changed))


def _note(case: Case, actor: Any, summary: str, payload: dict[str, Any]) -> None:
    case_services.case_event_record(
        case=case,
        actor=actor,
        kind=EventKind.TRANSFER,
        summary=summary,
        action=AuditAction.UPDATED,
        payload=payload,
    )


def _placement(upload: CtfUpload) -> tuple[Establishment | None, str]:
    """The file's source school: a registered establishment, or its codes and name as text."""
    school = establishment_at(upload.source_lea, upload.source_estab)
    if school is not None:
        return school, ""
    text = f"{upload.source_name} ({upload.source_lea}/{upload.source_estab})".strip()
    return None, text[:160]


def _case_for(
    actor: Any, upload: CtfUpload, child: Child, pupil: CtfPupil
) -> tuple[Case | None, bool]:
    """The child's open case, enriched and noted; or, for a lost pupil, a new tracking case."""
    school, other = _placement(upload)
    case = selectors.open_case_of(child)
    if case is not None:
        changes: dict[str, Any] = {}
        if school is not None and case.last_placement_id is None and not case.last_placement_other:
            changes["last_placement"] = school
        elif school is None and case.last_placement_id is None and not case.last_placement_other:
            changes["last_placement_other"] = other
        last = pupil.last_attendance_date
        if last is not None and (case.last_attended_on is None or last > case.last_attended_on):
            changes["last_attended_on"] = last
        if changes:
            case = case_services.case_update(
                case=case, actor=actor, version=case.version, changes=changes
            )
        _note(
            case,
            actor,
            f"Common transfer file {upload.reference} imported",
            {"ctf_upload": upload.pk, "fields": sorted(changes)},
        )
        return case, False
    if upload.destination != "unknown":
        return None, False
    opened = case_services.case_open(
        actor=actor,
        authority=upload.authority,
        child=child,
        source=Source.CTF,
        notified_on=_today(),
        stage=Stage.TRACKING,
        last_placement=school,
        last_placement_other=other,
        last_attended_on=pupil.last_attendance_date,
    )
    return opened, True


def _closes_clock(upload: CtfUpload, source_school: Establishment | None) -> bool:
    """Whether importing `upload` may record that its pupils' CTFs left `source_school`.

    Only the school itself, or its own authority's CME team or authority token, can say so: a
    file uploaded by anyone else (a receiving school, another authority) is not the sender's
    evidence, and could have been written to close another school's clock."""
    if source_school is None:
        return False
    if upload.establishment_id is not None:
        return source_school.pk == upload.establishment_id
    if source_school.la_code != upload.authority.la_code:
        return False
    uploader = upload.uploaded_by
    if uploader is None:
        # No user: the authority's own API token (a school's token sets the establishment).
        return upload.channel == Channel.API
    return bool(rules.is_cme_team(uploader) and rules.is_own_upload(uploader, upload))


def _sent_on(upload: CtfUpload) -> date:
    """The file's date, never after today (a sender's clock may be wrong)."""
    if upload.generated_at is None:
        return _today()
    return min(timezone.localdate(upload.generated_at), _today())


@transaction.atomic
def ctf_import(*, actor: Any, upload: CtfUpload) -> ImportSummary:
    """Import every pupil of the file, or none (any failure undoes the whole file). A file
    already imported is not imported again: the summary of the first import is returned."""
    locked = CtfUpload.objects.select_for_update().get(pk=upload.pk)
    if locked.is_imported:
        return _summary(locked, already=True)
    authority = locked.authority
    ctf = stored_ctf(locked)
    from_school = destination_of(locked.source_lea, locked.source_estab) == "known"
    source_school = establishment_at(locked.source_lea, locked.source_estab)
    closes_clock = from_school and _closes_clock(locked, source_school)
    taken: set[int] = set()
    for position, pupil in enumerate(ctf.pupils, start=1):
        plan = _plan(authority.pk, position, pupil, locked.destination, taken)
        child, case, opened = plan.child, None, False
        created = plan.outcome == PupilOutcome.CREATED
        if created:
            child = _child_create(actor, authority, pupil, locked)
        if child is not None:
            taken.add(child.pk)
            reindex = _enrich(actor, child, pupil) or created
            case, opened = _case_for(actor, locked, child, pupil)
            if reindex and not opened:  # opening a case indexes the child itself
                matching.child_changed(child)
            upns = selectors.pupil_upns(pupil)
            if closes_clock and upns:
                hooks.ctf_left_school(
                    authority=authority,
                    upn=upns[0],
                    source_lea=locked.source_lea,
                    source_estab=locked.source_estab,
                    establishment=source_school,
                    sent_on=_sent_on(locked),
                    destination=locked.destination,
                    actor=actor,
                )
        CtfImportedPupil.objects.create(
            upload=locked,
            position=position,
            outcome=plan.outcome,
            probability=plan.probability,
            child=child,
            case=case,
            case_opened=opened,
        )
    locked.status = UploadStatus.IMPORTED
    locked.imported_at = timezone.now()
    locked.imported_by = actor
    locked.save(update_fields=["status", "imported_at", "imported_by"])
    summary = _summary(locked, already=False)
    audit.record(
        action=AuditAction.IMPORTED,
        actor=actor,
        target=locked,
        authority=authority,
        payload={
            "kind": "ctf_import",
            "pupils": summary.pupils,
            "matched": summary.matched,
            "created": summary.created,
            "skipped": summary.skipped,
            "cases_opened": summary.cases_opened,
            "cases_noted": summary.cases_noted,
        },
    )
    upload.refresh_from_db()
    return summary
