"""Reconciliation proposes confident pairs once; accepting closes tracking; decisions are kept."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cme.accounts.models import Role
from cme.cases.models import CaseEvent, Outcome, Stage
from cme.matching import indexing, services
from cme.matching import reconcile as reconcile_module
from cme.matching.models import (
    MatchDecision,
    MatchProposal,
    ProposalKind,
    ProposalStatus,
    SourceKind,
)
from cme.matching.reconcile import reconcile
from cme.matching.tests.factories import child_with_case, on_roll, school
from cme.registers.models import Phase, RollEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


@pytest.fixture
def tracked(authority: Any, officer: Any) -> Any:
    """A child who left a provider without a known destination, and the school they turned up at."""
    _child, case = child_with_case(authority, officer, stage=Stage.TRACKING)
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside, forename="Amelia", surname="Pemberton")
    indexing.index_roll(hillside)
    return case


def test_a_tracked_child_on_a_new_roll_is_proposed(authority: Any, tracked: Any) -> None:
    report = reconcile(authority)

    proposal = MatchProposal.objects.get(kind=ProposalKind.TRACKING)
    assert report.proposed[ProposalKind.TRACKING] == 1
    assert proposal.case == tracked
    assert proposal.left.kind == SourceKind.CHILD
    assert proposal.right.kind == SourceKind.ROLL
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.evidence and {"field", "verdict", "detail", "weight"} <= set(
        proposal.evidence[0]
    )


def test_running_reconciliation_again_proposes_nothing_new(authority: Any, tracked: Any) -> None:
    reconcile(authority)
    again = reconcile(authority)

    assert again.total == 0
    assert MatchProposal.objects.count() == 1


def test_a_rejected_pair_is_not_proposed_again(authority: Any, tracked: Any, officer: Any) -> None:
    reconcile(authority)
    proposal = MatchProposal.objects.get()
    services.proposal_reject(proposal=proposal, actor=officer, reason="Different child, checked")

    reconcile(authority)

    assert MatchProposal.objects.get().status == ProposalStatus.REJECTED


def test_accepting_closes_the_tracking_case_as_registered(
    authority: Any, tracked: Any, officer: Any
) -> None:
    reconcile(authority)
    proposal = MatchProposal.objects.get()

    services.proposal_accept(proposal=proposal, actor=officer)

    tracked.refresh_from_db()
    assert tracked.stage == Stage.CLOSED
    assert tracked.outcome == Outcome.REGISTERED
    summaries = list(CaseEvent.objects.filter(case=tracked).values_list("summary", flat=True))
    assert any("Hillside Academy" in s for s in summaries)
    decision = MatchDecision.objects.get()
    assert decision.is_match
    assert decision.left_record["forenames"] == ["Amelia"]
    assert decision.decided_by == officer


def test_a_restricted_childs_new_school_is_not_on_the_timeline(
    authority: Any, officer: Any
) -> None:
    _child, case = child_with_case(
        authority, officer, stage=Stage.TRACKING, is_restricted=True, restriction_reason="Refuge"
    )
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside)
    indexing.index_roll(hillside)
    reconcile(authority)

    services.proposal_accept(proposal=MatchProposal.objects.get(), actor=officer)

    summaries = " ".join(CaseEvent.objects.filter(case=case).values_list("summary", flat=True))
    assert "Hillside" not in summaries


def test_rejecting_keeps_a_labelled_pair(authority: Any, tracked: Any, officer: Any) -> None:
    reconcile(authority)
    proposal = MatchProposal.objects.get()

    services.proposal_reject(proposal=proposal, actor=officer, reason="Checked with the school")

    decision = MatchDecision.objects.get()
    assert not decision.is_match
    assert decision.right_record["surnames"] == ["Pemberton"]
    tracked.refresh_from_db()
    assert tracked.stage == Stage.TRACKING


def test_a_rejection_needs_a_reason(authority: Any, tracked: Any, officer: Any) -> None:
    reconcile(authority)
    with pytest.raises(services.ProposalRefused):
        services.proposal_reject(proposal=MatchProposal.objects.get(), actor=officer, reason=" ")


def test_a_decided_proposal_cannot_be_decided_again(
    authority: Any, tracked: Any, officer: Any
) -> None:
    reconcile(authority)
    proposal = MatchProposal.objects.get()
    services.proposal_accept(proposal=proposal, actor=officer)
    with pytest.raises(services.ProposalRefused):
        services.proposal_reject(proposal=proposal, actor=officer, reason="Changed my mind")


def test_children_recorded_twice_are_proposed_once_as_duplicates(
    authority: Any, officer: Any
) -> None:
    child_with_case(authority, officer)
    child_with_case(authority, officer)

    reconcile(authority)
    reconcile(authority)

    duplicate = MatchProposal.objects.get(kind=ProposalKind.DUPLICATE)
    assert duplicate.left.pk < duplicate.right.pk


def test_year_six_leavers_are_looked_for_on_year_seven_rolls_in_september(
    authority: Any,
) -> None:
    primary = school(authority, "2101", "Meadow Primary", phase=Phase.PRIMARY)
    leaver = on_roll(primary, year_group="6", forename="Oliver", surname="Grant")
    indexing.index_roll(primary)
    RollEntry.objects.filter(pk=leaver.pk).delete()
    indexing.index_roll(primary, today=date(2026, 7, 20))
    secondary = school(authority, "4101", "Ridge Academy")
    on_roll(secondary, year_group="7", forename="Oliver", surname="Grant", upn=leaver.upn)
    indexing.index_roll(secondary)

    assert reconcile(authority, today=date(2026, 6, 1)).proposed.get(ProposalKind.TRANSFER) is None
    reconcile(authority, today=date(2026, 9, 20))

    transfer = MatchProposal.objects.get(kind=ProposalKind.TRANSFER)
    assert transfer.left.source_pk == leaver.pk


def test_many_leavers_go_through_bulk_linkage_to_the_same_proposal(
    authority: Any, tracked: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reconcile_module, "BULK_FROM", 1)

    reconcile(authority)

    proposal = MatchProposal.objects.get(kind=ProposalKind.TRACKING)
    assert proposal.case == tracked
    assert proposal.right.kind == SourceKind.ROLL
