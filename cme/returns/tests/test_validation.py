"""The one check every return goes through, whatever brought it (form, CSV row, API)."""

from __future__ import annotations

import pytest

from cme.returns.grounds import Ground
from cme.returns.tests.factories import UPN, days_ago, deletion_row, new_pupil_row
from cme.returns.validation import validate_deletion_return, validate_new_pupil_return

pytestmark = pytest.mark.django_db


def test_a_valid_deletion_gives_normalised_details() -> None:
    checked = validate_deletion_return(
        deletion_row(upn=UPN.lower(), sex="female", ground="MOVED_AWAY")
    )
    assert checked.ok and checked.errors == {}
    details = checked.details
    assert details is not None
    assert details.pupil.upn == UPN
    assert details.pupil.postcode == "EX1 2AB"
    assert details.pupil.sex == "F"
    assert details.ground == Ground.MOVED_AWAY
    assert [p.name for p in details.parents] == ["Joanna Pemberton"]
    assert [c.phone for c in details.contacts] == ["01632 960001"]
    assert not details.destination_known


def test_it_gives_every_problem_by_field() -> None:
    checked = validate_deletion_return(
        deletion_row(
            forename="",
            upn="A801200005001",
            postcode="NOT A POSTCODE",
            ground="gone fishing",
            date_of_birth="31/02/2014",
            contact1_phone="",
        )
    )
    assert checked.details is None
    assert set(checked.errors) == {
        "forename",
        "upn",
        "postcode",
        "ground",
        "date_of_birth",
        "contact1_phone",
    }
    assert "check letter" in checked.errors["upn"][0]
    assert checked.errors["forename"] == ["Enter the pupil's legal first name"]


def test_dates_may_be_typed_the_british_way() -> None:
    checked = validate_deletion_return(deletion_row(date_of_birth="17/05/2014"))
    assert checked.details is not None
    assert checked.details.pupil.date_of_birth.isoformat() == "2014-05-17"


def test_last_attendance_cannot_come_after_the_deletion() -> None:
    checked = validate_deletion_return(
        deletion_row(deleted_on=days_ago(5).isoformat(), last_attended_on=days_ago(1).isoformat())
    )
    assert "last_attended_on" in checked.errors


def test_a_deletion_in_the_future_is_refused() -> None:
    checked = validate_deletion_return(deletion_row(deleted_on=days_ago(-3).isoformat()))
    assert checked.errors["deleted_on"] == [
        "Date the pupil's name was removed must be today or in the past"
    ]


def test_the_destination_school_is_found_by_dfe_number_or_urn(establishment: object) -> None:
    for text in ("990/2001", "9902001", "990 2001", "190001"):
        checked = validate_deletion_return(deletion_row(destination_school=text))
        assert checked.details is not None and checked.details.destination == establishment


def test_an_unknown_destination_number_is_an_error(establishment: object) -> None:
    checked = validate_deletion_return(deletion_row(destination_school="999/9999"))
    assert "cannot find a school" in checked.errors["destination_school"][0]


def test_a_start_date_needs_a_destination() -> None:
    checked = validate_deletion_return(deletion_row(destination_starts_on=days_ago(0).isoformat()))
    assert "destination_school" in checked.errors


def test_a_new_pupil_needs_an_admission_date_after_birth() -> None:
    assert validate_new_pupil_return(new_pupil_row()).ok
    checked = validate_new_pupil_return(new_pupil_row(admitted_on="2010-01-01"))
    assert "admitted_on" in checked.errors
    checked = validate_new_pupil_return(new_pupil_row(admitted_on=""))
    assert checked.errors["admitted_on"] == ["Enter the date the pupil was admitted"]


def test_an_implausible_year_is_a_clear_error_not_a_failure() -> None:
    from django.core.exceptions import ValidationError

    from cme.returns.validation import FlexibleDateField

    field = FlexibleDateField(label="Admission date")
    with pytest.raises(ValidationError, match="Admission date must be a real date"):
        field.clean("0001-09-03")
    assert field.clean("2026-09-03").year == 2026
