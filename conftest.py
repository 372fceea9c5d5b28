"""Shared test fixtures: two authorities and a way to make a signed-in person in any role.

Tests build the people they need with `make_member(role)`; a member of `other_authority` is the
outsider every access test should include.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from cme.accounts.models import AgencyKind, Authority, Membership, PartnerAgency, Role, User
from cme.registers.models import Establishment, EstablishmentKind, Phase

pytest_plugins = ["tests.browser.harness"]

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    # Each test gets its own cache, so throttling counts never leak between tests.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{next(_numbers)}",
        }
    }
    # Passwords are hashed once per test person; the slow production hasher adds nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests read static files from the source folder; the hashed manifest is for deployments.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def authority(db: None) -> Authority:
    return Authority.objects.create(name="Exampleshire Council", la_code="990")


@pytest.fixture
def other_authority(db: None) -> Authority:
    return Authority.objects.create(name="Otherborough Council", la_code="991")


@pytest.fixture
def establishment(authority: Authority) -> Establishment:
    return Establishment.objects.create(
        la_code=authority.la_code,
        number="2001",
        urn="190001",
        name="Meadow Lane Primary School",
        kind=EstablishmentKind.MAINTAINED,
        phase=Phase.PRIMARY,
    )


@pytest.fixture
def agency(authority: Authority) -> PartnerAgency:
    return PartnerAgency.objects.create(
        authority=authority, name="Exampleshire Police", kind=AgencyKind.POLICE
    )


MakeMember = Callable[..., User]


@pytest.fixture
def make_member(
    authority: Authority, establishment: Establishment, agency: PartnerAgency
) -> MakeMember:
    """Create a user holding `role` in `authority` (default: Exampleshire), with TOTP set up."""

    def make(role: Role, *, of: Authority | None = None, with_totp: bool = True) -> User:
        n = next(_numbers)
        owner = of or authority
        user = User.objects.create_user(
            f"{role.value}{n}@{owner.la_code}.example.gov.uk",
            "a-long-test-password",
            full_name=f"{role.label} {n}",
        )
        scope: dict[str, Any] = {}
        if role == Role.SCHOOL_USER:
            scope["establishment"] = (
                establishment
                if owner == authority
                else Establishment.objects.create(
                    la_code=owner.la_code,
                    # Four digits however many tests have run: the counter spans the session.
                    number=f"{2000 + n % 7000:04d}",
                    name=f"School {n}",
                    kind=EstablishmentKind.ACADEMY,
                    phase=Phase.SECONDARY,
                )
            )
        elif role == Role.PARTNER:
            scope["agency"] = (
                agency
                if owner == authority
                else PartnerAgency.objects.create(
                    authority=owner, name=f"Agency {n}", kind=AgencyKind.HEALTH
                )
            )
        Membership.objects.create(user=user, authority=owner, role=role, **scope)
        if with_totp:
            TOTP.activate(user, generate_totp_secret())
        return user

    return make


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    """A test client signed in as `user` (who has passed the second factor)."""

    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in
