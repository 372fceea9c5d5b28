"""The demo's school returns and EHE register: realistic, linked to the demo's cases, idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cme.accounts.models import Authority
from cme.cases.models import Stage
from cme.children.upn import is_valid_upn
from cme.demo.build import demo_build
from cme.demo.returns import DELETIONS, EHE_ACTIVE, build_returns
from cme.returns.grounds import Action, rule_for
from cme.returns.models import DeletionReturn, EHERegistration, EHEStatus, NewPupilReturn


@pytest.fixture
def exampleshire(db: None, settings: Any) -> Authority:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_build(pupils=1500)
    authority = Authority.objects.get(la_code="990")
    build_returns(authority)
    return authority


def test_the_demo_has_a_year_of_returns_some_late_some_tracked(exampleshire: Authority) -> None:
    today = timezone.localdate()
    deletions = DeletionReturn.objects.filter(authority=exampleshire)
    assert deletions.count() == DELETIONS
    assert deletions.filter(is_late=True).exists() and deletions.filter(is_late=False).exists()
    assert all(today - timedelta(days=380) <= r.deleted_on <= today for r in deletions)
    for ret in deletions.select_related("case"):
        assert ret.last_attended_on <= ret.deleted_on
        assert timezone.localdate(ret.submitted_at) >= ret.deleted_on
        assert ret.is_late == (timezone.localdate(ret.submitted_at) > ret.due_on)
        if ret.upn:
            assert is_valid_upn(ret.upn)
        action = rule_for(ret.ground).action
        if action == Action.TRACK_IF_NO_DESTINATION and not ret.destination_known:
            assert ret.case is not None
        if action == Action.REQUIRES_JOINT_ENQUIRIES:
            assert ret.case is not None
            assert ret.case.enquiries.filter(kind="school_joint", made_on__isnull=False).exists()
    assert deletions.filter(case__stage=Stage.TRACKING).exists()
    new_pupils = NewPupilReturn.objects.filter(authority=exampleshire)
    assert new_pupils.count() > 50
    assert new_pupils.filter(is_late=True).exists()
    assert new_pupils.filter(matched_case__isnull=False).exists()


def test_the_demo_ehe_register_has_about_400_children(exampleshire: Authority) -> None:
    active = EHERegistration.objects.filter(authority=exampleshire, status=EHEStatus.ACTIVE)
    assert active.count() >= EHE_ACTIVE
    assert EHERegistration.objects.filter(status=EHEStatus.ENDED).exclude(end_reason="").exists()
    assert active.filter(deletion_return__isnull=False).exists()
    for registration in active.select_related("child")[:100]:
        registration.child.full_clean()


def test_building_the_returns_again_adds_nothing(exampleshire: Authority) -> None:
    before = (
        DeletionReturn.objects.count(),
        NewPupilReturn.objects.count(),
        EHERegistration.objects.count(),
    )
    assert build_returns(exampleshire) == 0
    after = (
        DeletionReturn.objects.count(),
        NewPupilReturn.objects.count(),
        EHERegistration.objects.count(),
    )
    assert before == after
