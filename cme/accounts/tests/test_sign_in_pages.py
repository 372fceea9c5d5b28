"""allauth's pages, the GOV.UK way: signing in, the second factor, setting one up, signing out.

These drive the real allauth views through the test client, so they prove the templates work with the
views' actual context (the form is called `form`, the QR code is a data URI, and so on).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.webauthn.forms import AuthenticateWebAuthnForm
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from cme.accounts.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SET_UP_EXPLANATION = (
    "You need to set up a second way to prove it is you before you can use the service."
)

MakeMember = Callable[..., User]


@pytest.fixture(autouse=True)
def _not_demo(settings: Any) -> None:
    """Real-service rules: every person needs a second factor."""
    settings.CME_DEMO = False


def code_for(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now (allauth counts 30-second steps from the epoch)."""
    code: str = format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))
    return code


def a_wrong_code(secret: str) -> str:
    accepted = {code_for(secret, offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def page_text(response: Any) -> str:
    html = response.content.decode()
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def title_of(response: Any) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "page has no <title>"
    return unescape(" ".join(match.group(1).split()))


def h1s(response: Any) -> list[str]:
    html = response.content.decode()
    return [
        unescape(" ".join(re.sub(r"<[^>]+>", "", inner).split()))
        for inner in re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    ]


def input_tag(response: Any, name: str) -> str:
    match = re.search(rf"<input\b[^>]*\bname=\"{name}\"[^>]*>", response.content.decode())
    assert match, f"no input named {name}"
    return match.group(0)


def assert_govuk_page(response: Any, heading: str) -> None:
    """One h1, and nothing the Content Security Policy would block."""
    html = response.content.decode()
    assert h1s(response) == [heading]
    assert 'class="govuk-heading-l"' in html or 'class="govuk-panel__title"' in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script: {tag}"
    assert "style=" not in html
    assert "<style" not in html
    assert not re.search(r"tabindex=\"[1-9]", html)
    assert "placeholder=" not in html


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def person_with_totp(make_member: MakeMember) -> User:
    user = make_member(Role.CME_OFFICER, with_totp=False)
    TOTP.activate(user, SECRET)
    return user


# Signing in with a password


def test_the_sign_in_page_is_a_govuk_form(client: Client) -> None:
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert_govuk_page(response, "Sign in")
    assert title_of(response).startswith("Sign in – ")
    html = response.content.decode()
    assert '<label class="govuk-label govuk-label--s" for="id_login">Email address</label>' in html
    assert '<label class="govuk-label govuk-label--s" for="id_password">Password</label>' in html
    email = input_tag(response, "login")
    assert 'type="email"' in email
    assert 'autocomplete="username"' in email
    assert 'class="govuk-input"' in email
    assert 'autocomplete="current-password"' in input_tag(response, "password")
    assert re.search(r'<button type="submit" class="govuk-button"[^>]*>Sign in</button>', html)
    assert 'data-module="govuk-button"' in html
    assert f'href="{reverse("account_reset_password")}">Forgotten your password?</a>' in html
    assert "govuk-error-summary" not in html


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_email(
    client: Client, make_member: MakeMember
) -> None:
    user = person_with_totp(make_member)

    response = sign_in(client, user.email, "not-the-password")

    assert response.status_code == 200
    assert title_of(response).startswith("Error: Sign in – ")
    html = response.content.decode()
    assert '<div class="govuk-error-summary" data-module="govuk-error-summary">' in html
    assert html.index("govuk-error-summary") < html.index("<h1")
    assert "There is a problem" in html
    assert f'value="{user.email}"' in input_tag(response, "login")
    assert "value=" not in input_tag(response, "password")
    assert client.get(reverse("home")).status_code == 302


def test_an_empty_form_marks_each_field_in_error(client: Client) -> None:
    response = client.post(reverse("account_login"), {"login": "", "password": ""})

    html = response.content.decode()
    assert html.count("govuk-form-group--error") == 2
    assert '<a href="#id_login">' in html
    assert 'id="id_login-error" class="govuk-error-message"' in html
    assert 'aria-describedby="id_login-error"' in input_tag(response, "login")
    assert "govuk-input--error" in input_tag(response, "password")


# The second factor


def test_a_person_with_an_authenticator_app_enters_the_code_and_is_signed_in(
    client: Client, make_member: MakeMember
) -> None:
    user = person_with_totp(make_member)

    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not yet

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    assert_govuk_page(page, "Enter the code from your authenticator app")
    code = input_tag(page, "code")
    assert 'autocomplete="one-time-code"' in code
    assert 'inputmode="numeric"' in code
    assert 'aria-describedby="id_code-hint"' in code
    text = page_text(page)
    assert "I cannot use my authenticator app" in text
    assert "type one of your recovery codes into the same box" in text
    assert '<details class="govuk-details">' in page.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_with_an_error(client: Client, make_member: MakeMember) -> None:
    user = person_with_totp(make_member)
    sign_in(client, user.email)

    response = client.post(reverse("mfa_authenticate"), {"code": a_wrong_code(SECRET)})

    assert response.status_code == 200
    assert title_of(response).startswith("Error: Enter the code from your authenticator app")
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert '<a href="#id_code">' in html
    assert "govuk-input--error" in input_tag(response, "code")
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_typed_in_the_same_box_signs_the_person_in(
    client: Client, make_member: MakeMember
) -> None:
    user = person_with_totp(make_member)
    recovery_code = RecoveryCodes.activate(user).get_unused_codes()[0]
    sign_in(client, user.email)

    client.post(reverse("mfa_authenticate"), {"code": recovery_code})

    assert client.get(reverse("home")).status_code == 200


def test_cancelling_the_code_page_signs_the_person_out(
    client: Client, make_member: MakeMember
) -> None:
    user = person_with_totp(make_member)
    sign_in(client, user.email)
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert (
        f'<form id="logout-from-stage" method="post" action="{reverse("account_logout")}">' in page
    )

    response = client.post(reverse("account_logout"), {"next": reverse("account_login")})

    assert response["Location"] == reverse("account_login")
    assert client.get(reverse("mfa_authenticate")).status_code == 302


# Setting up a second factor


def test_a_person_without_a_second_factor_is_sent_to_set_one_up(
    client: Client, make_member: MakeMember
) -> None:
    user = make_member(Role.CME_OFFICER, with_totp=False)

    response = sign_in(client, user.email)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")

    page = client.get(reverse("mfa_index"))
    assert response.status_code == 302
    assert page.status_code == 200
    assert_govuk_page(page, "Sign-in security")
    html = page.content.decode()
    assert SET_UP_EXPLANATION in page_text(page)
    assert f'href="{reverse("mfa_activate_totp")}"' in html
    assert "Set up an authenticator app" in html
    assert '<dl class="govuk-summary-list">' in html
    assert "Not set up" in html


def test_the_overview_shows_what_is_set_up(client: Client, make_member: MakeMember) -> None:
    user = person_with_totp(make_member)
    RecoveryCodes.activate(user)
    sign_in(client, user.email)
    client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})

    page = client.get(reverse("mfa_index"))

    text = page_text(page)
    assert SET_UP_EXPLANATION not in text
    assert "Authenticator app On" in text
    assert "Recovery codes 10 of 10 unused" in text
    assert "Security keys None added" in text
    html = page.content.decode()
    assert f'href="{reverse("mfa_deactivate_totp")}"' in html
    assert f'href="{reverse("mfa_view_recovery_codes")}"' in html
    assert f'href="{reverse("mfa_add_webauthn")}"' in html
    assert '<span class="govuk-visually-hidden"> authenticator app</span>' in html


def test_setting_up_an_authenticator_app_shows_the_qr_code_secret_and_recovery_codes(
    client: Client, make_member: MakeMember
) -> None:
    user = make_member(Role.CME_OFFICER, with_totp=False)
    sign_in(client, user.email)
    # allauth asks for the password again before any change to how someone signs in.
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_activate_totp"))

    assert page.status_code == 200
    assert_govuk_page(page, "Set up an authenticator app")
    html = page.content.decode()
    image = re.search(r"<img\b[^>]*>", html)
    assert image
    assert 'src="data:image/svg+xml;base64,' in image.group(0)
    assert 'alt="QR code to scan with your authenticator app"' in image.group(0)
    secret = client.session["mfa.totp.secret"]
    shown = re.search(r'id="authenticator-secret">([^<]*)<', html)
    assert shown
    assert shown.group(1).replace(" ", "") == secret
    code = input_tag(page, "code")
    assert 'autocomplete="one-time-code"' in code
    assert 'inputmode="numeric"' in code

    wrong = client.post(reverse("mfa_activate_totp"), {"code": a_wrong_code(secret)})
    assert title_of(wrong).startswith("Error: Set up an authenticator app")
    assert "govuk-error-summary" in wrong.content.decode()

    done = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert done["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    assert_govuk_page(codes_page, "Your recovery codes")
    codes = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    listed = re.search(
        r'<ul class="govuk-list[^"]*" id="recovery_codes"[^>]*>(.*?)</ul>',
        codes_page.content.decode(),
        re.S,
    )
    assert listed
    assert re.findall(r"<li>(\d+)</li>", listed.group(1)) == codes
    assert f'href="{reverse("mfa_download_recovery_codes")}"' in codes_page.content.decode()
    assert client.get(reverse("home")).status_code == 200


def test_changing_sign_in_security_later_asks_for_the_password_again(
    client_for: Callable[[User], Client], make_member: MakeMember
) -> None:
    user = make_member(Role.CME_OFFICER, with_totp=False)
    client = client_for(user)  # signed in long ago, as far as allauth knows

    response = client.get(reverse("mfa_activate_totp"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert_govuk_page(response, "Confirm it is you")
    assert 'autocomplete="current-password"' in input_tag(response, "password")


# Signing out and resetting a password


def test_the_sign_out_page_asks_to_confirm(
    client_for: Callable[[User], Client], make_member: MakeMember
) -> None:
    client = client_for(make_member(Role.CME_OFFICER))

    page = client.get(reverse("account_logout"))

    assert_govuk_page(page, "Sign out")
    assert title_of(page).startswith("Sign out – ")
    assert re.search(
        r'<button type="submit" class="govuk-button" data-module="govuk-button">Sign out</button>',
        page.content.decode(),
    )
    response = client.post(reverse("account_logout"))
    assert response["Location"] == reverse("account_login")
    assert client.get(reverse("home")).status_code == 302


def test_resetting_a_password(client: Client, make_member: MakeMember) -> None:
    user = make_member(Role.CME_OFFICER)

    page = client.get(reverse("account_reset_password"))
    assert_govuk_page(page, "Reset your password")
    assert 'autocomplete="email"' in input_tag(page, "email")

    invalid = client.post(reverse("account_reset_password"), {"email": "not an email"})
    assert title_of(invalid).startswith("Error: Reset your password")
    assert "govuk-error-summary" in invalid.content.decode()

    response = client.post(reverse("account_reset_password"), {"email": user.email}, follow=True)
    assert_govuk_page(response, "Check your email")


def test_a_used_or_broken_reset_link_says_so(client: Client) -> None:
    response = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"}),
        follow=True,
    )

    assert_govuk_page(response, "This link has expired")
    assert f'href="{reverse("account_reset_password")}"' in response.content.decode()


def test_a_council_identity_provider_gets_a_sign_in_button(client: Client, settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "council",
                    "name": "Exampleshire sign-in",
                    "client_id": "cme",
                    "secret": "not-a-secret",
                    "settings": {"server_url": "https://idp.example.gov.uk"},
                }
            ]
        }
    }

    page = client.get(reverse("account_login"))

    html = page.content.decode()
    form = re.search(r'<form method="post" action="([^"]*council[^"]*)">(.*?)</form>', html, re.S)
    assert form, "no POST form for the council's identity provider"
    assert "csrfmiddlewaretoken" in form.group(2)
    assert (
        '<button type="submit" class="govuk-button govuk-button--secondary" '
        'data-module="govuk-button">Sign in with Exampleshire sign-in</button>'
    ) in form.group(2)
    assert h1s(page) == ["Sign in"]


# Security keys (WebAuthn): allauth's own JavaScript, loaded the way the Content Security Policy allows


def test_adding_a_security_key_loads_allauths_scripts_from_static_files(
    client: Client, make_member: MakeMember
) -> None:
    user = make_member(Role.CME_OFFICER, with_totp=False)
    sign_in(client, user.email)
    asked = client.get(reverse("mfa_add_webauthn"))
    client.post(asked["Location"], {"password": PASSWORD})

    page = client.get(reverse("mfa_add_webauthn"))

    assert page.status_code == 200
    assert_govuk_page(page, "Add a security key")
    html = page.content.decode()
    assert '<script id="js_data" type="application/json">' in html
    assert re.search(r'<script src="[^"]*mfa/js/webauthn[^"]*\.js">', html)
    assert 'data-allauth-onload="allauth.webauthn.forms.addForm"' in html
    assert '<button type="button" id="mfa_webauthn_add"' in html


def test_the_code_page_offers_a_security_key_only_to_people_who_have_one(
    rf: Any, make_member: MakeMember
) -> None:
    user = make_member(Role.CME_OFFICER)
    request = rf.get(reverse("mfa_authenticate"))
    request.user = AnonymousUser()  # half-way through signing in
    form = AuthenticateForm(user=user)
    webauthn_form = AuthenticateWebAuthnForm(user=user)

    def render(allow: list[dict[str, str]]) -> str:
        js_data = {"request_options": {"publicKey": {"allowCredentials": allow}}}
        context = {"form": form, "webauthn_form": webauthn_form, "js_data": js_data}
        return render_to_string("mfa/authenticate.html", context, request=request)

    without = render([])
    assert "Use a security key" not in without
    assert "webauthn.js" not in without

    with_key = render([{"type": "public-key", "id": "a-key"}])
    assert '<button type="button" id="mfa_webauthn_authenticate"' in with_key
    assert "webauthn.js" in with_key
    for tag in re.findall(r"<script\b[^>]*>", with_key):
        assert "src=" in tag or 'type="application/json"' in tag
