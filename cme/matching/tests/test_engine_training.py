"""Training without labels finds the right parameters on small made-up registers."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from cme.matching.engine import MatchModel, PersonRecord
from cme.matching.engine.linkage import link
from cme.matching.engine.training import train

FORENAMES = [
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Aisha",
    "Zofia",
    "Jakub",
    "Maja",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Khan",
    "Nowak",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Begum",
    "Ahmed",
    "Kowalski",
    "Murphy",
    "Kelly",
    "Singh",
    "Roberts",
    "Evans",
    "Thomas",
]
STREETS = ["High Street", "Mill Lane", "Park Road", "Church Road", "Station Road", "Victoria Road"]


def _child(rng: random.Random, number: int) -> PersonRecord:
    born = date(2008, 9, 1) + timedelta(days=rng.randrange(0, 12 * 365))
    district = f"LS{rng.randrange(1, 30)}"
    return PersonRecord(
        id=f"R{number}",
        forenames=(rng.choice(FORENAMES),),
        surnames=(rng.choice(SURNAMES),),
        dob=born,
        sex=rng.choice("MF"),
        postcode=f"{district} {rng.randrange(1, 9)}{rng.choice('ABDEFG')}{rng.choice('HJLNPQ')}",
        address=f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
    )


def _corrupted(rng: random.Random, child: PersonRecord, number: int) -> PersonRecord:
    query = replace(child, id=f"Q{number}")
    if rng.random() < 0.4:  # moved
        query = replace(query, postcode=_child(rng, 0).postcode, address=_child(rng, 0).address)
    if rng.random() < 0.1 and query.dob and query.dob.day <= 12:
        query = replace(query, dob=date(query.dob.year, query.dob.day, query.dob.month))
    if rng.random() < 0.1:
        name = query.forenames[0]
        cut = rng.randrange(1, len(name))
        query = replace(query, forenames=(name[:cut] + name[cut + 1 :],))
    if rng.random() < 0.1:
        query = replace(query, sex="")
    return query


@pytest.fixture(scope="module")
def registers() -> tuple[list[PersonRecord], list[PersonRecord], set[tuple[str, str]]]:
    rng = random.Random(11)  # noqa: S311 - test data, not secrets
    register = [_child(rng, n) for n in range(3000)]
    picked = rng.sample(register, 800)
    queries = [_corrupted(rng, child, n) for n, child in enumerate(picked)]
    truth = {(q.id, c.id) for q, c in zip(queries, picked, strict=True)}
    queries += [_child(rng, 10_000 + n) for n in range(400)]  # not on the register
    return register, queries, truth


@pytest.fixture(scope="module")
def trained(
    registers: tuple[list[PersonRecord], list[PersonRecord], set[tuple[str, str]]],
) -> MatchModel:
    register, queries, _ = registers
    return train(register, queries=queries, description={"source": "test"})


def test_a_trained_model_links_corrupted_copies_accurately(
    registers: tuple[list[PersonRecord], list[PersonRecord], set[tuple[str, str]]],
    trained: MatchModel,
) -> None:
    register, queries, truth = registers
    found = {(r.query_id, r.register_id) for r in link(register, queries, trained)}
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision > 0.95
    assert recall > 0.9


def test_em_learns_that_true_matches_usually_share_a_date_of_birth(trained: MatchModel) -> None:
    exact, *_, different = trained.m["dob"]
    assert exact > 0.8
    assert trained.u["dob"][0] < 0.01
    assert different < 0.1


def test_the_model_records_what_it_was_trained_on(trained: MatchModel) -> None:
    assert trained.trained_at is not None
    assert trained.trained_on["register_records"] == 3000
    assert trained.trained_on["query_records"] == 1200
    assert trained.trained_on["source"] == "test"
    assert 0 < trained.prior < 0.01


def test_accepted_pairs_move_m_towards_what_officers_saw(
    registers: tuple[list[PersonRecord], list[PersonRecord], set[tuple[str, str]]],
    trained: MatchModel,
) -> None:
    register, queries, truth = registers
    by_id = {r.id: r for r in [*register, *queries]}
    # Officers accepted 200 pairs in which the postcode always differed.
    accepted = [
        (replace(by_id[q], postcode="ZZ9 9ZZ"), by_id[r], True) for q, r in sorted(truth)[:200]
    ]
    refined = train(register, queries=queries, labelled_pairs=accepted)
    assert refined.m["postcode"][-1] > trained.m["postcode"][-1]
    assert refined.trained_on["labelled_matches"] == 200


def test_training_on_a_register_alone_finds_its_duplicates(
    registers: tuple[list[PersonRecord], list[PersonRecord], set[tuple[str, str]]],
) -> None:
    register, queries, _ = registers
    with_duplicates = register + queries[:300]
    model = train(with_duplicates)
    assert model.trained_on["mode"] == "deduplicate register"
    assert model.m["dob"][0] > 0.7
