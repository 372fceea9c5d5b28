"""The demo's panel meetings: every state of a decision, overdue ones included, built once."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases.models import Case, Stage
from cme.cases.tests.factories import open_case
from cme.demo.panels import ITEMS_PER_MEETING, MEETINGS, build_panels
from cme.panels import services
from cme.panels.models import Decision, DecisionOutcome, PanelMeeting
from cme.panels.selectors import panel_decisions_overdue

pytestmark = pytest.mark.django_db


def test_the_demo_builds_meetings_with_overdue_decisions_once(
    authority: Any, make_member: Any, establishment: Any
) -> None:
    officer = make_member(Role.CME_MANAGER)
    for _ in range(ITEMS_PER_MEETING * len(MEETINGS)):
        open_case(authority, officer)
    Case.objects.update(stage=Stage.SECURING_PROVISION)
    today = timezone.localdate()
    assert build_panels(authority, today=today) == len(MEETINGS)
    assert build_panels(authority, today=today) == 0
    assert PanelMeeting.objects.filter(held_on__gt=today).count() == 1
    overdue = panel_decisions_overdue(authority, today).count()
    assert overdue >= 2
    assert Decision.objects.filter(met_on__isnull=False).count() >= 2
    assert Decision.objects.filter(outcome=DecisionOutcome.DEFERRED).exists()
    # The clock raises one alert per overdue decision.
    assert len(services.decisions_check(today=today).alerted) == overdue
