"""Builders for matching tests: pupils on roll, tracked children, and the index over them."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from cme.cases.models import Case, Stage
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Address, Child
from cme.children.upn import make_upn
from cme.matching import indexing
from cme.registers.models import Establishment, EstablishmentKind, Phase, RollEntry

_serial = itertools.count(100)


def _next_upn() -> str:
    """A valid UPN not used before in this test run (a serial runs to 999 per establishment)."""
    n = next(_serial)
    return make_upn("990", f"{4000 + n // 1000 % 1000:04d}", 2019, n % 1000)


def school(authority: Any, number: str, name: str, phase: str = Phase.SECONDARY) -> Establishment:
    return Establishment.objects.create(
        la_code=authority.la_code,
        number=number,
        name=name,
        kind=EstablishmentKind.ACADEMY,
        phase=phase,
    )


def on_roll(establishment: Establishment, **fields: Any) -> RollEntry:
    defaults: dict[str, Any] = {
        "upn": _next_upn(),
        "forename": "Amelia",
        "surname": "Pemberton",
        "date_of_birth": date(2014, 5, 17),
        "sex": "F",
        "year_group": "7",
        "address": "12 Orchard Way, Exampleton",
        "postcode": "EX1 2AB",
    }
    return RollEntry.objects.create(establishment=establishment, **{**defaults, **fields})


def child_with_case(
    authority: Any, actor: Any, *, stage: Stage = Stage.RECEIVED, postcode: str = "", **fields: Any
) -> tuple[Child, Case]:
    child = make_child(authority, **fields)
    if postcode:
        Address.objects.create(
            child=child,
            line1="12 Orchard Way",
            town="Exampleton",
            postcode=postcode,
            is_current=True,
        )
    case = open_case(authority, actor, child=child, stage=stage)
    indexing.index_child(child)
    return child, case


def matching_world(authority: Any, actor: Any, establishment: Establishment) -> dict[str, Any]:
    """A proposal waiting for review, for the access matrix: a tracked child and a pupil on roll."""
    from cme.matching.models import MatchEntry, MatchProposal, ProposalKind, SourceKind

    child, case = child_with_case(
        authority, actor, stage=Stage.TRACKING, forename="Zofia", surname="Wisniewska"
    )
    pupil = on_roll(establishment, forename="Zofia", surname="Wisniewska")
    indexing.index_roll(establishment)
    proposal = MatchProposal.objects.create(
        authority=authority,
        kind=ProposalKind.TRACKING,
        left=MatchEntry.objects.get(kind=SourceKind.CHILD, source_pk=child.pk),
        right=MatchEntry.objects.get(kind=SourceKind.ROLL, source_pk=pupil.pk),
        case=case,
        probability=0.97,
    )
    return {"match_proposal": proposal}
