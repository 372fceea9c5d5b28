"""The demo's referrals: every route, most triaged with every outcome, some waiting, one sweep."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from cme.accounts.models import Authority, Role
from cme.cases.models import CaseEvent
from cme.demo.build import demo_build
from cme.demo.intake import build_intake
from cme.intake.models import (
    AgencyContact,
    CMEContact,
    NotCMEReason,
    Referral,
    Route,
    TriageOutcome,
    TruancySweep,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 16)


@pytest.fixture
def exampleshire(db: None) -> Authority:
    demo_build(pupils=200, today=TODAY)  # builds the intake records too
    return Authority.objects.get(la_code="990")


def test_the_demo_has_referrals_from_every_route_and_every_outcome(exampleshire: Authority) -> None:
    referrals = Referral.objects.filter(authority=exampleshire)
    assert referrals.count() == 65
    assert set(referrals.values_list("route", flat=True)) == set(Route.values)
    outcomes = Counter(referrals.values_list("outcome", flat=True))
    assert set(outcomes) == {"", *TriageOutcome.values}
    assert 8 <= outcomes[""] <= 14
    reasons = set(referrals.exclude(not_cme_reason="").values_list("not_cme_reason", flat=True))
    assert reasons == set(NotCMEReason.values)
    assert referrals.filter(received_at__date__lt=TODAY - timedelta(days=366)).count() == 0
    sweep = TruancySweep.objects.get(authority=exampleshire)
    assert sweep.referrals.count() == 5 and sweep.partners.exists()
    assert CMEContact.objects.filter(authority=exampleshire).count() == 2
    assert AgencyContact.objects.filter(agency__authority=exampleshire).exists()
    partner_user = referrals.filter(referred_by__memberships__role=Role.PARTNER)
    assert partner_user.exists()


def test_a_referral_that_opened_a_case_carries_the_case_date_and_a_timeline_entry(
    exampleshire: Authority,
) -> None:
    for referral in Referral.objects.filter(outcome=TriageOutcome.CASE_OPENED).select_related(
        "case", "sweep"
    ):
        assert referral.case is not None
        assert referral.notified_on == referral.case.notified_on
        assert referral.child_id == referral.case.child_id
        assert CaseEvent.objects.filter(
            case=referral.case, summary__contains=referral.reference
        ).exists()


def test_building_again_adds_nothing(exampleshire: Authority) -> None:
    before = Referral.objects.count(), CMEContact.objects.count(), AgencyContact.objects.count()
    counts = build_intake(exampleshire, today=TODAY)
    assert counts.referrals == counts.cme_contacts == counts.agency_contacts == 0
    after = Referral.objects.count(), CMEContact.objects.count(), AgencyContact.objects.count()
    assert before == after
