"""The demo's matching: its registers indexed and reconciled, idempotently and unaudited."""

from __future__ import annotations

from typing import Any

import pytest

from cme.accounts.models import Role
from cme.cases.models import Stage
from cme.core.models import AuditEvent
from cme.matching.demo import build_matching
from cme.matching.models import MatchEntry, MatchProposal, ProposalKind
from cme.matching.tests.factories import child_with_case, on_roll, school

pytestmark = pytest.mark.django_db


def test_the_demo_has_matches_to_review_and_a_second_run_adds_none(
    authority: Any, make_member: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    child_with_case(authority, officer, stage=Stage.TRACKING)
    on_roll(school(authority, "4001", "Hillside Academy"))
    MatchEntry.objects.all().delete()  # the demo writes with the plain ORM: nothing indexed
    events = AuditEvent.objects.count()

    assert build_matching(authority) == 1
    assert build_matching(authority) == 0
    assert MatchProposal.objects.filter(kind=ProposalKind.TRACKING).count() == 1
    assert AuditEvent.objects.count() == events
