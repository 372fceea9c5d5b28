"""The pages: school users send returns by form and CSV for their own school only; the CME team
reads every return of its authority and keeps the EHE register."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cme.accounts.models import Membership, Role, User
from cme.cases.tests.factories import make_child, open_case
from cme.children.models import Child
from cme.children.upn import make_upn
from cme.registers.models import Establishment, EstablishmentKind, Phase
from cme.returns import services
from cme.returns.grounds import Ground
from cme.returns.models import DeletionReturn, EHERegistration, EHEStatus, NewPupilReturn
from cme.returns.tests.factories import days_ago, deletion, deletion_row, new_pupil, new_pupil_row
from cme.returns.uploads import LAYOUTS

pytestmark = pytest.mark.django_db

DATE_FIELDS = {
    "date_of_birth",
    "deleted_on",
    "last_attended_on",
    "destination_starts_on",
    "admitted_on",
    "started_on",
    "ended_on",
}


def as_post(row: dict[str, Any]) -> dict[str, str]:
    """A data row as the GOV.UK form posts it: dates in three boxes, yes/no as a checkbox."""
    data: dict[str, str] = {}
    for name, value in row.items():
        if name in DATE_FIELDS:
            parts = value.split("-") if value else ["", "", ""]
            data[f"{name}_0"], data[f"{name}_1"], data[f"{name}_2"] = parts[2], parts[1], parts[0]
        elif name == "welfare_concerns":
            if value == "yes":
                data[name] = "on"
        else:
            data[name] = value
    return data


def csv_file(kind: str, rows: list[dict[str, Any]]) -> SimpleUploadedFile:
    names = [c.name for c in LAYOUTS[kind].columns]
    out = io.StringIO()
    out.write(",".join(names) + "\n")
    for row in rows:
        out.write(",".join(f'"{row.get(n, "")}"' for n in names) + "\n")
    return SimpleUploadedFile("returns.csv", out.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def school_user(make_member: Any) -> Any:
    return make_member(Role.SCHOOL_USER)


@pytest.fixture
def other_school_user(authority: Any) -> User:
    """A school user at another school of the same authority."""
    other = Establishment.objects.create(
        la_code=authority.la_code,
        number="4001",
        name="Hillside Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    user = User.objects.create_user("other-school@990.example.gov.uk", "pw", full_name="Other")
    Membership.objects.create(
        user=user, authority=authority, role=Role.SCHOOL_USER, establishment=other
    )
    TOTP.activate(user, generate_totp_secret())
    return user


# -- The forms -------------------------------------------------------------------------------


def test_a_school_user_sends_a_deletion_return_by_form(
    school_user: User, client_for: Any, establishment: Any
) -> None:
    client = client_for(school_user)
    assert client.get(reverse("returns_deletion_new")).status_code == 200
    response = client.post(reverse("returns_deletion_new"), as_post(deletion_row()))
    ret = DeletionReturn.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("returns_deletion_detail", args=[ret.pk])
    assert ret.establishment == establishment and ret.submitted_by == school_user
    assert ret.case is not None  # moved away, no destination: tracked
    page = client.get(response["Location"]).content.decode()
    assert "Amelia Pemberton" in page and ret.reference in page
    assert "reg 9(1)(e)" in page
    # The school does not see the authority's case.
    assert ret.case.reference not in page
    listing = client.get(reverse("returns_list")).content.decode()
    assert ret.reference in listing and "On time" in listing


def test_a_deletion_form_with_mistakes_keeps_what_was_typed(
    school_user: User, client_for: Any
) -> None:
    row = deletion_row(surname="", postcode="nonsense", deleted_on="")
    response = client_for(school_user).post(reverse("returns_deletion_new"), as_post(row))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "Enter the pupil&#x27;s legal last name" in page
    assert "Enter the date the pupil&#x27;s name was removed" in page
    assert 'value="nonsense"' in page and 'value="Amelia"' in page
    assert not DeletionReturn.objects.exists()


def test_the_form_explains_a_refused_joint_enquiry_ground(
    school_user: User, client_for: Any
) -> None:
    row = deletion_row(ground=Ground.CONTINUOUS_ABSENCE.value)
    response = client_for(school_user).post(reverse("returns_deletion_new"), as_post(row))
    assert response.status_code == 200
    assert "make reasonable enquiries together" in response.content.decode()
    assert not DeletionReturn.objects.exists()


def test_sending_the_same_form_twice_says_it_was_already_sent(
    school_user: User, client_for: Any
) -> None:
    client = client_for(school_user)
    client.post(reverse("returns_deletion_new"), as_post(deletion_row()))
    response = client.post(reverse("returns_deletion_new"), as_post(deletion_row()))
    assert "You have already sent this return" in response.content.decode()
    assert DeletionReturn.objects.count() == 1


def test_a_school_user_sends_a_new_pupil_return_by_form(school_user: User, client_for: Any) -> None:
    client = client_for(school_user)
    assert client.get(reverse("returns_new_pupil_new")).status_code == 200
    response = client.post(reverse("returns_new_pupil_new"), as_post(new_pupil_row()))
    ret = NewPupilReturn.objects.get()
    assert response["Location"] == reverse("returns_new_pupil_detail", args=[ret.pk])
    assert "Oliver Hartley" in client.get(response["Location"]).content.decode()


def test_a_late_return_is_flagged_in_the_list_and_on_its_page(
    school_user: User, client_for: Any, establishment: Any
) -> None:
    ret = services.deletion_return_submit(
        actor=school_user,
        establishment=establishment,
        details=deletion(
            deleted_on=days_ago(20).isoformat(), last_attended_on=days_ago(25).isoformat()
        ),
    )
    client = client_for(school_user)
    assert ">Late<" in client.get(reverse("returns_list")).content.decode()
    page = client.get(reverse("returns_deletion_detail", args=[ret.pk])).content.decode()
    assert "This return was late" in page


# -- CSV uploads -------------------------------------------------------------------------------


def test_a_csv_of_deletion_returns_is_saved(school_user: User, client_for: Any) -> None:
    rows = [deletion_row(), deletion_row(upn="", forename="Ada", ground="DIED")]
    response = client_for(school_user).post(
        reverse("returns_upload"), {"kind": "deletion", "file": csv_file("deletion", rows)}
    )
    assert response.status_code == 302
    assert DeletionReturn.objects.count() == 2
    assert set(DeletionReturn.objects.values_list("channel", flat=True)) == {"csv"}


def test_a_csv_with_one_bad_row_saves_nothing_and_names_the_row(
    school_user: User, client_for: Any
) -> None:
    rows = [
        new_pupil_row(),
        new_pupil_row(upn="", forename="Isla"),
        new_pupil_row(upn="", forename="Noah", date_of_birth="2013-02-30"),
    ]
    response = client_for(school_user).post(
        reverse("returns_upload"), {"kind": "new_pupil", "file": csv_file("new_pupil", rows)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "nothing has been saved" in page
    assert ">4<" in page and "date_of_birth" in page  # the header is row 1
    assert not NewPupilReturn.objects.exists()


def test_the_same_csv_twice_adds_nothing_new(school_user: User, client_for: Any) -> None:
    rows = [new_pupil_row(), new_pupil_row(upn="", forename="Isla")]
    client = client_for(school_user)
    for _ in range(2):
        response = client.post(
            reverse("returns_upload"), {"kind": "new_pupil", "file": csv_file("new_pupil", rows)}
        )
        assert response.status_code == 302
    assert NewPupilReturn.objects.count() == 2
    listing = client.get(reverse("returns_list")).content.decode()
    assert "2 already received, so not added again" in listing


def test_a_csv_with_unknown_or_missing_columns_is_refused(
    school_user: User, client_for: Any
) -> None:
    upload = SimpleUploadedFile(
        "returns.csv", b"forename,surnme\nAda,Lovelace\n", content_type="text/csv"
    )
    response = client_for(school_user).post(
        reverse("returns_upload"), {"kind": "new_pupil", "file": upload}
    )
    page = response.content.decode()
    assert "This is not one of the columns listed" in page
    assert "This column is missing from the header row" in page


def test_a_csv_refused_for_missing_joint_enquiries_saves_nothing(
    school_user: User, client_for: Any
) -> None:
    rows = [deletion_row(upn="", forename="Ada"), deletion_row(ground="continuous_absence")]
    response = client_for(school_user).post(
        reverse("returns_upload"), {"kind": "deletion", "file": csv_file("deletion", rows)}
    )
    assert "reasonable enquiries together" in response.content.decode()
    assert not DeletionReturn.objects.exists()


def test_the_template_csv_has_the_documented_columns(school_user: User, client_for: Any) -> None:
    response = client_for(school_user).get(reverse("returns_upload_template", args=["deletion"]))
    assert response["Content-Type"].startswith("text/csv")
    header = response.content.decode().strip().split(",")
    assert header == [c.name for c in LAYOUTS["deletion"].columns]
    assert client_for(school_user).get("/returns/upload/template/other.csv").status_code == 404


# -- Who sees what -----------------------------------------------------------------------------


def test_another_schools_user_cannot_see_or_find_a_return(
    school_user: User, other_school_user: User, client_for: Any, establishment: Any
) -> None:
    deletion_ret = services.deletion_return_submit(
        actor=school_user, establishment=establishment, details=deletion()
    )
    new_ret = services.new_pupil_return_submit(
        actor=school_user, establishment=establishment, details=new_pupil()
    )
    client = client_for(other_school_user)
    assert client.get(reverse("returns_deletion_detail", args=[deletion_ret.pk])).status_code == 404
    assert client.get(reverse("returns_new_pupil_detail", args=[new_ret.pk])).status_code == 404
    listing = client.get(reverse("returns_list")).content.decode()
    assert deletion_ret.reference not in listing and "Pemberton" not in listing
    assert "Hartley" not in listing
    # School users have no authority-wide list.
    assert client.get(reverse("returns_all")).status_code == 403


def test_a_school_user_submits_only_for_their_own_school(
    other_school_user: User, client_for: Any
) -> None:
    client_for(other_school_user).post(reverse("returns_deletion_new"), as_post(deletion_row()))
    assert DeletionReturn.objects.get().establishment.name == "Hillside Academy"


def test_officers_see_every_return_of_their_authority_and_no_other(
    school_user: User,
    other_school_user: User,
    make_member: Any,
    client_for: Any,
    establishment: Any,
    other_authority: Any,
) -> None:
    services.deletion_return_submit(
        actor=school_user, establishment=establishment, details=deletion()
    )
    membership = other_school_user.membership
    assert membership is not None and membership.establishment is not None
    other_school = membership.establishment
    services.new_pupil_return_submit(
        actor=other_school_user, establishment=other_school, details=new_pupil()
    )
    officer = client_for(make_member(Role.CME_OFFICER))
    page = officer.get(reverse("returns_all")).content.decode()
    assert "Pemberton" in page and "Hartley" in page and "2 returns" in page
    filtered = officer.get(reverse("returns_all"), {"kind": "new_pupil"}).content.decode()
    assert "Hartley" in filtered and "Pemberton" not in filtered
    by_ground = officer.get(reverse("returns_all"), {"ground": "moved_away"}).content.decode()
    assert "Pemberton" in by_ground and "Hartley" not in by_ground
    linked = officer.get(reverse("returns_all"), {"linked": "on"}).content.decode()
    assert "Pemberton" in linked and "Hartley" not in linked
    ret = DeletionReturn.objects.get()
    detail = officer.get(reverse("returns_deletion_detail", args=[ret.pk])).content.decode()
    assert ret.case is not None and ret.case.reference in detail

    outsider = client_for(make_member(Role.CME_OFFICER, of=other_authority))
    assert "Pemberton" not in outsider.get(reverse("returns_all")).content.decode()
    assert outsider.get(reverse("returns_deletion_detail", args=[ret.pk])).status_code == 404


def test_a_restricted_childs_return_is_withheld_from_officers_without_a_grant(
    school_user: User, make_member: Any, client_for: Any, establishment: Any, authority: Any
) -> None:
    ret = services.deletion_return_submit(
        actor=school_user, establishment=establishment, details=deletion()
    )
    assert ret.child_id is not None
    Child.objects.filter(pk=ret.child_id).update(is_restricted=True, restriction_reason="Refuge")
    officer = client_for(make_member(Role.CME_OFFICER))
    listing = officer.get(reverse("returns_all")).content.decode()
    assert "Pemberton" not in listing and "Restricted record" in listing
    detail = officer.get(reverse("returns_deletion_detail", args=[ret.pk])).content.decode()
    assert "Orchard Way" not in detail and "Joanna" not in detail
    # The school that sent it still sees what it sent.
    own = client_for(school_user).get(reverse("returns_deletion_detail", args=[ret.pk]))
    assert "Orchard Way" in own.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_lists_take_a_fixed_number_of_queries(
    count: int,
    school_user: User,
    make_member: Any,
    client_for: Any,
    establishment: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(count):
        services.deletion_return_submit(
            actor=school_user,
            establishment=establishment,
            details=deletion(upn="", forename=f"Pupil{n}"),
        )
        services.new_pupil_return_submit(
            actor=school_user,
            establishment=establishment,
            details=new_pupil(upn="", forename=f"Pupil{n}"),
        )
    school = client_for(school_user)
    officer = client_for(make_member(Role.CME_OFFICER))
    with django_assert_max_num_queries(12):
        assert school.get(reverse("returns_list")).status_code == 200
    with django_assert_max_num_queries(13):
        assert officer.get(reverse("returns_all"), {"late": "on"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert officer.get(reverse("ehe_list")).status_code == 200


# -- The EHE register --------------------------------------------------------------------------


def test_an_officer_adds_a_child_to_the_ehe_register_and_ends_it(
    make_member: Any, client_for: Any, authority: Any
) -> None:
    client = client_for(make_member(Role.CME_OFFICER))
    assert client.get(reverse("ehe_add")).status_code == 200
    row = {
        **{
            k: v
            for k, v in new_pupil_row().items()
            if k not in {"admitted_on", "previous_school", "previous_school_other"}
        },
        "started_on": days_ago(10).isoformat(),
        "source": "parent",
        "educator": "Mother",
        "hours_per_week": "22.5",
    }
    response = client.post(reverse("ehe_add"), as_post(row))
    assert response.status_code == 302
    registration = EHERegistration.objects.get()
    assert registration.hours_per_week == 22.5 and registration.child.surname == "Hartley"
    assert "Oliver Hartley" in client.get(reverse("ehe_list")).content.decode()

    end = reverse("ehe_end", args=[registration.pk])
    assert client.get(end).status_code == 200
    response = client.post(end, as_post({"ended_on": days_ago(1).isoformat(), "reason": "school"}))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == EHEStatus.ENDED
    assert "Oliver Hartley" not in client.get(reverse("ehe_list")).content.decode()
    assert "Oliver Hartley" in client.get(reverse("ehe_list"), {"status": "all"}).content.decode()


def test_the_ehe_register_is_only_for_the_cme_team_of_the_authority(
    make_member: Any, client_for: Any, authority: Any, other_authority: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    registration = services.ehe_registration_add(
        actor=officer,
        authority=authority,
        child=make_child(authority),
        started_on=date(2025, 9, 1),
        source="parent",
    )
    for role in (Role.SCHOOL_USER, Role.CASEWORKER, Role.PARTNER):
        assert client_for(make_member(role)).get(reverse("ehe_list")).status_code == 403
    outsider = client_for(make_member(Role.CME_MANAGER, of=other_authority))
    assert outsider.get(reverse("ehe_end", args=[registration.pk])).status_code == 404
    assert "Pemberton" not in outsider.get(reverse("ehe_list")).content.decode()


def test_a_new_pupil_return_matching_an_open_case_is_flagged_for_officers(
    school_user: User, make_member: Any, client_for: Any, establishment: Any, authority: Any
) -> None:
    officer = make_member(Role.CME_OFFICER)
    case = open_case(
        authority, officer, child=make_child(authority, upn=make_upn("990", "2001", 2018, 7))
    )
    ret = services.new_pupil_return_submit(
        actor=school_user, establishment=establishment, details=new_pupil()
    )
    client = client_for(officer)
    assert "Matches open case" in client.get(reverse("returns_all")).content.decode()
    detail = client.get(reverse("returns_new_pupil_detail", args=[ret.pk])).content.decode()
    assert case.reference in detail and "Check and close" in detail
