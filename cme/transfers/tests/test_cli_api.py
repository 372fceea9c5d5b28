"""`cme ctf import` and `cme ctf export`, and POST /api/v1/ctf-files: the same services and
rules as the pages."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cme.accounts.models import Role
from cme.api import services as api_services
from cme.cases.models import Case
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Address, Child
from cme.children.upn import make_upn
from cme.core.models import AuditAction, AuditEvent
from cme.transfers import exports
from cme.transfers.models import CtfExport, CtfUpload
from cme.transfers.tests.factories import ctf_bytes, pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ctf", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exited:
        status = int(exited.code or 0)
    return status, out.getvalue(), err.getvalue()


def test_import_then_again_changes_nothing(tmp_path: Path, officer: Any) -> None:
    path = tmp_path / "lost.xml"
    path.write_bytes(ctf_bytes([pupil(1), pupil(2)]))
    status, out, _ = run("import", str(path), "--authority", "990", "--user", officer.email)
    assert status == 0
    printed = json.loads(out)
    assert (printed["created"], printed["cases_opened"], printed["already_imported"]) == (
        2,
        2,
        False,
    )
    status, out, _ = run("import", str(path), "--authority", "990", "--user", officer.email)
    assert json.loads(out)["already_imported"] is True
    assert Child.objects.count() == 2 and Case.objects.count() == 2


def test_a_dry_run_keeps_nothing(tmp_path: Path, officer: Any) -> None:
    path = tmp_path / "lost.xml"
    path.write_bytes(ctf_bytes([pupil(1)]))
    status, out, _ = run(
        "import", str(path), "--authority", "990", "--user", officer.email, "--dry-run"
    )
    assert status == 0 and json.loads(out)["created"] == 1
    assert not CtfUpload.objects.exists() and not Child.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"not xml at all", "not XML"), (b"<a/>", "not a CTF")],
)
def test_import_refusals_exit_2_with_one_line(
    tmp_path: Path, officer: Any, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    status, _, err = run("import", str(path), "--authority", "990", "--user", officer.email)
    assert status == 2 and reason in err and err.count("\n") == 1
    assert not CtfUpload.objects.exists()


def test_import_for_another_authority_is_refused(
    tmp_path: Path, officer: Any, other_authority: Any
) -> None:
    path = tmp_path / "lost.xml"
    path.write_bytes(ctf_bytes([pupil(1)]))
    status, _, err = run("import", str(path), "--authority", "991", "--user", officer.email)
    assert status == 2 and "may not" in err


def _case(authority: Any, officer: Any, establishment: Any, **child: Any) -> Case:
    kid = make_child(authority, upn=make_upn("990", "2001", 18, 4), **child)
    Address.objects.create(child=kid, line1="3 Quarry Row", postcode="EX4 4QQ", is_current=True)
    return open_case(
        authority, officer, kid, last_placement=establishment, last_attended_on=date(2026, 2, 1)
    )


def test_export_writes_a_valid_file(
    tmp_path: Path, officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case(authority, officer, establishment)
    out = tmp_path / "out.xml"
    status, _, err = run(
        "export",
        "--case",
        case.reference,
        "--dest",
        "802/3001",
        "--user",
        officer.email,
        "--out",
        str(out),
    )
    assert status == 0, err
    assert b"<LEA>802</LEA>" in out.read_bytes() and b"EX4 4QQ" in out.read_bytes()
    assert CtfExport.objects.get().channel == "command"


def test_export_of_a_restricted_child_needs_a_grant(
    tmp_path: Path, officer: Any, make_member: Any, authority: Any, establishment: Any
) -> None:
    case = _case(authority, officer, establishment, is_restricted=True, restriction_reason="Refuge")
    out = tmp_path / "out.xml"
    args = ["export", "--case", case.reference, "--dest", "unknown", "--user", officer.email]
    status, _, err = run(*args, "--out", str(out))
    assert status == 2 and "restricted" in err and not out.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORTED, payload__refused="restricted_no_grant"
    ).exists()
    manager = make_member(Role.CME_MANAGER)
    grant = exports.ctf_export_grant_add(actor=manager, case=case, reason="The new LA asked us")
    status, _, err = run(*args, "--out", str(out), "--grant", str(grant.pk))
    assert status == 0, err
    assert b"EX4" not in out.read_bytes() and b"Quarry" not in out.read_bytes()
    assert CtfExport.objects.get().location_withheld


def test_export_with_bad_codes_is_refused(
    tmp_path: Path, officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case(authority, officer, establishment)
    status, _, err = run(
        "export",
        "--case",
        case.reference,
        "--dest",
        "80/30",
        "--user",
        officer.email,
        "--out",
        str(tmp_path / "x.xml"),
    )
    assert status == 2 and "LA code" in err


# -- API -----------------------------------------------------------------------------------------


@pytest.fixture
def admin(make_member: Any) -> Any:
    return make_member(Role.ADMINISTRATOR)


def post_xml(token: str, content: bytes, content_type: str = "application/xml") -> Any:
    return Client().post(
        "/api/v1/ctf-files",
        content,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_an_authority_system_sends_a_ctf(admin: Any, authority: Any) -> None:
    token = api_services.api_token_create(
        actor=admin, authority=authority, name="Case system", for_authority=True
    ).secret
    content = ctf_bytes([pupil(1), pupil(2)])
    first = post_xml(token, content)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["pupils"], body["created"], body["matched"], body["cases_opened"]) == (2, 2, 0, 2)
    assert "Rosalind" not in first.content.decode()
    again = post_xml(token, content)
    assert again.status_code == 200 and again.json()["already_imported"] is True
    assert Child.objects.count() == 2


def test_the_api_refuses_what_the_page_refuses(admin: Any, authority: Any, agency: Any) -> None:
    token = api_services.api_token_create(
        actor=admin, authority=authority, name="Case system", for_authority=True
    ).secret
    refused = post_xml(token, b"<Invoice/>")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert "not a CTF" in refused.json()["detail"]
    assert post_xml(token, ctf_bytes([pupil(1)]), "application/json").status_code in (400, 415)
    partner = api_services.api_token_create(
        actor=admin, authority=authority, name="Police", agency=agency
    ).secret
    assert post_xml(partner, ctf_bytes([pupil(1)])).status_code == 403
    assert not CtfUpload.objects.exists()


def test_a_school_token_sends_its_own_schools_file(
    admin: Any, authority: Any, establishment: Any
) -> None:
    token = api_services.api_token_create(
        actor=admin, authority=authority, name="MIS", establishment=establishment
    ).secret
    assert post_xml(token, ctf_bytes([pupil(1)])).status_code == 201
    other = post_xml(token, ctf_bytes([pupil(2)], source=("801", "2000")))
    assert other.status_code == 422 and "your school" in other.json()["detail"]


def test_the_endpoint_is_published(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/ctf-files" in spec["paths"]


def test_a_ctf_may_also_come_as_a_multipart_file(admin: Any, authority: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = api_services.api_token_create(
        actor=admin, authority=authority, name="Case system", for_authority=True
    ).secret
    sent = Client().post(
        "/api/v1/ctf-files",
        {"file": SimpleUploadedFile("lost.xml", ctf_bytes([pupil(1)]), "application/xml")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sent.status_code == 201, sent.content
    assert sent.json()["created"] == 1
