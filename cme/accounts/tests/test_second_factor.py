"""Nobody can leave themselves without a second factor."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client

from cme.accounts.adapters import MFAAdapter
from cme.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_the_only_authenticator_app_cannot_be_removed(make_member: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert MFAAdapter().can_delete_authenticator(totp) is False


def test_an_app_can_be_removed_when_a_security_key_remains(make_member: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={})
    assert MFAAdapter().can_delete_authenticator(totp) is True


def test_recovery_codes_alone_do_not_count_as_a_second_factor(make_member: Any) -> None:
    user = make_member(Role.CME_OFFICER)
    RecoveryCodes.activate(user)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert MFAAdapter().can_delete_authenticator(totp) is False


def test_removing_the_last_app_through_the_page_is_refused(make_member: Any) -> None:
    user = make_member(Role.CME_OFFICER, with_totp=False)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    client = Client()
    client.post("/account/login/", {"login": user.email, "password": "a-long-test-password"})
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post("/account/2fa/authenticate/", {"code": code})
    assert client.get("/").status_code == 200  # fully signed in
    # Changing sign-in security always asks for the password again first.
    client.post("/account/reauthenticate/", {"password": "a-long-test-password"})

    response = client.post("/account/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "You cannot remove your only way of proving it is you" in response.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
