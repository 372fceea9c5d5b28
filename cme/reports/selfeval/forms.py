"""The self-evaluation form: the date, and a rating and evidence notes for each of the 22
questions, saved together."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.core.dates import GovUKDateField
from cme.reports.models import Rating, SelfEvaluation
from cme.reports.selfeval.questions import QUESTIONS
from cme.reports.selfeval.services import AnswerInput

EVIDENCE_MAX = 4000


def rating_field(number: int) -> str:
    return f"q{number}_rating"


def evidence_field(number: int) -> str:
    return f"q{number}_evidence"


class SelfEvaluationForm(forms.Form):
    assessed_on = GovUKDateField(label="Date of the assessment", help_text="For example, 27 3 2026")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, completing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.completing = completing
        for question in QUESTIONS:
            n = question.number
            self.fields[rating_field(n)] = forms.ChoiceField(
                label=f"Rating for question {n}",
                required=False,
                choices=Rating.choices,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Choose a rating for question {n}"},
            )
            self.fields[evidence_field(n)] = forms.CharField(
                label=f"Evidence notes for question {n}",
                required=False,
                max_length=EVIDENCE_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "max_length": f"Evidence notes for question {n} must be "
                    f"{EVIDENCE_MAX:,} characters or fewer"
                },
            )

    @classmethod
    def initial_for(cls, assessment: SelfEvaluation) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "assessed_on": assessment.assessed_on,
            "version": assessment.version,
        }
        for answer in assessment.answers.all():
            initial[rating_field(answer.question)] = answer.rating
            initial[evidence_field(answer.question)] = answer.evidence
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.completing:
            for question in QUESTIONS:
                name = rating_field(question.number)
                if name not in self.errors and not data.get(name):
                    self.add_error(
                        name,
                        f"Choose a rating for question {question.number} before you mark the "
                        "assessment complete",
                    )
        return data

    def answers(self) -> dict[int, AnswerInput]:
        data = self.cleaned_data
        return {
            q.number: AnswerInput(
                data.get(rating_field(q.number)) or "",
                (data.get(evidence_field(q.number)) or "").strip(),
            )
            for q in QUESTIONS
        }
