"""Who may manage API tokens: the administrators of the authority the token belongs to.

The API itself does not use these: a token, not a person, is what the API checks (see auth.py).
"""

from __future__ import annotations

from typing import Any

from cme.accounts.rules import is_administrator
from cme.core.permissions import add_perm, predicate


@predicate
def is_own_authority_token(user: Any, token: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and token is not None
        and token.authority_id == membership.authority_id
    )


add_perm("api.manage_tokens", is_administrator)
add_perm("api.revoke_token", is_administrator & is_own_authority_token)
