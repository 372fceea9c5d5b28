"""Reads of self-evaluations, always of the user's own authority."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from cme.reports.models import AssessmentStatus, Rating, SelfEvaluation, SelfEvaluationAnswer
from cme.reports.selfeval.questions import QUESTIONS, Question


def assessments_visible_to(user: Any) -> QuerySet[SelfEvaluation]:
    """The authority's assessments for those who may read them; nothing for anyone else."""
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("reports.view_selfeval"):
        return SelfEvaluation.objects.none()
    return SelfEvaluation.objects.filter(authority_id=membership.authority_id)


def assessment_history(user: Any) -> QuerySet[SelfEvaluation]:
    """Every assessment, newest first, with how many questions got each rating (one query)."""
    counts = {
        f"rated_{rating.value}": Count("answers", filter=Q(answers__rating=rating))
        for rating in Rating
    }
    return (
        assessments_visible_to(user)
        .select_related("created_by", "completed_by")
        .annotate(**counts)
        .order_by("-assessed_on", "-pk")
    )


def current_draft(user: Any) -> SelfEvaluation | None:
    return assessments_visible_to(user).filter(status=AssessmentStatus.DRAFT).first()


def latest_complete(user: Any, *, before: SelfEvaluation | None = None) -> SelfEvaluation | None:
    """The most recent complete assessment (before `before`, when given)."""
    complete = assessments_visible_to(user).filter(status=AssessmentStatus.COMPLETE)
    if before is not None:
        complete = complete.filter(
            Q(assessed_on__lt=before.assessed_on)
            | Q(assessed_on=before.assessed_on, pk__lt=before.pk)
        )
    return complete.order_by("-assessed_on", "-pk").first()


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    answer: SelfEvaluationAnswer | None
    previous: SelfEvaluationAnswer | None


def answered_questions(
    assessment: SelfEvaluation, previous: SelfEvaluation | None
) -> list[AnsweredQuestion]:
    """Each question with this assessment's answer and the previous one's (two queries)."""
    answers = {a.question: a for a in assessment.answers.all()}
    before = {a.question: a for a in previous.answers.all()} if previous is not None else {}
    return [AnsweredQuestion(q, answers.get(q.number), before.get(q.number)) for q in QUESTIONS]


@dataclass(frozen=True)
class RatingOverTime:
    assessment: SelfEvaluation
    rating: str
    rating_label: str
    evidence: str


def question_history(user: Any, number: int) -> list[RatingOverTime]:
    """One question's rating and notes in every assessment, oldest first (one query)."""
    answers = (
        SelfEvaluationAnswer.objects.filter(
            assessment__in=assessments_visible_to(user), question=number
        )
        .select_related("assessment")
        .order_by("assessment__assessed_on", "assessment__pk")
    )
    return [
        RatingOverTime(
            answer.assessment,
            answer.rating,
            Rating(answer.rating).label if answer.rating else "Not rated",
            answer.evidence,
        )
        for answer in answers
    ]
