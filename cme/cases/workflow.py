"""The case workflow: the one table of allowed moves between stages, and what each move needs.

`case_transition` in services.py is the only code that changes a case's stage, and it asks
`refusal()` first. A refusal is a sentence for the person who asked, saying what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cme.cases.models import REQUIRED_ACTIONS, Case, EnquiryKind, Outcome, Stage

S = Stage

# From each stage, the stages a case may move to (§1.4.3). Closing is possible from every open
# stage: a child may be found on a roll at any point.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    S.RECEIVED: frozenset({S.CHECKING, S.CLOSED}),
    S.CHECKING: frozenset({S.CONFIRMED_MISSING, S.CLOSED}),
    S.CONFIRMED_MISSING: frozenset({S.LOCATING, S.ASSESSING_NEEDS, S.CLOSED}),
    S.LOCATING: frozenset({S.ASSESSING_NEEDS, S.TRACKING, S.CLOSED}),
    S.ASSESSING_NEEDS: frozenset({S.SECURING_PROVISION, S.CLOSED}),
    S.SECURING_PROVISION: frozenset({S.IN_PROVISION, S.ASSESSING_NEEDS, S.CLOSED}),
    # A child who stops attending goes back to having provision secured.
    S.IN_PROVISION: frozenset({S.SECURING_PROVISION, S.CLOSED}),
    S.TRACKING: frozenset({S.LOCATING, S.CLOSED}),
    # Reopening starts the checks again.
    S.CLOSED: frozenset({S.CHECKING}),
}

# Stages a new case may start in: a notification, or a child who left without a destination.
OPENING_STAGES = frozenset({S.RECEIVED, S.TRACKING})


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know beyond the case row, fetched once by the service."""

    has_assessment: bool
    open_required_actions: int
    unrecorded_enquiries: frozenset[str]
    of_compulsory_school_age: bool | None  # None when the date of birth is not known


def allowed_moves(stage: Stage | str) -> frozenset[Stage]:
    return TRANSITIONS[Stage(stage)]


def _closing(case: Case, facts: CaseFacts, outcome: str) -> str | None:
    if not outcome:
        return "Choose the outcome before closing the case"
    if outcome not in Outcome.values:
        return "Choose an outcome from the list"
    if facts.open_required_actions:
        return (
            f"Complete the {facts.open_required_actions} required action"
            f"{'s' if facts.open_required_actions != 1 else ''} from the vulnerability assessment "
            "before closing the case"
        )
    if outcome == Outcome.WHEREABOUTS_UNKNOWN and facts.unrecorded_enquiries:
        missing = ", ".join(
            EnquiryKind(k).label.lower() for k in sorted(facts.unrecorded_enquiries)
        )
        return (
            "Record every reasonable enquiry, or mark it not applicable, before closing as "
            f"whereabouts unknown. Still to record: {missing}"
        )
    return None


NeedsCheck = Callable[[Case, CaseFacts], str | None]


def _needs_assessment(case: Case, facts: CaseFacts) -> str | None:
    if not facts.has_assessment:
        return "Complete the vulnerability assessment first: it must be done before any home visit"
    return None


def _needs_recommendation(case: Case, facts: CaseFacts) -> str | None:
    if not case.provision_recommended.strip():
        return "Record the provision recommended before securing provision"
    return None


def _needs_provision(case: Case, facts: CaseFacts) -> str | None:
    if not case.provision_accessed.strip():
        return "Record the provision the child has started at"
    return None


ENTRY_CHECKS: dict[Stage, tuple[NeedsCheck, ...]] = {
    S.LOCATING: (_needs_assessment,),
    S.ASSESSING_NEEDS: (_needs_assessment,),
    S.SECURING_PROVISION: (_needs_assessment, _needs_recommendation),
    S.IN_PROVISION: (_needs_provision,),
    S.TRACKING: (_needs_assessment,),
}


def refusal(
    case: Case, to: Stage | str, facts: CaseFacts, *, outcome: str = "", reason: str = ""
) -> str | None:
    """Why the move is not allowed, or None when it is."""
    try:
        target = Stage(to)
    except ValueError:
        return "Choose a stage from the list"
    current = Stage(case.stage)
    if target == current:
        return f"The case is already at “{current.label}”"
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(f"“{s.label}”" for s in sorted(TRANSITIONS[current], key=_order))
        return f"A case at “{current.label}” can only move to {allowed}"
    if target == S.CLOSED:
        return _closing(case, facts, outcome)
    if current == S.CLOSED and not reason.strip():
        return "Give a reason for reopening the case"
    if facts.of_compulsory_school_age is False and not case.outside_school_age_reason.strip():
        return (
            "This child is not of compulsory school age. Record why the case should continue, "
            "or close it with the outcome “Not of compulsory school age”"
        )
    for check in ENTRY_CHECKS.get(target, ()):
        problem = check(case, facts)
        if problem:
            return problem
    return None


def _order(stage: Stage) -> int:
    return list(Stage).index(stage)


# The key date each stage records the first time a case reaches it.
STAGE_DATES: dict[Stage, str] = {
    S.CONFIRMED_MISSING: "confirmed_missing_on",
    S.ASSESSING_NEEDS: "located_on",
    S.SECURING_PROVISION: "provision_determined_on",
    S.IN_PROVISION: "moved_into_provision_on",
    S.CLOSED: "closed_on",
}


def dates_on_entering(case: Case, target: Stage, today: date) -> dict[str, date]:
    field = STAGE_DATES.get(target)
    if field and getattr(case, field) is None:
        return {field: today}
    return {}


def required_action_kinds() -> frozenset[str]:
    return frozenset(REQUIRED_ACTIONS)
