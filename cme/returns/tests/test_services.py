"""Returns and the EHE register: lateness, new pupils matching open cases, duplicates, uploads."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cme.accounts.models import Role
from cme.cases.models import CaseEvent
from cme.cases.tests.factories import make_child, open_case
from cme.core.calendar import add_school_days
from cme.core.models import Term
from cme.core.selectors import payloads_for
from cme.returns import services
from cme.returns.grounds import Ground
from cme.returns.models import (
    DeletionReturn,
    DueBasis,
    EHEEndReason,
    EHESource,
    EHEStatus,
    NewPupilReturn,
)
from cme.returns.tests.factories import UPN, days_ago, deletion, new_pupil, new_pupil_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_user(make_member: Any) -> Any:
    return make_member(Role.SCHOOL_USER)


def test_a_deletion_return_more_than_five_days_after_the_deletion_is_late(
    school_user: Any, establishment: Any
) -> None:
    on_time = services.deletion_return_submit(
        actor=school_user,
        establishment=establishment,
        details=deletion(
            deleted_on=days_ago(5).isoformat(), last_attended_on=days_ago(9).isoformat()
        ),
    )
    late = services.deletion_return_submit(
        actor=school_user,
        establishment=establishment,
        details=deletion(
            upn="", deleted_on=days_ago(6).isoformat(), last_attended_on=days_ago(9).isoformat()
        ),
    )
    assert not on_time.is_late and on_time.due_on == days_ago(0)
    assert late.is_late and late.due_basis == DueBasis.CALENDAR_DAYS


def test_new_pupil_returns_are_due_five_school_days_after_admission(
    school_user: Any, establishment: Any, authority: Any
) -> None:
    Term.objects.create(
        authority=authority,
        name="Around now",
        starts=days_ago(120),
        ends=days_ago(-120),
    )
    admitted = days_ago(30)
    late = services.new_pupil_return_submit(
        actor=school_user,
        establishment=establishment,
        details=new_pupil(admitted_on=admitted.isoformat()),
    )
    assert late.due_basis == DueBasis.SCHOOL_DAYS
    assert late.due_on == add_school_days(authority, admitted, 5)
    # Five school days are never fewer than five calendar days.
    assert late.due_on >= admitted + timedelta(days=5)
    assert late.is_late
    on_time = services.new_pupil_return_submit(
        actor=school_user,
        establishment=establishment,
        details=new_pupil(upn="", admitted_on=days_ago(1).isoformat()),
    )
    assert on_time.due_basis == DueBasis.SCHOOL_DAYS and not on_time.is_late


def test_without_term_dates_new_pupil_returns_fall_back_to_calendar_days(
    school_user: Any, establishment: Any
) -> None:
    ret = services.new_pupil_return_submit(
        actor=school_user,
        establishment=establishment,
        details=new_pupil(admitted_on=days_ago(6).isoformat()),
    )
    assert ret.due_basis == DueBasis.CALENDAR_FALLBACK
    assert ret.due_on == days_ago(1) and ret.is_late


def test_a_new_pupil_matching_an_open_case_is_noted_on_it_and_flagged(
    school_user: Any, establishment: Any, authority: Any, make_member: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    # No UPN on the child's record: the name (in any case) and date of birth match.
    child = make_child(
        authority, forename="Oliver", surname="HARTLEY", date_of_birth=date(2013, 2, 3)
    )
    case = open_case(authority, officer, child=child)
    ret = services.new_pupil_return_submit(
        actor=school_user, establishment=establishment, details=new_pupil()
    )
    assert ret.matched_case == case and ret.child == child
    event = CaseEvent.objects.filter(case=case).first()
    assert event is not None
    assert event.summary.startswith(f"Registered at {establishment.name} on ")
    assert ret.reference in event.summary
    case.refresh_from_db()
    assert case.is_open  # proposing closure is the matching work's job


def test_a_restricted_childs_new_school_is_not_written_on_the_case(
    school_user: Any, establishment: Any, authority: Any, make_member: Any
) -> None:
    child = make_child(
        authority, upn=new_pupil_row()["upn"], is_restricted=True, restriction_reason="Refuge"
    )
    case = open_case(authority, make_member(Role.CME_OFFICER), child=child)
    services.new_pupil_return_submit(
        actor=school_user, establishment=establishment, details=new_pupil()
    )
    summaries = list(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert not any(establishment.name in s for s in summaries)
    assert any("withheld" in s for s in summaries)


def test_a_new_pupil_without_an_open_case_flags_nothing(
    school_user: Any, establishment: Any
) -> None:
    ret = services.new_pupil_return_submit(
        actor=school_user, establishment=establishment, details=new_pupil()
    )
    assert ret.matched_case is None and not CaseEvent.objects.exists()


def test_the_same_return_twice_is_refused_as_a_duplicate(
    school_user: Any, establishment: Any
) -> None:
    first = services.deletion_return_submit(
        actor=school_user, establishment=establishment, details=deletion()
    )
    with pytest.raises(services.DuplicateReturn) as raised:
        services.deletion_return_submit(
            actor=school_user, establishment=establishment, details=deletion()
        )
    assert raised.value.existing == first
    # A different ground for the same pupil and day is a different return.
    services.deletion_return_submit(
        actor=school_user,
        establishment=establishment,
        details=deletion(ground=Ground.DIED.value),
    )
    assert DeletionReturn.objects.count() == 2


def test_audit_events_carry_codes_not_what_the_school_wrote(
    school_user: Any, establishment: Any
) -> None:
    ret = services.deletion_return_submit(
        actor=school_user, establishment=establishment, details=deletion()
    )
    [payload] = payloads_for(target_type="returns.deletionreturn", target_id=str(ret.pk))
    assert payload["ground"] == Ground.MOVED_AWAY and payload["late"] is False
    text = str(payload)
    for personal in ("Amelia", "Pemberton", UPN, "Orchard", "EX1", "01632"):
        assert personal not in text


def test_an_upload_with_a_refused_row_saves_nothing(school_user: Any, establishment: Any) -> None:
    rows = [
        (2, deletion(upn="", forename="Ada")),
        (3, deletion(ground=Ground.CONTINUOUS_ABSENCE.value)),  # no joint enquiry yet
    ]
    with pytest.raises(services.RowRefused) as raised:
        services.returns_upload(actor=school_user, establishment=establishment, deletions=rows)
    assert raised.value.row == 3
    assert not DeletionReturn.objects.exists()


def test_an_upload_skips_returns_already_received(school_user: Any, establishment: Any) -> None:
    rows = [(2, new_pupil()), (3, new_pupil(upn="", forename="Isla"))]
    first = services.returns_upload(actor=school_user, establishment=establishment, new_pupils=rows)
    again = services.returns_upload(actor=school_user, establishment=establishment, new_pupils=rows)
    assert (first.created, first.already_received) == (2, 0)
    assert (again.created, again.already_received) == (0, 2)
    assert NewPupilReturn.objects.count() == 2


def test_ehe_registration_add_and_end(make_member: Any, authority: Any) -> None:
    officer = make_member(Role.CME_OFFICER)
    pupil = new_pupil().pupil
    registration = services.ehe_registration_add(
        actor=officer,
        authority=authority,
        pupil=pupil,
        started_on=days_ago(30),
        source=EHESource.PARENT,
        educator="Parent",
    )
    assert registration.child.upn == pupil.upn
    with pytest.raises(services.ReturnRefused, match="already on the elective home education"):
        services.ehe_registration_add(
            actor=officer,
            authority=authority,
            pupil=pupil,
            started_on=days_ago(3),
            source=EHESource.OTHER,
        )
    with pytest.raises(services.ReturnRefused, match="on or after the date it started"):
        services.ehe_registration_end(
            actor=officer, registration=registration, ended_on=days_ago(40), reason="school"
        )
    ended = services.ehe_registration_end(
        actor=officer, registration=registration, ended_on=days_ago(1), reason=EHEEndReason.SCHOOL
    )
    assert ended.status == EHEStatus.ENDED and ended.ended_on == days_ago(1)
    with pytest.raises(services.ReturnRefused, match="already ended"):
        services.ehe_registration_end(
            actor=officer, registration=registration, ended_on=days_ago(1), reason="school"
        )
    payloads = payloads_for(target_type="returns.eheregistration", target_id=str(registration.pk))
    assert [p.get("reason") for p in payloads] == [None, EHEEndReason.SCHOOL]


def test_a_child_can_be_home_educated_again_after_an_ended_registration(
    make_member: Any, authority: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    pupil = new_pupil().pupil
    first = services.ehe_registration_add(
        actor=officer, authority=authority, pupil=pupil, started_on=days_ago(30), source="parent"
    )
    services.ehe_registration_end(
        actor=officer, registration=first, ended_on=days_ago(10), reason=EHEEndReason.SCHOOL
    )
    second = services.ehe_registration_add(
        actor=officer, authority=authority, pupil=pupil, started_on=days_ago(2), source="parent"
    )
    assert second.child == first.child and second.is_active
