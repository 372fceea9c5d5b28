"""The CTF pages: who may upload, see and import which files; the export from a case and the
restricted-child rule on it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.accounts.models import Role
from cme.cases.models import Case
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Address, Child
from cme.children.upn import make_upn
from cme.core.models import AuditAction, AuditEvent
from cme.transfers import exports
from cme.transfers.models import CtfExport, CtfExportGrant, CtfUpload
from cme.transfers.tests.factories import ctf_bytes, pupil

pytestmark = pytest.mark.django_db


def xml_file(content: bytes, name: str = "pupils.xml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/xml")


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def manager(make_member: Any) -> Any:
    return make_member(Role.CME_MANAGER)


@pytest.fixture
def school_user(make_member: Any) -> Any:
    return make_member(Role.SCHOOL_USER)


def upload_as(client: Any, content: bytes) -> Any:
    return client.post(reverse("transfers_ctf_upload"), {"file": xml_file(content)})


def test_a_school_uploads_previews_and_imports_its_file(client_for: Any, school_user: Any) -> None:
    client = client_for(school_user)
    response = upload_as(client, ctf_bytes([pupil(1)]))
    upload = CtfUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("transfers_ctf_detail", args=[upload.pk])
    assert upload.establishment == school_user.membership.establishment

    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Rosalind" in text and "Copper Beech Lane" in text and "New child record" in text
    assert "Meadow Lane Primary School" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEWED, target_type="transfers.ctfupload"
    ).exists()

    done = client.post(reverse("transfers_ctf_import", args=[upload.pk]))
    assert done.status_code == 302
    assert Child.objects.count() == 1 and Case.objects.count() == 1
    # Importing again (a second click) changes nothing.
    client.post(reverse("transfers_ctf_import", args=[upload.pk]))
    assert Child.objects.count() == 1 and Case.objects.count() == 1


def test_uploading_the_same_file_again_shows_the_first(client_for: Any, officer: Any) -> None:
    client = client_for(officer)
    content = ctf_bytes([pupil(1)])
    first = upload_as(client, content)
    second = upload_as(client, content)
    assert first["Location"] == second["Location"]
    assert CtfUpload.objects.count() == 1


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    b"<CTfile>&b;</CTfile>"
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "it is not XML"),
        (BILLION_LAUGHS, "it has a DTD or entity declaration"),
        (b"<Order><Line/></Order>", "it is not a CTF"),
        (b"", "The selected file is empty"),
    ],
)
def test_a_refused_file_gets_a_specific_error_and_is_not_kept(
    client_for: Any, officer: Any, content: bytes, message: str
) -> None:
    response = upload_as(client_for(officer), content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not CtfUpload.objects.exists()


def test_a_file_over_the_cap_is_refused_on_the_form(
    client_for: Any, officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.transfers import forms

    monkeypatch.setattr(forms, "MAX_UPLOAD_BYTES", 100)
    response = upload_as(client_for(officer), ctf_bytes([pupil(1)]))
    assert "larger than" in response.content.decode()
    assert not CtfUpload.objects.exists()


def test_a_school_sees_only_its_own_uploads(
    client_for: Any,
    school_user: Any,
    officer: Any,
    make_member: Any,
    authority: Any,
    other_authority: Any,
) -> None:
    from cme.accounts.models import Membership, User
    from cme.registers.models import Establishment, EstablishmentKind, Phase

    theirs = Establishment.objects.create(
        la_code="990",
        number="4001",
        name="Hillside",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    other_school = User.objects.create_user("hill@990.example.gov.uk", "pw", full_name="Hill")
    Membership.objects.create(
        user=other_school, authority=authority, role=Role.SCHOOL_USER, establishment=theirs
    )
    TOTP.activate(other_school, generate_totp_secret())
    upload_as(client_for(school_user), ctf_bytes([pupil(1)]))
    upload = CtfUpload.objects.get()
    detail = reverse("transfers_ctf_detail", args=[upload.pk])
    assert client_for(other_school).get(detail).status_code == 404
    assert (
        reverse("transfers_ctf_detail", args=[upload.pk])
        not in client_for(other_school).get(reverse("transfers_ctf_list")).content.decode()
    )
    assert client_for(officer).get(detail).status_code == 200
    outsider = make_member(Role.CME_OFFICER, of=other_authority)
    assert client_for(outsider).get(detail).status_code == 404
    assert (
        client_for(outsider).post(reverse("transfers_ctf_import", args=[upload.pk])).status_code
        == 404
    )
    for role in (Role.CASEWORKER, Role.PARTNER, Role.AUDITOR):
        assert client_for(make_member(role)).get(detail).status_code == 403
    assert not Child.objects.exists()


def test_a_restricted_match_is_not_revealed_in_the_preview(
    client_for: Any, officer: Any, authority: Any
) -> None:
    child = make_child(
        authority,
        upn=make_upn("990", "2001", 19, 1),
        is_restricted=True,
        restriction_reason="Refuge",
    )
    open_case(authority, officer, child)
    client = client_for(officer)
    response = upload_as(client, ctf_bytes([pupil(1)]))
    text = client.get(response["Location"]).content.decode()
    assert "Restricted record" in text
    assert "Copper Beech Lane" not in text and "07700 900111" not in text
    assert f"/cases/{child.cases.get().pk}/" not in text


# -- Export from a case --------------------------------------------------------------------------


def _case(authority: Any, officer: Any, establishment: Any, **child: Any) -> Case:
    kid = make_child(authority, upn=make_upn("990", "2001", 18, 4), **child)
    Address.objects.create(child=kid, line1="3 Quarry Row", postcode="EX4 4QQ", is_current=True)
    return open_case(
        authority, officer, kid, last_placement=establishment, last_attended_on=date(2026, 2, 1)
    )


def test_the_case_page_links_to_the_export(
    client_for: Any, officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case(authority, officer, establishment)
    page = client_for(officer).get(reverse("case_detail", args=[case.pk]))
    assert reverse("transfers_case_export", args=[case.pk]) in page.content.decode()


def test_an_officer_downloads_a_ctf_to_a_school(
    client_for: Any, officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case(authority, officer, establishment)
    url = reverse("transfers_case_export", args=[case.pk])
    client = client_for(officer)
    assert client.get(url).status_code == 200
    response = client.post(url, {"destination": "school", "school": establishment.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert "attachment" in response["Content-Disposition"]
    assert "Pemberton" not in response["Content-Disposition"]
    assert b"<Estab>2001</Estab>" in response.content
    assert CtfExport.objects.get().dest_estab == "2001"


def test_export_with_codes_checks_them(
    client_for: Any, officer: Any, authority: Any, establishment: Any
) -> None:
    case = _case(authority, officer, establishment)
    url = reverse("transfers_case_export", args=[case.pk])
    bad = client_for(officer).post(url, {"destination": "codes", "dest_lea": "8", "dest_estab": ""})
    assert bad.status_code == 200 and "3-digit LA code" in bad.content.decode()
    good = client_for(officer).post(
        url, {"destination": "codes", "dest_lea": "802", "dest_estab": "3001"}
    )
    assert b"<LEA>802</LEA>" in good.content


def test_a_restricted_childs_export_needs_a_managers_grant(
    client_for: Any, officer: Any, manager: Any, authority: Any, establishment: Any
) -> None:
    case = _case(authority, officer, establishment, is_restricted=True, restriction_reason="Refuge")
    url = reverse("transfers_case_export", args=[case.pk])
    refused = client_for(officer).post(url, {"destination": "unknown"})
    assert refused.status_code == 200
    assert "restricted" in refused.content.decode()
    assert not CtfExport.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORTED, payload__refused="restricted_no_grant"
    ).exists()

    grant_url = reverse("transfers_case_export_grant", args=[case.pk])
    assert client_for(officer).get(grant_url).status_code == 403
    short = client_for(manager).post(grant_url, {"reason": "asked"})
    assert "at least 10 characters" in short.content.decode()
    client_for(manager).post(grant_url, {"reason": "The receiving school asked for it"})
    grant = CtfExportGrant.objects.get()
    assert grant.granted_by == manager and grant.case == case

    sent = client_for(officer).post(url, {"destination": "unknown"})
    assert sent["Content-Type"] == "application/xml"
    assert b"Quarry" not in sent.content and b"EX4" not in sent.content
    assert CtfExport.objects.get().location_withheld
    again = client_for(officer).post(url, {"destination": "unknown"})
    assert again["Content-Type"].startswith("text/html"), "the grant was single use"


def test_who_may_export(
    client_for: Any,
    make_member: Any,
    officer: Any,
    authority: Any,
    other_authority: Any,
    establishment: Any,
) -> None:
    case = _case(authority, officer, establishment)
    url = reverse("transfers_case_export", args=[case.pk])
    assert client_for(make_member(Role.CASEWORKER)).get(url).status_code == 403
    assert client_for(make_member(Role.SCHOOL_USER)).get(url).status_code == 403
    assert client_for(make_member(Role.CME_OFFICER, of=other_authority)).get(url).status_code == 404
    assert client_for(make_member(Role.CME_MANAGER)).get(url).status_code == 200


def test_services_share_the_refusal_message() -> None:
    assert "CME manager" in exports.RESTRICTED_REFUSAL


def test_a_long_file_is_previewed_a_page_at_a_time(client_for: Any, officer: Any) -> None:
    client = client_for(officer)
    location = upload_as(client, ctf_bytes([pupil(n) for n in range(1, 28)]))["Location"]
    first = client.get(location).content.decode()
    assert "Pupil 25:" in first and "Pupil 26:" not in first
    second = client.get(location + "?page=2").content.decode()
    assert "Pupil 26:" in second and "Pupil 27:" in second and "Pupil 1:" not in second
