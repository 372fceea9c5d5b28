"""The API records the access matrix visits."""

from __future__ import annotations

from typing import Any

from cme.accounts.models import Authority, PartnerAgency, User
from cme.api import services


def api_world(authority: Authority, agency: PartnerAgency, actor: User) -> dict[str, Any]:
    created = services.api_token_create(
        actor=actor, authority=authority, name="Police system", agency=agency
    )
    return {"api_token": created.token}
