"""The registers keep the index in step through their own services, and returns and roll imports
queue a reconciliation; the candidates panel appears in triage and case opening."""

from __future__ import annotations

from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse

from cme.accounts.models import Role
from cme.cases.models import Case, Stage
from cme.cases.tests.factories import open_case
from cme.children.services import child_update
from cme.children.upn import make_upn
from cme.intake.tests.factories import make_referral
from cme.matching import engine, hooks, indexing
from cme.matching.models import MatchEntry, MatchKey, MatchProposal, ProposalKind, SourceKind
from cme.matching.tests.factories import child_with_case, on_roll, school
from cme.registers.models import RollEntry
from cme.returns import services as returns
from cme.returns.tests.factories import new_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


def test_opening_a_case_indexes_the_child(authority: Any, officer: Any) -> None:
    child, case = child_with_case(authority, officer)

    entry = MatchEntry.objects.get(kind=SourceKind.CHILD, source_pk=child.pk)
    assert entry.case_id == case.pk
    assert entry.label == "Child with an open case"


def test_changing_a_child_reindexes_them(authority: Any, officer: Any) -> None:
    child, _case = child_with_case(authority, officer)

    child_update(
        child=child, actor=officer, changes={"is_restricted": True, "restriction_reason": "Refuge"}
    )

    assert MatchEntry.objects.get(kind=SourceKind.CHILD, source_pk=child.pk).is_restricted


def test_a_referral_is_indexed_when_it_arrives(authority: Any) -> None:
    referral = make_referral(authority)
    assert MatchEntry.objects.filter(kind=SourceKind.REFERRAL, source_pk=referral.pk).exists()


def test_a_new_pupil_return_finds_the_tracked_child_after_it_commits(
    authority: Any, officer: Any, establishment: Any, django_capture_on_commit_callbacks: Any
) -> None:
    child_with_case(
        authority,
        officer,
        stage=Stage.TRACKING,
        forename="Oliver",
        surname="Hartley",
        date_of_birth=date(2013, 2, 3),
        sex="M",
    )
    with django_capture_on_commit_callbacks(execute=True):
        ret = returns.new_pupil_return_submit(
            actor=officer, establishment=establishment, details=new_pupil(upn="")
        )

    assert MatchEntry.objects.filter(kind=SourceKind.NEW_PUPIL, source_pk=ret.pk).exists()
    proposal = MatchProposal.objects.get(kind=ProposalKind.TRACKING)
    assert proposal.right.source_pk == ret.pk


def test_a_file_of_returns_reconciles_once(authority: Any) -> None:
    from django.db import connection, transaction

    with transaction.atomic():
        hooks.reconcile_after_commit(authority.pk)
        hooks.reconcile_after_commit(authority.pk)
        queued = [entry[1] for entry in connection.run_on_commit]
    assert len([f for f in queued if getattr(f, "matching_tag", "").startswith("reconcile")]) == 1


def test_a_broken_index_never_stops_case_work(
    authority: Any, officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("engine down")

    monkeypatch.setattr("cme.matching.indexing.index_children", broken)
    case = open_case(authority, officer)
    assert Case.objects.filter(pk=case.pk).exists()
    assert not MatchEntry.objects.exists()


def test_triage_shows_candidates_from_every_register(
    authority: Any, officer: Any, client_for: Any
) -> None:
    child_with_case(
        authority, officer, forename="Tobias", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )
    referral = make_referral(
        authority, forename="Toby", surname="Wetherall", date_of_birth=date(2013, 9, 2)
    )

    page = client_for(officer).get(reverse("referral_detail", args=[referral.pk])).content.decode()

    assert "Records that may be this child" in page
    assert "Child with an open case" in page
    assert "Search every register for this child" in page


def test_opening_a_case_for_a_known_child_stops_once_to_show_them(
    authority: Any, officer: Any, client_for: Any
) -> None:
    child_with_case(authority, officer)
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
    client = client_for(officer)

    stopped = client.post(reverse("case_open"), form)
    assert stopped.status_code == 200
    assert "We may already know this child" in stopped.content.decode()
    assert Case.objects.count() == 1

    opened = client.post(reverse("case_open"), {**form, "new_child": "1"})
    assert opened.status_code == 302
    assert Case.objects.count() == 2


def test_a_roll_import_indexes_the_roll_and_finds_the_tracked_child(
    authority: Any,
    officer: Any,
    establishment: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from cme.registers.tests.test_imports import import_roll, pupil, roll_csv

    settings.CME_IMPORTS_RUN = "sync"
    child_with_case(
        authority,
        officer,
        stage=Stage.TRACKING,
        forename="Ava",
        surname="Ashdown0",
        date_of_birth=date(2015, 1, 1),
        sex="M",
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_roll(officer, roll_csv([pupil(0), pupil(1)]), establishment)

    assert batch.status == "applied"
    assert MatchEntry.objects.filter(kind=SourceKind.ROLL).count() == 2
    proposal = MatchProposal.objects.get(kind=ProposalKind.TRACKING)
    assert proposal.right.label == f"On roll at {establishment.name}"


def test_reindexing_an_unchanged_roll_rewrites_nothing(
    authority: Any, django_assert_max_num_queries: Any
) -> None:
    hillside = school(authority, "4001", "Hillside Academy")
    pupils = [on_roll(hillside, forename=f"Pupil{n}") for n in range(40)]
    indexing.index_roll(hillside)
    entry_ids = set(MatchEntry.objects.values_list("pk", flat=True))
    keys = MatchKey.objects.count()

    with django_assert_max_num_queries(12):  # reads, and no write per pupil
        indexing.index_roll(hillside)
    RollEntry.objects.filter(pk=pupils[0].pk).update(surname="Changed")
    indexing.index_roll(hillside)

    assert set(MatchEntry.objects.values_list("pk", flat=True)) == entry_ids
    assert MatchKey.objects.count() >= keys - 5
    changed = MatchEntry.objects.get(kind=SourceKind.ROLL, source_pk=pupils[0].pk)
    assert engine.PreparedRecord.from_json(changed.features).s0 == "CHANGED"


def test_a_file_of_returns_is_indexed_together_at_its_end(authority: Any, make_member: Any) -> None:
    user = make_member(Role.SCHOOL_USER)
    establishment = user.membership.establishment
    rows = [
        (n + 2, new_pupil(upn=make_upn("990", "2001", 2018, n), surname=f"Hartley{n}"))
        for n in range(1, 7)
    ]
    indexed: list[list[int]] = []
    real = indexing.index_returns

    def counted(model: Any, pks: list[int]) -> int:
        indexed.append(list(pks))
        return real(model, pks)

    with mock.patch.object(indexing, "index_returns", counted):
        returns.returns_upload(actor=user, establishment=establishment, new_pupils=rows)

    assert [len(batch) for batch in indexed] == [6]  # one call for the whole file
    assert MatchEntry.objects.filter(kind=SourceKind.NEW_PUPIL).count() == 6


def test_a_refused_file_indexes_nothing(authority: Any, make_member: Any) -> None:
    user = make_member(Role.SCHOOL_USER)
    establishment = user.membership.establishment
    good = (2, new_pupil(surname="Hartley"))
    with pytest.raises(returns.RowRefused), pytest.MonkeyPatch.context() as patch:
        real = returns.new_pupil_return_submit
        calls = {"n": 0}

        def second_refused(**kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 2:
                raise returns.ReturnRefused("refused for the test")
            return real(**kwargs)

        patch.setattr(returns, "new_pupil_return_submit", second_refused)
        returns.returns_upload(actor=user, establishment=establishment, new_pupils=[good, good])
    assert not MatchEntry.objects.filter(kind=SourceKind.NEW_PUPIL).exists()
