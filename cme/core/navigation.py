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
    NavItem("Enquiries", "enquiry_list", "enquiries.view_enquiries"),
    NavItem("Find a child", "matching_find", "matching.find_child"),
    NavItem("Matches", "matching_review", "matching.review_matches"),
    NavItem("Lost Pupil Database", "lpd_uploads", "lpd.view_uploads"),
    NavItem("Panels", "panel_list", "panels.run_panels"),
    NavItem("Your referrals", "referral_mine", "intake.view_own_referrals"),
    NavItem("School returns", "returns_list", "returns.view_school_returns"),
    NavItem("School returns", "returns_all", "returns.view_all_returns"),
    NavItem("Transfer files", "transfers_ctf_list", "transfers.upload_ctf"),
    NavItem("CTFs overdue", "returns_ctf_overdue", "returns.view_ctf_overdue"),
    NavItem("EHE register", "ehe_list", "returns.view_ehe"),
    NavItem("Places", "places_list", "registers.view_all_places"),
    NavItem("Places", "places_own", "registers.view_own_places"),
    NavItem("Register audits", "provision_register_audits", "provision.view_register_audits"),
    NavItem("Dashboard", "reports_dashboard", "reports.view_dashboard"),
    NavItem("Termly report", "reports_termly", "reports.view_termly"),
    NavItem("DfE return", "reports_dfe_return", "reports.dfe_return"),
    NavItem("Self-evaluation", "selfeval_list", "reports.view_selfeval"),
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
    items: list[dict[str, object]] = []
    for section in SECTIONS:
        if section.permission and not user.has_perm(section.permission):
            continue
        items.append({"text": section.label, "href": reverse(section.url_name), "current": False})
    # The section whose address is the longest start of this page's: Places
    # (/establishments/places/) rather than Establishments (/establishments/).
    containing = [
        item
        for item in items
        if request.path == item["href"]
        or (item["href"] != "/" and request.path.startswith(str(item["href"])))
    ]
    if containing:
        max(containing, key=lambda item: len(str(item["href"])))["current"] = True
    return items
