from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from cme.accounts.models import Role


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def on(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], date]:
    """Set the services' "today" (provision's and the cases app's) to a fixed day."""

    def set_today(day: date) -> date:
        monkeypatch.setattr("cme.provision.services._today", lambda: day)
        monkeypatch.setattr("cme.cases.services._today", lambda: day)
        return day

    return set_today
