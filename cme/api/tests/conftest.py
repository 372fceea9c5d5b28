"""Tokens for the API tests: one for Exampleshire's school, one for its police partner."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cme.accounts.models import Role
from cme.api import services
from cme.api.services import CreatedToken


@pytest.fixture
def admin(make_member: Any) -> Any:
    return make_member(Role.ADMINISTRATOR)


@pytest.fixture
def school_token(admin: Any, authority: Any, establishment: Any) -> CreatedToken:
    return services.api_token_create(
        actor=admin, authority=authority, name="School MIS", establishment=establishment
    )


@pytest.fixture
def partner_token(admin: Any, authority: Any, agency: Any) -> CreatedToken:
    return services.api_token_create(
        actor=admin, authority=authority, name="Police system", agency=agency
    )


class ApiClient:
    """JSON in, with a bearer token; no cookies, as a partner's system would call."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, body, content_type="application/json", headers=self.headers)

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)


@pytest.fixture
def as_school(school_token: CreatedToken) -> ApiClient:
    return ApiClient(school_token.secret)


@pytest.fixture
def as_partner(partner_token: CreatedToken) -> ApiClient:
    return ApiClient(partner_token.secret)


@pytest.fixture
def authority_token(admin: Any, authority: Any) -> CreatedToken:
    """The authority's own system's token (CTF upload, Lost Pupil Database)."""
    return services.api_token_create(
        actor=admin, authority=authority, name="Case management system", for_authority=True
    )


@pytest.fixture
def as_authority(authority_token: CreatedToken) -> ApiClient:
    return ApiClient(authority_token.secret)
