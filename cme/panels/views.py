"""Pages for fair access panels. Each view binds a form, calls one service and redirects.

Who may: `panels.run_panels` (CME officers and managers) — 403 for everyone else; a meeting or
case of another authority is not found (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.models import User
from cme.accounts.views import acting_user, posted_data
from cme.cases.selectors import cases_visible_to
from cme.children.restriction import RESTRICTED_LABEL, WITHHELD
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.panels import selectors, services
from cme.panels.forms import (
    AgendaAddForm,
    AttendeeForm,
    CaseAgendaForm,
    DecisionForm,
    MeetingForm,
    MetForm,
)
from cme.panels.models import AgendaItem, Attendee, Decision, DecisionStatus, PanelMeeting

PAST_PAGE = 25


def _meeting(request: HttpRequest, pk: int) -> PanelMeeting:
    return get_object_or_404(selectors.meetings_visible_to(acting_user(request)), pk=pk)


def _to_meeting(meeting: PanelMeeting, anchor: str = "") -> HttpResponse:
    return redirect(reverse("panel_detail", args=[meeting.pk]) + (f"#{anchor}" if anchor else ""))


def _visible(child: Any, row: Any) -> bool:
    """May this user see where the child is? `row` is the agenda item or decision the selector
    annotated with `child_has_grant`."""
    return not child.is_restricted or bool(getattr(row, "child_has_grant", False))


@permission_required("panels.run_panels")
def panel_list(request: HttpRequest) -> HttpResponse:
    today = services._today()
    meetings = selectors.meetings_visible_to(acting_user(request))
    upcoming = list(meetings.filter(held_on__gte=today))
    past = meetings.filter(held_on__lt=today).order_by("-held_on", "-starts_at", "-pk")
    membership = acting_user(request).membership
    assert membership is not None
    overdue = selectors.panel_decisions_overdue(membership.authority, today).count()
    return render(
        request,
        "panels/panel_list.html",
        {
            "upcoming": upcoming,
            "overdue": overdue,
            **paginate(request, past, PAST_PAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("panels.run_panels")
def panel_schedule(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    membership = user.membership
    assert membership is not None
    form = MeetingForm(
        posted_data(request), authority_id=membership.authority_id, initial={"chair": user.pk}
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=user,
                authority=membership.authority,
                held_on=data["held_on"],
                starts_at=data["starts_at"],
                format=data["format"],
                place=data["place"],
                chair=User.objects.filter(pk=data["chair"]).first(),
            )
        except services.PanelRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Panel meeting scheduled for {meeting.held_on:%-d %B %Y}")
            return _to_meeting(meeting)
    return render(request, "panels/meeting_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required("panels.run_panels")
def panel_change(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = MeetingForm(
        posted_data(request),
        authority_id=meeting.authority_id,
        initial={
            "held_on": meeting.held_on,
            "starts_at": f"{meeting.starts_at:%H:%M}",
            "format": meeting.format,
            "place": meeting.place,
            "chair": meeting.chair_id,
        },
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_change(
                actor=acting_user(request),
                meeting=meeting,
                held_on=data["held_on"],
                starts_at=data["starts_at"],
                format=data["format"],
                place=data["place"],
                chair=User.objects.filter(pk=data["chair"]).first(),
            )
        except services.PanelRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Meeting details saved")
            return _to_meeting(meeting)
    return render(request, "panels/meeting_change.html", {"form": form, "meeting": meeting})


def _rows(items: list[AgendaItem], today: Any) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        case = item.case
        visible = _visible(case.child, item)
        decision: Decision | None = getattr(item, "decision", None)
        status = (
            decision.status_on(
                today,
                held_on=item.meeting.held_on,
                admitted_on=case.moved_into_provision_on,
                closed_on=case.closed_on,
            )
            if decision
            else None
        )
        rows.append(
            {
                "item": item,
                "case": case,
                "name": case.child.display_name if visible else RESTRICTED_LABEL,
                "decision": decision,
                "school": (decision.school_name if visible else WITHHELD) if decision else "",
                "status": status,
                "overdue": status == DecisionStatus.OVERDUE,
            }
        )
    return rows


@permission_required("panels.run_panels")
def panel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    meeting = _meeting(request, pk)
    today = services._today()
    items = list(selectors.agenda_for(meeting, user))
    for item in items:
        item.meeting = meeting  # the same row: no query per item
    # The agenda names children and why they are hard to place: every view is audited.
    audit.record(
        action=AuditAction.VIEWED,
        actor=user,
        target=meeting,
        authority_id=meeting.authority_id,
        payload={"cases": [item.case_id for item in items]},
    )
    return render(
        request,
        "panels/panel_detail.html",
        {
            "meeting": meeting,
            "rows": _rows(items, today),
            "attendees": list(meeting.attendees.all()),
            "decided": meeting.held_on <= today,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("panels.run_panels")
def panel_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    meeting = _meeting(request, pk)
    form = AgendaAddForm(posted_data(request))
    if form.is_valid():
        data = form.cleaned_data
        case = cases_visible_to(user).filter(reference__iexact=data["reference"].strip()).first()
        if case is None:
            form.add_error("reference", "There is no case with that reference")
        else:
            try:
                services.agenda_add(
                    actor=user,
                    meeting=meeting,
                    case=case,
                    reason=data["reason"],
                    details=data["details"],
                )
            except services.PanelRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"Case {case.reference} added to the agenda")
                return _to_meeting(meeting, "agenda")
    return render(request, "panels/agenda_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
@permission_required("panels.run_panels")
def panel_case_agenda(request: HttpRequest, case_pk: int) -> HttpResponse:
    """From a case's page: put the case on a coming meeting's agenda."""
    user = acting_user(request)
    case = get_object_or_404(cases_visible_to(user), pk=case_pk)
    if not user.has_perm("cases.change_case", case):
        raise PermissionDenied
    meetings = selectors.meetings_visible_to(user).filter(held_on__gte=services._today())
    form = CaseAgendaForm(posted_data(request), meetings=meetings)
    if form.is_valid():
        data = form.cleaned_data
        meeting = get_object_or_404(meetings, pk=data["meeting"])
        try:
            services.agenda_add(
                actor=user,
                meeting=meeting,
                case=case,
                reason=data["reason"],
                details=data["details"],
            )
        except services.PanelRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"Case put on the agenda of the panel on {meeting.held_on:%-d %B %Y}"
            )
            return redirect(reverse("case_detail", args=[case.pk]) + "#panels")
    return render(
        request,
        "panels/case_agenda_form.html",
        {"form": form, "case": case, "has_meetings": bool(form.fields["meeting"].choices)},  # type: ignore[attr-defined]
    )


@require_http_methods(["GET", "POST"])
@permission_required("panels.run_panels")
def panel_attendee_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = AttendeeForm(posted_data(request))
    if form.is_valid():
        try:
            services.attendee_add(actor=acting_user(request), meeting=meeting, **form.cleaned_data)
        except services.PanelRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{form.cleaned_data['name']} added to the attendees")
            return _to_meeting(meeting, "attendees")
    return render(request, "panels/attendee_form.html", {"form": form, "meeting": meeting})


@require_POST
@permission_required("panels.run_panels")
def panel_attendee_remove(request: HttpRequest, pk: int, attendee_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    attendee = get_object_or_404(Attendee.objects.filter(meeting=meeting), pk=attendee_pk)
    services.attendee_remove(actor=acting_user(request), attendee=attendee)
    messages.success(request, f"{attendee.name} removed from the attendees")
    return _to_meeting(meeting, "attendees")


def _item(request: HttpRequest, meeting: PanelMeeting, item_pk: int) -> AgendaItem:
    item = get_object_or_404(selectors.agenda_for(meeting, acting_user(request)), pk=item_pk)
    item.meeting = meeting
    return item


@require_POST
@permission_required("panels.run_panels")
def panel_agenda_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _item(request, meeting, item_pk)
    try:
        services.agenda_remove(actor=acting_user(request), item=item)
    except services.PanelRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Case {item.case.reference} taken off the agenda")
    return _to_meeting(meeting, "agenda")


@require_http_methods(["GET", "POST"])
@permission_required("panels.run_panels")
def panel_decision(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _item(request, meeting, item_pk)
    context: dict[str, Any] = {"meeting": meeting, "item": item, "case": item.case}
    if not _visible(item.case.child, item):
        # The school named is where a restricted child will be: it takes a reasoned grant.
        return render(request, "panels/decision_withheld.html", context)
    existing: Decision | None = getattr(item, "decision", None)
    initial = {}
    if existing is not None:
        initial = {
            "outcome": existing.outcome,
            "establishment": existing.establishment_id,
            "school_other": existing.school_other,
            "admit_by": existing.admit_by,
            "notes": existing.notes,
        }
    form = DecisionForm(posted_data(request), la_code=meeting.authority.la_code, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                actor=acting_user(request),
                item=item,
                given=services.DecisionInput(
                    outcome=data["outcome"],
                    establishment=data["establishment"],
                    school_other=data["school_other"],
                    admit_by=data["admit_by"],
                    notes=data["notes"],
                ),
            )
        except services.PanelRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Decision recorded for case {item.case.reference}")
            return _to_meeting(meeting, "agenda")
    return render(request, "panels/decision_form.html", {**context, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required("panels.run_panels")
def panel_decision_met(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _item(request, meeting, item_pk)
    decision: Decision | None = getattr(item, "decision", None)
    if decision is None:
        raise PermissionDenied
    form = MetForm(posted_data(request))
    if form.is_valid():
        try:
            services.decision_met(
                actor=acting_user(request), decision=decision, met_on=form.cleaned_data["met_on"]
            )
        except services.PanelRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Admission recorded for case {item.case.reference}")
            return _to_meeting(meeting, "agenda")
    return render(
        request,
        "panels/met_form.html",
        {"form": form, "meeting": meeting, "item": item, "case": item.case},
    )


@permission_required("panels.run_panels")
def panel_overdue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    today = services._today()
    decisions = list(selectors.overdue_for(user, today))
    rows = [
        {
            "decision": d,
            "case": d.item.case,
            "meeting": d.item.meeting,
            "name": d.item.case.child.display_name
            if _visible(d.item.case.child, d)
            else RESTRICTED_LABEL,
            "school": d.school_name if _visible(d.item.case.child, d) else WITHHELD,
            "days": (today - d.admit_by).days if d.admit_by else 0,
        }
        for d in decisions
    ]
    membership = user.membership
    assert membership is not None
    audit.record(
        action=AuditAction.VIEWED,
        actor=user,
        target_type="panels.decision",
        target_id="overdue",
        authority_id=membership.authority_id,
        payload={"cases": [d.item.case_id for d in decisions]},
    )
    return render(request, "panels/overdue.html", {"rows": rows, "today": today})
