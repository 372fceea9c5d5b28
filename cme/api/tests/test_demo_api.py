from __future__ import annotations

from typing import Any

import pytest

from cme.accounts.models import Role
from cme.api.demo import build_api_tokens
from cme.api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_active_and_a_revoked_token_once(
    make_member: Any, authority: Any, establishment: Any, agency: Any
) -> None:
    make_member(Role.ADMINISTRATOR)
    assert build_api_tokens(authority) == 2
    assert build_api_tokens(authority) == 0
    tokens = {token.name: token for token in ApiToken.objects.all()}
    assert tokens["School MIS"].is_active and tokens["School MIS"].establishment == establishment
    assert not tokens["Old case system"].is_active
