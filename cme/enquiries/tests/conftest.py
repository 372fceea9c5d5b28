from __future__ import annotations

from typing import Any

import pytest

from cme.accounts.models import Authority, Role


@pytest.fixture
def third_authority(db: None) -> Authority:
    return Authority.objects.create(name="Thirdshire Council", la_code="992")


@pytest.fixture
def people(make_member: Any, other_authority: Authority) -> dict[str, Any]:
    return {
        "officer": make_member(Role.CME_OFFICER),
        "manager": make_member(Role.CME_MANAGER),
        "their_officer": make_member(Role.CME_OFFICER, of=other_authority),
        "their_manager": make_member(Role.CME_MANAGER, of=other_authority),
    }
