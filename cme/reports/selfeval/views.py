"""The self-evaluation pages: history, an assessment, the form, the printable report, the CSV
download and one question's ratings over time. Thin: selectors read, services write."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cme.accounts.models import User
from cme.cases.exports import escape_formula
from cme.core.permissions import permission_required
from cme.reports.models import Rating, SelfEvaluation
from cme.reports.selfeval import selectors, services
from cme.reports.selfeval.evidence import Evidence, evidence_from_json, live_evidence
from cme.reports.selfeval.forms import SelfEvaluationForm, evidence_field, rating_field
from cme.reports.selfeval.questions import BY_NUMBER, HEADINGS, grouped


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _assessment(request: HttpRequest, pk: int) -> SelfEvaluation:
    return get_object_or_404(
        selectors.assessments_visible_to(_user(request)).select_related(
            "created_by", "completed_by"
        ),
        pk=pk,
    )


def _evidence(request: HttpRequest, assessment: SelfEvaluation) -> Evidence | None:
    """A complete assessment shows the figures of its day; a draft shows today's."""
    if assessment.is_complete:
        return evidence_from_json(assessment.evidence)
    return live_evidence(_user(request)).for_user(_user(request))


def _report_context(request: HttpRequest, assessment: SelfEvaluation) -> dict[str, Any]:
    previous = selectors.latest_complete(_user(request), before=assessment)
    answered = selectors.answered_questions(assessment, previous)
    evidence = _evidence(request, assessment)
    ratings = Counter(item.answer.rating for item in answered if item.answer and item.answer.rating)
    by_heading = [
        (
            heading,
            [
                sum(
                    1
                    for item in answered
                    if item.question.heading == heading
                    and item.answer is not None
                    and item.answer.rating == rating
                )
                for rating in Rating.values
            ],
        )
        for heading in HEADINGS
    ]
    return {
        "assessment": assessment,
        "previous": previous,
        "sections": [
            (
                heading,
                [
                    {
                        "question": item.question,
                        "answer": item.answer,
                        "previous": item.previous,
                        "figures": evidence.figures.get(item.question.number) if evidence else None,
                    }
                    for item in answered
                    if item.question.heading == heading
                ],
            )
            for heading, _ in grouped()
        ],
        "evidence": evidence,
        "links": True,
        "ratings": [(label, ratings.get(value, 0)) for value, label in Rating.choices],
        "rating_labels": [label for _, label in Rating.choices],
        "by_heading": by_heading,
        "unrated": len(answered) - sum(ratings.values()),
    }


@require_GET
@permission_required("reports.view_selfeval")
def selfeval_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    history = list(selectors.assessment_history(user))
    return render(
        request,
        "reports/selfeval_list.html",
        {
            "history": history,
            "draft": next((a for a in history if not a.is_complete), None),
            "can_change": user.has_perm("reports.change_selfeval"),
            "questions": grouped(),
        },
    )


@require_POST
@permission_required("reports.change_selfeval")
def selfeval_start(request: HttpRequest) -> HttpResponse:
    assessment = services.selfevaluation_start(actor=_user(request))
    return redirect("selfeval_edit", pk=assessment.pk)


@require_GET
@permission_required("reports.view_selfeval")
def selfeval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    context = _report_context(request, assessment)
    context["can_change"] = _user(request).has_perm("reports.change_selfeval")
    return render(request, "reports/selfeval_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("reports.change_selfeval")
def selfeval_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = _assessment(request, pk)
    if assessment.is_complete:
        messages.info(request, "This assessment is complete and cannot be changed.")
        return redirect("selfeval_detail", pk=assessment.pk)
    completing = request.POST.get("action") == "complete"
    if request.method == "POST":
        form = SelfEvaluationForm(request.POST, completing=completing)
    else:
        form = SelfEvaluationForm(initial=SelfEvaluationForm.initial_for(assessment))
    if form.is_valid():
        try:
            services.selfevaluation_save(
                assessment=assessment,
                actor=user,
                version=form.cleaned_data["version"],
                assessed_on=form.cleaned_data["assessed_on"],
                answers=form.answers(),
                complete=completing,
            )
        except services.AssessmentConflict:
            form.add_error(
                None,
                "Someone else saved this assessment after you opened it. Your changes were not "
                "saved: open it again to see theirs.",
            )
        else:
            if completing:
                messages.success(request, "Assessment complete. It is now kept in the history.")
                return redirect("selfeval_detail", pk=assessment.pk)
            messages.success(request, "Draft saved.")
            return redirect("selfeval_edit", pk=assessment.pk)
    previous = selectors.latest_complete(user, before=assessment)
    answered = selectors.answered_questions(assessment, previous)
    evidence = live_evidence(user).for_user(user)
    sections = [
        (
            heading,
            [
                {
                    "item": item,
                    "rating": form[rating_field(item.question.number)],
                    "notes": form[evidence_field(item.question.number)],
                    "figures": evidence.figures.get(item.question.number),
                }
                for item in answered
                if item.question.heading == heading
            ],
        )
        for heading in HEADINGS
    ]
    return render(
        request,
        "reports/selfeval_edit.html",
        {
            "form": form,
            "assessment": assessment,
            "previous": previous,
            "sections": sections,
            "evidence": evidence,
        },
    )


@require_GET
@permission_required("reports.view_selfeval")
def selfeval_print(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    context = _report_context(request, assessment)
    context["links"] = False  # paper has no links
    services.selfevaluation_viewed(assessment=assessment, actor=_user(request), form="print")
    return render(request, "reports/selfeval_print.html", context)


CSV_HEADER = ("question", "heading", "question_text", "rating", "previous_rating", "evidence_notes")


@require_GET
@permission_required("reports.view_selfeval")
def selfeval_download(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assessment = _assessment(request, pk)
    previous = selectors.latest_complete(user, before=assessment)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for item in selectors.answered_questions(assessment, previous):
        writer.writerow(
            [
                item.question.number,
                item.question.heading,
                item.question.text,
                item.answer.get_rating_display() if item.answer and item.answer.rating else "",
                item.previous.get_rating_display()
                if item.previous and item.previous.rating
                else "",
                # Notes are typed by people: a leading "=" must not run as a spreadsheet formula.
                escape_formula(item.answer.evidence) if item.answer else "",
            ]
        )
    services.selfevaluation_viewed(assessment=assessment, actor=user, form="csv")
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"self-evaluation-{assessment.assessed_on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@permission_required("reports.view_selfeval")
def selfeval_question(request: HttpRequest, number: int) -> HttpResponse:
    question = BY_NUMBER.get(number)
    if question is None:
        raise Http404("No such question")
    history = selectors.question_history(_user(request), number)
    return render(
        request,
        "reports/selfeval_question.html",
        {
            "question": question,
            "history": history,
        },
    )
