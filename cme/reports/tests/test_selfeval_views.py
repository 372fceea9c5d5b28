"""The self-evaluation pages: who may do what, saving, completing, history and the report."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from cme.accounts.models import Authority, Role
from cme.core.models import AuditAction, AuditEvent
from cme.reports.models import AssessmentStatus, Rating, SelfEvaluation, SelfEvaluationAnswer
from cme.reports.selfeval.questions import QUESTIONS
from cme.reports.selfeval.services import (
    AnswerInput,
    selfevaluation_save,
    selfevaluation_start,
)

pytestmark = pytest.mark.django_db

CASE_TEAM = {Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER}


def form_data(assessment: SelfEvaluation, ratings: dict[int, str], **extra: str) -> dict[str, str]:
    data = {
        "assessed_on_0": str(assessment.assessed_on.day),
        "assessed_on_1": str(assessment.assessed_on.month),
        "assessed_on_2": str(assessment.assessed_on.year),
        "version": str(assessment.version),
        **extra,
    }
    for number, rating in ratings.items():
        data[f"q{number}_rating"] = rating
        data[f"q{number}_evidence"] = f"Notes for {number}"
    return data


def every(rating: str) -> dict[int, str]:
    return {q.number: rating for q in QUESTIONS}


def answers(assessment: SelfEvaluation) -> dict[int, tuple[str, str]]:
    return {a.question: (a.rating, a.evidence) for a in assessment.answers.all()}


@pytest.fixture
def manager(make_member: Any) -> Any:
    return make_member(Role.CME_MANAGER)


@pytest.fixture
def complete(manager: Any) -> SelfEvaluation:
    """A complete assessment: all "Working towards" with notes."""
    draft = selfevaluation_start(actor=manager, today=date(2025, 3, 1))
    return selfevaluation_save(
        assessment=draft,
        actor=manager,
        version=draft.version,
        assessed_on=date(2025, 3, 1),
        answers={n: AnswerInput(Rating.WORKING_TOWARDS, "Plan agreed") for n in every("W")},
        complete=True,
    )


def test_a_manager_starts_a_draft_with_all_22_questions(manager: Any, client_for: Any) -> None:
    client = client_for(manager)
    response = client.post(reverse("selfeval_start"))
    draft = SelfEvaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("selfeval_edit", args=[draft.pk])
    assert draft.status == AssessmentStatus.DRAFT
    assert sorted(answers(draft)) == list(range(1, 23))
    # Starting again gives the same draft: there is only ever one.
    client.post(reverse("selfeval_start"))
    assert SelfEvaluation.objects.count() == 1
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATED, target_type="reports.selfevaluation"
        ).count()
        == 1
    )


def test_a_draft_is_saved_as_a_whole_and_stays_a_draft(manager: Any, client_for: Any) -> None:
    draft = selfevaluation_start(actor=manager)
    response = client_for(manager).post(
        reverse("selfeval_edit", args=[draft.pk]),
        form_data(draft, {1: "A", 8: "E"}, action="save"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    saved = answers(draft)
    assert saved[1] == ("A", "Notes for 1")
    assert saved[8] == ("E", "Notes for 8")
    assert saved[2] == ("", "")
    assert draft.status == AssessmentStatus.DRAFT
    assert draft.version == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATED)
    assert event.payload == {"questions_changed": [1, 8], "status": "draft"}


def test_it_will_not_complete_with_a_question_unrated(manager: Any, client_for: Any) -> None:
    draft = selfevaluation_start(actor=manager)
    ratings = every("A")
    del ratings[13]
    response = client_for(manager).post(
        reverse("selfeval_edit", args=[draft.pk]), form_data(draft, ratings, action="complete")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose a rating for question 13 before you mark the assessment complete" in content
    assert 'href="#id_q13_rating_0"' in content
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT
    assert answers(draft)[1] == ("", "")  # nothing was saved


def test_completing_keeps_the_figures_of_the_day(manager: Any, client_for: Any) -> None:
    draft = selfevaluation_start(actor=manager)
    response = client_for(manager).post(
        reverse("selfeval_edit", args=[draft.pk]),
        form_data(draft, every("E"), action="complete"),
    )
    assert response["Location"] == reverse("selfeval_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.COMPLETE
    assert draft.completed_by == manager
    assert set(draft.evidence["figures"]) == {
        "8",
        "9",
        "10",
        "11",
        "12",
        "15",
        "16",
        "17",
        "18",
        "22",
    }
    assert {"label": "Open cases now", "value": "0"} in draft.evidence["figures"]["8"]


def test_an_older_assessment_is_unchanged_by_a_newer_one(
    complete: SelfEvaluation, manager: Any, client_for: Any
) -> None:
    before = answers(complete)
    client = client_for(manager)
    client.post(reverse("selfeval_start"))
    newer = SelfEvaluation.objects.get(status=AssessmentStatus.DRAFT)
    # The new draft starts from the last complete assessment's ratings and notes...
    assert answers(newer) == before
    ratings = every("W") | {1: "A", 22: "E"}
    client.post(
        reverse("selfeval_edit", args=[newer.pk]),
        form_data(newer, ratings, action="complete"),
    )
    newer.refresh_from_db()
    assert newer.status == AssessmentStatus.COMPLETE
    assert answers(newer)[1] == ("A", "Notes for 1")
    # ...and the older one keeps what it said.
    complete.refresh_from_db()
    assert answers(complete) == before
    assert SelfEvaluationAnswer.objects.filter(assessment=complete, rating="W").count() == 22

    history = client.get(reverse("selfeval_question", args=[1]))
    rows = [(entry.assessment.pk, entry.rating_label) for entry in history.context["history"]]
    assert rows == [(complete.pk, "Working towards"), (newer.pk, "Achieved")]
    detail = client.get(reverse("selfeval_detail", args=[newer.pk]))
    assert detail.context["previous"] == complete
    listing = client.get(reverse("selfeval_list"))
    assert [a.pk for a in listing.context["history"]] == [newer.pk, complete.pk]
    assert (listing.context["history"][0].rated_A, listing.context["history"][0].rated_E) == (1, 1)


def test_a_complete_assessment_cannot_be_changed(
    complete: SelfEvaluation, manager: Any, client_for: Any
) -> None:
    client = client_for(manager)
    url = reverse("selfeval_edit", args=[complete.pk])
    assert client.get(url)["Location"] == reverse("selfeval_detail", args=[complete.pk])
    response = client.post(url, form_data(complete, every("E"), action="save"))
    assert response.status_code == 302
    complete.refresh_from_db()
    assert set(answers(complete).values()) == {("W", "Plan agreed")}


def test_a_save_made_on_an_old_copy_is_refused(manager: Any, client_for: Any) -> None:
    draft = selfevaluation_start(actor=manager)
    stale = form_data(draft, {1: "N"}, action="save")
    client = client_for(manager)
    client.post(
        reverse("selfeval_edit", args=[draft.pk]), form_data(draft, {1: "E"}, action="save")
    )
    response = client.post(reverse("selfeval_edit", args=[draft.pk]), stale)
    assert response.status_code == 200
    assert "Someone else saved this assessment" in response.content.decode()
    assert answers(draft)[1] == ("E", "Notes for 1")


def test_the_printable_report_is_audited(
    complete: SelfEvaluation, make_member: Any, client_for: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    response = client_for(officer).get(reverse("selfeval_print", args=[complete.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Children missing education: self-evaluation, 1 March 2025" in content
    assert "Strategic management and leadership" in content
    event = AuditEvent.objects.get(action=AuditAction.VIEWED)
    assert (event.actor_id, event.target_id) == (officer.pk, str(complete.pk))
    assert event.payload == {"report": "self_evaluation", "format": "print"}


def test_the_download_is_audited_and_notes_cannot_run_as_formulas(
    manager: Any, client_for: Any
) -> None:
    draft = selfevaluation_start(actor=manager)
    selfevaluation_save(
        assessment=draft,
        actor=manager,
        version=draft.version,
        assessed_on=draft.assessed_on,
        answers={1: AnswerInput("A", "=HYPERLINK(1)")},
    )
    response = client_for(manager).get(reverse("selfeval_download", args=[draft.pk]))
    lines = response.content.decode().lstrip("\ufeff").splitlines()
    assert lines[0] == "question,heading,question_text,rating,previous_rating,evidence_notes"
    assert lines[1].startswith("1,Strategic management and leadership,")
    assert lines[1].endswith(",Achieved,,'=HYPERLINK(1)")
    assert len(lines) == 23
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.payload == {"report": "self_evaluation", "format": "csv"}


# --- Who may ---------------------------------------------------------------------------------


def _pages(assessment: SelfEvaluation) -> dict[str, str]:
    return {
        "list": reverse("selfeval_list"),
        "detail": reverse("selfeval_detail", args=[assessment.pk]),
        "print": reverse("selfeval_print", args=[assessment.pk]),
        "download": reverse("selfeval_download", args=[assessment.pk]),
        "question": reverse("selfeval_question", args=[8]),
    }


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_the_case_team_reads_and_no_one_else(
    role: Role, complete: SelfEvaluation, make_member: Any, client_for: Any
) -> None:
    client = client_for(make_member(role))
    expected = 200 if role in CASE_TEAM else 403
    for url in _pages(complete).values():
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_only_a_manager_writes(role: Role, make_member: Any, client_for: Any) -> None:
    draft = selfevaluation_start(actor=make_member(Role.CME_MANAGER))
    client = client_for(make_member(role))
    allowed = role == Role.CME_MANAGER
    assert client.get(reverse("selfeval_edit", args=[draft.pk])).status_code == (
        200 if allowed else 403
    )
    assert client.post(reverse("selfeval_start")).status_code == (302 if allowed else 403)
    response = client.post(
        reverse("selfeval_edit", args=[draft.pk]), form_data(draft, {1: "E"}, action="save")
    )
    assert response.status_code == (302 if allowed else 403)


def test_a_readers_page_has_no_way_to_change(
    complete: SelfEvaluation, make_member: Any, client_for: Any
) -> None:
    selfevaluation_start(actor=make_member(Role.CME_MANAGER))
    client = client_for(make_member(Role.CME_OFFICER))
    content = client.get(reverse("selfeval_list")).content.decode()
    assert "Continue the draft assessment" not in content
    assert "Start a new assessment" not in content


def test_another_authoritys_assessments_are_not_found(
    complete: SelfEvaluation, make_member: Any, client_for: Any, other_authority: Authority
) -> None:
    outsider = client_for(make_member(Role.CME_MANAGER, of=other_authority))
    for name, url in _pages(complete).items():
        if name in {"list", "question"}:
            response = outsider.get(url)
            assert response.status_code == 200
            assert list(response.context["history"]) == []
        else:
            assert outsider.get(url).status_code == 404, url
    draft = selfevaluation_start(actor=make_member(Role.CME_MANAGER))
    assert outsider.get(reverse("selfeval_edit", args=[draft.pk])).status_code == 404
    response = outsider.post(
        reverse("selfeval_edit", args=[draft.pk]), form_data(draft, {1: "E"}, action="save")
    )
    assert response.status_code == 404
    # Their own start makes their own draft, not a second one here.
    outsider.post(reverse("selfeval_start"))
    assert SelfEvaluation.objects.filter(status=AssessmentStatus.DRAFT).count() == 2


def test_an_unknown_question_is_not_found(manager: Any, client_for: Any) -> None:
    assert client_for(manager).get("/reports/self-evaluation/questions/23/").status_code == 404


def test_the_evidence_panels_show_on_the_form(manager: Any, client_for: Any) -> None:
    draft = selfevaluation_start(actor=manager)
    content = client_for(manager).get(reverse("selfeval_edit", args=[draft.pk])).content.decode()
    assert "Figures from the service today" in content
    assert 'href="/cases/?overdue=on"' in content
