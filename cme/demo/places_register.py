"""Fictional places register figures for one demo authority (§3.7.1, App.2 item 16).

Every open school gives places by year group and every alternative provider by programme. Most
figures are recent, one establishment in five has figures more than a month old (stale, so the pages
have something to show), every thirteenth has never reported, and some have an older update
underneath, so the history is not empty.

Like the rest of the demo this is fixture loading: plain ORM, bulk inserts, no audit events. An
establishment that already has figures is left alone; the same inputs give the same rows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cme.accounts.models import Authority, Membership, Role, User
from cme.registers.models import Establishment, PlaceFigure
from cme.registers.places import Sector, in_register, sector_of, year_groups_of

PROGRAMMES = (
    "Key stage 3 reintegration",
    "Key stage 4 vocational: construction",
    "Key stage 4 vocational: motor vehicle",
    "Hair and beauty",
    "Outdoor learning",
    "One-to-one tuition",
    "Emotional wellbeing and return to school",
)
STALE_EVERY = 5
SILENT_EVERY = 13


def _places(rng: random.Random) -> int:
    """Most year groups are full; a few have a place or two, rarely more."""
    roll = rng.random()
    if roll < 0.55:
        return 0
    if roll < 0.9:
        return rng.randint(1, 3)
    return rng.randint(4, 12)


def build_places_register(authority: Authority, *, today: date) -> int:
    """Give figures to every establishment of `authority` in the register that has none; return
    how many figures were added."""
    rng = random.Random(f"cme-demo:places:{authority.la_code}")  # noqa: S311 - fictional data
    establishments = list(
        in_register(Establishment.objects.filter(la_code=authority.la_code)).order_by("number")
    )
    has_figures = set(
        PlaceFigure.objects.filter(establishment__in=establishments)
        .values_list("establishment_id", flat=True)
        .distinct()
    )
    school_users = {
        m.establishment_id: m.user
        for m in Membership.objects.filter(
            authority=authority, role=Role.SCHOOL_USER, establishment__isnull=False
        ).select_related("user")
    }
    officer = User.objects.filter(
        memberships__authority=authority, memberships__role=Role.CME_OFFICER
    ).first()
    rows: list[PlaceFigure] = []
    for index, establishment in enumerate(establishments, start=1):
        if establishment.pk in has_figures or index % SILENT_EVERY == 0:
            continue
        by = school_users.get(establishment.pk, officer)
        stale = index % STALE_EVERY == 2
        latest = today - timedelta(days=rng.randint(35, 80) if stale else rng.randint(0, 25))
        dates = [latest]
        if rng.random() < 0.4:  # an earlier update, to give the page some history
            dates.insert(0, latest - timedelta(days=rng.randint(28, 45)))
        if sector_of(establishment) == Sector.ALTERNATIVE:
            offered = rng.sample(PROGRAMMES, k=rng.randint(2, 3))
            for as_of in dates:
                rows.extend(
                    PlaceFigure(
                        establishment=establishment,
                        programme=name,
                        places=rng.randint(0, 8),
                        as_of=as_of,
                        recorded_by=by,
                    )
                    for name in offered
                )
        else:
            for as_of in dates:
                rows.extend(
                    PlaceFigure(
                        establishment=establishment,
                        year_group=group,
                        places=_places(rng),
                        as_of=as_of,
                        recorded_by=by,
                    )
                    for group in year_groups_of(establishment)
                )
    PlaceFigure.objects.bulk_create(rows)
    return len(rows)
