"""Headers every page sends, the footer pages, and GOV.UK-style error pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cme.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_signed_in_pages_are_never_cached_and_send_a_strict_policy(
    make_member: Any, client_for: Any
) -> None:
    response = client_for(make_member(Role.CME_OFFICER)).get("/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-Id"]) == 32


def test_pages_carry_no_inline_script_or_style(make_member: Any, client_for: Any) -> None:
    html = client_for(make_member(Role.CME_MANAGER)).get("/audit/").content.decode()
    assert "<script>" not in html and "<style" not in html and "style=" not in html


@pytest.mark.parametrize("path", ["/accessibility/", "/privacy/"])
def test_footer_pages_are_public(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert b"govuk-footer" in response.content


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/account/login/?next=/"


def test_an_unknown_page_is_a_govuk_404() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-header" in response.content


def test_a_refused_page_is_a_govuk_403(make_member: Any, client_for: Any) -> None:
    response = client_for(make_member(Role.PARTNER)).get("/audit/")
    assert response.status_code == 403
    assert b"You do not have permission to do this" in response.content


def test_a_failure_is_a_govuk_500_with_a_reference_and_no_details(
    make_member: Any, client_for: Any, monkeypatch: Any
) -> None:
    import cme.core.views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Jane Doe, 1 High Street")

    monkeypatch.setattr(cme.core.views, "render", broken)
    client = client_for(make_member(Role.CME_OFFICER))
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert response["X-Request-Id"] in body
    assert "Jane Doe" not in body and "High Street" not in body


def test_the_demo_banner_shows_only_in_demo_mode(settings: Any) -> None:
    settings.CME_DEMO = False
    assert b"every person and record here is fictional" not in Client().get("/privacy/").content
    settings.CME_DEMO = True
    assert b"every person and record here is fictional" in Client().get("/privacy/").content
