"""Writes of self-evaluations: start one, save it (as a draft or complete). Each records its audit.

A new assessment starts as a copy of the last complete one's ratings and notes, so a manager
reviews what changed rather than retyping the lot; the older assessment keeps its own rows and is
never touched again. Completing an assessment freezes it and keeps the live figures of the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cme.core import audit
from cme.core.models import AuditAction
from cme.reports.models import (
    QUESTION_COUNT,
    AssessmentStatus,
    SelfEvaluation,
    SelfEvaluationAnswer,
)
from cme.reports.selfeval.evidence import live_evidence
from cme.reports.selfeval.selectors import latest_complete


class AssessmentConflict(Exception):
    """Someone else saved or completed the draft since this copy of it was read."""


class AssessmentIncomplete(Exception):
    """An assessment cannot be completed while a question has no rating."""


@dataclass(frozen=True)
class AnswerInput:
    rating: str
    evidence: str


@transaction.atomic
def selfevaluation_start(*, actor: Any, today: date | None = None) -> SelfEvaluation:
    """The authority's draft: the one in progress, or a new one copied from the last complete."""
    membership = actor.membership
    drafts = SelfEvaluation.objects.filter(
        authority_id=membership.authority_id, status=AssessmentStatus.DRAFT
    )
    existing = drafts.first()
    if existing is not None:
        return existing
    previous = latest_complete(actor)
    carried = {a.question: a for a in previous.answers.all()} if previous is not None else {}
    try:
        with transaction.atomic():
            assessment = SelfEvaluation.objects.create(
                authority_id=membership.authority_id,
                assessed_on=today or timezone.localdate(),
                created_by=actor,
            )
    except IntegrityError:
        # Another manager started one a moment ago: that is the draft.
        return drafts.get()
    SelfEvaluationAnswer.objects.bulk_create(
        SelfEvaluationAnswer(
            assessment=assessment,
            question=number,
            rating=carried[number].rating if number in carried else "",
            evidence=carried[number].evidence if number in carried else "",
        )
        for number in range(1, QUESTION_COUNT + 1)
    )
    audit.record(
        action=AuditAction.CREATED,
        actor=actor,
        target=assessment,
        authority_id=membership.authority_id,
        payload={"copied_from": previous.pk if previous is not None else None},
    )
    return assessment


@transaction.atomic
def selfevaluation_save(
    *,
    assessment: SelfEvaluation,
    actor: Any,
    version: int,
    assessed_on: date,
    answers: dict[int, AnswerInput],
    complete: bool = False,
) -> SelfEvaluation:
    """Save every answer of a draft at once; with `complete`, also freeze it with its figures.

    Refused with AssessmentConflict when the draft changed or was completed since `version` was
    read, and with AssessmentIncomplete when completing with a question unrated.
    """
    if complete and any(
        not answers.get(n, AnswerInput("", "")).rating for n in range(1, QUESTION_COUNT + 1)
    ):
        raise AssessmentIncomplete
    now = timezone.now()
    changes: dict[str, Any] = {"assessed_on": assessed_on, "updated_at": now}
    if complete:
        changes.update(
            status=AssessmentStatus.COMPLETE,
            completed_by=actor,
            completed_at=now,
            evidence=live_evidence(actor).as_json(),
        )
    claimed = SelfEvaluation.objects.filter(
        pk=assessment.pk, version=version, status=AssessmentStatus.DRAFT
    ).update(version=F("version") + 1, **changes)
    if not claimed:
        raise AssessmentConflict
    rows = list(assessment.answers.all())
    changed: list[int] = []
    for row in rows:
        given = answers.get(row.question)
        if given is None:
            continue
        if (row.rating, row.evidence) != (given.rating, given.evidence):
            row.rating, row.evidence = given.rating, given.evidence
            changed.append(row.question)
    SelfEvaluationAnswer.objects.bulk_update(
        [row for row in rows if row.question in changed], ["rating", "evidence"]
    )
    assessment.refresh_from_db()
    audit.record(
        action=AuditAction.UPDATED,
        actor=actor,
        target=assessment,
        authority_id=assessment.authority_id,
        # Question numbers and the status only: the notes are the manager's words, kept in the row.
        payload={"questions_changed": changed, "status": assessment.status},
    )
    return assessment


def selfevaluation_viewed(*, assessment: SelfEvaluation, actor: Any, form: str) -> None:
    """Record that the assessment left the screen as a report (printed or downloaded)."""
    audit.record(
        action=AuditAction.VIEWED if form == "print" else AuditAction.EXPORTED,
        actor=actor,
        target=assessment,
        target_type="reports.selfevaluation",
        authority_id=assessment.authority_id,
        payload={"report": "self_evaluation", "format": form},
    )
