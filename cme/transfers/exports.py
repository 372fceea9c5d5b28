"""Sending Common Transfer Files from a case. Each service records its own audit events, with
codes and counts only: never a name, a UPN or a school of a restricted child.

- `ctf_export_grant_add`, `ctf_export`: a CTF written from a case, validated against the XSD
  before it is handed over. A restricted child's is refused without a manager's grant, and even
  with one carries no address, phone or school.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cme.cases import services as case_services
from cme.cases.models import Case, EventKind
from cme.children.models import Child, Relationship, SpecialNeeds
from cme.core import audit
from cme.core.models import AuditAction
from cme.transfers import hooks, selectors
from cme.transfers.ctf import (
    ABROAD_ESTAB,
    ABROAD_LEA,
    UNKNOWN_ESTAB,
    UNKNOWN_LEA,
    Contact,
    CtfHeader,
    CtfPupil,
    Phone,
    SchoolSpell,
    SenRecord,
    destination_of,
    validate_ctf,
    write_ctf,
)
from cme.transfers.ctf import Address as CtfAddress
from cme.transfers.ctf import LookedAfter as CtfLookedAfter
from cme.transfers.models import Channel, CtfExport, CtfExportGrant
from cme.transfers.services import AUTHORITY_ESTAB, ExportRefused, establishment_at


@transaction.atomic
def ctf_export_grant_add(*, actor: Any, case: Case, reason: str) -> CtfExportGrant:
    """A CME manager allows one CTF export for a restricted child's case, saying why."""
    if not actor.has_perm("transfers.grant_export", case):
        raise ExportRefused("Only a CME manager of the case's authority can allow this export")
    if not case.child.is_restricted:
        raise ExportRefused("This child's record is not restricted: no permission is needed")
    if len(reason.strip()) < 10:
        raise ExportRefused("Explain why this CTF must be sent (at least 10 characters)")
    grant = CtfExportGrant.objects.create(
        authority_id=case.authority_id, case=case, reason=reason.strip()[:300], granted_by=actor
    )
    case_services.case_event_record(
        case=case,
        actor=actor,
        kind=EventKind.RESTRICTION,
        summary="Permission given to send one common transfer file (restricted record)",
        action=AuditAction.PERMISSION_GRANTED,
        target=grant,
        payload={"kind": "ctf_export", "restricted_record": True},
    )
    return grant


@dataclass(frozen=True)
class Exported:
    content: bytes
    export: CtfExport

    @property
    def filename(self) -> str:
        # No name or UPN in a file name: it shows in download lists and mail.
        return f"CTF-{self.export.case.reference}-{self.export.pk}.xml"


def destination_codes(choice: str, lea: str = "", estab: str = "") -> tuple[str, str]:
    """The header's destination codes for "unknown", "abroad" or a school's LA and number."""
    if choice == "unknown":
        return UNKNOWN_LEA, UNKNOWN_ESTAB
    if choice == "abroad":
        return ABROAD_LEA, ABROAD_ESTAB
    lea, estab = lea.strip(), estab.strip()
    if destination_of(lea, estab) != "known":
        raise ExportRefused("Enter the destination's 3-digit LA code and 4-digit school number")
    return lea, estab


def _pupil_of(child: Child, case: Case) -> CtfPupil:
    """The child's record as a CTF pupil (the writer leaves out location when told to)."""
    addresses = [
        CtfAddress(
            paon="",
            street="",
            lines=tuple(part for part in (a.line1, a.line2, a.town) if part),
            postcode=a.postcode,
        )
        for a in child.addresses.all()
    ]
    contacts = tuple(
        Contact(
            order=number,
            surname=carer.full_name,
            relationship={
                Relationship.MOTHER: "PAM",
                Relationship.FATHER: "PAF",
            }.get(carer.relationship, "OTH"),  # type: ignore[call-overload]
            parental_responsibility=carer.has_parental_responsibility,
            address=CtfAddress(lines=(carer.address[:100],)) if carer.address else None,
            phones=(Phone("H", carer.phone),) if carer.phone else (),
            email=carer.email,
        )
        for number, carer in enumerate(child.carers.all(), start=1)
    )
    history: tuple[SchoolSpell, ...] = ()
    school = case.last_placement
    if school is not None:
        history = (
            SchoolSpell(
                school.la_code, school.number, school.name, leaving_date=case.last_attended_on
            ),
        )
    sen = {SpecialNeeds.EHCP: "E", SpecialNeeds.SUPPORT: "K"}.get(child.special_needs)  # type: ignore[call-overload]
    return CtfPupil(
        upn=child.upn,
        former_upns=tuple(child.former_upns.values_list("upn", flat=True)),
        surname=child.surname,
        forename=child.forename,
        middle_names=child.middle_names,
        preferred_surname=child.preferred_surname,
        preferred_forename=child.preferred_forename,
        dob=child.date_of_birth,
        sex=child.sex if child.sex in ("M", "F") else "",
        ethnicity=child.ethnicity,
        addresses=tuple(addresses),
        contacts=contacts,
        last_attendance_date=case.last_attended_on,
        school_history=history,
        sen=(SenRecord(provision=sen),) if sen else (),
        looked_after=CtfLookedAfter(in_care=True) if child.looked_after else None,
    )


def _refuse(actor: Any, case: Case, reason: str, channel: Channel, message: str) -> None:
    """Audit a refused export, outside any transaction that the refusal rolls back."""
    audit.record(
        action=AuditAction.EXPORTED,
        actor=actor,
        target=case,
        authority_id=case.authority_id,
        payload={"kind": "ctf_export", "refused": reason, "channel": channel},
    )
    raise ExportRefused(message)


RESTRICTED_REFUSAL = (
    "This child's record is restricted: a CTF can only be sent when a CME manager has allowed "
    "it, with a reason. Even then, the address, phone numbers and schools are left out"
)


def ctf_export(
    *,
    actor: Any,
    case: Case,
    dest_lea: str,
    dest_estab: str,
    grant_id: int | None = None,
    channel: Channel = Channel.PAGE,
) -> Exported:
    """Write the case's child's CTF to the destination, validated against the XSD; record it on
    the case and in the export log. A restricted child's export needs a usable grant for this
    case (spent by the export) and withholds location; a refusal is audited and raised."""
    child = case.child
    destination = destination_of(dest_lea, dest_estab)
    if destination == "unknown" and (dest_lea, dest_estab) != (UNKNOWN_LEA, UNKNOWN_ESTAB):
        _refuse(actor, case, "destination", channel, "The destination codes are not valid")
    grant: CtfExportGrant | None = None
    if child.is_restricted:
        grant = selectors.usable_grant(case, grant_id)
        if grant is None:
            _refuse(actor, case, "restricted_no_grant", channel, RESTRICTED_REFUSAL)
    with transaction.atomic():
        return _export(actor, case, child, dest_lea, dest_estab, destination, grant, channel)


def _export(
    actor: Any,
    case: Case,
    child: Child,
    dest_lea: str,
    dest_estab: str,
    destination: str,
    grant: CtfExportGrant | None,
    channel: Channel,
) -> Exported:
    withhold = child.is_restricted
    if grant is not None:
        # Spent now, under a lock: two exports racing on one grant cannot both use it.
        locked = CtfExportGrant.objects.select_for_update().get(pk=grant.pk)
        if not locked.is_usable():
            raise ExportRefused(RESTRICTED_REFUSAL)
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        grant = locked
    school = case.last_placement
    if school is not None and not withhold:
        source = (school.la_code, school.number, school.urn or "", school.name)
    else:
        # A restricted child's last school is not named even by its codes.
        source = (case.authority.la_code, AUTHORITY_ESTAB, "", "")
    header = CtfHeader(
        source_lea=source[0],
        source_estab=source[1],
        source_urn=source[2],
        source_name=source[3],
        dest_lea=dest_lea,
        dest_estab=dest_estab,
        generated_at=timezone.now().replace(tzinfo=None, microsecond=0),
        supplier_id="CME",
    )
    out = io.BytesIO()
    write_ctf(header, [_pupil_of(child, case)], out, withhold_location=withhold)
    content = out.getvalue()
    problems = validate_ctf(io.BytesIO(content))
    if problems:
        # The record holds something the schema does not accept: nothing is sent.
        raise ExportRefused(
            "The CTF could not be made from this record: "
            + "; ".join(problem.split(": ", 1)[-1] for problem in problems[:3])
        )
    digest = hashlib.sha256(content).hexdigest()
    export = CtfExport.objects.create(
        authority_id=case.authority_id,
        case=case,
        child=child,
        exported_by=actor,
        channel=channel,
        source_lea=header.source_lea,
        source_estab=header.source_estab,
        dest_lea=dest_lea,
        dest_estab=dest_estab,
        destination=destination,
        sha256=digest,
        size=len(content),
        location_withheld=withhold,
        grant=grant,
    )
    if withhold:
        summary = "Common transfer file sent (restricted record: destination and location withheld)"
    elif destination == "known":
        named = establishment_at(dest_lea, dest_estab)
        where = named.name if named else f"school {dest_lea}/{dest_estab}"
        summary = f"Common transfer file sent to {where}"
    elif destination == "abroad":
        summary = "Common transfer file sent: moved abroad (MMM/MMMM)"
    else:
        summary = "Common transfer file sent: destination unknown (XXX/XXXX)"
    case_services.case_event_record(
        case=case,
        actor=actor,
        kind=EventKind.TRANSFER,
        summary=summary,
        action=AuditAction.EXPORTED,
        target=export,
        payload={
            "kind": "ctf_export",
            "child": child.pk,
            "channel": channel,
            "destination": destination,
            "location_withheld": withhold,
            "grant": grant.pk if grant else None,
            "sha256": digest,
        },
    )
    if child.upn and school is not None:
        # The clock is the service's own: the real school is told it, withheld or not.
        hooks.ctf_left_school(
            authority=case.authority,
            upn=child.upn,
            source_lea=school.la_code,
            source_estab=school.number,
            establishment=school,
            sent_on=timezone.localdate(),
            destination=destination,
            actor=actor,
        )
    return Exported(content=content, export=export)
