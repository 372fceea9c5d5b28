"""Import pages: upload (with the file's size, encoding and columns checked at once), progress,
preview, confirm and cancel — for CME officers and managers of the authority only."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cme.accounts.models import Authority, Role, User
from cme.core.models import AuditAction, AuditEvent
from cme.registers.imports import csvfile
from cme.registers.models import (
    Establishment,
    EstablishmentKind,
    ImportBatch,
    ImportKind,
    ImportStatus,
    Phase,
    RollEntry,
)
from cme.registers.tests.test_imports import pupil, roll_csv

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
MakeMember = Callable[..., User]


@pytest.fixture(autouse=True)
def _imports_run_in_the_request(settings: Any) -> None:
    settings.CME_IMPORTS_RUN = "sync"


@pytest.fixture
def officer(make_member: MakeMember) -> User:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def client(officer: User, client_for: ClientFor) -> Client:
    return client_for(officer)


def post_file(
    client: Client,
    content: bytes,
    establishment: Establishment | None,
    kind: str = "roll",
) -> Any:
    data: dict[str, Any] = {
        "kind": kind,
        "file": SimpleUploadedFile("roll.csv", content, content_type="text/csv"),
    }
    if establishment is not None:
        data["establishment"] = str(establishment.pk)
    return client.post(reverse("import_upload"), data)


def test_an_officer_uploads_previews_and_confirms_a_roll(
    client: Client, establishment: Establishment
) -> None:
    response = post_file(client, roll_csv([pupil(1), pupil(2)]).encode(), establishment)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_detail", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Check the changes before you import them" in page
    assert pupil(1)["upn"] in page and "Confirm and import" in page

    response = client.post(reverse("import_confirm", args=[batch.pk]))

    assert response.status_code == 302
    assert RollEntry.objects.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Import complete" in page and "2 new, 0 changed, 0 left the roll" in page
    actions = list(
        AuditEvent.objects.filter(target_type="registers.importbatch")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATED, AuditAction.UPDATED, AuditAction.IMPORTED]


def test_a_file_with_a_byte_order_mark_is_read(
    client: Client, establishment: Establishment
) -> None:
    content = codecs.BOM_UTF8 + roll_csv([pupil(1)]).encode()

    post_file(client, content, establishment)

    assert ImportBatch.objects.get().status == ImportStatus.READY


def test_wrong_columns_are_refused_at_once_saying_which(
    client: Client, establishment: Establishment
) -> None:
    content = roll_csv([pupil(1)]).replace(",postcode,", ",post_town,", 1).encode()

    response = post_file(client, content, establishment)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Error: " in page.split("</title>")[0]
    assert "The file is missing the column postcode" in page
    assert "the values may be blank, but the column must be there" in page
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The selected file is empty"),
        (b"   \n", "The selected file is empty"),
        ("upn,forename\n".encode("utf-16"), "The selected file must be a CSV file"),
        ("é".encode("latin-1") + b"\n", "saved as ‘CSV UTF-8’"),
        (csvfile.ROLL.header.encode() + b"\n", "The file has a header but no rows"),
        (b'upn,"forename\nA', "could not be read as CSV"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_the_reason(
    client: Client, establishment: Establishment, content: bytes, message: str
) -> None:
    response = post_file(client, content, establishment)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_files_over_the_size_or_row_limit_are_refused(
    client: Client, establishment: Establishment, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = roll_csv([pupil(1)]).encode() + b"," * (csvfile.MAX_BYTES + 1)
    response = post_file(client, big, establishment)
    assert "The selected file must be smaller than 5MB" in response.content.decode()

    monkeypatch.setattr(csvfile, "MAX_ROWS", 3)
    response = post_file(client, roll_csv([pupil(n) for n in range(1, 5)]).encode(), establishment)
    assert "The file must have at most 3 rows" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_roll_needs_a_school_of_the_authoritys_own_area(
    client: Client, establishment: Establishment, other_authority: Authority
) -> None:
    elsewhere = Establishment.objects.create(
        la_code=other_authority.la_code,
        number="3001",
        name="Far Away School",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.PRIMARY,
    )
    page = client.get(reverse("import_upload")).content.decode()
    assert "Meadow Lane Primary School" in page and "Far Away School" not in page

    response = post_file(client, roll_csv([pupil(1)]).encode(), None)
    assert "Choose the school whose roll this is" in response.content.decode()
    response = post_file(client, roll_csv([pupil(1)]).encode(), elsewhere)
    assert "Select a valid choice" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_invalid_file_shows_its_problems_by_row_and_no_confirm_button(
    client: Client, establishment: Establishment
) -> None:
    post_file(client, roll_csv([pupil(1), pupil(2, dob="31/02/2015")]).encode(), establishment)
    batch = ImportBatch.objects.get()

    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()

    assert "The file has problems" in page
    assert "‘31/02/2015’ is not a real date" in page
    assert "Confirm and import" not in page
    response = client.post(reverse("import_confirm", args=[batch.pk]), follow=True)
    assert "This import is not waiting to be confirmed" in response.content.decode()


def test_the_progress_page_works_without_javascript(
    client: Client, establishment: Establishment, settings: Any
) -> None:
    settings.CME_IMPORTS_RUN = "worker"
    post_file(client, roll_csv([pupil(1)]).encode(), establishment)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.VALIDATING, rows_done=0)

    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()

    assert "Checked 0 of 1 rows (0%)" in page
    assert f'href="{reverse("import_detail", args=[batch.pk])}"' in page  # refresh by a link
    assert "<script>" not in page and 'http-equiv="refresh"' not in page


def test_cancelling_a_checked_import_discards_it(
    client: Client, establishment: Establishment
) -> None:
    post_file(client, roll_csv([pupil(1)]).encode(), establishment)
    batch = ImportBatch.objects.get()

    response = client.post(reverse("import_cancel", args=[batch.pk]))

    assert response["Location"] == reverse("import_list")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and batch.content == ""
    assert not RollEntry.objects.exists()


def test_the_import_list_shows_the_authoritys_imports_in_few_queries(
    client: Client,
    officer: User,
    establishment: Establishment,
    other_authority: Authority,
    make_member: MakeMember,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(1, 6):
        post_file(client, roll_csv([pupil(n)]).encode(), establishment)
    outsider = make_member(Role.CME_OFFICER, of=other_authority)
    ImportBatch.objects.create(
        authority=other_authority,
        kind=ImportKind.ESTABLISHMENTS,
        uploaded_by=outsider,
        sha256="0" * 64,
    )

    with django_assert_max_num_queries(12):
        response = client.get(reverse("import_list"))

    page = response.content.decode()
    assert "5 imports, newest first" in page
    assert page.count("Pupils on roll: Meadow Lane Primary School") == 5


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SCHOOL_USER, Role.AUDITOR])
def test_people_who_do_not_import_are_refused(
    role: Role, make_member: MakeMember, client_for: ClientFor, establishment: Establishment
) -> None:
    other = client_for(make_member(role))
    assert other.get(reverse("import_list")).status_code == 403
    assert post_file(other, roll_csv([pupil(1)]).encode(), establishment).status_code == 403
    assert not ImportBatch.objects.exists()


def test_another_authoritys_officer_cannot_see_or_confirm_an_import(
    client: Client,
    establishment: Establishment,
    make_member: MakeMember,
    client_for: ClientFor,
    other_authority: Authority,
) -> None:
    post_file(client, roll_csv([pupil(1)]).encode(), establishment)
    batch = ImportBatch.objects.get()
    outsider = client_for(make_member(Role.CME_OFFICER, of=other_authority))

    assert outsider.get(reverse("import_detail", args=[batch.pk])).status_code == 404
    assert outsider.post(reverse("import_confirm", args=[batch.pk])).status_code == 404
    assert outsider.post(reverse("import_cancel", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.READY
