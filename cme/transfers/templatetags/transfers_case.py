"""What the transfers app adds to a case's page: a link in its Actions list. Its section is
empty (each export is on the case's timeline and on the export page), so the case page runs
no extra query for it."""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("transfers/_case_actions.html", takes_context=True)
def transfers_case_actions(context: dict[str, Any], case: Any) -> dict[str, Any]:
    user = context.get("user")
    can_export = bool(
        context.get("can_change", False)
        and user is not None
        and user.has_perm("transfers.export_ctf", case)
    )
    return {"case": case, "can_export": can_export}


@register.inclusion_tag("transfers/_case_section.html", takes_context=True)
def transfers_case_section(context: dict[str, Any], case: Any) -> dict[str, Any]:
    return {"case": case}
