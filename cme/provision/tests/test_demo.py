"""The demo's provision records tell the same story as the demo's cases, and load once."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases.models import Case, Stage
from cme.demo.build import demo_build
from cme.demo.provision import build_provision
from cme.provision import schedule
from cme.provision.models import (
    AttemptOutcome,
    AttendanceCheck,
    NeedsAssessment,
    PlacementAttempt,
    RegisterAudit,
    SupportReferral,
)
from cme.provision.selectors import brokering_failures, monitoring_checks_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> None:
    settings.CME_DEMO = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_needs_brokering_monitoring_support_and_audits() -> None:
    today = timezone.localdate()
    demo_build(pupils=600, today=today)  # calls build_provision
    authority = Authority.objects.get(la_code="990")
    recommended = Case.objects.filter(authority=authority).exclude(provision_recommended="")
    assert recommended.count() == NeedsAssessment.objects.count() > 0
    assert build_provision(authority, today=today) == 0  # a second run adds nothing

    for placement in PlacementAttempt.objects.filter(outcome=AttemptOutcome.ADMITTED):
        assert placement.starts_on == placement.case.moved_into_provision_on
    in_provision = Case.objects.filter(authority=authority, stage=Stage.IN_PROVISION)
    assert in_provision.exists()
    for case in in_provision:
        placement = PlacementAttempt.objects.get(case=case, outcome=AttemptOutcome.ADMITTED)
        assert placement.starts_on is not None
        due = list(
            AttendanceCheck.objects.filter(placement=placement)
            .order_by("due_on")
            .values_list("due_on", flat=True)
        )
        start = placement.starts_on
        assert due == schedule.dates_between(start, start, schedule.horizon(start, today))

    year = (today.replace(year=today.year - 2), today)
    failures = brokering_failures(authority, year)
    assert failures.filter(outcome=AttemptOutcome.REFUSED).exclude(reason="").exists()
    assert failures.filter(outcome=AttemptOutcome.NO_PLACE).exists()
    assert AttendanceCheck.objects.exclude(checked_on=None).exists()
    assert monitoring_checks_due(authority, today).exists()
    assert SupportReferral.objects.exists()
    assert SupportReferral.objects.filter(response_on=None).exists()
    assert RegisterAudit.objects.filter(authority=authority).count() == 12

    assert build_provision(authority, today=today) == 0
