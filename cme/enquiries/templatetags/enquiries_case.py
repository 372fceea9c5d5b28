"""What the enquiries app adds to a case's page: a link in its Actions list and a section."""

from typing import Any

from django import template

from cme.enquiries import selectors

register = template.Library()


@register.inclusion_tag("enquiries/_case_actions.html", takes_context=True)
def enquiries_case_actions(context: dict[str, Any], case: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    can_send = bool(
        context.get("can_change", False)
        and case.is_open
        and user is not None
        and user.has_perm("enquiries.send_enquiry", case)
    )
    return {"case": case, "can_send": can_send}


@register.inclusion_tag("enquiries/_case_section.html", takes_context=True)
def enquiries_case_section(context: dict[str, Any], case: Any) -> dict[str, Any]:
    # One query: the case's enquiries with their authority.
    return {"case": case, "enquiries": selectors.for_case(case)}
