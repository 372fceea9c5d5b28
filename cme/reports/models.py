"""What the reports app stores: the authority's self-evaluations against Appendix 2 (§1.4.1, App.2).

The returns are computed from cases when asked for. The dashboard's figures are worked out ahead
(by `cme tick`, `cme report dashboard` or a manager's "work them out again") and kept, one set per
authority, so the page opens at once however many cases there are; they hold counts only. The
self-evaluation is a judgement made by a person on a date, so it is kept, with its history.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

QUESTION_COUNT = 22


class Rating(models.TextChoices):
    """The four ratings of Appendix 2, 1.1; the values are the guidance's own letters."""

    NO = "N", "No"
    WORKING_TOWARDS = "W", "Working towards"
    ACHIEVED = "A", "Achieved"
    EMBEDDED = "E", "Embedded"


class AssessmentStatus(models.TextChoices):
    # A draft may be saved and changed as often as needed; a complete one is history and never
    # changes, so later assessments are compared with exactly what was said at the time.
    DRAFT = "draft", "Draft"
    COMPLETE = "complete", "Complete"


class SelfEvaluation(models.Model):
    """One assessment of the authority against the 22 questions, made by a CME manager."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField("Date of the assessment")
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    # The live figures as they stood when the assessment was completed, so its evidence can be
    # read later as it was: {"8": [{"label": ..., "value": ...}, ...], ...}. Counts only.
    evidence = models.JSONField(default=dict, blank=True)
    # Optimistic locking: a save made on an older copy of the draft is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [models.Index(fields=["authority", "-assessed_on"], name="selfeval_newest_idx")]
        constraints = [
            # One draft at a time: two managers editing two drafts would be two versions of the truth.
            models.UniqueConstraint(
                fields=["authority"],
                condition=Q(status="draft"),
                name="selfeval_one_draft",
            )
        ]

    def __str__(self) -> str:
        return f"Self-evaluation of {self.assessed_on:%d %B %Y}"

    @property
    def is_complete(self) -> bool:
        return self.status == AssessmentStatus.COMPLETE


class SelfEvaluationAnswer(models.Model):
    """The rating and evidence notes for one question of one assessment."""

    assessment = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="answers")
    question = models.PositiveSmallIntegerField()
    rating = models.CharField(max_length=1, choices=Rating.choices, blank=True)
    evidence = models.TextField("Evidence notes", blank=True)

    class Meta:
        ordering = ["question"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="selfeval_answer_once"),
            models.CheckConstraint(
                condition=Q(question__gte=1, question__lte=QUESTION_COUNT),
                name="selfeval_answer_question_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.question}"


class DashboardSnapshot(models.Model):
    """The authority's dashboard figures as last worked out: counts, labels and case-list links,
    never a child. Replaced each time they are worked out again."""

    authority = models.OneToOneField(
        "accounts.Authority", on_delete=models.CASCADE, related_name="+"
    )
    made_at = models.DateTimeField()  # the figures describe its day (local time)
    figures = models.JSONField()

    def __str__(self) -> str:
        return f"Dashboard as at {self.made_at:%d %B %Y %H:%M}"
