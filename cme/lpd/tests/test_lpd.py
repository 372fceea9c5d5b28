"""The Lost Pupil Database: uploads, search, opening and downloading, restricted children and the
activity figures."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cme.accounts.models import Role
from cme.children.models import RestrictionGrant
from cme.core.models import AuditAction, AuditEvent
from cme.lpd import selectors, services
from cme.lpd.models import EventKind, FileStatus, LpdEvent, LpdFile, LpdKey, LpdPupil
from cme.lpd.tests.factories import lost_ctf, lost_pupil
from cme.matching.engine import PersonRecord
from cme.registers.models import Establishment, EstablishmentKind, Phase
from cme.transfers.ctf import read_ctf

pytestmark = pytest.mark.django_db


def _upload(client: Any, content: bytes, name: str = "lost.xml") -> Any:
    return client.post(
        "/lpd/upload/", {"file": SimpleUploadedFile(name, content, "application/xml")}
    )


def _search(client: Any, **fields: str) -> Any:
    return client.post("/lpd/search/", fields)


@pytest.fixture
def school_user(make_member: Any) -> Any:
    return make_member(Role.SCHOOL_USER)


@pytest.fixture
def outsider_officer(make_member: Any, other_authority: Any) -> Any:
    """A CME officer of another authority: the LPD is shared, so they search every upload."""
    return make_member(Role.CME_OFFICER, of=other_authority)


def _stored(school_user: Any, establishment: Establishment, **pupil: Any) -> LpdPupil:
    done = services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil(**pupil)]), actor=school_user
    )
    return done.file.pupils.get()


# -- Upload ---------------------------------------------------------------------------------------


def test_a_school_uploads_its_lost_ctf_and_each_pupil_is_indexed(
    client_for: Any, school_user: Any, establishment: Establishment, authority: Any
) -> None:
    pupils = [lost_pupil(), lost_pupil(forename="Jakub", sex="M")]
    response = _upload(client_for(school_user), lost_ctf(establishment, pupils))
    upload = LpdFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/lpd/uploads/{upload.pk}/"
    assert upload.establishment == establishment and upload.authority == authority
    assert upload.pupil_count == 2 and upload.destination == "unknown"
    assert sorted(upload.pupils.values_list("forename", flat=True)) == ["Jakub", "Oliwia"]
    assert LpdKey.objects.filter(pupil__file=upload).count() >= 2 * 5
    assert LpdEvent.objects.filter(kind=EventKind.UPLOAD, authority=authority).count() == 1
    event = AuditEvent.objects.get(target_type="lpd.lpdfile", action=AuditAction.IMPORTED)
    assert event.payload["pupils"] == 2
    assert "Oliwia" not in str(event.payload)


def test_the_same_file_twice_is_the_existing_upload(
    client_for: Any, school_user: Any, establishment: Establishment
) -> None:
    content = lost_ctf(establishment)
    client = client_for(school_user)
    _upload(client, content)
    again = _upload(client, content, name="copy.xml")
    upload = LpdFile.objects.get()
    assert again["Location"] == f"/lpd/uploads/{upload.pk}/"
    assert LpdPupil.objects.count() == 1
    assert LpdEvent.objects.filter(kind=EventKind.UPLOAD).count() == 1


def test_a_ctf_with_a_known_destination_is_refused(
    client_for: Any, school_user: Any, establishment: Establishment
) -> None:
    response = _upload(client_for(school_user), lost_ctf(establishment, dest=("991", "3001")))
    assert response.status_code == 200
    assert "send it to that school" in response.content.decode()
    assert not LpdFile.objects.exists()


def test_a_ctf_for_a_pupil_gone_abroad_is_accepted(
    school_user: Any, establishment: Establishment
) -> None:
    done = services.lpd_file_upload(
        content=lost_ctf(establishment, dest=("MMM", "MMMM")), actor=school_user
    )
    assert done.created and done.file.destination == "abroad"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"upn,surname\nA1,Smith\n", "not XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY x "y">]><CTfile/>',
            "DTD or entity",
        ),
        (b"<?xml version='1.0'?><Roll><Pupil/></Roll>", "not a CTF"),
    ],
)
def test_a_file_the_reader_refuses_is_refused_with_its_reason(
    client_for: Any, school_user: Any, content: bytes, reason: str
) -> None:
    response = _upload(client_for(school_user), content)
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not LpdFile.objects.exists()


def test_a_school_may_not_upload_another_schools_ctf(
    school_user: Any, establishment: Establishment
) -> None:
    with pytest.raises(services.UploadRefused, match="not written by your school"):
        services.lpd_file_upload(content=lost_ctf(source=("990", "2999")), actor=school_user)


def test_a_pupil_that_cannot_be_read_is_reported_and_the_rest_stored(
    school_user: Any, establishment: Establishment
) -> None:
    unreadable = lost_pupil(upn="", forename="", surname="", preferred_forename="")
    done = services.lpd_file_upload(
        content=lost_ctf(establishment, [lost_pupil(), unreadable, lost_pupil(forename="Jan")]),
        actor=school_user,
    )
    assert done.file.pupil_count == 2
    assert any("pupil 2" in error for error in done.file.errors)


def test_an_officer_may_upload_for_their_authority(make_member: Any, authority: Any) -> None:
    officer = make_member(Role.CME_OFFICER)
    done = services.lpd_file_upload(content=lost_ctf(source=("990", "2555")), actor=officer)
    assert done.file.authority == authority and done.file.establishment is None


# -- Who sees which uploads -------------------------------------------------------------------------


def test_a_school_sees_only_its_own_uploads(
    client_for: Any,
    school_user: Any,
    make_member: Any,
    establishment: Establishment,
    authority: Any,
) -> None:
    own = _stored(school_user, establishment).file
    officer = make_member(Role.CME_OFFICER)
    theirs = services.lpd_file_upload(content=lost_ctf(source=("990", "2555")), actor=officer)
    client = client_for(school_user)
    listing = client.get("/lpd/").content.decode()
    assert f"Lost CTF {own.pk}" in listing and f"Lost CTF {theirs.file.pk}" not in listing
    assert client.get(f"/lpd/uploads/{theirs.file.pk}/").status_code == 404
    # The authority's officers answer for their schools' files.
    assert f"Lost CTF {own.pk}" in client_for(officer).get("/lpd/").content.decode()


def test_a_school_withdraws_its_upload_and_it_is_found_no_more(
    client_for: Any,
    school_user: Any,
    outsider_officer: Any,
    establishment: Establishment,
) -> None:
    pupil = _stored(school_user, establishment)
    upload = pupil.file
    stranger = client_for(outsider_officer)
    assert stranger.post(f"/lpd/uploads/{upload.pk}/withdraw/").status_code == 404
    response = client_for(school_user).post(f"/lpd/uploads/{upload.pk}/withdraw/")
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == FileStatus.WITHDRAWN and bytes(upload.content) == b""
    assert not LpdKey.objects.exists()
    assert (
        "No possible matches"
        in _search(stranger, forename="Oliwia", surname="Kowalczyk").content.decode()
    )
    assert stranger.get(f"/lpd/pupils/{pupil.pk}/").status_code == 404


# -- Search ---------------------------------------------------------------------------------------------


def test_search_finds_a_lost_pupil_from_a_misspelt_name_across_authorities(
    client_for: Any, school_user: Any, outsider_officer: Any, establishment: Establishment
) -> None:
    wanted = _stored(school_user, establishment)
    for forename, surname in [("Amelia", "Pemberton"), ("Oscar", "Kowalski"), ("Ruby", "Khan")]:
        _stored(school_user, establishment, forename=forename, surname=surname)
    response = _search(
        client_for(outsider_officer),
        forename="Olivia",
        surname="Kowalcyk",
        date_of_birth_0="9",
        date_of_birth_1="3",
        date_of_birth_2="2014",
    )
    page = response.content.decode()
    assert response.status_code == 200
    first = page.index("1. Lost CTF from")
    assert f"/lpd/pupils/{wanted.pk}/" in page[first : first + 2500]
    assert "Close" in page and "Agrees" in page


def test_the_search_ranks_the_right_pupil_first_and_reads_candidates_by_key(
    outsider_officer: Any, school_user: Any, establishment: Establishment
) -> None:
    wanted = _stored(school_user, establishment)
    other = _stored(school_user, establishment, forename="Oskar", dob=date(2013, 1, 2))
    searcher = selectors.Searcher.for_user(outsider_officer)
    assert searcher is not None
    found = selectors.lpd_search(
        searcher,
        PersonRecord(id="q", forenames=("Oliwia",), surnames=("Kowalczik",), dob=date(2014, 3, 9)),
    )
    assert found[0].pupil == wanted
    assert other not in [c.pupil for c in found[:1]]
    assert found[0].scored.probability > found[-1].scored.probability or len(found) == 1


def test_the_previous_school_is_evidence(
    outsider_officer: Any, school_user: Any, establishment: Establishment
) -> None:
    _stored(school_user, establishment)
    searcher = selectors.Searcher.for_user(outsider_officer)
    assert searcher is not None
    record = PersonRecord(id="q", forenames=("Oliwia",), surnames=("Kowalczyk",))
    hit = selectors.lpd_search(searcher, record, previous_school="little orchard")[0]
    assert [e.verdict for e in hit.evidence if e.field == "Previous school"] == ["agrees"]
    miss = selectors.lpd_search(searcher, record, previous_school="Hilltop")[0]
    assert [e.verdict for e in miss.evidence if e.field == "Previous school"] == ["disagrees"]


def test_a_search_is_posted_audited_by_field_names_and_counted(
    client_for: Any, outsider_officer: Any, other_authority: Any
) -> None:
    client = client_for(outsider_officer)
    assert client.get("/lpd/search/").status_code == 200
    response = _search(client, forename="Oliwia", surname="Kowalczyk", postcode="BF1 4QZ")
    assert response.status_code == 200
    event = AuditEvent.objects.get(target_type="lpd.search")
    assert event.payload["fields"] == ["forename", "postcode", "surname"]
    assert "Oliwia" not in str(event.payload) and "BF1" not in str(event.payload)
    assert LpdEvent.objects.filter(kind=EventKind.SEARCH, authority=other_authority).count() == 1


def test_an_empty_search_asks_for_something(client_for: Any, outsider_officer: Any) -> None:
    page = _search(client_for(outsider_officer)).content.decode()
    assert "Enter something you know about the child" in page
    assert not LpdEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.SCHOOL_USER, Role.CASEWORKER, Role.PARTNER, Role.AUDITOR])
def test_only_cme_officers_and_managers_search(
    client_for: Any, make_member: Any, role: Role
) -> None:
    client = client_for(make_member(role))
    assert client.get("/lpd/search/").status_code == 403
    assert _search(client, forename="Oliwia").status_code == 403


# -- Opening and downloading ----------------------------------------------------------------------------


def test_opening_a_hit_shows_the_record_and_is_audited(
    client_for: Any,
    school_user: Any,
    outsider_officer: Any,
    establishment: Establishment,
    other_authority: Any,
) -> None:
    pupil = _stored(school_user, establishment)
    page = client_for(outsider_officer).get(f"/lpd/pupils/{pupil.pk}/").content.decode()
    assert "Oliwia" in page and "Larkspur Road" in page and "Little Orchard Infants" in page
    event = AuditEvent.objects.get(target_type="lpd.lpdpupil", action=AuditAction.VIEWED)
    assert event.target_id == str(pupil.pk) and event.authority_id == other_authority.pk
    assert LpdEvent.objects.filter(kind=EventKind.OPEN).count() == 1


def test_the_download_is_that_pupils_ctf_addressed_to_the_school_it_is_forwarded_to(
    client_for: Any,
    school_user: Any,
    outsider_officer: Any,
    establishment: Establishment,
    other_authority: Any,
) -> None:
    pupils = [lost_pupil(), lost_pupil(forename="Jakub", sex="M")]
    services.lpd_file_upload(content=lost_ctf(establishment, pupils), actor=school_user)
    jakub = LpdPupil.objects.get(forename="Jakub")
    new_school = Establishment.objects.create(
        la_code="991",
        number="3005",
        name="Harbour Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    response = client_for(outsider_officer).post(
        f"/lpd/pupils/{jakub.pk}/download/", {"forward_to": "991/3005"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="lost-ctf-{jakub.pk}.xml"'
    ctf = read_ctf(io.BytesIO(response.content))
    assert [p.forename for p in ctf.pupils] == ["Jakub"]
    assert (ctf.header.dest_lea, ctf.header.dest_estab) == ("991", "3005")
    assert (ctf.header.source_lea, ctf.header.source_estab) == ("990", "2001")
    assert ctf.pupils[0].addresses and ctf.pupils[0].school_history
    assert [e for e in ctf.errors if "schema" in e] == []
    assert LpdEvent.objects.get(kind=EventKind.DOWNLOAD).authority == other_authority
    audit = AuditEvent.objects.get(action=AuditAction.EXPORTED, target_type="lpd.lpdpupil")
    assert audit.payload["forwarded_to"] == new_school.pk


def test_a_download_to_an_unknown_school_number_is_refused_on_the_page(
    client_for: Any, school_user: Any, outsider_officer: Any, establishment: Establishment
) -> None:
    pupil = _stored(school_user, establishment)
    response = client_for(outsider_officer).post(
        f"/lpd/pupils/{pupil.pk}/download/", {"forward_to": "991/9999"}
    )
    assert response.status_code == 200
    assert "There is no school with that number" in response.content.decode()
    assert not LpdEvent.objects.filter(kind=EventKind.DOWNLOAD).exists()


def test_a_download_without_a_school_keeps_the_destination_unknown(
    client_for: Any, school_user: Any, outsider_officer: Any, establishment: Establishment
) -> None:
    pupil = _stored(school_user, establishment)
    response = client_for(outsider_officer).post(f"/lpd/pupils/{pupil.pk}/download/", {})
    ctf = read_ctf(io.BytesIO(response.content))
    assert ctf.header.destination == "unknown"


# -- Restricted children ------------------------------------------------------------------------------


@pytest.fixture
def restricted_lost_pupil(
    school_user: Any, establishment: Establishment, authority: Any
) -> LpdPupil:
    """A lost CTF whose pupil is, unknown to the uploading school, a restricted child of the
    uploading school's authority."""
    pupil = _stored(school_user, establishment)
    from cme.cases.tests.factories import make_child

    make_child(
        authority,
        forename="Oliwia",
        surname="Kowalczyk",
        upn=pupil.upn,
        is_restricted=True,
        restriction_reason="Refuge",
    )
    return pupil


LOCATION = ["Larkspur Road", "BF1 4QZ", "Little Orchard Infants", "Brambleford", "07700 900789"]


def test_a_restricted_childs_location_is_never_shown_to_another_authority(
    client_for: Any, outsider_officer: Any, restricted_lost_pupil: LpdPupil
) -> None:
    client = client_for(outsider_officer)
    results = _search(
        client, forename="Oliwia", surname="Kowalczyk", postcode="BF1 4QZ", address="Larkspur Road"
    ).content.decode()
    assert selectors.WITHHELD_LABEL in results
    assert f"/lpd/pupils/{restricted_lost_pupil.pk}/" in results
    # The query's own postcode is in the form; nothing of the record's location elsewhere.
    shown = results.split('id="results"')[1]
    assert not [value for value in LOCATION if value in shown]
    page = client.get(f"/lpd/pupils/{restricted_lost_pupil.pk}/").content.decode()
    assert "Oliwia" in page
    assert not [value for value in LOCATION if value in page]
    download = client.post(f"/lpd/pupils/{restricted_lost_pupil.pk}/download/", {})
    ctf = read_ctf(io.BytesIO(download.content))
    assert ctf.pupils[0].addresses == () and ctf.pupils[0].school_history == ()
    assert all(c.address is None and not c.phones for c in ctf.pupils[0].contacts)
    assert not [value for value in LOCATION if value.encode() in download.content]
    audit = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert audit.payload["location_withheld"] is True


def test_the_restricting_authority_sees_the_location_only_with_a_grant(
    client_for: Any, make_member: Any, restricted_lost_pupil: LpdPupil
) -> None:
    officer = make_member(Role.CME_OFFICER)
    client = client_for(officer)
    url = f"/lpd/pupils/{restricted_lost_pupil.pk}/"
    assert "Larkspur Road" not in client.get(url).content.decode()
    from cme.children.models import Child

    RestrictionGrant.objects.create(
        child=Child.objects.get(upn=restricted_lost_pupil.upn),
        user=officer,
        reason="Forwarding the CTF",
        granted_by=make_member(Role.CME_MANAGER),
    )
    assert "Larkspur Road" in client.get(url).content.decode()


def test_a_former_upn_of_a_restricted_child_also_withholds(
    outsider_officer: Any,
    school_user: Any,
    establishment: Establishment,
    authority: Any,
) -> None:
    from cme.cases.tests.factories import make_child
    from cme.children.models import FormerUPN

    pupil = _stored(school_user, establishment)
    child = make_child(authority, is_restricted=True, restriction_reason="Witness protection")
    FormerUPN.objects.create(child=child, upn=pupil.upn)
    searcher = selectors.Searcher.for_user(outsider_officer)
    assert searcher is not None
    assert selectors.pupil_withheld(pupil, searcher)
    found = selectors.lpd_search(
        searcher, PersonRecord(id="q", forenames=("Oliwia",), surnames=("Kowalczyk",))
    )
    assert found[0].withheld
    assert not {"Postcode", "Address"} & {e.field for e in found[0].evidence}


@pytest.mark.parametrize(
    ("child_fields", "other_name", "withheld"),
    [
        # No UPN in common: a new UPN, or none, is what a family fleeing harm may have.
        ({"surname": "Kowalczyk", "forename": "Maja"}, None, True),
        ({"surname": "Nowak", "forename": "oliwia"}, None, True),
        ({"surname": "Nowak", "forename": "Maja"}, ("Oliwia", "Kowalczyk"), True),
        ({"surname": "Nowak", "forename": "Maja"}, None, False),  # born the same day only
        ({"surname": "Kowalczyk", "date_of_birth": date(2014, 3, 10)}, None, False),
    ],
)
def test_a_restricted_child_known_by_name_and_birth_date_also_withholds(
    outsider_officer: Any,
    client_for: Any,
    school_user: Any,
    establishment: Establishment,
    authority: Any,
    child_fields: dict[str, Any],
    other_name: tuple[str, str] | None,
    withheld: bool,
) -> None:
    from cme.cases.tests.factories import make_child
    from cme.children.models import OtherName

    pupil = _stored(school_user, establishment)  # Oliwia Kowalczyk, born 9 March 2014
    child = make_child(
        authority,
        **{"date_of_birth": date(2014, 3, 9), **child_fields},
        upn="",
        is_restricted=True,
        restriction_reason="Refuge",
    )
    if other_name:
        OtherName.objects.create(
            child=child, kind="alias", forename=other_name[0], surname=other_name[1]
        )
    searcher = selectors.Searcher.for_user(outsider_officer)
    assert searcher is not None
    assert selectors.pupil_withheld(pupil, searcher) is withheld
    found = selectors.lpd_search(
        searcher, PersonRecord(id="q", forenames=("Oliwia",), surnames=("Kowalczyk",))
    )
    assert found[0].withheld is withheld
    download = client_for(outsider_officer).post(f"/lpd/pupils/{pupil.pk}/download/", {})
    assert (b"Larkspur Road" not in download.content) is withheld


# -- Activity -----------------------------------------------------------------------------------------


def test_activity_is_counted_per_authority_per_month(
    authority: Any, other_authority: Any, make_member: Any
) -> None:
    today = date(2026, 11, 28)
    this_month = timezone.make_aware(datetime(2026, 11, 3, 10))
    last_month = timezone.make_aware(datetime(2026, 10, 30, 10))
    for kind, when in [
        (EventKind.UPLOAD, this_month),
        (EventKind.SEARCH, this_month),
        (EventKind.SEARCH, this_month),
        (EventKind.DOWNLOAD, last_month),
        (EventKind.OPEN, last_month),
        (EventKind.SEARCH, this_month - timedelta(days=400)),
    ]:
        LpdEvent.objects.create(authority=authority, kind=kind, occurred_at=when)
    LpdEvent.objects.create(
        authority=other_authority, kind=EventKind.SEARCH, occurred_at=this_month
    )
    rows = selectors.lpd_activity_by_month(authority, 3, today=today)
    assert [r.month for r in rows] == [date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1)]
    assert [(r.uploads, r.searches, r.downloads, r.opened) for r in rows] == [
        (1, 2, 0, 0),
        (0, 0, 1, 1),
        (0, 0, 0, 0),
    ]


def test_the_activity_page_is_for_managers(
    client_for: Any, make_member: Any, school_user: Any, establishment: Establishment
) -> None:
    _stored(school_user, establishment)
    page = client_for(make_member(Role.CME_MANAGER)).get("/lpd/activity/")
    assert page.status_code == 200
    assert "Lost Pupil Database activity" in page.content.decode()
    assert timezone.localdate().strftime("%B %Y") in page.content.decode()
    assert client_for(make_member(Role.CME_OFFICER)).get("/lpd/activity/").status_code == 403
