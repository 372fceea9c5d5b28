"""The requests in docs/api.md work as the document says (with today's dates)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cme.api.tests.conftest import ApiClient
from cme.returns.tests.factories import days_ago

pytestmark = pytest.mark.django_db

DOC = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text()


def example(heading: str) -> dict[str, Any]:
    section = DOC.split(f"## {heading}", 1)[1]
    body: dict[str, Any] = json.loads(re.search(r"```json\n(.*?)```", section, re.S)[1])  # type: ignore[index]
    return body


def test_the_documented_referral_is_accepted(as_partner: ApiClient) -> None:
    body = example("Refer a child")
    response = as_partner.post("/api/v1/referrals", body)
    assert response.status_code == 201, response.content
    assert set(response.json()) == {"reference", "status"}


def test_the_documented_returns_are_accepted(as_school: ApiClient) -> None:
    deletion = example("Deletion return") | {
        "deleted_on": days_ago(1).isoformat(),
        "last_attended_on": days_ago(10).isoformat(),
    }
    response = as_school.post("/api/v1/deletion-returns", deletion)
    assert response.status_code == 201, response.content
    assert response.json()["reference"].startswith("DR-")

    new_pupil = example("New pupil return") | {
        "admitted_on": days_ago(1).isoformat(),
        "previous_school": "",
    }
    response = as_school.post("/api/v1/new-pupil-returns", new_pupil)
    assert response.status_code == 201, response.content
    assert response.json()["reference"].startswith("NP-")
