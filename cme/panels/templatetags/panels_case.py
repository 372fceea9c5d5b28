"""What the panels app adds to a case's page: links in its Actions list and a section of its own."""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("panels/_case_actions.html", takes_context=True)
def panels_case_actions(context: dict[str, Any], case: Any) -> dict[str, Any]:
    return {"case": case, "can_change": context.get("can_change", False)}


@register.inclusion_tag("panels/_case_section.html", takes_context=True)
def panels_case_section(context: dict[str, Any], case: Any) -> dict[str, Any]:
    return {"case": case, "can_change": context.get("can_change", False)}
