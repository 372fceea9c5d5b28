"""The places register (§3.7.1, Appendix 2 item 16): places available at every school, by year
group, and at every alternative provider, by programme; each figure dated, and stale when older
than a month. This module holds the register's rules and its reads; writes are in
`cme.registers.services`. docs/places.md says how the figures are collected and counted.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from cme.accounts.models import Authority
from cme.registers.models import Establishment, EstablishmentKind, Phase, PlaceFigure


class Sector:
    """Appendix 2 item 16 splits places by at least statutory and alternative provision."""

    STATUTORY = "statutory"
    ALTERNATIVE = "alternative"
    LABELS = {STATUTORY: "Schools (statutory provision)", ALTERNATIVE: "Alternative provision"}


# Pupil referral units are alternative provision in law (Education Act 1996 s.19), so they report
# by programme with the other alternative providers.
ALTERNATIVE_KINDS = frozenset({EstablishmentKind.ALTERNATIVE, EstablishmentKind.PRU})
# A custodial institution offers no places the authority can broker: not in the register.
NOT_IN_REGISTER_KINDS = frozenset({EstablishmentKind.CUSTODIAL})

# The year groups of compulsory school age (Reception included: children reach compulsory
# school age during it) each phase takes. Nursery and 16 plus establishments take none.
RECEPTION = "R"
_PRIMARY = (RECEPTION, "1", "2", "3", "4", "5", "6")
_SECONDARY = ("7", "8", "9", "10", "11")
YEAR_GROUPS: tuple[str, ...] = _PRIMARY + _SECONDARY
YEAR_GROUPS_BY_PHASE: dict[str, tuple[str, ...]] = {
    Phase.NURSERY: (),
    Phase.PRIMARY: _PRIMARY,
    Phase.MIDDLE: ("4", "5", "6", "7", "8"),
    Phase.SECONDARY: _SECONDARY,
    Phase.ALL_THROUGH: YEAR_GROUPS,
    Phase.SIXTEEN_PLUS: (),
    Phase.NOT_APPLICABLE: YEAR_GROUPS,  # special schools and others: any age
}


def year_group_label(year_group: str) -> str:
    return "Reception" if year_group == RECEPTION else f"Year {year_group}"


def sector_of(establishment: Establishment) -> str:
    return Sector.ALTERNATIVE if establishment.kind in ALTERNATIVE_KINDS else Sector.STATUTORY


def year_groups_of(establishment: Establishment) -> tuple[str, ...]:
    """The year groups a school reports; none for alternative provision (it reports programmes)."""
    if sector_of(establishment) == Sector.ALTERNATIVE:
        return ()
    return YEAR_GROUPS_BY_PHASE.get(establishment.phase, YEAR_GROUPS)


def in_register(qs: QuerySet[Establishment]) -> QuerySet[Establishment]:
    """Open establishments that report places: every school with year groups of compulsory
    school age, and every alternative provider."""
    no_year_groups = [phase for phase, groups in YEAR_GROUPS_BY_PHASE.items() if not groups]
    return (
        qs.filter(is_open=True)
        .exclude(kind__in=NOT_IN_REGISTER_KINDS)
        .exclude(Q(phase__in=no_year_groups) & ~Q(kind__in=ALTERNATIVE_KINDS))
    )


# -- Staleness --------------------------------------------------------------------------------


def one_month_after(day: date) -> date:
    """The same day next month, or that month's last day when it is shorter (31 January gives
    28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(as_of: date, today: date) -> bool:
    """A figure is stale when it is more than a month old (App.2 item 16: "no more than a month
    old"): one given on 28 October is fresh up to and including 28 November."""
    return today > one_month_after(as_of)


# -- Reads --------------------------------------------------------------------------------------


def current_figures(
    establishments: QuerySet[Establishment] | Iterable[Establishment], on: date
) -> QuerySet[PlaceFigure]:
    """Each establishment's figure per year group or programme as it stood on `on`: the newest
    row given on or before that day, leaving out programmes that had ended."""
    newer = PlaceFigure.objects.filter(
        establishment_id=OuterRef("establishment_id"),
        year_group=OuterRef("year_group"),
        programme=OuterRef("programme"),
        as_of__lte=on,
    ).filter(Q(as_of__gt=OuterRef("as_of")) | Q(as_of=OuterRef("as_of"), pk__gt=OuterRef("pk")))
    ids = (
        establishments.values("pk")
        if isinstance(establishments, QuerySet)
        else [e.pk for e in establishments]
    )
    return (
        PlaceFigure.objects.filter(establishment_id__in=ids, as_of__lte=on)
        .exclude(Exists(newer))
        .exclude(ended=True)
        .select_related("recorded_by")
    )


def establishments_for_places(user: Any) -> QuerySet[Establishment]:
    """The establishments in the register this user may see: a school user's own, or every one
    in the CME team's area (by LA code)."""
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("registers.view_places"):
        return Establishment.objects.none()
    if not user.has_perm("registers.view_all_places"):
        return in_register(Establishment.objects.filter(pk=membership.establishment_id))
    return in_register(Establishment.objects.filter(la_code=membership.authority.la_code))


@dataclass(frozen=True)
class SectorTotal:
    places: int = 0
    stale_places: int = 0  # of `places`, those in figures more than a month old
    establishments: int = 0
    reporting: int = 0  # establishments with at least one current figure
    stale_establishments: int = 0  # establishments with at least one stale figure

    @property
    def not_reporting(self) -> int:
        return self.establishments - self.reporting


@dataclass(frozen=True)
class PlaceTotals:
    """Places available on `on`, split by statutory and alternative provision."""

    on: date
    statutory: SectorTotal = field(default_factory=SectorTotal)
    alternative: SectorTotal = field(default_factory=SectorTotal)

    @property
    def places(self) -> int:
        return self.statutory.places + self.alternative.places

    @property
    def stale_places(self) -> int:
        return self.statutory.stale_places + self.alternative.stale_places

    @property
    def all_fresh(self) -> bool:
        """Every establishment has reported and no figure is more than a month old."""
        return all(
            s.not_reporting == 0 and s.stale_establishments == 0
            for s in (self.statutory, self.alternative)
        )


@dataclass
class EstablishmentPlaces:
    """One establishment's current figures, for a page row."""

    establishment: Establishment
    sector: str
    figures: list[PlaceFigure]
    on: date

    @property
    def places(self) -> int:
        return sum(f.places for f in self.figures)

    @property
    def oldest(self) -> date | None:
        return min((f.as_of for f in self.figures), default=None)

    @property
    def newest(self) -> PlaceFigure | None:
        return max(self.figures, key=lambda f: (f.as_of, f.pk), default=None)

    @property
    def is_stale(self) -> bool:
        return any(is_stale(f.as_of, self.on) for f in self.figures)

    @property
    def reported(self) -> bool:
        return bool(self.figures)


def establishment_places(
    establishments: Iterable[Establishment], on: date, year_group: str = ""
) -> list[EstablishmentPlaces]:
    """The establishments with their current figures (one query), optionally one year group's
    only (alternative providers have none and show none)."""
    establishments = list(establishments)
    figures = current_figures(establishments, on) if establishments else PlaceFigure.objects.none()
    if year_group:
        figures = figures.filter(year_group=year_group)
    by_establishment: dict[int, list[PlaceFigure]] = {e.pk: [] for e in establishments}
    for figure in figures.order_by("year_group", "programme"):
        by_establishment[figure.establishment_id].append(figure)
    order = {group: i for i, group in enumerate(YEAR_GROUPS)}
    rows = []
    for establishment in establishments:
        found = by_establishment[establishment.pk]
        # Year groups in school order (Reception first), not as text sorts them ("10" before "2").
        found.sort(key=lambda f: (order.get(f.year_group, len(order)), f.programme.casefold()))
        rows.append(EstablishmentPlaces(establishment, sector_of(establishment), found, on))
    return rows


def totals_of(rows: Iterable[EstablishmentPlaces], on: date) -> PlaceTotals:
    sums: dict[str, dict[str, int]] = {
        sector: dict.fromkeys(
            ["places", "stale_places", "establishments", "reporting", "stale_establishments"], 0
        )
        for sector in (Sector.STATUTORY, Sector.ALTERNATIVE)
    }
    for row in rows:
        s = sums[row.sector]
        s["establishments"] += 1
        s["places"] += row.places
        s["stale_places"] += sum(f.places for f in row.figures if is_stale(f.as_of, row.on))
        s["reporting"] += row.reported
        s["stale_establishments"] += row.is_stale
    return PlaceTotals(
        on=on,
        statutory=SectorTotal(**sums[Sector.STATUTORY]),
        alternative=SectorTotal(**sums[Sector.ALTERNATIVE]),
    )


def places_available(authority: Authority, on: date) -> PlaceTotals:
    """The authority's places available on `on`, split by statutory and alternative provision,
    with how many of them are in stale figures and how many establishments have not reported.
    Two queries whatever the number of establishments."""
    establishments = in_register(Establishment.objects.filter(la_code=authority.la_code))
    return totals_of(establishment_places(establishments, on), on)
