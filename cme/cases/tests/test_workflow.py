"""The transition table: every move it allows is accepted, every other move is refused with a reason,
and each stage's needs are checked."""

from __future__ import annotations

import itertools

import pytest

from cme.cases import workflow
from cme.cases.models import Case, EnquiryKind, Outcome, Stage

READY = workflow.CaseFacts(
    has_assessment=True,
    open_required_actions=0,
    unrecorded_enquiries=frozenset(),
    of_compulsory_school_age=True,
)


def case_at(stage: Stage, **fields: object) -> Case:
    defaults = {"provision_recommended": "Year 8 place", "provision_accessed": "Hillside Academy"}
    return Case(stage=stage, **{**defaults, **fields})


def move(stage: Stage, to: Stage, facts: workflow.CaseFacts = READY, **kw: str) -> str | None:
    extra: dict[str, str] = {"outcome": Outcome.FOUND_ON_ROLL} if to == Stage.CLOSED else {}
    if stage == Stage.CLOSED:
        extra["reason"] = "Child seen again at the old address"
    return workflow.refusal(case_at(stage), to, facts, **{**extra, **kw})


ALLOWED = [(a, b) for a, targets in workflow.TRANSITIONS.items() for b in targets]
REFUSED = [
    (a, b)
    for a, b in itertools.product(Stage, Stage)
    if b not in workflow.TRANSITIONS[a] and a != b
]


def test_the_table_covers_every_stage_and_closing_is_always_possible() -> None:
    assert set(workflow.TRANSITIONS) == set(Stage)
    for stage in Stage:
        if stage != Stage.CLOSED:
            assert Stage.CLOSED in workflow.TRANSITIONS[stage]
    assert len(ALLOWED) + len(REFUSED) + len(Stage) == len(Stage) ** 2


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=[f"{a}->{b}" for a, b in ALLOWED])
def test_every_allowed_move_is_accepted_when_its_needs_are_met(
    current: Stage, target: Stage
) -> None:
    assert move(current, target) is None


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_every_other_move_is_refused_with_the_moves_that_are_allowed(
    current: Stage, target: Stage
) -> None:
    reason = move(current, target)
    assert reason is not None
    assert reason.startswith(f"A case at “{current.label}” can only move to")
    for allowed in workflow.TRANSITIONS[current]:
        assert allowed.label in reason


def test_staying_put_and_unknown_stages_are_refused() -> None:
    assert (
        move(Stage.CHECKING, Stage.CHECKING)
        == "The case is already at “Checking rolls and making enquiries”"
    )
    assert (
        workflow.refusal(case_at(Stage.CHECKING), "lost", READY) == "Choose a stage from the list"
    )


def test_locating_needs_the_vulnerability_assessment_first() -> None:
    facts = workflow.CaseFacts(False, 0, frozenset(), True)
    reason = move(Stage.CONFIRMED_MISSING, Stage.LOCATING, facts)
    assert reason is not None and "vulnerability assessment" in reason


def test_securing_provision_needs_a_recommendation() -> None:
    case = case_at(Stage.ASSESSING_NEEDS, provision_recommended="")
    reason = workflow.refusal(case, Stage.SECURING_PROVISION, READY)
    assert reason == "Record the provision recommended before securing provision"


def test_in_provision_needs_the_provision_started() -> None:
    case = case_at(Stage.SECURING_PROVISION, provision_accessed="  ")
    assert workflow.refusal(case, Stage.IN_PROVISION, READY) == (
        "Record the provision the child has started at"
    )


def test_closing_needs_an_outcome() -> None:
    reason = workflow.refusal(case_at(Stage.CHECKING), Stage.CLOSED, READY)
    assert reason == "Choose the outcome before closing the case"
    reason = workflow.refusal(case_at(Stage.CHECKING), Stage.CLOSED, READY, outcome="gone")
    assert reason == "Choose an outcome from the list"


def test_closing_waits_for_required_actions() -> None:
    facts = workflow.CaseFacts(True, 2, frozenset(), True)
    reason = move(Stage.LOCATING, Stage.CLOSED, facts)
    assert reason == (
        "Complete the 2 required actions from the vulnerability assessment before closing the case"
    )


def test_whereabouts_unknown_needs_every_enquiry_recorded() -> None:
    facts = workflow.CaseFacts(
        True, 0, frozenset({EnquiryKind.HOME_VISIT, EnquiryKind.POLICE}), True
    )
    reason = move(Stage.TRACKING, Stage.CLOSED, facts, outcome=Outcome.WHEREABOUTS_UNKNOWN)
    assert reason is not None
    assert "Still to record: home visit (after a risk assessment), police" in reason
    # Other outcomes do not wait for the checklist.
    assert move(Stage.TRACKING, Stage.CLOSED, facts, outcome=Outcome.MOVED_ABROAD) is None
    assert move(Stage.TRACKING, Stage.CLOSED, READY, outcome=Outcome.WHEREABOUTS_UNKNOWN) is None


def test_a_child_outside_school_age_needs_a_reason_to_continue() -> None:
    facts = workflow.CaseFacts(True, 0, frozenset(), False)
    reason = move(Stage.RECEIVED, Stage.CHECKING, facts)
    assert reason is not None and "not of compulsory school age" in reason
    case = case_at(
        Stage.RECEIVED, outside_school_age_reason="Turns 5 next week; family asked for help"
    )
    assert workflow.refusal(case, Stage.CHECKING, facts) is None
    assert move(Stage.RECEIVED, Stage.CLOSED, facts, outcome=Outcome.NOT_SCHOOL_AGE) is None


def test_reopening_needs_a_reason() -> None:
    case = case_at(Stage.CLOSED)
    assert workflow.refusal(case, Stage.CHECKING, READY) == "Give a reason for reopening the case"
    assert workflow.refusal(case, Stage.CHECKING, READY, reason="Seen again") is None
