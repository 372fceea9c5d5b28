"""Two past self-evaluations for the demo: one a year ago, one last term, showing progress.

Like the rest of the demo this is fixture loading: plain ORM, no audit events. An authority that
already has a self-evaluation gets none. Each keeps the service's figures as they read on its date
(from today's records, so only roughly what they would have been: the data is fictional anyway).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cme.accounts.models import Authority, Membership, Role
from cme.reports.models import (
    QUESTION_COUNT,
    AssessmentStatus,
    SelfEvaluation,
    SelfEvaluationAnswer,
)
from cme.reports.selfeval.evidence import live_evidence

# One letter per question, 1 to 22: a year ago, then last term.
RATINGS = ("NWWWWAAWWWWNWWNNWWNWAN", "WAAAAEEAAAAWAAWWAAWAAW")
DAYS_AGO = (365, 120)
NOTES = {
    "N": "Discussed at the CME steering group; an action plan is agreed.",
    "W": "Partly in place; the gaps are in the action plan with owners and dates.",
    "A": "In place: see the evidence folder and the figures from the service.",
    "E": "In place for over a year and reviewed at the last steering group.",
}


@transaction.atomic
def build_selfeval(authority: Authority, *, today: date) -> int:
    """Add the two past assessments to `authority` if it has none; return how many were made."""
    if SelfEvaluation.objects.filter(authority=authority).exists():
        return 0
    membership = (
        Membership.objects.filter(authority=authority, role=Role.CME_MANAGER, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return 0
    manager = membership.user
    for letters, days in zip(RATINGS, DAYS_AGO, strict=True):
        assert len(letters) == QUESTION_COUNT
        on = today - timedelta(days=days)
        moment = timezone.make_aware(datetime.combine(on, time(15, 0)))
        assessment = SelfEvaluation.objects.create(
            authority=authority,
            assessed_on=on,
            status=AssessmentStatus.COMPLETE,
            created_by=manager,
            created_at=moment,
            updated_at=moment,
            completed_by=manager,
            completed_at=moment,
            evidence=live_evidence(manager, today=on).as_json(),
        )
        SelfEvaluationAnswer.objects.bulk_create(
            SelfEvaluationAnswer(
                assessment=assessment, question=number, rating=letter, evidence=NOTES[letter]
            )
            for number, letter in enumerate(letters, start=1)
        )
    return len(RATINGS)
