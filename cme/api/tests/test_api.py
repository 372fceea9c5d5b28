"""The API: each endpoint does what its page does, only for the token's own organisation, and
every error is a problem document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cme.accounts.models import AgencyKind, PartnerAgency, Role
from cme.api import services
from cme.api.problems import MAX_BODY_BYTES, VALIDATION
from cme.api.tests.conftest import ApiClient
from cme.cases.models import Case, Stage
from cme.core.models import AuditEvent
from cme.intake import services as intake_services
from cme.intake.models import Referral, Route, Status
from cme.registers.models import Establishment, EstablishmentKind, Phase
from cme.returns.grounds import Ground
from cme.returns.models import Channel, DeletionReturn, NewPupilReturn
from cme.returns.tests.factories import deletion_row, new_pupil_row

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals"
DELETIONS = "/api/v1/deletion-returns"
NEW_PUPILS = "/api/v1/new-pupil-returns"


def referral_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "forename": "Tobias",
        "surname": "Wetherall",
        "date_of_birth": "2013-09-02",
        "sex": "M",
        "postcode": "ex1 2ab",
        "vulnerable_groups": ["homeless"],
        "concern": "Seen at home every school day since Easter",
        "in_danger": False,
        "agency_reference": "PC-4411",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV-shaped test row as a system would send it: blanks left out, yes/no as booleans."""
    body = {k: v for k, v in row.items() if v != ""}
    if "welfare_concerns" in body:
        body["welfare_concerns"] = body["welfare_concerns"] == "yes"
    return body


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body


def fields_in(problem: dict[str, Any]) -> set[str | None]:
    return {error["field"] for error in problem["errors"]}


# -- Referrals -----------------------------------------------------------------------------------


def test_a_partner_token_refers_a_child_for_its_agency(
    as_partner: ApiClient, partner_token: Any, agency: Any
) -> None:
    response = as_partner.post(REFERRALS, referral_body())

    assert response.status_code == 201
    referral = Referral.objects.get()
    assert response.json() == {"reference": referral.reference, "status": "received"}
    assert referral.route == Route.PARTNER
    assert referral.referrer_agency == agency
    assert referral.referred_by is None
    assert (referral.child_forename, referral.postcode) == ("Tobias", "EX1 2AB")
    assert referral.vulnerable_groups == ["homeless"]
    assert referral.agency_reference == "PC-4411"
    assert b"Tobias" not in response.content


def test_a_referral_through_the_api_is_audited_with_the_token_prefix(
    as_partner: ApiClient, partner_token: Any
) -> None:
    as_partner.post(REFERRALS, referral_body())

    referral = Referral.objects.get()
    events = list(AuditEvent.objects.filter(target_type="intake.referral", target_id=referral.pk))
    payloads = [event.payload for event in events]
    assert {"via": "api", "token": partner_token.token.prefix, "kind": "referral"} in payloads
    assert all(event.actor_id is None for event in events)
    assert partner_token.secret not in json.dumps(payloads)
    assert "Tobias" not in json.dumps(payloads)


def test_a_school_token_may_not_refer_a_child(as_school: ApiClient) -> None:
    problem_of(as_school.post(REFERRALS, referral_body()), 403)
    assert not Referral.objects.exists()


def test_referral_errors_come_back_field_by_field_with_the_forms_messages(
    as_partner: ApiClient,
) -> None:
    body = referral_body(forename=None, postcode="ZZ9", date_of_birth="2099-01-01")

    problem = problem_of(as_partner.post(REFERRALS, body), 422)

    assert problem["type"] == VALIDATION
    assert fields_in(problem) == {"forename", "postcode", "date_of_birth"}
    messages = {error["field"]: error["message"] for error in problem["errors"]}
    assert messages["forename"] == "Enter the child's first name"
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", "12"),
        ("in_danger", "yes"),
        ("forename", 7),
        ("date_of_birth", "2/9/2013"),
        ("sex", "Male"),
        ("forename", " " + "x" * 100),
        ("vulnerable_groups", ["homeless", "made_up"]),
    ],
)
def test_json_of_the_wrong_type_is_refused(as_partner: ApiClient, field: str, value: Any) -> None:
    problem = problem_of(as_partner.post(REFERRALS, referral_body(**{field: value})), 422)
    assert {name.split(".")[0] for name in fields_in(problem) if name} == {field}


def test_an_explicit_null_is_refused_rather_than_read_as_blank(as_partner: ApiClient) -> None:
    body = {**referral_body(), "school": None}
    problem = problem_of(as_partner.post(REFERRALS, body), 422)
    assert fields_in(problem) == {"school"}


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b'"\\ud800"', b"[1, 2]", b""])
def test_a_body_that_is_not_a_json_object_is_a_problem(as_partner: ApiClient, raw: bytes) -> None:
    response = as_partner.client.post(
        REFERRALS, raw, content_type="application/json", headers=as_partner.headers
    )
    assert response.status_code in (400, 422)
    problem_of(response, response.status_code)


def test_an_oversize_body_is_refused_before_it_is_read(as_partner: ApiClient) -> None:
    body = referral_body(concern="x" * (MAX_BODY_BYTES + 1))
    problem_of(as_partner.post(REFERRALS, body), 413)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer cme_00000000_" + "A" * 43,
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_without_a_valid_token_the_answer_is_401(header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = Client().post(
        REFERRALS, referral_body(), content_type="application/json", headers=headers
    )
    problem = problem_of(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert problem["type"] == "about:blank"


def test_a_token_with_the_wrong_secret_is_401(partner_token: Any) -> None:
    wrong = partner_token.secret[:-4] + (
        "AAAA" if not partner_token.secret.endswith("AAAA") else "BBBB"
    )
    problem_of(ApiClient(wrong).post(REFERRALS, referral_body()), 401)


def test_a_revoked_token_stops_working_at_once(
    as_partner: ApiClient, partner_token: Any, admin: Any
) -> None:
    assert as_partner.post(REFERRALS, referral_body()).status_code == 201
    services.api_token_revoke(actor=admin, token=partner_token.token)
    problem_of(as_partner.post(REFERRALS, referral_body(forename="Ada")), 401)


def test_a_signed_in_session_gives_no_access_to_the_api(make_member: Any, client_for: Any) -> None:
    partner = make_member(Role.PARTNER)
    response = client_for(partner).post(REFERRALS, referral_body(), content_type="application/json")
    problem_of(response, 401)
    assert not Referral.objects.exists()


def test_using_a_token_records_when_it_was_last_used(
    as_partner: ApiClient, partner_token: Any
) -> None:
    assert partner_token.token.last_used_at is None
    as_partner.post(REFERRALS, referral_body())
    partner_token.token.refresh_from_db()
    assert partner_token.token.last_used_at is not None


# -- Referral status -----------------------------------------------------------------------------


def test_a_partner_reads_the_status_of_its_own_referral(
    as_partner: ApiClient, make_member: Any
) -> None:
    reference = as_partner.post(REFERRALS, referral_body()).json()["reference"]
    assert as_partner.get(f"{REFERRALS}/{reference}").json() == {
        "reference": reference,
        "status": "received",
    }
    referral = Referral.objects.get(reference=reference)
    intake_services.referral_look_at(referral=referral, actor=make_member(Role.CME_OFFICER))
    assert as_partner.get(f"{REFERRALS}/{reference}").json()["status"] == Status.BEING_LOOKED_AT


def test_another_agencys_referral_is_not_found(
    as_partner: ApiClient, authority: Any, admin: Any
) -> None:
    other = PartnerAgency.objects.create(
        authority=authority, name="Exampleshire Housing", kind=AgencyKind.HOUSING
    )
    theirs = services.api_token_create(actor=admin, authority=authority, name="H", agency=other)
    reference = ApiClient(theirs.secret).post(REFERRALS, referral_body()).json()["reference"]

    problem_of(as_partner.get(f"{REFERRALS}/{reference}"), 404)
    problem_of(as_partner.get(f"{REFERRALS}/CME-ZZZZZZZZ"), 404)
    problem_of(as_partner.get(f"{REFERRALS}/anything%00at%2Fall"), 404)


def test_a_school_token_may_not_read_referrals(as_school: ApiClient) -> None:
    problem_of(as_school.get(f"{REFERRALS}/CME-ZZZZZZZZ"), 403)


# -- School returns ------------------------------------------------------------------------------


def test_a_deletion_return_with_no_destination_opens_a_tracking_case(
    as_school: ApiClient, establishment: Any
) -> None:
    response = as_school.post(DELETIONS, as_json(deletion_row()))

    assert response.status_code == 201, response.content
    ret = DeletionReturn.objects.get()
    assert response.json() == {"reference": ret.reference, "status": "received"}
    assert (ret.establishment, ret.channel, ret.submitted_by) == (establishment, Channel.API, None)
    assert ret.case is not None and ret.case.stage == Stage.TRACKING
    assert ret.case.next_follow_up_on is not None
    assert b"Amelia" not in response.content


def test_a_return_is_always_for_the_tokens_own_school(
    as_school: ApiClient, establishment: Any, other_authority: Any
) -> None:
    elsewhere = Establishment.objects.create(
        la_code="991",
        number="4001",
        name="Far Away Academy",
        kind=EstablishmentKind.ACADEMY,
        phase=Phase.SECONDARY,
    )
    body = {**as_json(deletion_row()), "establishment": elsewhere.pk, "school": "991/4001"}

    assert as_school.post(DELETIONS, body).status_code == 201
    assert DeletionReturn.objects.get().establishment == establishment


def test_a_partner_token_may_not_send_school_returns(as_partner: ApiClient) -> None:
    problem_of(as_partner.post(DELETIONS, as_json(deletion_row())), 403)
    problem_of(as_partner.post(NEW_PUPILS, as_json(new_pupil_row())), 403)
    assert not DeletionReturn.objects.exists() and not NewPupilReturn.objects.exists()


def test_a_new_pupil_return_is_recorded(as_school: ApiClient, establishment: Any) -> None:
    response = as_school.post(NEW_PUPILS, as_json(new_pupil_row()))

    assert response.status_code == 201, response.content
    ret = NewPupilReturn.objects.get()
    assert response.json()["reference"] == ret.reference == f"NP-{ret.pk:06d}"
    assert (ret.establishment, ret.channel) == (establishment, Channel.API)


def test_sending_the_same_return_twice_is_a_conflict_naming_the_first(
    as_school: ApiClient,
) -> None:
    first = as_school.post(NEW_PUPILS, as_json(new_pupil_row())).json()["reference"]
    problem = problem_of(as_school.post(NEW_PUPILS, as_json(new_pupil_row())), 409)
    assert problem["reference"] == first
    assert NewPupilReturn.objects.count() == 1


def test_a_ground_needing_joint_enquiries_is_refused_until_they_are_recorded(
    as_school: ApiClient,
) -> None:
    body = as_json(deletion_row(ground=Ground.CONTINUOUS_ABSENCE.value))
    problem = problem_of(as_school.post(DELETIONS, body), 422)
    assert "reasonable enquiries" in problem["detail"]
    assert not DeletionReturn.objects.exists() and not Case.objects.exists()


def test_return_errors_use_the_same_checks_as_the_upload(as_school: ApiClient) -> None:
    row = deletion_row(last_attended_on="2099-01-01", contact1_phone="", postcode="nope")
    problem = problem_of(as_school.post(DELETIONS, as_json(row)), 422)
    assert fields_in(problem) == {"last_attended_on", "contact1_phone", "postcode"}


def test_values_the_schema_forbids_are_refused_before_the_form_sees_them(
    as_school: ApiClient,
) -> None:
    row = deletion_row(ground="made_up", surname="x" * 101, date_of_birth="0001-01-01")
    problem = problem_of(as_school.post(DELETIONS, as_json(row)), 422)
    messages = {error["field"]: error["message"] for error in problem["errors"]}
    assert set(messages) == {"ground", "surname", "date_of_birth"}
    assert messages["surname"] == "Must be 100 characters or fewer"


# -- The spec ------------------------------------------------------------------------------------


def test_the_openapi_spec_is_public_and_describes_problems() -> None:
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert set(spec["paths"]) == {
        REFERRALS,
        f"{REFERRALS}/{{reference}}",
        DELETIONS,
        NEW_PUPILS,
        "/api/v1/ctf-files",
        "/api/v1/lpd/search",
        "/api/v1/lpd/files",
        "/api/v1/enquiry-messages",
    }
    create = spec["paths"][DELETIONS]["post"]
    assert set(create["responses"]["422"]["content"]) == {"application/problem+json"}
    body = spec["components"]["schemas"]["DeletionReturnIn"]
    assert "establishment" not in body["properties"]
    assert {"forename", "ground", "deleted_on"} <= set(body["required"])


def test_there_is_no_interactive_docs_page() -> None:
    assert Client().get("/api/docs").status_code == 404


def test_a_method_an_address_does_not_take_is_a_problem(as_partner: ApiClient) -> None:
    response = as_partner.get(REFERRALS)
    problem_of(response, 405)
    assert response["Allow"] == "POST"


def test_an_address_the_api_does_not_have_is_a_problem() -> None:
    problem_of(Client().get("/api/v2/anything"), 404)
    problem_of(Client().get("/api/"), 404)


def test_a_token_over_its_rate_gets_a_problem_with_retry_after(
    settings: Any, as_partner: ApiClient, as_school: ApiClient
) -> None:
    settings.CME_API_RATE = "3/m"
    answers = [as_partner.get("/api/v1/referrals/CME-ZZZZZZZZ") for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [404, 404, 404]
    assert answers[3].status_code == 429
    assert answers[3]["Content-Type"] == "application/problem+json"
    assert int(answers[3]["Retry-After"]) >= 1
    # The count is per token: another organisation's system is not held back.
    assert as_school.get("/api/v1/referrals/CME-ZZZZZZZZ").status_code == 403
