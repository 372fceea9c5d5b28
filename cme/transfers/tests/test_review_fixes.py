"""Review fixes: a restricted child's file withholds its schools; only the sending school (or its
own authority) closes the CTF clock, on a date no earlier than the deletion; each school keeps
its own upload of a file."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cme.accounts.models import Authority, Membership, Role, User
from cme.api import services as api_services
from cme.cases.tests.factories import make_child
from cme.children.models import Child, RestrictionGrant
from cme.children.restriction import WITHHELD
from cme.children.upn import make_upn
from cme.registers.models import Establishment, EstablishmentKind, Phase
from cme.returns import services as returns_services
from cme.returns.models import DeletionReturn
from cme.returns.tests.factories import deletion
from cme.transfers import selectors, services
from cme.transfers.ctf import LookedAfter, read_ctf, write_ctf
from cme.transfers.ctf.samples import sample_header
from cme.transfers.models import Channel, CtfUpload
from cme.transfers.tests.factories import ctf_bytes, pupil

pytestmark = pytest.mark.django_db


def xml_file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("pupils.xml", content, content_type="text/xml")


@pytest.fixture
def hillside(authority: Authority) -> Establishment:
    return Establishment.objects.create(
        la_code=authority.la_code,
        number="4001",
        name="Hillside Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )


def school_member(authority: Authority, school: Establishment, name: str) -> User:
    user = User.objects.create_user(f"{name}@990.example.gov.uk", "a-long-test-password")
    Membership.objects.create(
        user=user, authority=authority, role=Role.SCHOOL_USER, establishment=school
    )
    TOTP.activate(user, generate_totp_secret())
    return user


# -- 4: From and To of a restricted child's file --------------------------------------------------


def test_a_restricted_childs_file_withholds_its_schools(
    client_for: Any, make_member: Any, authority: Authority
) -> None:
    child = make_child(
        authority, upn=make_upn("990", "2001", 19, 1), is_restricted=True, restriction_reason="R"
    )
    school = make_member(Role.SCHOOL_USER)
    sent = client_for(school).post(
        "/ctf/upload/", {"file": xml_file(ctf_bytes([pupil(1)], dest=("991", "7777")))}
    )
    assert sent.status_code == 302
    officer = make_member(Role.CME_OFFICER)
    page = client_for(officer).get(sent["Location"]).content.decode()
    listed = client_for(officer).get("/ctf/").content.decode()
    for html in (page, listed):
        assert "991/7777" not in html and "990/2001" not in html
        assert WITHHELD in html
    assert school.full_name not in page, "a school user's name would say which school"
    RestrictionGrant.objects.create(
        child=child, user=officer, reason="Casework", granted_by=make_member(Role.CME_MANAGER)
    )
    assert "991/7777" in client_for(officer).get(sent["Location"]).content.decode()
    assert "991/7777" in client_for(officer).get("/ctf/").content.decode()


def test_a_restricted_pupil_on_another_page_still_withholds_the_header(
    client_for: Any, make_member: Any, authority: Authority
) -> None:
    make_child(
        authority, upn=make_upn("990", "2001", 19, 30), is_restricted=True, restriction_reason="R"
    )
    make_child(authority, upn=make_upn("990", "2001", 19, 1))  # matched, not restricted
    officer = make_member(Role.CME_OFFICER)
    content = ctf_bytes([pupil(n) for n in range(1, 31)], dest=("991", "7777"))
    sent = client_for(officer).post("/ctf/upload/", {"file": xml_file(content)})
    first_page = client_for(officer).get(sent["Location"]).content.decode()
    assert "Restricted record" not in first_page, "the restricted pupil is on page 2"
    assert "991/7777" not in first_page and WITHHELD in first_page
    # Once imported, the import's own matches say so too, in a handful of queries.
    services.ctf_import(actor=officer, upload=CtfUpload.objects.get())
    assert "991/7777" not in client_for(officer).get("/ctf/").content.decode()


def test_an_ordinary_file_shows_its_schools(client_for: Any, make_member: Any) -> None:
    officer = make_member(Role.CME_OFFICER)
    sent = client_for(officer).post(
        "/ctf/upload/", {"file": xml_file(ctf_bytes([pupil(1)], dest=("991", "7777")))}
    )
    assert "991/7777" in client_for(officer).get(sent["Location"]).content.decode()
    assert "991/7777" in client_for(officer).get("/ctf/").content.decode()


def test_which_files_are_withheld_is_found_in_a_few_queries(
    make_member: Any, authority: Authority, django_assert_max_num_queries: Any
) -> None:
    make_child(
        authority, upn=make_upn("990", "2001", 19, 3), is_restricted=True, restriction_reason="R"
    )
    officer = make_member(Role.CME_OFFICER)
    for n in range(1, 7):
        services.ctf_upload_store(
            actor=officer, authority=authority, content=ctf_bytes([pupil(n), pupil(n + 10)])
        )
    uploads = list(selectors.upload_list(officer))
    with django_assert_max_num_queries(2):
        withheld = selectors.uploads_withheld_from(officer, uploads)
    assert {u.pupil_count for u in uploads if u.pk in withheld} == {2}
    assert len(withheld) == 1


# -- 10 (the transfers part): the care authority and the URN of a withheld file -------------------


def test_a_withheld_file_has_no_care_authority_and_no_source_urn() -> None:
    person = pupil(1, looked_after=LookedAfter(in_care=True, care_authority="802"))
    header = sample_header()
    assert header.source_urn
    out = io.BytesIO()
    write_ctf(header, [person], out, withhold_location=True)
    body = out.getvalue()
    assert b"CareAuthority" not in body and header.source_urn.encode() not in body
    read = read_ctf(io.BytesIO(body))
    assert read.pupils[0].looked_after == LookedAfter(in_care=True, care_authority="")
    assert read.header.source_urn == ""
    plain = io.BytesIO()
    write_ctf(header, [person], plain)
    assert b"<CareAuthority>802</CareAuthority>" in plain.getvalue()


def test_the_preview_leaves_out_a_restricted_pupils_care_authority(
    client_for: Any, make_member: Any, authority: Authority
) -> None:
    make_child(
        authority, upn=make_upn("990", "2001", 19, 1), is_restricted=True, restriction_reason="R"
    )
    person = dataclasses.replace(
        pupil(1), looked_after=LookedAfter(in_care=True, care_authority="802")
    )
    officer = make_member(Role.CME_OFFICER)
    sent = client_for(officer).post("/ctf/upload/", {"file": xml_file(ctf_bytes([person]))})
    page = client_for(officer).get(sent["Location"]).content.decode()
    assert "Restricted record" in page and "care authority 802" not in page


# -- 5: who closes the CTF clock, and on which date ----------------------------------------------


def _deleted(establishment: Establishment, actor: Any, days_ago: int) -> DeletionReturn:
    on = timezone.localdate() - timedelta(days=days_ago)
    ret: DeletionReturn = returns_services.deletion_return_submit(
        actor=actor,
        establishment=establishment,
        details=deletion(
            upn=make_upn("990", "2001", 19, 1),
            deleted_on=on.isoformat(),
            last_attended_on=on.isoformat(),
        ),
    )
    assert ret.ctf_due_on is not None and ret.ctf_sent_on is None
    return ret


def _upload_and_import(actor: Any, authority: Authority, school: Any, content: bytes) -> None:
    stored = services.ctf_upload_store(
        actor=actor, authority=authority, establishment=school, content=content
    )
    services.ctf_import(actor=actor, upload=stored.upload)


def test_another_school_cannot_close_the_senders_clock(
    make_member: Any, authority: Authority, establishment: Establishment, hillside: Establishment
) -> None:
    ret = _deleted(establishment, make_member(Role.SCHOOL_USER), 3)
    receiver = school_member(authority, hillside, "hill")
    # A file "from" Meadow Lane, written or received by Hillside.
    _upload_and_import(receiver, authority, hillside, ctf_bytes([pupil(1)], dest=("990", "4001")))
    ret.refresh_from_db()
    assert ret.ctf_sent_on is None


def test_another_authority_cannot_close_the_senders_clock(
    make_member: Any, authority: Authority, establishment: Establishment, other_authority: Authority
) -> None:
    ret = _deleted(establishment, make_member(Role.SCHOOL_USER), 3)
    outsider = make_member(Role.CME_OFFICER, of=other_authority)
    _upload_and_import(outsider, other_authority, None, ctf_bytes([pupil(1)]))
    school_b = make_member(Role.SCHOOL_USER, of=other_authority)
    their_school = school_b.membership.establishment
    _upload_and_import(
        school_b,
        other_authority,
        their_school,
        ctf_bytes([pupil(1)], dest=(their_school.la_code, their_school.number)),
    )
    token = api_services.api_token_create(
        actor=make_member(Role.ADMINISTRATOR),
        authority=other_authority,
        name="Their system",
        for_authority=True,
    ).secret
    answer = Client().post(
        "/api/v1/ctf-files",
        ctf_bytes([pupil(1), pupil(2)]),
        content_type="application/xml",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201
    ret.refresh_from_db()
    assert ret.ctf_sent_on is None


def test_the_sending_school_closes_its_clock_no_earlier_than_the_deletion(
    make_member: Any, authority: Authority, establishment: Establishment
) -> None:
    school = make_member(Role.SCHOOL_USER)
    ret = _deleted(establishment, school, 3)
    # The file says it was made on 2 March 2026, long before the pupil left the roll.
    _upload_and_import(school, authority, establishment, ctf_bytes([pupil(1)]))
    ret.refresh_from_db()
    assert ret.ctf_sent_on == ret.deleted_on
    assert not ret.ctf_sent_late


@pytest.mark.parametrize("role", [Role.CME_OFFICER, Role.CME_MANAGER])
def test_the_schools_own_authority_closes_its_clock(
    make_member: Any, authority: Authority, establishment: Establishment, role: Role
) -> None:
    ret = _deleted(establishment, make_member(Role.SCHOOL_USER), 3)
    _upload_and_import(make_member(role), authority, None, ctf_bytes([pupil(1)]))
    ret.refresh_from_db()
    assert ret.ctf_sent_on == ret.deleted_on


def test_the_authoritys_token_closes_its_own_schools_clock(
    make_member: Any, authority: Authority, establishment: Establishment
) -> None:
    ret = _deleted(establishment, make_member(Role.SCHOOL_USER), 3)
    stored = services.ctf_upload_store(
        actor=None, authority=authority, content=ctf_bytes([pupil(1)]), channel=Channel.API
    )
    services.ctf_import(actor=None, upload=stored.upload)
    ret.refresh_from_db()
    assert ret.ctf_sent_on == ret.deleted_on


# -- 7: each school keeps its own upload of a file -----------------------------------------------


def test_the_receiving_school_uploads_and_imports_the_senders_file(
    client_for: Any, make_member: Any, authority: Authority, hillside: Establishment
) -> None:
    content = ctf_bytes([pupil(1)], dest=("990", "4001"))
    sender = make_member(Role.SCHOOL_USER)
    assert client_for(sender).post("/ctf/upload/", {"file": xml_file(content)}).status_code == 302
    receiver = client_for(school_member(authority, hillside, "hill"))
    answer = receiver.post("/ctf/upload/", {"file": xml_file(content)}, follow=True)
    assert answer.status_code == 200
    theirs = CtfUpload.objects.get(establishment=hillside)
    assert theirs.pk != CtfUpload.objects.get(establishment__number="2001").pk
    assert receiver.post(f"/ctf/{theirs.pk}/import/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.is_imported
    assert not CtfUpload.objects.get(establishment__number="2001").is_imported
    # The same school again is still the same upload; so is the authority's staff twice.
    again = receiver.post("/ctf/upload/", {"file": xml_file(content)})
    assert again["Location"].endswith(f"/ctf/{theirs.pk}/")
    officer = make_member(Role.CME_OFFICER)
    first = services.ctf_upload_store(actor=officer, authority=authority, content=content)
    second = services.ctf_upload_store(actor=officer, authority=authority, content=content)
    assert first.created and not second.created and first.upload.pk == second.upload.pk
    assert CtfUpload.objects.count() == 3
    assert Child.objects.count() == 1


def test_a_receiving_schools_token_gets_its_own_upload(
    make_member: Any, authority: Authority, hillside: Establishment
) -> None:
    content = ctf_bytes([pupil(1)], dest=("990", "4001"))
    sender = make_member(Role.SCHOOL_USER)
    services.ctf_upload_store(
        actor=sender,
        authority=authority,
        establishment=sender.membership.establishment,
        content=content,
    )
    token = api_services.api_token_create(
        actor=make_member(Role.ADMINISTRATOR),
        authority=authority,
        name="MIS",
        establishment=hillside,
    ).secret
    answer = Client().post(
        "/api/v1/ctf-files",
        content,
        content_type="application/xml",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["already_imported"] is False
    assert CtfUpload.objects.get(establishment=hillside).is_imported
    assert not CtfUpload.objects.get(establishment__number="2001").is_imported
