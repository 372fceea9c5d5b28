"""The LPD in the API: an authority's own system searches and uploads."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cme.accounts.models import Role
from cme.api import services as api_services
from cme.cases.tests.factories import make_child
from cme.core.models import AuditEvent
from cme.lpd import services
from cme.lpd.models import EventKind, LpdEvent, LpdFile
from cme.lpd.tests.factories import lost_ctf, lost_pupil

pytestmark = pytest.mark.django_db


def _client(token: str) -> Any:
    client = Client()

    def post(path: str, body: Any) -> Any:
        return client.post(
            path,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return post


@pytest.fixture
def admin(make_member: Any) -> Any:
    return make_member(Role.ADMINISTRATOR)


@pytest.fixture
def other_system(admin: Any, other_authority: Any, make_member: Any) -> Any:
    other_admin = make_member(Role.ADMINISTRATOR, of=other_authority)
    created = api_services.api_token_create(
        actor=other_admin, authority=other_authority, name="CMS", for_authority=True
    )
    return _client(created.secret)


@pytest.fixture
def school_system(admin: Any, authority: Any, establishment: Any) -> Any:
    created = api_services.api_token_create(
        actor=admin, authority=authority, name="MIS", establishment=establishment
    )
    return _client(created.secret)


@pytest.fixture
def stored(make_member: Any, establishment: Any) -> Any:
    school_user = make_member(Role.SCHOOL_USER)
    return services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil()]), actor=school_user
    ).file.pupils.get()


def test_an_authoritys_system_searches_the_whole_lpd(
    other_system: Any, stored: Any, other_authority: Any
) -> None:
    response = other_system(
        "/api/v1/lpd/search",
        {"forename": "Olivia", "surname": "Kowalcyk", "date_of_birth": "2014-03-09"},
    )
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["id"] == stored.pk and first["location_withheld"] is False
    assert first["postcode"] == "BF1 4QZ"
    assert {"field": "Surname", "verdict": "close"}.items() <= next(
        e for e in first["evidence"] if e["field"] == "Surname"
    ).items()
    assert LpdEvent.objects.get(kind=EventKind.SEARCH).authority == other_authority
    event = AuditEvent.objects.get(target_type="lpd.search")
    assert event.payload["via_api"] is True and "Olivia" not in str(event.payload)


def test_a_restricted_childs_location_is_not_in_the_api_answer(
    other_system: Any, stored: Any, authority: Any
) -> None:
    make_child(authority, upn=stored.upn, is_restricted=True, restriction_reason="Refuge")
    response = other_system(
        "/api/v1/lpd/search", {"forename": "Oliwia", "surname": "Kowalczyk", "postcode": "BF1 4QZ"}
    )
    first = response.json()["results"][0]
    assert first["location_withheld"] is True
    assert first["postcode"] is None and first["last_school"] is None
    assert first["source_school"] is None
    assert not {"Postcode", "Address", "Previous school"} & {e["field"] for e in first["evidence"]}
    assert "BF1" not in response.content.decode() and "Larkspur" not in response.content.decode()


def test_a_schools_token_may_not_search(school_system: Any, stored: Any) -> None:
    response = school_system("/api/v1/lpd/search", {"forename": "Oliwia"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_an_empty_search_is_a_validation_problem(other_system: Any) -> None:
    response = other_system("/api/v1/lpd/search", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] is None


def test_upload_through_the_api_is_idempotent_and_refuses_known_destinations(
    other_system: Any, other_authority: Any
) -> None:
    xml = lost_ctf(source=("991", "2002")).decode()
    first = other_system("/api/v1/lpd/files", {"ctf_xml": xml})
    assert first.status_code == 201 and first.json()["pupils"] == 1
    again = other_system("/api/v1/lpd/files", {"ctf_xml": xml})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    upload = LpdFile.objects.get()
    assert upload.authority == other_authority and upload.via_api and upload.uploaded_by is None
    known = other_system("/api/v1/lpd/files", {"ctf_xml": lost_ctf(dest=("990", "2001")).decode()})
    assert known.status_code == 422
    assert "known destination" in known.json()["detail"]
    junk = other_system("/api/v1/lpd/files", {"ctf_xml": "<!DOCTYPE x><CTfile/>"})
    assert junk.status_code == 422 and "DTD" in junk.json()["detail"]


def test_the_endpoints_are_published(other_system: Any) -> None:
    spec = Client().get("/api/openapi.json").json()
    assert "/api/v1/lpd/search" in spec["paths"] and "/api/v1/lpd/files" in spec["paths"]
    responses = spec["paths"]["/api/v1/lpd/search"]["post"]["responses"]
    assert "application/problem+json" in responses["422"]["content"]
