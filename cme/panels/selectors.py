"""Reads of panels, scoped to the signed-in user's authority, and the overdue-decision figures the
dashboard asks for."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cme.cases.models import Case
from cme.children.restriction import active_grants
from cme.panels.models import AgendaItem, Decision, DecisionOutcome, PanelMeeting


def meetings_visible_to(user: Any) -> QuerySet[PanelMeeting]:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("panels.run_panels"):
        return PanelMeeting.objects.none()
    return PanelMeeting.objects.filter(authority_id=membership.authority_id).select_related("chair")


def agenda_for(meeting: PanelMeeting, user: Any) -> QuerySet[AgendaItem]:
    """The meeting's agenda with each child, the decision and whether this user holds a grant to
    see a restricted child's details (the school named is one)."""
    granted = active_grants(user).filter(child_id=OuterRef("case__child_id"))
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("case__child", "case__owner", "decision__establishment")
        .annotate(child_has_grant=Exists(granted))
    )


def overdue_filter(on: date) -> Q:
    """Decisions overdue on `on`: a school was named with a date to admit by, the date has passed,
    and by `on` the child had not been admitted (no admission recorded, and the case shows no move
    into provision since the meeting), the decision had not been replaced by a later panel's and
    the case was not closed. Mirrors `Decision.status_on`."""
    admitted_since_meeting = Q(
        item__case__moved_into_provision_on__isnull=False,
        item__case__moved_into_provision_on__gte=F("item__meeting__held_on"),
        item__case__moved_into_provision_on__lte=on,
    )
    return (
        Q(outcome=DecisionOutcome.SCHOOL_NAMED, admit_by__lt=on)
        & (Q(met_on__isnull=True) | Q(met_on__gt=on))
        & (Q(superseded_on__isnull=True) | Q(superseded_on__gt=on))
        & (Q(item__case__closed_on__isnull=True) | Q(item__case__closed_on__gt=on))
        & ~admitted_since_meeting
    )


def panel_decisions_overdue(authority: Any, on: date) -> QuerySet[Decision]:
    """The authority's panel decisions overdue on `on`, oldest date first (for the dashboard:
    `.count()` for the figure)."""
    return (
        Decision.objects.filter(overdue_filter(on), item__meeting__authority=authority)
        .select_related("item__meeting", "item__case__child", "item__case__owner", "establishment")
        .order_by("admit_by", "pk")
    )


def overdue_for(user: Any, on: date) -> QuerySet[Decision]:
    membership = getattr(user, "membership", None)
    if membership is None or not user.has_perm("panels.run_panels"):
        return Decision.objects.none()
    granted = active_grants(user).filter(child_id=OuterRef("item__case__child_id"))
    return panel_decisions_overdue(membership.authority, on).annotate(
        child_has_grant=Exists(granted)
    )


def panel_history(case: Case) -> list[AgendaItem]:
    """Every panel the case went to, newest meeting first, with its decision: one query."""
    return list(
        AgendaItem.objects.filter(case=case)
        .select_related("meeting", "decision__establishment")
        .order_by("-meeting__held_on", "-pk")
    )
