"""The provision pages: who may use them, what they save, and what the case page shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cme.accounts.models import Role
from cme.cases.models import Stage
from cme.children.services import child_seal_break
from cme.provision.models import AttendanceCheck, NeedsAssessment, PlacementAttempt, RegisterAudit
from cme.provision.tests.factories import case_assessing_needs, case_securing_provision

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {
        f"{prefix}_0": str(day.day),
        f"{prefix}_1": str(day.month),
        f"{prefix}_2": str(day.year),
    }


@pytest.fixture
def case(authority: Any, officer: Any) -> Any:
    return case_assessing_needs(authority, officer)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CME_OFFICER, 200),
        (Role.CME_MANAGER, 200),
        (Role.CASEWORKER, 403),  # not the case's owner
        (Role.SCHOOL_USER, 403),
        (Role.PARTNER, 403),
        (Role.AUDITOR, 403),
        (Role.ADMINISTRATOR, 403),
    ],
)
def test_only_the_case_team_may_change_provision(
    case: Any, make_member: Any, client_for: Any, role: Role, status: int
) -> None:
    client = client_for(make_member(role))
    for name in ("provision_needs", "provision_attempt_add", "provision_support_add"):
        assert client.get(reverse(name, args=[case.pk])).status_code == status


def test_the_caseworker_who_owns_the_case_may_and_another_authority_gets_404(
    authority: Any, officer: Any, make_member: Any, client_for: Any, other_authority: Any
) -> None:
    caseworker = make_member(Role.CASEWORKER)
    case = case_assessing_needs(authority, officer, owner=caseworker)
    page = reverse("provision_needs", args=[case.pk])
    assert client_for(caseworker).get(page).status_code == 200
    outsider = make_member(Role.CME_OFFICER, of=other_authority)
    assert client_for(outsider).get(page).status_code == 404


def test_register_audits_are_for_officers_and_managers(make_member: Any, client_for: Any) -> None:
    for role in Role:
        expected = 200 if role in (Role.CME_OFFICER, Role.CME_MANAGER) else 403
        client = client_for(make_member(role))
        assert client.get(reverse("provision_register_audits")).status_code == expected
        assert client.get(reverse("provision_register_audit_add")).status_code == expected


def test_recording_needs_then_admission_through_the_pages(
    case: Any, officer: Any, client_for: Any, establishment: Any
) -> None:
    client = client_for(officer)
    today = timezone.localdate()
    response = client.post(
        reverse("provision_needs", args=[case.pk]),
        {
            "version": case.version,
            **_date("assessed_on", today),
            "reasons_disengaged": "Left after bullying",
            "special_needs": "none",
            "common_assessment": "no",
            "specialist_referral": "no",
            "recommended_kind": "mainstream",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.SECURING_PROVISION
    assert case.provision_determined_on == today

    page = client.get(reverse("provision_attempt_add", args=[case.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("provision_attempt_add", args=[case.pk]),
        {
            "version": case.version,
            "establishment": establishment.pk,
            **_date("attempted_on", today),
            "outcome": "admitted",
            **_date("starts_on", today),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.IN_PROVISION
    assert case.moved_into_provision_on == today
    check = AttendanceCheck.objects.filter(case=case).first()
    assert check is not None
    detail = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="provision"' in detail
    assert establishment.name in detail
    assert reverse("provision_check", args=[case.pk, check.pk]) in detail

    response = client.post(
        reverse("provision_check", args=[case.pk, check.pk]),
        {**_date("checked_on", today), "attendance": "attending"},
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.attendance == "attending"


def test_a_stale_needs_form_shows_the_conflict(case: Any, officer: Any, client_for: Any) -> None:
    response = client_for(officer).post(
        reverse("provision_needs", args=[case.pk]),
        {
            "version": case.version - 1,
            **_date("assessed_on", timezone.localdate()),
            "reasons_disengaged": "Left after bullying",
            "special_needs": "none",
            "common_assessment": "no",
            "specialist_referral": "no",
        },
    )
    assert response.status_code == 200
    assert "Someone else changed this case" in response.content.decode()
    assert not NeedsAssessment.objects.exists()


def test_a_refusal_without_a_reason_is_explained(
    authority: Any, officer: Any, client_for: Any, establishment: Any
) -> None:
    case = case_securing_provision(authority, officer, timezone.localdate())
    response = client_for(officer).post(
        reverse("provision_attempt_add", args=[case.pk]),
        {
            "version": case.version,
            "establishment": establishment.pk,
            **_date("attempted_on", timezone.localdate()),
            "outcome": "refused",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Say who refused the place" in body
    assert "Enter why the place was refused" in body
    assert not PlacementAttempt.objects.exists()


def test_a_restricted_childs_provider_is_withheld_until_a_reason_is_given(
    authority: Any, officer: Any, client_for: Any, establishment: Any
) -> None:
    from cme.provision import services

    case = case_securing_provision(authority, officer, timezone.localdate())
    services.placement_attempt_record(
        case=case,
        actor=officer,
        version=case.version,
        attempt=services.Attempt(
            attempted_on=timezone.localdate() - timedelta(days=1),
            outcome="refused",
            refused_by="provider",
            reason="Full",
            establishment=establishment,
        ),
    )
    case.child.is_restricted = True
    case.child.save()
    client = client_for(officer)
    detail = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert establishment.name not in detail
    assert client.get(reverse("provision_attempt_add", args=[case.pk])).status_code == 302
    child_seal_break(child=case.child, actor=officer, reason="Placement meeting today")
    detail = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert establishment.name in detail


def test_recording_a_register_audit(officer: Any, client_for: Any, establishment: Any) -> None:
    client = client_for(officer)
    response = client.post(
        reverse("provision_register_audit_add"),
        {
            "establishment": establishment.pk,
            **_date("audited_on", timezone.localdate()),
            "pupils_checked": "14",
            "discrepancies": "15",
        },
    )
    assert "There cannot be more discrepancies than pupils checked" in response.content.decode()
    response = client.post(
        reverse("provision_register_audit_add"),
        {
            "establishment": establishment.pk,
            **_date("audited_on", timezone.localdate()),
            "pupils_checked": "14",
            "discrepancies": "1",
        },
    )
    assert response.status_code == 302
    assert RegisterAudit.objects.get().discrepancies == 1
    listing = client.get(reverse("provision_register_audits")).content.decode()
    assert establishment.name in listing


def test_the_support_pages(case: Any, officer: Any, client_for: Any, agency: Any) -> None:
    client = client_for(officer)
    today = timezone.localdate()
    response = client.post(
        reverse("provision_support_add", args=[case.pk]),
        {"agency": agency.pk, **_date("referred_on", today), "reason": "Housing support"},
    )
    assert response.status_code == 302
    from cme.provision.models import SupportReferral

    referral = SupportReferral.objects.get()
    response = client.post(
        reverse("provision_support_response", args=[case.pk, referral.pk]),
        {"response": "Family rehoused", **_date("response_on", today)},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.response == "Family rehoused"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CME_OFFICER, 200),
        (Role.CME_MANAGER, 200),
        (Role.CASEWORKER, 403),
        (Role.SCHOOL_USER, 403),
        (Role.ADMINISTRATOR, 403),
    ],
)
def test_the_check_and_response_pages_follow_the_case_rules(
    case: Any,
    officer: Any,
    establishment: Any,
    make_member: Any,
    client_for: Any,
    other_authority: Any,
    role: Role,
    status: int,
) -> None:
    from cme.provision.tests.factories import provision_world

    world = provision_world(case, officer, establishment)
    pages = [
        reverse("provision_check", args=[case.pk, world["attendance_check"].pk]),
        reverse("provision_support_response", args=[case.pk, world["support_referral"].pk]),
    ]
    client = client_for(make_member(role))
    outsider = client_for(make_member(Role.CME_OFFICER, of=other_authority))
    for page in pages:
        assert client.get(page).status_code == status
        assert outsider.get(page).status_code == 404


def test_the_case_page_section_costs_the_same_queries_however_much_is_recorded(
    authority: Any, officer: Any, client_for: Any, establishment: Any, agency: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cme.provision import services

    client = client_for(officer)
    case = case_securing_provision(authority, officer, timezone.localdate())
    page = reverse("case_detail", args=[case.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    before = count()
    for n in range(3):
        case.refresh_from_db()
        services.placement_attempt_record(
            case=case,
            actor=officer,
            version=case.version,
            attempt=services.Attempt(
                attempted_on=timezone.localdate(),
                outcome="no_place",
                provider_name=f"Provider {n}",
                reason="Full",
            ),
        )
        services.support_referral_add(
            case=case,
            actor=officer,
            referred_on=timezone.localdate(),
            reason="Housing",
            agency=agency,
        )
    case.refresh_from_db()
    services.placement_attempt_record(
        case=case,
        actor=officer,
        version=case.version,
        attempt=services.Attempt(
            attempted_on=timezone.localdate(),
            outcome="admitted",
            establishment=establishment,
            starts_on=timezone.localdate(),
        ),
    )
    assert count() == before
