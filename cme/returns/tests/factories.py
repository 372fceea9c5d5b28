"""Valid return data, as a CSV row or form would give it, with any field changed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from cme.children.upn import make_upn
from cme.returns.grounds import Ground
from cme.returns.validation import (
    DeletionDetails,
    NewPupilDetails,
    validate_deletion_return,
    validate_new_pupil_return,
)

UPN = make_upn("990", "2001", 2019, 5)  # B990200119005-style, valid check letter


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def deletion_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "forename": "Amelia",
        "middle_names": "",
        "surname": "Pemberton",
        "preferred_forename": "",
        "preferred_surname": "",
        "date_of_birth": "2014-05-17",
        "sex": "F",
        "upn": UPN,
        "address_line1": "12 Orchard Way",
        "address_line2": "",
        "town": "Exampleton",
        "postcode": "ex1 2ab",
        "parent1_name": "Joanna Pemberton",
        "parent1_relationship": "mother",
        "parent1_address": "",
        "parent2_name": "",
        "parent2_relationship": "",
        "parent2_address": "",
        "contact1_name": "Ruth Pemberton",
        "contact1_phone": "01632 960001",
        "contact2_name": "",
        "contact2_phone": "",
        "ground": Ground.MOVED_AWAY.value,
        "deleted_on": days_ago(1).isoformat(),
        "last_attended_on": days_ago(10).isoformat(),
        "destination_school": "",
        "destination_other": "",
        "destination_starts_on": "",
        "welfare_concerns": "no",
    }
    row.update(changes)
    return row


def new_pupil_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "forename": "Oliver",
        "middle_names": "",
        "surname": "Hartley",
        "preferred_forename": "",
        "preferred_surname": "",
        "date_of_birth": "2013-02-03",
        "sex": "M",
        "upn": make_upn("990", "2001", 2018, 7),
        "address_line1": "4 Mill Lane",
        "address_line2": "",
        "town": "Exampleton",
        "postcode": "EX2 3DF",
        "admitted_on": days_ago(1).isoformat(),
        "previous_school": "",
        "previous_school_other": "",
    }
    row.update(changes)
    return row


def deletion(**changes: Any) -> DeletionDetails:
    checked = validate_deletion_return(deletion_row(**changes))
    assert checked.details is not None, checked.errors
    return checked.details


def new_pupil(**changes: Any) -> NewPupilDetails:
    checked = validate_new_pupil_return(new_pupil_row(**changes))
    assert checked.details is not None, checked.errors
    return checked.details


def returns_world(authority: Any, establishment: Any, actor: Any) -> dict[str, Any]:
    """One return of each kind from `establishment` and one EHE registration, for the access
    matrix."""
    from cme.returns import services
    from cme.returns.grounds import Ground

    return {
        "deletion_return": services.deletion_return_submit(
            actor=actor,
            establishment=establishment,
            details=deletion(ground=Ground.ANOTHER_SCHOOL.value, destination_other="Abroad"),
        ),
        "new_pupil_return": services.new_pupil_return_submit(
            actor=actor, establishment=establishment, details=new_pupil()
        ),
        "ehe_registration": services.ehe_registration_add(
            actor=actor,
            authority=authority,
            pupil=new_pupil(upn="", forename="Rowan").pupil,
            started_on=days_ago(30),
            source="parent",
        ),
    }
