"""Role × page: every page of the service, visited by every kind of person, gives exactly the access
the rules in each app's rules.py grant — no more.

People: each role in Exampleshire, a service operator, an outsider (the same role, but in
Otherborough) and an anonymous visitor. A page added without a row here fails
`test_every_page_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cme.accounts.models import Membership, Role, User
from cme.api.tests.factories import api_world
from cme.cases import services
from cme.cases.tests.factories import make_child, open_case
from cme.children.services import child_seal_break
from cme.enquiries.tests.factories import enquiries_world
from cme.intake.tests.factories import intake_world
from cme.lpd.tests.factories import lpd_world
from cme.matching.tests.factories import matching_world
from cme.panels.tests.factories import panels_world
from cme.provision.tests.factories import provision_world
from cme.registers.imports.csvfile import ROLL
from cme.registers.imports.services import import_batch_create
from cme.registers.models import ImportKind
from cme.reports.selfeval.services import selfevaluation_start
from cme.reports.terms import term_of
from cme.returns.tests.factories import returns_world
from cme.transfers.tests.factories import transfers_world

pytestmark = pytest.mark.django_db

MEMBER_ROLES = list(Role)
CASE_TEAM = {Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER}
CASE_WRITERS = {Role.CME_OFFICER, Role.CME_MANAGER}
EVERYONE = "everyone"


@dataclass(frozen=True)
class Page:
    """How to reach a page, who may, and what the outsider (another authority) gets."""

    url: Callable[[dict[str, Any]], str]
    allowed: set[Role] | str
    method: str = "get"
    ok: int = 200  # what an allowed person gets
    outsider: int = 200  # what the same role in another authority gets
    operator: int = 403  # what a service operator (no membership) gets
    anonymous: int = 302  # sent to sign in
    data: dict[str, str] = field(default_factory=dict)


def url(name: str, *keys: str) -> Callable[[dict[str, Any]], str]:
    return lambda world: reverse(name, args=[world[k].pk for k in keys])


ADMIN = {Role.ADMINISTRATOR}
CME_TEAM = {Role.CME_OFFICER, Role.CME_MANAGER}
MANAGER = {Role.CME_MANAGER}


def la_url(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda world: reverse(name, args=[world["authority"].la_code])


PAGES: dict[str, Page] = {
    "home": Page(url("home"), EVERYONE, operator=200),
    "audit_list": Page(url("audit_list"), {Role.CME_MANAGER}),
    "audit_verify": Page(url("audit_verify"), {Role.CME_MANAGER}, method="post"),
    "authority_list": Page(url("authority_list"), ADMIN, operator=200),
    "authority_add": Page(url("authority_add"), set(), operator=200, outsider=403),
    "authority_change": Page(
        url("authority_change", "authority"), ADMIN, outsider=404, operator=200
    ),
    "agency_list": Page(url("agency_list"), ADMIN),
    "agency_add": Page(url("agency_add"), ADMIN),
    "agency_change": Page(url("agency_change", "agency"), ADMIN, outsider=404),
    "user_list": Page(url("user_list"), ADMIN),
    "user_add": Page(url("user_add"), ADMIN),
    "user_detail": Page(url("user_detail", "colleague"), ADMIN, outsider=404),
    "user_deactivate": Page(
        url("user_deactivate", "colleague"), ADMIN, method="post", ok=302, outsider=404
    ),
    "user_reactivate": Page(
        url("user_reactivate", "colleague"), ADMIN, method="post", ok=302, outsider=404
    ),
    "membership_add": Page(url("membership_add", "colleague"), ADMIN, outsider=404),
    "membership_deactivate": Page(
        url("membership_deactivate", "colleague", "colleague_membership"),
        ADMIN,
        method="post",
        ok=302,
        outsider=404,
    ),
    "membership_reactivate": Page(
        url("membership_reactivate", "colleague", "colleague_membership"),
        ADMIN,
        method="post",
        ok=302,
        outsider=404,
    ),
    "establishment_list": Page(url("establishment_list"), ADMIN | CASE_TEAM),
    "establishment_add": Page(url("establishment_add"), ADMIN),
    # Establishments are national reference data: another authority sees them but may not edit.
    "establishment_change": Page(url("establishment_change", "establishment"), ADMIN, outsider=403),
    # Cases: the case team of the case's own authority; changes by officers and managers, or by
    # the caseworker who owns the case (the matrix's caseworker does not own it).
    "case_list": Page(url("case_list"), CASE_TEAM),
    "case_export": Page(url("case_export"), CASE_WRITERS),
    "my_work": Page(url("my_work"), CASE_TEAM),
    "case_open": Page(url("case_open"), CASE_WRITERS),
    "case_detail": Page(url("case_detail", "case"), CASE_TEAM, outsider=404),
    "case_move": Page(url("case_move", "case"), CASE_WRITERS, outsider=404),
    "case_edit": Page(url("case_edit", "case"), CASE_WRITERS, outsider=404),
    "case_assessment": Page(url("case_assessment", "case"), CASE_WRITERS, outsider=404),
    "case_enquiry": Page(
        lambda w: reverse("case_enquiry", args=[w["case"].pk, "home_visit"]),
        CASE_WRITERS,
        outsider=404,
    ),
    "case_task_add": Page(url("case_task_add", "case"), CASE_WRITERS, outsider=404),
    "case_task_done": Page(
        url("case_task_done", "case", "task"), CASE_WRITERS, method="post", ok=302, outsider=404
    ),
    "case_note_add": Page(url("case_note_add", "case"), CASE_WRITERS, outsider=404),
    "case_attachment_add": Page(url("case_attachment_add", "case"), CASE_WRITERS, outsider=404),
    "case_attachment": Page(url("case_attachment", "case", "attachment"), CASE_TEAM, outsider=404),
    "case_child_edit": Page(url("case_child_edit", "case"), CASE_WRITERS, outsider=404),
    "case_address_add": Page(url("case_address_add", "case"), CASE_WRITERS, outsider=404),
    "case_carer_add": Page(url("case_carer_add", "case"), CASE_WRITERS, outsider=404),
    "case_name_add": Page(url("case_name_add", "case"), CASE_WRITERS, outsider=404),
    "case_sibling_add": Page(url("case_sibling_add", "case"), CASE_WRITERS, outsider=404),
    # A caseworker may see a restricted record only on a case they own (the matrix's does not).
    "case_seal_break": Page(url("case_seal_break", "case"), CASE_WRITERS, outsider=404),
    "grant_list": Page(url("grant_list"), {Role.CME_MANAGER}),
    "grant_revoke": Page(
        url("grant_revoke", "grant"), {Role.CME_MANAGER}, method="post", ok=302, outsider=404
    ),
    "session_keep_alive": Page(
        url("session_keep_alive"), EVERYONE, ok=204, operator=204, anonymous=401
    ),
    # Referrals: the public page answers everyone; partners refer and see their own; CME
    # officers and managers triage; managers keep the directory and record truancy sweeps.
    "referral_public": Page(la_url("referral_public"), EVERYONE, operator=200, anonymous=200),
    "referral_public_sent": Page(
        la_url("referral_public_sent"), EVERYONE, operator=200, anonymous=200
    ),
    "referral_new": Page(url("referral_new"), {Role.PARTNER}),
    "referral_mine": Page(url("referral_mine"), {Role.PARTNER}),
    "referral_queue": Page(url("referral_queue"), CME_TEAM),
    "referral_detail": Page(url("referral_detail", "referral"), CME_TEAM, outsider=404),
    "referral_link_case": Page(
        url("referral_link_case", "referral", "case"), CME_TEAM, method="post", ok=302, outsider=404
    ),
    "referral_link_child": Page(
        url("referral_link_child", "referral", "referral_child"),
        CME_TEAM,
        method="post",
        ok=302,
        outsider=404,
    ),
    "referral_open_case": Page(url("referral_open_case", "referral"), CME_TEAM, outsider=404),
    "referral_close": Page(url("referral_close", "referral"), CME_TEAM, outsider=404),
    "directory": Page(url("directory"), CME_TEAM),
    "cme_contact_add": Page(url("cme_contact_add"), MANAGER),
    "cme_contact_change": Page(url("cme_contact_change", "cme_contact"), MANAGER, outsider=404),
    "cme_contact_remove": Page(
        url("cme_contact_remove", "cme_contact"), MANAGER, method="post", ok=302, outsider=404
    ),
    "agency_contact_add": Page(url("agency_contact_add", "agency"), MANAGER, outsider=404),
    "agency_contact_change": Page(
        url("agency_contact_change", "agency_contact"), MANAGER, outsider=404
    ),
    "agency_contact_remove": Page(
        url("agency_contact_remove", "agency_contact"), MANAGER, method="post", ok=302, outsider=404
    ),
    "sweep_list": Page(url("sweep_list"), CME_TEAM),
    "sweep_add": Page(url("sweep_add"), MANAGER),
    "sweep_detail": Page(url("sweep_detail", "sweep"), CME_TEAM, outsider=404),
    "sweep_child_add": Page(url("sweep_child_add", "sweep"), MANAGER, outsider=404),
    # Imports: CME officers and managers load their own authority's rolls and establishments.
    # (The matrix's import is waiting to be checked, so confirming or cancelling it is refused
    # with a message and a redirect.)
    "import_list": Page(url("import_list"), CME_TEAM),
    "import_upload": Page(url("import_upload"), CME_TEAM),
    "import_detail": Page(url("import_detail", "import_batch"), CME_TEAM, outsider=404),
    "import_confirm": Page(
        url("import_confirm", "import_batch"), CME_TEAM, method="post", ok=302, outsider=404
    ),
    "import_cancel": Page(
        url("import_cancel", "import_batch"), CME_TEAM, method="post", ok=302, outsider=404
    ),
    # School returns: a school user sends and reads their own school's; the CME team reads all of
    # its authority's and keeps the EHE register.
    "returns_list": Page(url("returns_list"), {Role.SCHOOL_USER}),
    "returns_deletion_new": Page(url("returns_deletion_new"), {Role.SCHOOL_USER}),
    "returns_new_pupil_new": Page(url("returns_new_pupil_new"), {Role.SCHOOL_USER}),
    "returns_upload": Page(url("returns_upload"), {Role.SCHOOL_USER}),
    "returns_upload_template": Page(
        lambda w: reverse("returns_upload_template", args=["deletion"]), {Role.SCHOOL_USER}
    ),
    "returns_deletion_detail": Page(
        url("returns_deletion_detail", "deletion_return"),
        CME_TEAM | {Role.SCHOOL_USER},
        outsider=404,
    ),
    "returns_new_pupil_detail": Page(
        url("returns_new_pupil_detail", "new_pupil_return"),
        CME_TEAM | {Role.SCHOOL_USER},
        outsider=404,
    ),
    "returns_all": Page(url("returns_all"), CME_TEAM),
    "ehe_list": Page(url("ehe_list"), CME_TEAM),
    "ehe_add": Page(url("ehe_add"), CME_TEAM),
    "ehe_end": Page(url("ehe_end", "ehe_registration"), CME_TEAM, outsider=404),
    # Matching: CME officers and managers search and decide; managers read the model.
    "matching_find": Page(url("matching_find"), CME_TEAM),
    "matching_review": Page(url("matching_review"), CME_TEAM),
    "matching_reconcile": Page(url("matching_reconcile"), CME_TEAM, method="post", ok=302),
    "matching_proposal": Page(url("matching_proposal", "match_proposal"), CME_TEAM, outsider=404),
    "matching_accept": Page(
        url("matching_accept", "match_proposal"), CME_TEAM, method="post", ok=302, outsider=404
    ),
    # Posted without a reason: the page comes back with the error.
    "matching_reject": Page(
        url("matching_reject", "match_proposal"), CME_TEAM, method="post", outsider=404
    ),
    "matching_model": Page(url("matching_model"), MANAGER),
    # Aggregate figures: a manager of another authority gets their own authority's figures.
    "reports_dfe_return": Page(url("reports_dfe_return"), MANAGER),
    # The CTF clock: the school that sent a deletion return records its CTF as sent (posted
    # empty, the page comes back with the errors); the CME team lists every school's overdue
    # files and downloads them.
    "returns_deletion_ctf_sent": Page(
        url("returns_deletion_ctf_sent", "deletion_return"),
        {Role.SCHOOL_USER},
        method="post",
        outsider=404,
    ),
    "returns_ctf_overdue": Page(url("returns_ctf_overdue"), CME_TEAM),
    "returns_ctf_overdue_csv": Page(url("returns_ctf_overdue_csv"), CME_TEAM),
    # Places: a school reads and updates its own figures; CME officers and managers those of
    # every establishment in their area (another area's is a 404).
    "places_list": Page(url("places_list"), CME_TEAM),
    "places_own": Page(url("places_own"), {Role.SCHOOL_USER}, ok=302),
    "places_establishment": Page(
        url("places_establishment", "establishment"), CME_TEAM | {Role.SCHOOL_USER}, outsider=404
    ),
    "places_update": Page(
        url("places_update", "establishment"), CME_TEAM | {Role.SCHOOL_USER}, outsider=404
    ),
    # Needs, brokering, monitoring and support: as the case's own pages (officers and managers,
    # or the caseworker who owns the case); register audits of providers: CME officers and managers.
    "provision_needs": Page(url("provision_needs", "case"), CASE_WRITERS, outsider=404),
    "provision_attempt_add": Page(url("provision_attempt_add", "case"), CASE_WRITERS, outsider=404),
    "provision_check": Page(
        url("provision_check", "case", "attendance_check"), CASE_WRITERS, outsider=404
    ),
    "provision_support_add": Page(url("provision_support_add", "case"), CASE_WRITERS, outsider=404),
    "provision_support_response": Page(
        url("provision_support_response", "case", "support_referral"), CASE_WRITERS, outsider=404
    ),
    "provision_register_audits": Page(url("provision_register_audits"), CME_TEAM),
    "provision_register_audit_add": Page(url("provision_register_audit_add"), CME_TEAM),
    # Fair access panels: CME officers and managers of the authority.
    "panel_list": Page(url("panel_list"), CME_TEAM),
    "panel_schedule": Page(url("panel_schedule"), CME_TEAM),
    "panel_overdue": Page(url("panel_overdue"), CME_TEAM),
    "panel_detail": Page(url("panel_detail", "panel_meeting"), CME_TEAM, outsider=404),
    "panel_change": Page(url("panel_change", "panel_meeting"), CME_TEAM, outsider=404),
    "panel_agenda_add": Page(url("panel_agenda_add", "panel_meeting"), CME_TEAM, outsider=404),
    # The matrix's item has a decision, so taking it off is refused with a message and a redirect.
    "panel_agenda_remove": Page(
        url("panel_agenda_remove", "panel_meeting", "panel_item"),
        CME_TEAM,
        method="post",
        ok=302,
        outsider=404,
    ),
    "panel_attendee_add": Page(url("panel_attendee_add", "panel_meeting"), CME_TEAM, outsider=404),
    "panel_attendee_remove": Page(
        url("panel_attendee_remove", "panel_meeting", "panel_attendee"),
        CME_TEAM,
        method="post",
        ok=302,
        outsider=404,
    ),
    "panel_decision": Page(
        url("panel_decision", "panel_meeting", "panel_item"), CME_TEAM, outsider=404
    ),
    "panel_decision_met": Page(
        url("panel_decision_met", "panel_meeting", "panel_item"), CME_TEAM, outsider=404
    ),
    "panel_case_agenda": Page(url("panel_case_agenda", "case"), CME_TEAM, outsider=404),
    # Common transfer files: a school user uploads, sees and imports its own school's; the CME
    # team its authority's. A CTF is sent from a case by officers and managers; a restricted
    # child's export is allowed by a manager.
    "transfers_ctf_list": Page(url("transfers_ctf_list"), CME_TEAM | {Role.SCHOOL_USER}),
    "transfers_ctf_upload": Page(url("transfers_ctf_upload"), CME_TEAM | {Role.SCHOOL_USER}),
    "transfers_ctf_detail": Page(
        url("transfers_ctf_detail", "ctf_upload"), CME_TEAM | {Role.SCHOOL_USER}, outsider=404
    ),
    "transfers_ctf_import": Page(
        url("transfers_ctf_import", "ctf_upload"),
        CME_TEAM | {Role.SCHOOL_USER},
        method="post",
        ok=302,
        outsider=404,
    ),
    "transfers_case_export": Page(url("transfers_case_export", "case"), CME_TEAM, outsider=404),
    "transfers_case_export_grant": Page(
        url("transfers_case_export_grant", "ctf_restricted_case"), MANAGER, outsider=404
    ),
    # The Lost Pupil Database: a school its own uploads, the CME team its authority's; the search,
    # a lost pupil's record and its download are shared by every authority's CME team.
    "lpd_uploads": Page(url("lpd_uploads"), CME_TEAM | {Role.SCHOOL_USER}),
    "lpd_upload": Page(url("lpd_upload"), CME_TEAM | {Role.SCHOOL_USER}),
    "lpd_upload_detail": Page(
        url("lpd_upload_detail", "lpd_file"), CME_TEAM | {Role.SCHOOL_USER}, outsider=404
    ),
    "lpd_upload_withdraw": Page(
        url("lpd_upload_withdraw", "lpd_file"),
        CME_TEAM | {Role.SCHOOL_USER},
        method="post",
        ok=302,
        outsider=404,
    ),
    "lpd_search": Page(url("lpd_search"), CME_TEAM),
    "lpd_pupil": Page(url("lpd_pupil", "lpd_pupil"), CME_TEAM),
    "lpd_pupil_download": Page(url("lpd_pupil_download", "lpd_pupil"), CME_TEAM, method="post"),
    "lpd_activity": Page(url("lpd_activity"), MANAGER),
    # Enquiries between authorities: the directory is for the case team, each authority's
    # managers keep its own entry; enquiries are for CME officers and managers of the holding
    # authority, and a manager approves one stopped by the blanket rule.
    "enquiry_directory": Page(url("enquiry_directory"), CASE_TEAM),
    "enquiry_directory_contact_add": Page(
        url("enquiry_directory_contact_add", "directory_entry"), MANAGER, outsider=404
    ),
    "enquiry_directory_contact_remove": Page(
        url("enquiry_directory_contact_remove", "directory_contact"),
        MANAGER,
        method="post",
        ok=302,
        outsider=404,
    ),
    "enquiry_list": Page(url("enquiry_list"), CME_TEAM),
    "enquiry_new": Page(url("enquiry_new", "case"), CASE_WRITERS, outsider=404),
    "enquiry_change": Page(url("enquiry_change", "enquiry_draft"), CME_TEAM, outsider=404),
    "enquiry_check": Page(url("enquiry_check", "enquiry_draft"), CME_TEAM, outsider=404),
    "enquiry_detail": Page(url("enquiry_detail", "enquiry_received"), CME_TEAM, outsider=404),
    "enquiry_approve": Page(url("enquiry_approve", "enquiry_waiting"), MANAGER, outsider=404),
    "enquiry_assess": Page(url("enquiry_assess", "enquiry_received"), CME_TEAM, outsider=404),
    "enquiry_check_record": Page(
        lambda w: reverse("enquiry_check_record", args=[w["enquiry_received"].pk, "local_schools"]),
        CME_TEAM,
        outsider=404,
    ),
    "enquiry_answer": Page(url("enquiry_answer", "enquiry_received"), CME_TEAM, outsider=404),
    "enquiry_open_case": Page(
        url("enquiry_open_case", "enquiry_received"), CME_TEAM, method="post", ok=302, outsider=404
    ),
    # The dashboard, its charts' CSV and the termly report: a manager of another authority gets
    # their own authority's figures.
    "reports_dashboard": Page(url("reports_dashboard"), MANAGER),
    "reports_how": Page(url("reports_how"), MANAGER),
    "reports_dashboard_refresh": Page(
        url("reports_dashboard_refresh"), MANAGER, method="post", ok=302
    ),
    "reports_figure_csv": Page(
        lambda world: reverse("reports_figure_csv", args=["by-sex"]), MANAGER, method="post"
    ),
    "reports_termly": Page(url("reports_termly"), MANAGER),
    "reports_termly_xlsx": Page(
        url("reports_termly_xlsx"),
        MANAGER,
        method="post",
        data={"term": term_of(date.today()).previous().code},
    ),
    # Self-evaluation: the case team reads; CME managers make and change assessments.
    "selfeval_list": Page(url("selfeval_list"), CASE_TEAM),
    "selfeval_start": Page(url("selfeval_start"), MANAGER, method="post", ok=302),
    "selfeval_detail": Page(url("selfeval_detail", "selfevaluation"), CASE_TEAM, outsider=404),
    "selfeval_edit": Page(url("selfeval_edit", "selfevaluation"), MANAGER, outsider=404),
    "selfeval_print": Page(url("selfeval_print", "selfevaluation"), CASE_TEAM, outsider=404),
    "selfeval_download": Page(url("selfeval_download", "selfevaluation"), CASE_TEAM, outsider=404),
    "selfeval_question": Page(lambda w: reverse("selfeval_question", args=[8]), CASE_TEAM),
    # API tokens: the authority's administrators create and revoke them.
    "api_token_list": Page(url("api_token_list"), ADMIN),
    "api_token_add": Page(url("api_token_add"), ADMIN),
    "api_token_revoke": Page(url("api_token_revoke", "api_token"), ADMIN, outsider=404),
}

# Pages anyone may reach, signed in or not, and what they answer.
PUBLIC = {
    "accessibility": 200,
    "privacy": 200,
    "health": 200,
    "session_sign_out": 302,
    "session_timed_out": 200,
    "referral_public_index": 200,
}


def our_url_names() -> Iterator[str]:
    """Every named page the project itself defines (allauth's own pages are tested elsewhere)."""

    def walk(patterns: list[Any], inside_allauth: bool) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver) and pattern.namespace == "api":
                # The HTTP API answers tokens, not signed-in people, so it has no place in a
                # role × page matrix: its access (token kind, own organisation, 401/403/404) is
                # tested in cme/api/tests, and schemathesis walks it from its OpenAPI spec.
                continue
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                yield from walk(
                    pattern.url_patterns, inside_allauth or module.startswith("allauth")
                )
            elif isinstance(pattern, URLPattern) and pattern.name and not inside_allauth:
                yield pattern.name

    yield from walk(get_resolver().url_patterns, False)


def test_every_page_is_in_the_matrix() -> None:
    assert set(our_url_names()) == set(PAGES) | set(PUBLIC)


@pytest.fixture
def world(make_member: Any, authority: Any, agency: Any, establishment: Any) -> dict[str, Any]:
    colleague = make_member(Role.CASEWORKER)
    case = open_case(authority, colleague)
    task = services.task_add(
        case=case, actor=colleague, title="Ring the school", due_on=date.today()
    )
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.7 letter", content_type="application/pdf")
    attachment = services.attachment_add(case=case, actor=colleague, upload=upload)
    hidden = make_child(authority, is_restricted=True, restriction_reason="Refuge")
    grant = child_seal_break(child=hidden, actor=colleague, reason="Home visit booked tomorrow")
    return {
        "case": case,
        "task": task,
        "attachment": attachment,
        "grant": grant,
        "authority": authority,
        "agency": agency,
        "establishment": establishment,
        "colleague": colleague,
        "colleague_membership": Membership.objects.get(user=colleague),
        **intake_world(authority, agency, colleague, case),
        "import_batch": import_batch_create(
            actor=colleague,
            authority=authority,
            kind=ImportKind.ROLL,
            establishment=establishment,
            text=ROLL.header,
            rows=0,
        ),
        **returns_world(authority, establishment, colleague),
        **api_world(authority, agency, colleague),
        **matching_world(authority, colleague, establishment),
        **provision_world(case, colleague, establishment),  # attendance_check, support_referral
        **panels_world(authority, make_member(Role.CME_OFFICER), case),
        "selfevaluation": selfevaluation_start(actor=make_member(Role.CME_MANAGER)),
        **transfers_world(authority, establishment, colleague),
        **lpd_world(authority, establishment),
        **enquiries_world(authority, colleague, case),
    }


def visit(client: Client, page: Page, world: dict[str, Any]) -> int:
    path = page.url(world)
    response = client.post(path, page.data) if page.method == "post" else client.get(path)
    return response.status_code


def may(page: Page, role: Role) -> bool:
    return page.allowed == EVERYONE or role in page.allowed


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("role", MEMBER_ROLES, ids=[r.value for r in MEMBER_ROLES])
def test_each_role_gets_what_the_rules_give(
    name: str, role: Role, world: dict[str, Any], make_member: Any, client_for: Any
) -> None:
    page = PAGES[name]
    expected = page.ok if may(page, role) else 403
    assert visit(client_for(make_member(role)), page, world) == expected


@pytest.mark.parametrize("name", sorted(PAGES))
def test_another_authoritys_people_get_nothing_of_this_one(
    name: str, world: dict[str, Any], make_member: Any, client_for: Any, other_authority: Any
) -> None:
    page = PAGES[name]
    if isinstance(page.allowed, str):  # everyone: any role will do, and gets the usual answer
        role, expected = Role.PARTNER, page.ok
    else:  # the role this page is for, held in the other authority
        role = min(page.allowed or ADMIN)
        expected = page.ok if page.outsider == 200 else page.outsider
    outsider = make_member(role, of=other_authority)
    assert visit(client_for(outsider), page, world) == expected


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_service_operator_sees_no_authoritys_data(
    name: str, world: dict[str, Any], client_for: Any
) -> None:
    operator = User.objects.create_user(
        "operator@cme.example", "a-long-test-password", full_name="Operator", is_staff=True
    )
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(operator, generate_totp_secret())
    assert visit(client_for(operator), PAGES[name], world) == PAGES[name].operator


@pytest.mark.parametrize("name", sorted(PAGES))
def test_anonymous_visitors_are_sent_to_sign_in(name: str, world: dict[str, Any]) -> None:
    page = PAGES[name]
    assert visit(Client(), page, world) == page.anonymous


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_answer_everyone(
    name: str, make_member: Any, client_for: Any, other_authority: Any
) -> None:
    for client in (Client(), client_for(make_member(Role.PARTNER, of=other_authority))):
        assert client.get(reverse(name)).status_code == PUBLIC[name]
