"""`cme demo` cases and term dates: every stage and outcome, histories the workflow allows."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Authority, Membership, Role
from cme.cases import workflow
from cme.cases.models import (
    REQUIRED_ACTIONS,
    Case,
    CaseEvent,
    EnquiryKind,
    EventKind,
    Outcome,
    Stage,
    TaskKind,
)
from cme.children.models import Address, Carer, Child, FormerUPN, Sibling
from cme.children.school_age import is_compulsory_school_age
from cme.children.upn import is_valid_upn
from cme.core.calendar import add_school_days, school_days_between
from cme.core.models import Term
from cme.core.selectors import payloads_for
from cme.demo.build import DemoCounts, demo_build, demo_counts
from cme.demo.catalogue import CASE_OUTCOMES, CASE_STAGES
from cme.demo.places import POSTCODE_RE
from cme.enquiries.models import Enquiry
from cme.intake.models import Referral
from cme.panels.models import PanelMeeting
from cme.returns.models import EHERegistration

PUPILS = 600
S = Stage

# The key dates, in the order a case reaches them.
DATES = (
    "notified_on",
    "confirmed_missing_on",
    "assessed_on",
    "located_on",
    "provision_determined_on",
    "moved_into_provision_on",
    "closed_on",
)
# Which key dates a case at each stage has (True), may have (None) or cannot have yet (False).
_: bool | None = None  # may have it
EXPECTED: dict[Stage, tuple[bool | None, ...]] = {
    #                     missing assessed located determined moved closed
    S.RECEIVED: (False, False, False, False, False, False),
    S.CHECKING: (False, False, False, False, False, False),
    S.CONFIRMED_MISSING: (True, _, False, False, False, False),
    S.LOCATING: (_, True, False, False, False, False),
    S.ASSESSING_NEEDS: (True, True, True, False, False, False),
    S.SECURING_PROVISION: (True, True, True, True, False, False),
    S.IN_PROVISION: (True, True, True, True, True, False),
    S.TRACKING: (_, True, False, False, False, False),
    S.CLOSED: (_, _, _, _, _, True),
}
_LABELS = {str(stage.label): stage for stage in Stage}


@pytest.fixture(autouse=True)
def _demo_mode_with_fast_password_hashing(settings: Any) -> None:
    settings.CME_DEMO = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def added(db: None) -> DemoCounts:
    return demo_build(pupils=PUPILS)


def test_it_adds_the_catalogue_s_cases_at_every_stage_and_outcome(added: DemoCounts) -> None:
    assert added.cases == demo_counts().cases == 320
    for la_code, size in (("990", 300), ("991", 20)):
        cases = Case.objects.filter(authority__la_code=la_code)
        assert cases.count() == size
        stages = Counter(cases.values_list("stage", flat=True))
        outcomes = Counter(cases.exclude(outcome="").values_list("outcome", flat=True))
        assert stages == {**CASE_STAGES[la_code], "closed": sum(CASE_OUTCOMES[la_code].values())}
        assert outcomes == CASE_OUTCOMES[la_code]
    exampleshire = Case.objects.filter(authority__la_code="990")
    assert set(exampleshire.values_list("stage", flat=True)) == set(Stage.values)
    assert set(exampleshire.exclude(outcome="").values_list("outcome", flat=True)) == set(
        Outcome.values
    )
    references = list(Case.objects.values_list("reference", "authority__la_code", "pk"))
    assert all(ref == f"{la_code}-{pk:06d}" for ref, la_code, pk in references)


def test_every_case_has_the_key_dates_of_the_stages_it_has_passed_in_order(
    added: DemoCounts,
) -> None:
    today = timezone.localdate()
    earliest = today - timedelta(days=731)
    for case in Case.objects.select_related("child"):
        days = [getattr(case, name) for name in DATES]
        known = [day for day in days if day is not None]
        assert known == sorted(known), case.reference
        assert earliest <= case.notified_on <= known[-1] <= today, case.reference
        for name, expected in zip(DATES[1:], EXPECTED[Stage(case.stage)], strict=True):
            if expected is not None:
                assert (getattr(case, name) is not None) == expected, (case.reference, name)
        if case.last_attended_on is not None:
            assert case.last_attended_on < case.notified_on
        assert bool(case.last_placement_id) != bool(case.last_placement_other), case.reference
        if case.is_open:
            assert case.outcome == "" and case.next_follow_up_on is not None
            assert case.owner_id is not None or case.stage == S.RECEIVED
        else:
            assert case.outcome in Outcome.values and case.next_follow_up_on is None
        if case.stage in {S.SECURING_PROVISION, S.IN_PROVISION}:
            assert case.provision_recommended
        if case.moved_into_provision_on is not None:
            assert case.provision_accessed
        # The timeline starts with the opening and ends no later than the closure.
        events = list(case.events.order_by("occurred_at", "pk"))
        assert events[0].kind == EventKind.OPENED
        assert timezone.localtime(events[0].occurred_at).date() == case.notified_on
        assert all(
            case.notified_on
            <= timezone.localtime(e.occurred_at).date()
            <= (case.closed_on or today)
            for e in events
        ), case.reference
        if case.closed_on is not None:
            assert events[-1].kind == EventKind.CLOSED
        assert case.created_at == events[0].occurred_at
        assert 1 <= len(events) <= 45


def _facts_on(case: Case, day: date) -> workflow.CaseFacts:
    """What the workflow would have known about the case at the end of `day`."""
    assessment = getattr(case, "assessment", None)
    recorded = {
        e.kind for e in case.enquiries.all() if e.not_applicable or (e.made_on and e.made_on <= day)
    }
    return workflow.CaseFacts(
        has_assessment=case.assessed_on is not None and case.assessed_on <= day,
        open_required_actions=sum(
            1
            for t in case.tasks.all()
            if t.kind in REQUIRED_ACTIONS
            and assessment is not None
            and (t.done_on is None or t.done_on > day)
        ),
        unrecorded_enquiries=frozenset(set(EnquiryKind.values) - recorded),
        of_compulsory_school_age=None,  # checked against today in the next test
    )


def test_every_history_only_makes_moves_the_workflow_allows(added: DemoCounts) -> None:
    cases = Case.objects.select_related("assessment").prefetch_related("enquiries", "tasks")
    for case in cases:
        moves = case.events.filter(kind__in=[EventKind.OPENED, EventKind.STAGE, EventKind.CLOSED])
        replay = copy.copy(case)
        for event in moves.order_by("occurred_at", "pk"):
            day = timezone.localtime(event.occurred_at).date()
            target_label = event.summary.rsplit("“", 1)[-1].rstrip("”")
            if event.kind == EventKind.OPENED:
                replay.stage = _LABELS[target_label]
                assert replay.stage in workflow.OPENING_STAGES
                continue
            target = S.CLOSED if event.kind == EventKind.CLOSED else _LABELS[target_label]
            refusal = workflow.refusal(replay, target, _facts_on(case, day), outcome=case.outcome)
            assert refusal is None, (case.reference, replay.stage, target, refusal)
            replay.stage = target
        assert replay.stage == case.stage, case.reference


def test_closed_cases_have_their_required_actions_done_and_enquiries_recorded(
    added: DemoCounts,
) -> None:
    closed = Case.objects.filter(stage=S.CLOSED).prefetch_related("tasks", "enquiries")
    for case in closed:
        assert case.closed_on is not None
        for task in case.tasks.all():
            assert task.done_on is not None and task.done_on <= case.closed_on, case.reference
        if case.outcome == Outcome.WHEREABOUTS_UNKNOWN:
            enquiries = {e.kind: e for e in case.enquiries.all()}
            assert set(enquiries) == set(EnquiryKind.values)
            assert all(e.is_recorded for e in enquiries.values())
    assert Case.objects.filter(stage=S.CLOSED, outcome=Outcome.WHEREABOUTS_UNKNOWN).exists()


def test_open_cases_are_ready_for_the_workflow_today(added: DemoCounts) -> None:
    today = timezone.localdate()
    overdue = 0
    for case in Case.objects.exclude(stage=S.CLOSED).select_related("child"):
        dob = case.child.date_of_birth
        assert dob is not None
        if not is_compulsory_school_age(dob, today):
            assert case.outside_school_age_reason, case.reference
        overdue += case.is_overdue(today)
        follow_ups = case.tasks.filter(kind=TaskKind.FOLLOW_UP, done_on__isnull=True)
        if case.is_overdue(today):
            assert case.next_follow_up_on is not None
            assert follow_ups.filter(due_on=case.next_follow_up_on).exists(), case.reference
        if case.stage in {S.LOCATING, S.ASSESSING_NEEDS, S.SECURING_PROVISION, S.TRACKING}:
            assert hasattr(case, "assessment"), case.reference
    assert 0 < overdue < Case.objects.exclude(stage=S.CLOSED).count() / 3
    assert Case.objects.exclude(outside_school_age_reason="").exists()
    assert Case.objects.filter(stage=S.TRACKING, tasks__kind=TaskKind.FOLLOW_UP).exists()


def test_assessments_match_the_case_and_the_required_actions(added: DemoCounts) -> None:
    cases = Case.objects.select_related("assessment").prefetch_related("tasks")
    assessed = 0
    for case in cases:
        assessment = getattr(case, "assessment", None)
        if assessment is None:
            assert case.assessed_on is None and not case.is_vulnerable
            continue
        assessed += 1
        assert case.assessed_on == timezone.localtime(assessment.completed_at).date()
        required = {t.kind for t in case.tasks.all() if t.kind in REQUIRED_ACTIONS}
        expected = set()
        if assessment.possible_crime:
            expected |= {TaskKind.POLICE_REFERRAL, TaskKind.INFORM_EWS}
        if assessment.care_concern:
            expected.add(TaskKind.INFORM_SOCIAL_CARE)
        assert required == expected, case.reference
        assert all(t.due_on == case.assessed_on for t in case.tasks.all() if t.kind in required)
        if required:
            assert case.priority == "1_urgent"
            assert case.is_vulnerable
        assert assessment.completed_by.memberships.filter(
            authority_id=case.authority_id,
            role__in=[Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER],
        ).exists()
    assert assessed > Case.objects.count() / 2
    assert Case.objects.filter(tasks__kind=TaskKind.POLICE_REFERRAL).exists()
    assert Case.objects.filter(tasks__kind=TaskKind.GENERAL, tasks__done_on__isnull=True).exists()


def test_children_have_realistic_details(added: DemoCounts) -> None:
    # Children of the case histories: the EHE register's children have no case.
    children = Child.objects.filter(cases__isnull=False).distinct()
    assert children.count() == Case.objects.count()
    for child in children:
        child.full_clean()
        if child.upn:
            assert is_valid_upn(child.upn), child.upn
        assert child.addresses.filter(is_current=True).count() <= 1
    for former in FormerUPN.objects.all():
        assert is_valid_upn(former.upn)
    for address in Address.objects.all():
        assert POSTCODE_RE.match(address.postcode), address.postcode
        if address.lived_to is not None:
            assert address.lived_from is None or address.lived_from <= address.lived_to
    exampleshire = children.filter(authority__la_code="990")
    restricted = exampleshire.filter(is_restricted=True)
    assert restricted.count() == 5
    assert all(child.restriction_reason for child in restricted)
    assert restricted.filter(restriction_reason="Living in a refuge").exists()
    with_groups = exampleshire.filter(vulnerabilities__isnull=False).distinct().count()
    assert 0.2 * 300 <= with_groups <= 0.5 * 300
    assert exampleshire.filter(looked_after=True).exists()
    assert exampleshire.filter(child_in_need=True).exists()
    assert exampleshire.exclude(country_of_origin="").exclude(first_language="").exists()
    assert exampleshire.exclude(upn="").count() > 150
    assert Address.objects.filter(is_current=False).exists()
    assert Carer.objects.filter(has_parental_responsibility=True, lives_with_child=True).exists()
    assert Sibling.objects.filter(record__isnull=False).exists()
    assert Child.objects.filter(other_names__isnull=False).exists()
    found = Case.objects.filter(outcome=Outcome.FOUND_ON_ROLL).exclude(child__upn="")
    assert found.exists()


def test_otherborough_cases_are_for_otherborough_children_and_staff(added: DemoCounts) -> None:
    other = Authority.objects.get(la_code="991")
    cases = Case.objects.filter(authority=other)
    assert cases.count() == 20
    assert set(cases.values_list("child__authority__la_code", flat=True)) == {"991"}
    assert not Case.objects.filter(authority__la_code="990", child__authority=other).exists()
    for case in Case.objects.exclude(owner=None).select_related("owner"):
        assert Membership.objects.filter(user=case.owner, authority_id=case.authority_id).exists()
    placements = Case.objects.exclude(last_placement=None).values_list(
        "authority__la_code", "last_placement__la_code"
    )
    assert all(la == school_la for la, school_la in placements)


def test_both_authorities_have_terms_for_three_school_years(added: DemoCounts) -> None:
    today = timezone.localdate()
    assert added.terms == 54  # three school years of six half terms, for each of the three
    for authority in Authority.objects.all():
        terms = Term.objects.filter(authority=authority)
        assert terms.count() == 18
        later = add_school_days(authority, today, 15)
        assert today + timedelta(days=15) <= later <= today + timedelta(days=15 * 7 // 5 + 60)
        assert school_days_between(authority, today, later) == 15
        first = terms.earliest("starts").starts
        assert school_days_between(authority, first, today) > 0


def test_running_it_again_adds_no_cases_or_terms(added: DemoCounts) -> None:
    before = {
        "cases": list(Case.objects.order_by("pk").values_list()),
        "children": list(Child.objects.order_by("pk").values_list()),
        "events": CaseEvent.objects.count(),
        "terms": list(Term.objects.order_by("pk").values_list()),
    }
    again = demo_build(pupils=PUPILS)
    assert (again.cases, again.terms) == (0, 0)
    assert before == {
        "cases": list(Case.objects.order_by("pk").values_list()),
        "children": list(Child.objects.order_by("pk").values_list()),
        "events": CaseEvent.objects.count(),
        "terms": list(Term.objects.order_by("pk").values_list()),
    }


def test_it_makes_the_same_cases_every_time(added: DemoCounts) -> None:
    fields = ("stage", "outcome", "notified_on", "closed_on", "child__surname", "child__upn")
    first = list(Case.objects.order_by("pk").values_list(*fields))
    EHERegistration.objects.all().delete()
    Referral.objects.all().delete()
    PanelMeeting.objects.all().delete()  # a panel's agenda keeps its cases
    Enquiry.objects.all().delete()  # an answered enquiry closes its case: replay it too
    Case.objects.all().delete()
    Child.objects.all().delete()
    assert demo_build(pupils=PUPILS).cases == 320
    assert list(Case.objects.order_by("pk").values_list(*fields)) == first


def test_it_writes_no_audit_events(added: DemoCounts) -> None:
    for case in Case.objects.all()[:20]:
        assert payloads_for(target_type="cases.case", target_id=str(case.pk)) == []
