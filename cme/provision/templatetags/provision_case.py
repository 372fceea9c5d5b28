"""What the provision app adds to a case's page: links in its Actions list and a section of its own.

The section costs four queries (needs, attempts, checks, referrals); the actions one more, only
when the user may change the case.
"""

from typing import Any

from django import template
from django.utils import timezone

from cme.children.restriction import WITHHELD
from cme.provision.models import NeedsAssessment
from cme.provision.selectors import case_provision

register = template.Library()


@register.inclusion_tag("provision/_case_actions.html", takes_context=True)
def provision_case_actions(context: Any, case: Any) -> dict[str, Any]:
    can_change = bool(context.get("can_change", False))
    return {
        "case": case,
        "can_change": can_change,
        "has_needs": can_change and NeedsAssessment.objects.filter(case=case).exists(),
    }


@register.inclusion_tag("provision/_case_section.html", takes_context=True)
def provision_case_section(context: Any, case: Any) -> dict[str, Any]:
    return {
        "case": case,
        "can_change": context.get("can_change", False),
        "details_visible": context.get("details_visible", False),
        "withheld": context.get("withheld", WITHHELD),
        "today": context.get("today") or timezone.localdate(),
        "provision": case_provision(case),
    }
