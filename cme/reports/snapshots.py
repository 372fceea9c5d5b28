"""The dashboard's figures worked out ahead and kept, so the page opens at once at any size.

Working the figures out reads every open case of the authority (at a million cases, seconds);
reading them back is one row. They are worked out again by `cme tick`, by `cme report dashboard`
(run it from cron as often as the figures should be fresh), and when a CME manager asks; and on
the first view of a day whose figures nobody has worked out yet, so figures are never from an
earlier day. The page says when they were worked out.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from django.utils import timezone

from cme.accounts.models import Authority
from cme.reports.dashboard import Dashboard, Figure, Row, dashboard_for
from cme.reports.models import DashboardSnapshot


@dataclasses.dataclass(frozen=True)
class Kept:
    """A dashboard and when it was worked out."""

    board: Dashboard
    made_at: datetime


def _figure_from(data: dict[str, Any]) -> Figure:
    rows = [Row(row["label"], tuple(row["values"]), row["link"]) for row in data["rows"]]
    return Figure(
        slug=data["slug"],
        title=data["title"],
        item=data["item"],
        columns=tuple(data["columns"]),
        rows=rows,
        chart=data["chart"],
        chart_column=data["chart_column"],
        note=data["note"],
    )


def _as_json(board: Dashboard) -> dict[str, Any]:
    return {
        "summary": dataclasses.asdict(board.summary),
        "figures": [dataclasses.asdict(figure) for figure in board.figures],
    }


def _board_from(snapshot: DashboardSnapshot) -> Dashboard:
    data = snapshot.figures
    return Dashboard(
        timezone.localdate(snapshot.made_at),
        _figure_from(data["summary"]),
        [_figure_from(figure) for figure in data["figures"]],
    )


def dashboard_refresh(authority: Authority, now: datetime) -> Kept:
    """Work the authority's figures out as at `now` and keep them in place of the last ones."""
    board = dashboard_for(authority, now.date(), links=True)
    DashboardSnapshot.objects.update_or_create(
        authority=authority,
        defaults={"made_at": now, "figures": _as_json(board)},
    )
    return Kept(board, now)


def dashboard_kept(authority: Authority, now: datetime) -> Kept:
    """The figures last worked out today, or worked out now if there are none for today."""
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    snapshot = DashboardSnapshot.objects.filter(
        authority=authority, made_at__gte=start_of_day
    ).first()
    if snapshot is None:
        return dashboard_refresh(authority, now)
    try:
        board = _board_from(snapshot)
    except (KeyError, TypeError):
        # Kept by an earlier version of the service whose figures had another shape.
        return dashboard_refresh(authority, now)
    return Kept(board, snapshot.made_at)


def refresh_all(now: datetime) -> int:
    """Work out every authority's figures (for `cme tick` and `cme report dashboard`)."""
    authorities = list(Authority.objects.order_by("la_code"))
    for authority in authorities:
        dashboard_refresh(authority, now)
    return len(authorities)


def without_links(board: Dashboard) -> Dashboard:
    """The same figures without the case-list links, for users who may not see the cases."""

    def bare(figure: Figure) -> Figure:
        return dataclasses.replace(
            figure, rows=[dataclasses.replace(row, link="") for row in figure.rows]
        )

    return Dashboard(board.as_at, bare(board.summary), [bare(f) for f in board.figures])
