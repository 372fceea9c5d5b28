"""The pages: Find a child, the review queue and a proposal, and the model page."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.urls import reverse

from cme.accounts.models import Role
from cme.cases.models import Stage
from cme.children.restriction import RESTRICTED_LABEL
from cme.core.models import AuditAction, AuditEvent
from cme.matching import indexing, services
from cme.matching.engine import default_model
from cme.matching.models import MatchProposal, ProposalStatus
from cme.matching.reconcile import reconcile
from cme.matching.selectors import active_model
from cme.matching.tests.factories import child_with_case, on_roll, school

pytestmark = pytest.mark.django_db

SEARCH = {
    "forename": "Amelia",
    "surname": "Pemberton",
    "date_of_birth_0": "17",
    "date_of_birth_1": "5",
    "date_of_birth_2": "2014",
}


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


def test_find_a_child_shows_ranked_candidates_with_why(
    authority: Any, officer: Any, client_for: Any
) -> None:
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside)
    indexing.index_roll(hillside)

    response = client_for(officer).post(reverse("matching_find"), SEARCH)

    html = response.content.decode()
    assert response.status_code == 200
    assert "On roll at Hillside Academy" in html
    assert "% match" in html
    assert "Date of birth" in html and "govuk-tag--green" in html


def test_an_empty_search_asks_for_something(officer: Any, client_for: Any) -> None:
    response = client_for(officer).post(reverse("matching_find"), {})
    assert "Enter something you know about the child" in response.content.decode()


def test_a_search_is_audited_without_what_was_typed(
    authority: Any, officer: Any, client_for: Any
) -> None:
    client_for(officer).post(reverse("matching_find"), SEARCH)

    event = AuditEvent.objects.get(action=AuditAction.VIEWED, target_type="matching.search")
    assert event.payload["fields"] == ["date_of_birth", "forename", "surname"]
    assert "Amelia" not in str(event.payload) and "2014" not in str(event.payload)


def test_restricted_and_other_authority_children_never_leak_into_the_page(
    authority: Any, other_authority: Any, officer: Any, make_member: Any, client_for: Any
) -> None:
    child_with_case(
        authority,
        officer,
        forename="Amelia",
        is_restricted=True,
        restriction_reason="Refuge",
        postcode="EX1 2AB",
        upn="",
    )
    hillside = school(authority, "4001", "Hillside Academy")
    theirs = make_member(Role.CME_OFFICER, of=other_authority)
    child_with_case(other_authority, theirs, forename="Amelia", postcode="ZZ9 9ZZ")

    response = client_for(officer).post(reverse("matching_find"), SEARCH)

    html = response.content.decode()
    assert RESTRICTED_LABEL in html
    assert "EX1 2AB" not in html and "ZZ9 9ZZ" not in html
    assert "17 May 2014" not in html and "2014-05-17" not in html
    assert hillside.name not in html
    # The form echoes what the officer typed; nothing else names the child.
    assert html.count("Pemberton") == html.count('value="Pemberton"')


def _proposal(authority: Any, officer: Any, **child: Any) -> MatchProposal:
    child_with_case(authority, officer, stage=Stage.TRACKING, **child)
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside)
    indexing.index_roll(hillside)
    reconcile(authority)
    return MatchProposal.objects.get()


def test_the_queue_lists_proposals_and_the_page_shows_both_records(
    authority: Any, officer: Any, client_for: Any
) -> None:
    proposal = _proposal(authority, officer)
    client = client_for(officer)

    queue = client.get(reverse("matching_review")).content.decode()
    page = client.get(reverse("matching_proposal", args=[proposal.pk])).content.decode()

    assert reverse("matching_proposal", args=[proposal.pk]) in queue
    assert "On roll at Hillside Academy" in page
    assert page.count("17 May 2014") == 2
    assert "Accept: same child" in page


def test_accepting_from_the_page_closes_the_case(
    authority: Any, officer: Any, client_for: Any
) -> None:
    proposal = _proposal(authority, officer)

    response = client_for(officer).post(reverse("matching_accept", args=[proposal.pk]))

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    assert proposal.case is not None and proposal.case.stage == Stage.CLOSED


def test_rejecting_without_a_reason_shows_the_error(
    authority: Any, officer: Any, client_for: Any
) -> None:
    proposal = _proposal(authority, officer)

    response = client_for(officer).post(reverse("matching_reject", args=[proposal.pk]), {})

    assert response.status_code == 200
    assert "Say why these records are not the same child" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_a_restricted_proposal_page_withholds_the_child(
    authority: Any, officer: Any, client_for: Any
) -> None:
    proposal = _proposal(authority, officer, is_restricted=True, restriction_reason="Refuge")

    page = client_for(officer).get(reverse("matching_proposal", args=[proposal.pk]))

    html = page.content.decode()
    assert RESTRICTED_LABEL in html
    assert "Pemberton" not in html and "Hillside" not in html and "17 May 2014" not in html


def test_another_authority_cannot_open_a_proposal(
    authority: Any, other_authority: Any, officer: Any, make_member: Any, client_for: Any
) -> None:
    proposal = _proposal(authority, officer)
    outsider = make_member(Role.CME_OFFICER, of=other_authority)

    assert (
        client_for(outsider).get(reverse("matching_proposal", args=[proposal.pk])).status_code
        == 404
    )
    assert (
        client_for(outsider).post(reverse("matching_accept", args=[proposal.pk])).status_code == 404
    )


def test_running_reconciliation_from_the_queue(
    authority: Any, officer: Any, client_for: Any
) -> None:
    child_with_case(authority, officer, stage=Stage.TRACKING)
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside)
    indexing.index_roll(hillside)

    response = client_for(officer).post(reverse("matching_reconcile"), follow=True)

    assert "1 new match to review" in response.content.decode()


def test_managers_see_the_model_in_use(make_member: Any, client_for: Any) -> None:
    page = client_for(make_member(Role.CME_MANAGER)).get(reverse("matching_model"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Decision threshold" in html
    assert "Match weight" in html


def test_a_restricted_match_cannot_be_decided_without_a_grant(
    authority: Any, officer: Any, client_for: Any
) -> None:
    proposal = _proposal(authority, officer, is_restricted=True, restriction_reason="Refuge")
    client = client_for(officer)

    page = client.get(reverse("matching_proposal", args=[proposal.pk])).content.decode()
    client.post(reverse("matching_accept", args=[proposal.pk]))

    assert "Accept: same child" not in page
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_the_panel_in_case_opening_shows_a_restricted_child_only_as_the_label(
    authority: Any, officer: Any, client_for: Any
) -> None:
    child_with_case(
        authority, officer, is_restricted=True, restriction_reason="Refuge", postcode="EX1 2AB"
    )
    form = {
        "forename": "Amelia",
        "surname": "Pemberton",
        "date_of_birth_0": "17",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2014",
        "sex": "F",
        "stage": "received",
        "source": "school",
        "notified_on_0": "1",
        "notified_on_1": "9",
        "notified_on_2": "2026",
        "priority": "3_medium",
    }

    html = client_for(officer).post(reverse("case_open"), form).content.decode()

    assert RESTRICTED_LABEL in html
    assert "EX1 2AB" not in html and "Orchard" not in html


def test_the_model_page_shows_the_stored_model_in_use(make_member: Any, client_for: Any) -> None:
    trained = dataclasses.replace(
        default_model(), version="v-test-1", trained_on={"records": 12345}
    )
    services.model_store(model=trained)

    html = client_for(make_member(Role.CME_MANAGER)).get(reverse("matching_model")).content.decode()

    assert "v-test-1" in html
    assert "12345" in html
    assert active_model().version == "v-test-1"
