"""The service navigation marks one section as the current one: the closest match."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cme.accounts.models import Role

pytestmark = pytest.mark.django_db


def current_sections(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)" aria-current="page"', html)


def test_a_page_under_another_sections_address_marks_only_its_own_section(
    make_member: Any, client_for: Any
) -> None:
    client = client_for(make_member(Role.CME_OFFICER))
    places = client.get("/establishments/places/").content.decode()
    assert current_sections(places) == ["/establishments/places/"]
    establishments = client.get("/establishments/").content.decode()
    assert current_sections(establishments) == ["/establishments/"]
    home = client.get("/").content.decode()
    assert current_sections(home) == ["/"]
