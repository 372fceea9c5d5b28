"""The review's LPD findings (review-ctf 1, 2, 3, 6, 8, 10 and 11), one test or more each."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.utils import timezone

from cme.accounts.models import Authority, Membership, Role, User
from cme.api import services as api_services
from cme.cases.tests.factories import make_child
from cme.children.models import Child, RestrictionGrant
from cme.children.upn import make_upn
from cme.lpd import api as lpd_api
from cme.lpd import selectors, services
from cme.lpd.models import FileStatus, LpdFile, LpdPupil
from cme.lpd.tests.factories import lost_ctf, lost_pupil
from cme.lpd.tests.test_lpd import LOCATION, _search, _upload
from cme.matching.engine import PersonRecord
from cme.registers.models import Establishment, EstablishmentKind, Phase
from cme.returns import services as returns_services
from cme.returns.models import CTFRoute, DeletionReturn
from cme.returns.tests.factories import deletion
from cme.transfers.ctf import read_ctf

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_user(make_member: Any) -> Any:
    return make_member(Role.SCHOOL_USER)


@pytest.fixture
def outsider_officer(make_member: Any, other_authority: Authority) -> Any:
    return make_member(Role.CME_OFFICER, of=other_authority)


@pytest.fixture
def restricted(school_user: User, establishment: Establishment, authority: Authority) -> LpdPupil:
    """A lost pupil (postcode BF1 4QZ, Larkspur Road) who is a restricted child of `authority`."""
    done = services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil()]), actor=school_user
    )
    pupil: LpdPupil = done.file.pupils.get()
    make_child(
        authority,
        forename="Oliwia",
        surname="Kowalczyk",
        upn=pupil.upn,
        is_restricted=True,
        restriction_reason="Refuge",
    )
    return pupil


@pytest.fixture
def hillside(authority: Authority) -> Establishment:
    return Establishment.objects.create(
        la_code=authority.la_code,
        number="4001",
        name="Hillside Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )


def _school_member(authority: Authority, school: Establishment, name: str) -> User:
    user = User.objects.create_user(f"{name}@990.example.gov.uk", "a-long-test-password")
    Membership.objects.create(
        user=user, authority=authority, role=Role.SCHOOL_USER, establishment=school
    )
    TOTP.activate(user, generate_totp_secret())
    return user


# -- 1: the score of a withheld pupil carries no location ----------------------------------------

POSTCODES = ("BF1 4QZ", "BF1 4AA", "BF2 1AA", "ZZ9 9ZZ")


def test_a_withheld_pupils_score_and_rank_do_not_move_with_the_searched_location(
    outsider_officer: User, restricted: LpdPupil
) -> None:
    searcher = selectors.Searcher.for_user(outsider_officer)
    assert searcher is not None
    seen = set()
    for postcode in (*POSTCODES, ""):
        for address in ("", "12 Larkspur Road", "1 Nowhere Lane"):
            record = PersonRecord(
                id="q",
                forenames=("Oliwia",),
                surnames=("Kowalczyk",),
                postcode=postcode,
                address=address,
            )
            found = selectors.lpd_search(searcher, record)
            assert [c.pupil.pk for c in found] == [restricted.pk]
            hit = found[0]
            assert hit.withheld
            seen.add((hit.percent, hit.scored.probability, hit.scored.match_weight))
    assert len(seen) == 1


def test_an_unrestricted_pupils_score_still_uses_the_location(
    outsider_officer: User, school_user: User, establishment: Establishment
) -> None:
    services.lpd_file_upload(content=lost_ctf(establishment, [lost_pupil()]), actor=school_user)
    searcher = selectors.Searcher.for_user(outsider_officer)
    assert searcher is not None
    weights = {
        postcode: selectors.lpd_search(
            searcher,
            PersonRecord(id="q", forenames=("Oliwia",), surnames=("Kowalczyk",), postcode=postcode),
        )[0].scored.match_weight
        for postcode in ("BF1 4QZ", "ZZ9 9ZZ")
    }
    assert weights["BF1 4QZ"] > weights["ZZ9 9ZZ"]


def test_the_page_shows_the_same_percent_for_any_postcode(
    client_for: Any, outsider_officer: User, restricted: LpdPupil
) -> None:
    client = client_for(outsider_officer)
    pages = set()
    for postcode in ("BF1 4QZ", "ZZ9 9ZZ"):
        html = _search(client, forename="Oliwia", surname="Kowalczyk", postcode=postcode)
        pages.add(html.content.decode().split('id="results"')[1].count("99.9%"))
    assert len(pages) == 1


def test_the_api_gives_no_more_precision_than_the_page() -> None:
    assert lpd_api.shown_probability(0.123456789) == 0.123
    assert lpd_api.shown_probability(0.99991) == 0.999
    assert lpd_api.shown_probability(0.99999) == 0.999
    assert lpd_api.shown_probability(1.0) == 1.0


# -- 2 and 3: the download of a restricted child's CTF -------------------------------------------


def test_a_withheld_download_names_the_downloading_authority_not_the_school(
    client_for: Any, outsider_officer: User, restricted: LpdPupil, establishment: Establishment
) -> None:
    body = client_for(outsider_officer).post(f"/lpd/pupils/{restricted.pk}/download/", {}).content
    header = read_ctf(io.BytesIO(body)).header
    assert (header.source_lea, header.source_estab) == ("991", "0000")
    assert header.source_urn == "" and header.source_name == ""
    assert establishment.name.encode() not in body
    assert (establishment.urn or "").encode() not in body


def test_a_grant_holders_download_still_withholds_the_location(
    client_for: Any, make_member: Any, restricted: LpdPupil
) -> None:
    officer = make_member(Role.CME_OFFICER)
    RestrictionGrant.objects.create(
        child=Child.objects.get(upn=restricted.upn),
        user=officer,
        reason="Forwarding the CTF",
        granted_by=make_member(Role.CME_MANAGER),
    )
    client = client_for(officer)
    # The grant lets them see it on the page...
    assert "Larkspur Road" in client.get(f"/lpd/pupils/{restricted.pk}/").content.decode()
    # ...but the file they forward never carries it.
    body = client.post(f"/lpd/pupils/{restricted.pk}/download/", {"forward_to": "990/2001"}).content
    assert not [value for value in LOCATION if value.encode() in body]
    ctf = read_ctf(io.BytesIO(body))
    assert ctf.pupils[0].addresses == () and ctf.pupils[0].school_history == ()
    assert (ctf.header.source_lea, ctf.header.source_estab) == ("990", "0000")


# -- 10: the care authority of a withheld pupil ---------------------------------------------------


def test_a_withheld_pupils_care_authority_is_not_shown_or_written(
    client_for: Any, outsider_officer: User, restricted: LpdPupil
) -> None:
    client = client_for(outsider_officer)
    page = client.get(f"/lpd/pupils/{restricted.pk}/").content.decode()
    assert "by authority 802" not in page
    body = client.post(f"/lpd/pupils/{restricted.pk}/download/", {}).content
    assert b"CareAuthority" not in body
    looked_after = read_ctf(io.BytesIO(body)).pupils[0].looked_after
    assert looked_after is not None and looked_after.in_care


# -- 11: "Previous school" agrees on whole words or codes only ------------------------------------


def test_the_previous_school_agrees_on_whole_words_or_codes_only() -> None:
    schools = "LITTLE ORCHARD INFANTS | 990/2001 9902001 | MEADOW LANE PRIMARY SCHOOL"
    assert selectors.names_school("LITTLE ORCHARD", schools)
    assert selectors.names_school("MEADOW LANE PRIMARY SCHOOL", schools)
    assert selectors.names_school("990 / 2001", schools)
    assert selectors.names_school("9902001", schools)
    assert not selectors.names_school("1", schools)
    assert not selectors.names_school("SCHOOL MEADOW", schools)
    assert not selectors.names_school("ORCH", schools)


# -- 8: de-duplication is the uploader's own ------------------------------------------------------


def test_another_authoritys_upload_of_the_same_file_is_its_own(
    client_for: Any,
    make_member: Any,
    school_user: User,
    establishment: Establishment,
    other_authority: Authority,
) -> None:
    content = lost_ctf(establishment)
    first = services.lpd_file_upload(content=content, actor=school_user).file
    client = client_for(make_member(Role.CME_OFFICER, of=other_authority))
    response = _upload(client, content)
    theirs = LpdFile.objects.exclude(pk=first.pk).get()
    assert theirs.authority == other_authority
    assert response["Location"] == f"/lpd/uploads/{theirs.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_a_school_gets_not_your_school_even_when_the_file_is_stored(
    school_user: User, establishment: Establishment, authority: Authority, hillside: Establishment
) -> None:
    content = lost_ctf(establishment)
    services.lpd_file_upload(content=content, actor=school_user)
    other_school = _school_member(authority, hillside, "hill")
    with pytest.raises(services.UploadRefused, match="not written by your school"):
        services.lpd_file_upload(content=content, actor=other_school)


def test_the_api_never_gives_back_another_authoritys_file(
    make_member: Any, school_user: User, establishment: Establishment, other_authority: Authority
) -> None:
    content = lost_ctf(establishment)
    first = services.lpd_file_upload(content=content, actor=school_user).file
    created = api_services.api_token_create(
        actor=make_member(Role.ADMINISTRATOR, of=other_authority),
        authority=other_authority,
        name="CMS",
        for_authority=True,
    )
    response = Client().post(
        "/api/v1/lpd/files",
        {"ctf_xml": content.decode()},
        content_type="application/json",
        headers={"Authorization": f"Bearer {created.secret}"},
    )
    assert response.status_code == 201
    assert response.json()["id"] != first.pk


def test_a_concurrent_identical_upload_gives_the_existing_upload(
    monkeypatch: pytest.MonkeyPatch, school_user: User, establishment: Establishment
) -> None:
    content = lost_ctf(establishment)
    first = services.lpd_file_upload(content=content, actor=school_user).file
    real = services._existing
    calls: list[int] = []

    def not_yet_committed(*args: Any) -> LpdFile | None:
        calls.append(1)
        return None if len(calls) == 1 else real(*args)  # the other upload lands in between

    monkeypatch.setattr(services, "_existing", not_yet_committed)
    again = services.lpd_file_upload(content=content, actor=school_user)
    assert not again.created and again.file == first
    assert LpdFile.objects.count() == 1


def test_a_withdrawn_file_sent_again_keeps_every_withdrawn_row(
    make_member: Any,
    school_user: User,
    establishment: Establishment,
    other_authority: Authority,
) -> None:
    content = lost_ctf(establishment)
    first = services.lpd_file_upload(content=content, actor=school_user).file
    services.lpd_file_withdraw(upload=first, actor=school_user)
    officer_b = make_member(Role.CME_OFFICER, of=other_authority)
    theirs = services.lpd_file_upload(content=content, actor=officer_b)
    assert theirs.created and theirs.file.authority == other_authority
    again = services.lpd_file_upload(content=content, actor=school_user)
    assert again.created and again.file.pk != first.pk
    first.refresh_from_db()
    assert first.status == FileStatus.WITHDRAWN


# -- 6: a lost CTF sent to the LPD stops the school's 15-school-day clock -------------------------

UPN = make_upn("990", "2001", 19, 1)


def _deleted(establishment: Establishment, actor: User) -> DeletionReturn:
    on = timezone.localdate() - timedelta(days=3)
    ret: DeletionReturn = returns_services.deletion_return_submit(
        actor=actor,
        establishment=establishment,
        details=deletion(upn=UPN, deleted_on=on.isoformat(), last_attended_on=on.isoformat()),
    )
    assert ret.ctf_due_on is not None and ret.ctf_sent_on is None
    return ret


def test_a_schools_lost_ctf_upload_stops_its_clock(
    school_user: User, establishment: Establishment
) -> None:
    ret = _deleted(establishment, school_user)
    services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil(upn=UPN)]), actor=school_user
    )
    ret.refresh_from_db()
    assert ret.ctf_sent_on == timezone.localdate()
    assert ret.ctf_sent_via == CTFRoute.LOST


def test_its_authoritys_upload_stops_the_clock_too(
    make_member: Any, school_user: User, establishment: Establishment
) -> None:
    ret = _deleted(establishment, school_user)
    services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil(upn=UPN)], dest=("MMM", "MMMM")),
        actor=make_member(Role.CME_OFFICER),
    )
    ret.refresh_from_db()
    assert ret.ctf_sent_on == timezone.localdate()
    assert ret.ctf_sent_via == CTFRoute.LOST


def test_another_authoritys_upload_leaves_the_clock_alone(
    make_member: Any, school_user: User, establishment: Establishment, other_authority: Authority
) -> None:
    ret = _deleted(establishment, school_user)
    services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil(upn=UPN)]),
        actor=make_member(Role.CME_OFFICER, of=other_authority),
    )
    ret.refresh_from_db()
    assert ret.ctf_sent_on is None
