"""The demo's lost CTFs: stored as uploads would be, idempotent, with a restricted child."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cme.accounts.models import Role
from cme.cases.tests.factories import make_child
from cme.children.upn import make_upn
from cme.demo.lpd import LOST_PER_AUTHORITY, build_lpd
from cme.lpd import selectors
from cme.lpd.models import LpdEvent, LpdFile, LpdKey
from cme.matching.engine import PersonRecord
from cme.registers.models import Establishment, EstablishmentKind, Phase

pytestmark = pytest.mark.django_db


def test_the_demo_lpd_is_searchable_and_built_once(
    authority: Any, other_authority: Any, establishment: Establishment, make_member: Any
) -> None:
    Establishment.objects.create(
        la_code=other_authority.la_code,
        number="4001",
        name="Lowmoor Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    make_member(Role.CME_OFFICER)
    make_member(Role.CME_OFFICER, of=other_authority)
    child = make_child(
        authority,
        forename="Hollie",
        surname="Marchetti",
        date_of_birth=date(2013, 4, 2),
        upn=make_upn("990", "2001", 2018, 321),
        is_restricted=True,
        restriction_reason="Refuge",
    )
    today = date(2026, 11, 28)
    assert build_lpd([authority, other_authority], today=today) == 2 * LOST_PER_AUTHORITY + 1
    assert build_lpd([authority, other_authority], today=today) == 0
    assert LpdFile.objects.count() == 2 * LOST_PER_AUTHORITY + 1
    assert LpdKey.objects.exists()
    assert LpdEvent.objects.filter(authority=authority).exists()
    assert LpdFile.objects.filter(destination="abroad").count() == 2
    outsider = make_member(Role.CME_OFFICER, of=other_authority)
    searcher = selectors.Searcher.for_user(outsider)
    assert searcher is not None
    found = selectors.lpd_search(
        searcher,
        PersonRecord(
            id="q", forenames=("Holly",), surnames=("Marchetti",), dob=child.date_of_birth
        ),
    )
    assert found[0].pupil.upn == child.upn and found[0].withheld
