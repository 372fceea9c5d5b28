"""Repeated failed sign-ins are throttled and audited; sessions end when idle or after 12 hours."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from cme.accounts.models import Role
from cme.core.middleware import SIGNED_IN_AT
from cme.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def attempt(client: Client, email: str, password: str) -> Any:
    return client.post("/account/login/", {"login": email, "password": password})


def test_five_failures_lock_the_account_even_for_the_right_password(make_member: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    client = Client()
    for _ in range(5):
        response = attempt(client, user.email, "wrong-password-here")
        assert response.status_code == 200
        assert b"too many times" not in response.content
    response = attempt(client, user.email, PASSWORD)
    assert b"You have tried to sign in too many times" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() == 5


def test_throttling_one_account_leaves_others_alone(make_member: Any) -> None:
    locked, other = make_member(Role.CME_OFFICER), make_member(Role.CME_OFFICER)
    client = Client()
    for _ in range(6):
        attempt(client, locked.email, "wrong-password-here")
    response = attempt(client, other.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/authenticate")


def test_a_failed_sign_in_is_audited_without_the_address_typed(make_member: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    attempt(Client(), user.email, "wrong-password-here")
    attempt(Client(), "nobody@example.gov.uk", "wrong-password-here")
    known, unknown = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("seq")
    assert (known.target_id, known.payload) == (str(user.pk), {"known_account": True})
    assert (unknown.target_id, unknown.payload) == ("", {"known_account": False})
    for event in (known, unknown):
        assert "example.gov.uk" not in str(event.payload) + event.actor_label


def test_sign_in_and_sign_out_are_audited(make_member: Any, client_for: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    client = client_for(user)
    client.post("/account/logout/")
    actions = list(
        AuditEvent.objects.filter(actor_id=user.pk).order_by("seq").values_list("action", flat=True)
    )
    assert actions == [AuditAction.SIGN_IN, AuditAction.SIGN_OUT]


def test_a_session_ends_12_hours_after_sign_in_however_active(
    make_member: Any, client_for: Any
) -> None:
    user = make_member(Role.CME_OFFICER)
    client = client_for(user)
    assert client.get("/").status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 60 * 60 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/account/login/"
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.SESSION_EXPIRED, actor_id=user.pk).exists()


def test_a_session_is_renewed_for_30_minutes_by_each_request(
    make_member: Any, client_for: Any
) -> None:
    client = client_for(make_member(Role.CME_OFFICER))
    client.get("/")
    assert 1790 <= client.session.get_expiry_age() <= 1800
    response = client.get("/session/keep-alive/")
    assert response.status_code == 204


def test_an_idle_session_has_ended(make_member: Any, client_for: Any, settings: Any) -> None:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = client_for(make_member(Role.CME_OFFICER))
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_a_person_without_a_second_factor_must_set_one_up(
    make_member: Any, client_for: Any, settings: Any
) -> None:
    user = make_member(Role.CME_MANAGER, with_totp=False)
    client = client_for(user)
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/"
    user.is_demo = True
    user.save()
    settings.CME_DEMO = False
    assert client.get("/audit/").status_code == 302
    settings.CME_DEMO = True
    assert client.get("/audit/").status_code == 200


def test_logs_never_carry_the_email_address_typed(make_member: Any, caplog: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    caplog.set_level("DEBUG")
    client = Client()
    for _ in range(6):
        attempt(client, user.email, "wrong-password-here")
    attempt(client, "someone.else@example.gov.uk", "wrong-password-here")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert user.email not in logged
    assert "someone.else" not in logged


def test_a_django_superuser_flag_grants_nothing(make_member: Any, client_for: Any) -> None:
    admin = make_member(Role.ADMINISTRATOR)
    admin.is_superuser = True
    admin.save()
    assert not admin.has_perm("cases.view_cases")
    assert not admin.has_perm("core.view_audit")
    assert client_for(admin).get("/cases/").status_code == 403


def test_createsuperuser_makes_an_operator_not_a_superuser() -> None:
    from cme.accounts.models import User

    operator = User.objects.create_superuser("op@example.gov.uk", "a-long-test-password")
    assert operator.is_staff and not operator.is_superuser
    assert operator.has_perm("accounts.add_authority")
    assert not operator.has_perm("cases.view_cases")


def test_demo_accounts_cannot_sign_in_outside_demo_mode(make_member: Any, settings: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    user.is_demo = True
    user.save()
    settings.CME_DEMO = False
    response = attempt(Client(), user.email, PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in Client().session
    settings.CME_DEMO = True
    assert attempt(Client(), user.email, PASSWORD).status_code == 302


def test_behind_trusted_proxies_the_audit_records_the_persons_address(
    make_member: Any, settings: Any
) -> None:
    settings.CME_TRUSTED_PROXY_COUNT = 1
    user = make_member(Role.CME_OFFICER)
    Client().post(
        "/account/login/",
        {"login": user.email, "password": "wrong-password-here"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        REMOTE_ADDR="10.0.0.2",
    )
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert event.ip == "203.0.113.9"
