"""What the panels app adds to a case's page: a link in its Actions list and a section listing
the panels the case went to. The section costs the case page one query."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from cme.children.restriction import WITHHELD
from cme.panels.selectors import panel_history

register = template.Library()


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


def _may_run_panels(context: Any) -> bool:
    user = _user(context)
    return bool(user is not None and user.has_perm("panels.run_panels"))


@register.inclusion_tag("panels/_case_actions.html", takes_context=True)
def panels_case_actions(context: dict[str, Any], case: Any) -> dict[str, Any]:
    return {"case": case, "can_run_panels": case.is_open and _may_run_panels(context)}


@register.inclusion_tag("panels/_case_section.html", takes_context=True)
def panels_case_section(context: dict[str, Any], case: Any) -> dict[str, Any]:
    today = context.get("today") or timezone.localdate()
    # The case page works out whether this user may see where the child is; the school a panel
    # named is part of that.
    visible = bool(context.get("details_visible", not case.child.is_restricted))
    rows = []
    for item in panel_history(case):
        decision = getattr(item, "decision", None)
        rows.append(
            {
                "item": item,
                "decision": decision,
                "school": (decision.school_name if visible else WITHHELD) if decision else "",
                "status": decision.status_on(
                    today,
                    held_on=item.meeting.held_on,
                    admitted_on=case.moved_into_provision_on,
                    closed_on=case.closed_on,
                )
                if decision
                else None,
            }
        )
    return {
        "case": case,
        "items": rows,
        "today": today,
        "can_run_panels": _may_run_panels(context),
    }
