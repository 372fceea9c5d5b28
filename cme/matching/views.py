"""Find a child, the review queue of proposed matches, and the model in use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cme.accounts.models import User
from cme.children.restriction import RESTRICTED_LABEL
from cme.core import audit
from cme.core.models import AuditAction
from cme.core.pagination import paginate
from cme.core.permissions import permission_required
from cme.matching import services
from cme.matching.display import VERDICT_TAGS, percent
from cme.matching.engine import PersonRecord
from cme.matching.forms import FindChildForm, RejectForm
from cme.matching.models import MatchEntry, MatchProposal, ProposalStatus, StoredModel
from cme.matching.selectors import (
    active_model,
    entry_link,
    find_candidates,
    model_version_in_use,
    proposals_visible_to,
)
from cme.matching.training import entry_source


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _authority_id(user: User) -> int | None:
    membership = user.membership
    return membership.authority_id if membership else None


@require_http_methods(["GET", "POST"])
@permission_required("matching.find_child")
def find_child(request: HttpRequest) -> HttpResponse:
    """The search is posted and the results returned in the same response: what was typed about
    a child never goes in a URL or a log."""
    user = _user(request)
    form = FindChildForm(request.POST if request.method == "POST" else None)
    candidates = None
    if request.method == "POST" and form.is_valid():
        candidates = find_candidates(user, form.to_record())
        audit.record(
            action=AuditAction.VIEWED,
            actor=user,
            target_type="matching.search",
            authority_id=_authority_id(user),
            payload={
                "fields": form.described_fields(),
                "results": len(candidates),
                "restricted_results": sum(1 for c in candidates if c.hidden),
            },
        )
    return render(
        request,
        "matching/find.html",
        {"form": form, "candidates": candidates, "verdict_tags": VERDICT_TAGS},
    )


@require_http_methods(["GET"])
@permission_required("matching.review_matches")
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    decided = request.GET.get("show") == "decided"
    proposals = proposals_visible_to(user)
    if decided:
        proposals = proposals.exclude(status=ProposalStatus.PROPOSED).order_by("-decided_at")
    else:
        proposals = proposals.filter(status=ProposalStatus.PROPOSED)
    context = paginate(request, proposals, per_page=50)
    return render(
        request,
        "matching/review_queue.html",
        {**context, "decided": decided},
    )


@require_POST
@permission_required("matching.review_matches")
def review_reconcile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    membership = user.membership
    assert membership is not None  # the permission needs one
    report = services.reconcile_run(authority=membership.authority, actor=user)
    found = report.total
    messages.success(
        request,
        f"Reconciliation finished: {found} new match{'es' if found != 1 else ''} to review",
    )
    return redirect("matching_review")


@dataclass(frozen=True)
class Side:
    """One record of a proposal as the page shows it."""

    label: str
    hidden: bool
    record: PersonRecord | None
    link: str | None


def _side(entry: MatchEntry, hidden: bool) -> Side:
    if hidden:
        return Side(label=RESTRICTED_LABEL, hidden=True, record=None, link=None)
    source = entry_source(entry)
    return Side(
        label=entry.label,
        hidden=False,
        record=source.record if source else None,
        link=entry_link(entry),
    )


def _withheld(proposal: MatchProposal) -> bool:
    """If either record is a restricted child, the other may be where that child now is: both
    are withheld until the user holds a grant (§3.9.3.2)."""
    left_hidden = proposal.left.is_restricted and not getattr(proposal, "left_grant", False)
    right_hidden = proposal.right.is_restricted and not getattr(proposal, "right_grant", False)
    return left_hidden or right_hidden


WITHHELD_DECISION = (
    "One of these records is restricted. Ask for access to the child's record before deciding"
)


def _proposal(request: HttpRequest, pk: int) -> MatchProposal:
    return get_object_or_404(proposals_visible_to(_user(request)), pk=pk)


def _proposal_page(
    request: HttpRequest, proposal: MatchProposal, reject_form: RejectForm | None = None
) -> HttpResponse:
    user = _user(request)
    hidden = _withheld(proposal)
    left, right = _side(proposal.left, hidden), _side(proposal.right, hidden)
    audit.record(
        action=AuditAction.VIEWED,
        actor=user,
        target=proposal,
        authority_id=proposal.authority_id,
        payload={"restricted_withheld": left.hidden or right.hidden},
    )
    return render(
        request,
        "matching/proposal.html",
        {
            "proposal": proposal,
            "left": left,
            "right": right,
            # Field details quote both records' values: withheld if either is hidden.
            "evidence": [] if left.hidden or right.hidden else proposal.evidence,
            "verdict_tags": VERDICT_TAGS,
            "probability": percent(proposal.probability),
            "can_decide": proposal.is_open
            and not hidden
            and user.has_perm("matching.decide_match", proposal),
            "withheld_decision": WITHHELD_DECISION if proposal.is_open and hidden else "",
            "reject_form": reject_form or RejectForm(),
        },
    )


@require_http_methods(["GET"])
@permission_required("matching.review_matches")
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, _proposal(request, pk))


@require_POST
@permission_required("matching.review_matches")
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    if _withheld(proposal):
        messages.error(request, WITHHELD_DECISION)
        return redirect("matching_proposal", pk=pk)
    try:
        services.proposal_accept(proposal=proposal, actor=_user(request))
    except services.ProposalRefused as refused:
        messages.error(request, str(refused))
        return redirect("matching_proposal", pk=pk)
    messages.success(request, "Match accepted")
    return redirect("matching_review")


@require_POST
@permission_required("matching.review_matches")
def proposal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = RejectForm(request.POST)
    if _withheld(proposal):
        messages.error(request, WITHHELD_DECISION)
        return redirect("matching_proposal", pk=pk)
    if form.is_valid():
        try:
            services.proposal_reject(
                proposal=proposal, actor=_user(request), reason=form.cleaned_data["reason"]
            )
        except services.ProposalRefused as refused:
            form.add_error("reason", str(refused))
        else:
            messages.success(request, "Match rejected")
            return redirect("matching_review")
    return _proposal_page(request, proposal, reject_form=form)


@require_http_methods(["GET"])
@permission_required("matching.view_model")
def model_detail(request: HttpRequest) -> HttpResponse:
    model = active_model()
    version = model_version_in_use()
    stored = StoredModel.objects.filter(version=version).select_related("created_by").first()
    return render(
        request,
        "matching/model.html",
        {
            "model": model,
            "stored": stored,
            "comparisons": model.describe(),
            "threshold": percent(model.threshold),
            "history": StoredModel.objects.select_related("created_by")[:10],
        },
    )
