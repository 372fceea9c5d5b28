"""Service navigation: the sections a user's role gives them, in the order they use them."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None  # None: every signed-in user with a membership


SECTIONS = [
    NavItem("Home", "home", None),
    NavItem("My work", "my_work", "cases.view_cases"),
    NavItem("Cases", "case_list", "cases.view_cases"),
    NavItem("Referrals", "referral_queue", "intake.triage_referrals"),
    NavItem("Find a child", "matching_find", "matching.find_child"),
    NavItem("Matches", "matching_review", "matching.review_matches"),
    NavItem("Your referrals", "referral_mine", "intake.view_own_referrals"),
    NavItem("School returns", "returns_list", "returns.view_school_returns"),
    NavItem("School returns", "returns_all", "returns.view_all_returns"),
    NavItem("EHE register", "ehe_list", "returns.view_ehe"),
    NavItem("DfE return", "reports_dfe_return", "reports.dfe_return"),
    NavItem("Restricted access", "grant_list", "cases.view_grants"),
    NavItem("Audit trail", "audit_list", "core.view_audit"),
    NavItem("Authorities", "authority_list", "accounts.view_authorities"),
    NavItem("Establishments", "establishment_list", "registers.view_establishments"),
    NavItem("Imports", "import_list", "registers.import_rolls"),
    NavItem("Partner agencies", "agency_list", "accounts.manage_agencies"),
    NavItem("Users", "user_list", "accounts.manage_users"),
    NavItem("API tokens", "api_token_list", "api.manage_tokens"),
]


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for section in SECTIONS:
        if section.permission and not user.has_perm(section.permission):
            continue
        href = reverse(section.url_name)
        current = request.path == href or (href != "/" and request.path.startswith(href))
        items.append({"text": section.label, "href": href, "current": current})
    return items
