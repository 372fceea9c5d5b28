"""The demo's two past self-evaluations."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from cme.accounts.models import Authority, Role
from cme.demo.selfeval import build_selfeval
from cme.reports.models import AssessmentStatus, SelfEvaluation

pytestmark = pytest.mark.django_db


def test_two_complete_assessments_once(
    authority: Authority, make_member: Any, client_for: Any
) -> None:
    manager = make_member(Role.CME_MANAGER)
    assert build_selfeval(authority, today=date(2026, 11, 1)) == 2
    assert build_selfeval(authority, today=date(2026, 11, 1)) == 0
    made = list(SelfEvaluation.objects.order_by("assessed_on"))
    assert [a.assessed_on for a in made] == [date(2025, 11, 1), date(2026, 7, 4)]
    assert {a.status for a in made} == {AssessmentStatus.COMPLETE}
    assert [a.answers.count() for a in made] == [22, 22]
    assert made[1].evidence["as_at"] == "2026-07-04"
    page = client_for(manager).get(reverse("selfeval_question", args=[6]))
    assert [e.rating_label for e in page.context["history"]] == ["Achieved", "Embedded"]


def test_no_manager_no_assessments(authority: Authority) -> None:
    assert build_selfeval(authority, today=date(2026, 11, 1)) == 0
