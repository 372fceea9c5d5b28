"""Every regulation 9 ground leads to its action, and joint-enquiry grounds wait for the enquiries."""

from __future__ import annotations

from typing import Any

import pytest

from cme.accounts.models import Role
from cme.cases import services as case_services
from cme.cases.models import Case, CaseEvent, EnquiryKind, Source, Stage, TaskKind
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Child
from cme.returns import services
from cme.returns.grounds import ACTIONS, Action, Ground, needs_joint_enquiries
from cme.returns.models import DeletionReturn, EHERegistration, EHESource, EHEStatus
from cme.returns.tests.factories import UPN, days_ago, deletion

pytestmark = pytest.mark.django_db


def test_every_ground_has_exactly_one_action_and_a_regulation() -> None:
    assert set(ACTIONS) == set(Ground)
    assert all(rule.regulation.startswith("reg 9(1)(") for rule in ACTIONS.values())
    assert {g for g in Ground if needs_joint_enquiries(g)} == {
        Ground.CONTINUOUS_ABSENCE,
        Ground.NOT_RETURNED_FROM_LEAVE,
    }


def _submit(school_user: Any, establishment: Any, **changes: Any) -> DeletionReturn:
    return services.deletion_return_submit(
        actor=school_user, establishment=establishment, details=deletion(**changes)
    )


def _record_joint_enquiry(authority: Any, officer: Any) -> Case:
    child = make_child(authority, upn=UPN)
    case = open_case(authority, officer, child=child)
    case_services.enquiry_record(
        case=case, actor=officer, kind=EnquiryKind.SCHOOL_JOINT, made_on=days_ago(2)
    )
    return case


def _expect(action: Action, ret: DeletionReturn, authority: Any) -> None:
    """What each action leaves behind, for a return with no destination and no welfare concerns."""
    cases = Case.objects.filter(authority=authority)
    if action == Action.TRACK_IF_NO_DESTINATION:
        assert ret.case is not None and ret.case.stage == Stage.TRACKING
        assert ret.case.source == Source.DELETION_RETURN
        assert ret.case.next_follow_up_on is not None
        assert ret.case.last_placement_id == ret.establishment_id
        assert ret.case.last_attended_on == ret.last_attended_on
        assert not EHERegistration.objects.exists()
    elif action == Action.EHE_REGISTER:
        assert ret.case is None and not cases.exists()
        registration = EHERegistration.objects.get()
        assert registration.child == ret.child and registration.status == EHEStatus.ACTIVE
        assert registration.source == EHESource.DELETION_RETURN
        assert registration.started_on == ret.deleted_on
    elif action == Action.REQUIRES_JOINT_ENQUIRIES:
        # The case with the joint enquiry is noted, not duplicated.
        assert cases.count() == 1 and ret.case == cases.get()
        assert CaseEvent.objects.filter(case=ret.case, summary__contains=ret.reference).exists()
    elif action == Action.OPEN_CASE:
        assert ret.case is not None and ret.case.stage == Stage.RECEIVED
        assert ret.case.source == Source.DELETION_RETURN
    else:  # custody, died, notify only: a record and nothing else
        assert action in (Action.CUSTODY, Action.DIED, Action.NOTIFY_ONLY)
        assert ret.case is None and not cases.exists()
        assert not EHERegistration.objects.exists()
        assert not Child.objects.exists()


@pytest.mark.parametrize("ground", list(Ground), ids=[g.value for g in Ground])
def test_each_ground_leads_to_its_action(
    ground: Ground, make_member: Any, establishment: Any, authority: Any
) -> None:
    school_user = make_member(Role.SCHOOL_USER)
    action = ACTIONS[ground].action
    if action == Action.REQUIRES_JOINT_ENQUIRIES:
        _record_joint_enquiry(authority, make_member(Role.CME_OFFICER))
    ret = _submit(school_user, establishment, ground=ground.value)
    ret.refresh_from_db()
    _expect(action, ret, authority)


def test_a_known_destination_opens_no_tracking_case(
    make_member: Any, establishment: Any, authority: Any
) -> None:
    ret = _submit(
        make_member(Role.SCHOOL_USER),
        establishment,
        ground=Ground.ANOTHER_SCHOOL.value,
        destination_other="Lycée Victor Hugo, Lyon",
    )
    assert ret.case is None and not Case.objects.exists()


def test_the_tracking_case_gets_its_monthly_follow_up(
    make_member: Any, establishment: Any, authority: Any
) -> None:
    ret = _submit(make_member(Role.SCHOOL_USER), establishment, ground=Ground.MOVED_AWAY.value)
    assert ret.case is not None
    assert ret.case.next_follow_up_on is not None
    created = case_services.follow_ups_create(today=ret.case.next_follow_up_on)
    assert [t.case_id for t in created] == [ret.case.pk]
    assert created[0].kind == TaskKind.FOLLOW_UP


def test_the_child_record_takes_the_address_and_parents_from_the_return(
    make_member: Any, establishment: Any
) -> None:
    ret = _submit(make_member(Role.SCHOOL_USER), establishment, ground=Ground.MOVED_AWAY.value)
    child = Child.objects.get()
    assert ret.child == child and child.upn == UPN
    assert child.addresses.get(is_current=True).postcode == "EX1 2AB"
    assert list(child.carers.values_list("full_name", "relationship")) == [
        ("Joanna Pemberton", "mother")
    ]


def test_a_child_already_known_by_upn_is_not_created_again(
    make_member: Any, establishment: Any, authority: Any
) -> None:
    known = make_child(authority, upn=UPN)
    ret = _submit(make_member(Role.SCHOOL_USER), establishment, ground=Ground.MOVED_AWAY.value)
    assert ret.child == known and Child.objects.count() == 1


def test_a_child_with_an_open_case_has_the_return_noted_not_a_second_case(
    make_member: Any, establishment: Any, authority: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    case = open_case(authority, officer, child=make_child(authority, upn=UPN))
    ret = _submit(make_member(Role.SCHOOL_USER), establishment, ground=Ground.MOVED_AWAY.value)
    assert ret.case == case and Case.objects.count() == 1
    assert CaseEvent.objects.filter(
        case=case, summary__startswith="School deletion return"
    ).exists()


def test_home_education_with_welfare_concerns_also_opens_a_case(
    make_member: Any, establishment: Any, authority: Any
) -> None:
    ret = _submit(
        make_member(Role.SCHOOL_USER),
        establishment,
        ground=Ground.HOME_EDUCATED.value,
        welfare_concerns="yes",
    )
    assert EHERegistration.objects.filter(child=ret.child, status=EHEStatus.ACTIVE).exists()
    assert ret.case is not None and ret.case.stage == Stage.RECEIVED


def test_custody_is_noted_on_an_open_case_without_opening_one(
    make_member: Any, establishment: Any, authority: Any
) -> None:
    case = open_case(authority, make_member(Role.CME_OFFICER), child=make_child(authority, upn=UPN))
    ret = _submit(make_member(Role.SCHOOL_USER), establishment, ground=Ground.IN_CUSTODY.value)
    assert ret.case == case and Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, summary__endswith="in custody").exists()


@pytest.mark.parametrize("ground", [Ground.CONTINUOUS_ABSENCE, Ground.NOT_RETURNED_FROM_LEAVE])
def test_joint_enquiry_grounds_are_refused_until_the_enquiry_is_recorded(
    ground: Ground, make_member: Any, establishment: Any, authority: Any
) -> None:
    school_user = make_member(Role.SCHOOL_USER)
    officer = make_member(Role.CME_OFFICER)
    case = open_case(authority, officer, child=make_child(authority, upn=UPN))
    with pytest.raises(services.ReturnRefused, match="reasonable enquiries together"):
        _submit(school_user, establishment, ground=ground.value)
    # Marking the enquiry "not applicable" is not making it.
    case_services.enquiry_record(
        case=case, actor=officer, kind=EnquiryKind.SCHOOL_JOINT, made_on=None, not_applicable=True
    )
    with pytest.raises(services.ReturnRefused):
        _submit(school_user, establishment, ground=ground.value)
    assert not DeletionReturn.objects.exists()
    case_services.enquiry_record(
        case=case, actor=officer, kind=EnquiryKind.SCHOOL_JOINT, made_on=days_ago(1)
    )
    ret = _submit(school_user, establishment, ground=ground.value)
    assert ret.case == case


def test_a_joint_enquiry_on_a_closed_case_starts_tracking_again(
    make_member: Any, establishment: Any, authority: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    case = _record_joint_enquiry(authority, officer)
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    ret = _submit(
        make_member(Role.SCHOOL_USER), establishment, ground=Ground.CONTINUOUS_ABSENCE.value
    )
    assert ret.case is not None and ret.case != case and ret.case.stage == Stage.TRACKING
