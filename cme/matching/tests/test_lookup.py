"""find_candidates: ranked, explained, scoped to what the user may see, and read from the index."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cme.accounts.models import Role
from cme.children.restriction import RESTRICTED_LABEL
from cme.children.services import child_seal_break
from cme.children.upn import make_upn
from cme.matching import indexing
from cme.matching.engine import PersonRecord
from cme.matching.models import MatchKey, SourceKind
from cme.matching.selectors import find_candidates
from cme.matching.tests.factories import child_with_case, on_roll, school

pytestmark = pytest.mark.django_db

UPN = make_upn("990", "2001", 2019, 5)


def query(**fields: Any) -> PersonRecord:
    defaults: dict[str, Any] = {
        "id": "query",
        "forenames": ("Amelia",),
        "surnames": ("Pemberton",),
        "dob": date(2014, 5, 17),
        "sex": "F",
    }
    return PersonRecord(**{**defaults, **fields})


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member(Role.CME_OFFICER)


def test_a_pupil_on_roll_is_found_with_a_misspelt_name(authority: Any, officer: Any) -> None:
    hillside = school(authority, "4001", "Hillside Academy")
    pupil = on_roll(hillside)
    indexing.index_roll(hillside)

    found = find_candidates(officer, query(forenames=("Amelia",), surnames=("Pemberton",)))

    assert found[0].entry.kind == SourceKind.ROLL
    assert found[0].entry.source_pk == pupil.pk
    assert found[0].label == "On roll at Hillside Academy"
    assert found[0].scored.probability > 0.9
    assert {e.field for e in found[0].evidence} >= {"Forename", "Surname", "Date of birth"}


def test_an_agreeing_upn_is_decisive(authority: Any, officer: Any) -> None:
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside, upn=UPN, forename="Mia", surname="Johnson", date_of_birth=date(2013, 1, 2))
    indexing.index_roll(hillside)

    found = find_candidates(officer, query(upns=(UPN,)))

    assert found[0].scored.decisive
    assert found[0].scored.probability > 0.99


def test_twins_are_kept_apart(authority: Any, officer: Any) -> None:
    hillside = school(authority, "4001", "Hillside Academy")
    amelia = on_roll(hillside, forename="Amelia")
    on_roll(hillside, forename="Sophie")
    indexing.index_roll(hillside)

    found = find_candidates(officer, query(postcode="EX1 2AB", address="12 Orchard Way"))

    assert found[0].entry.source_pk == amelia.pk
    sophie = [c for c in found if c.entry.source_pk != amelia.pk]
    assert all(c.scored.probability < 0.5 for c in sophie)


def test_another_authoritys_children_are_never_candidates(
    authority: Any, other_authority: Any, officer: Any, make_member: Any
) -> None:
    theirs = make_member(Role.CME_OFFICER, of=other_authority)
    child_with_case(other_authority, theirs)

    assert find_candidates(officer, query()) == []


def test_a_restricted_child_shows_only_as_restricted(authority: Any, officer: Any) -> None:
    child_with_case(
        authority, officer, is_restricted=True, restriction_reason="Refuge", postcode="EX1 2AB"
    )

    found = find_candidates(officer, query())

    assert len(found) == 1
    assert found[0].hidden
    assert found[0].label == RESTRICTED_LABEL
    assert found[0].evidence == ()
    assert found[0].link is None


def test_a_grant_lets_the_holder_see_the_restricted_child(authority: Any, officer: Any) -> None:
    child, _case = child_with_case(
        authority, officer, is_restricted=True, restriction_reason="Refuge"
    )
    child_seal_break(child=child, actor=officer, reason="Home visit booked for tomorrow")

    found = find_candidates(officer, query())

    assert not found[0].hidden
    assert found[0].link is not None


def test_a_restricted_childs_school_is_not_in_the_roll_entrys_label(
    authority: Any, officer: Any
) -> None:
    child_with_case(authority, officer, upn=UPN, is_restricted=True, restriction_reason="Refuge")
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside, upn=UPN)
    indexing.index_roll(hillside)

    found = find_candidates(officer, query())

    assert found and all(c.hidden for c in found)
    assert all("Hillside" not in c.entry.label for c in found)


def test_caseworkers_and_schools_get_no_candidates(authority: Any, make_member: Any) -> None:
    child_with_case(authority, make_member(Role.CME_OFFICER))
    for role in (Role.CASEWORKER, Role.SCHOOL_USER, Role.PARTNER):
        assert find_candidates(make_member(role), query()) == []


def test_lookups_read_a_constant_number_of_queries(
    authority: Any, officer: Any, django_assert_num_queries: Any
) -> None:
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside)
    indexing.index_roll(hillside)
    find_candidates(officer, query())  # loads the model once for the process
    # The entries sharing a key, found through the key index in a subquery.
    with django_assert_num_queries(1):
        few = find_candidates(officer, query())
    for n in range(30):
        on_roll(hillside, upn=make_upn("990", "4001", 2019, n + 10), forename=f"Amelia{n}")
    indexing.index_roll(hillside)
    with django_assert_num_queries(1):
        many = find_candidates(officer, query())
    assert len(many) > len(few)


def test_the_lookup_reads_keys_from_the_index_not_the_register(
    authority: Any, officer: Any, django_assert_num_queries: Any
) -> None:
    hillside = school(authority, "4001", "Hillside Academy")
    on_roll(hillside)
    indexing.index_roll(hillside)
    assert MatchKey.objects.filter(authority_id=authority.pk).exists()
    find_candidates(officer, query())
    with django_assert_num_queries(1) as captured:
        find_candidates(officer, query())
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "registers_rollentry" not in sql
