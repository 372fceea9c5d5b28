"""Each comparison level moves the score the right way; twins stay apart; a UPN decides."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from cme.matching.engine import (
    MatchModel,
    PersonRecord,
    PreparedRecord,
    default_model,
    index_keys,
    prepare,
    query_keys,
)

CHILD = PersonRecord(
    id="r1",
    forenames=("William",),
    middle_names="George",
    surnames=("Nowak-Smith",),
    dob=date(2014, 3, 7),
    sex="M",
    postcode="LS6 2AB",
    address="14 Cardigan Road, Leeds",
    upns=("A123456789012",),
    parent_names=("Anna Nowak",),
)


@pytest.fixture(scope="module")
def model() -> MatchModel:
    return default_model()


def probability(model: MatchModel, query: PersonRecord, candidate: PersonRecord = CHILD) -> float:
    return model.score(prepare(query), prepare(candidate)).probability


def evidence(model: MatchModel, query: PersonRecord, field: str) -> tuple[str, str]:
    found = model.score(prepare(query), prepare(CHILD)).evidence
    item = next(e for e in found if e.field == field)
    return item.verdict, item.detail


def evidence_between(
    model: MatchModel, query: PersonRecord, candidate: PersonRecord, field: str
) -> tuple[str, str]:
    found = model.score(prepare(query), prepare(candidate)).evidence
    item = next(e for e in found if e.field == field)
    return item.verdict, item.detail


def without_upn(record: PersonRecord, **changes: object) -> PersonRecord:
    return replace(record, id="q", upns=(), **changes)  # type: ignore[arg-type]


def test_a_nickname_scores_above_a_different_forename(model: MatchModel) -> None:
    nickname = without_upn(CHILD, forenames=("Bill",))
    different = without_upn(CHILD, forenames=("Oscar",))
    assert evidence(model, nickname, "Forename") == (
        "close",
        "nickname or variant (Bill / William)",
    )
    assert probability(model, nickname) > probability(model, different)


def test_a_transliteration_counts_as_a_variant(model: MatchModel) -> None:
    mohammed = replace(CHILD, forenames=("Mohammed",))
    muhammad = without_upn(CHILD, forenames=("Muhammad",))
    verdict = model.score(prepare(muhammad), prepare(mohammed)).evidence[0]
    assert verdict.detail == "nickname or variant (Muhammad / Mohammed)"


def test_a_preferred_forename_agrees_with_the_legal_one(model: MatchModel) -> None:
    registered = replace(CHILD, forenames=("William", "Liam"))
    query = without_upn(CHILD, forenames=("Liam",))
    scored = model.score(prepare(query), prepare(registered))
    assert scored.evidence[0].detail == "preferred name or alias agrees (Liam)"


def test_a_typo_in_the_forename_is_close_not_different(model: MatchModel) -> None:
    typo = without_upn(CHILD, forenames=("Wiliam",))
    assert evidence(model, typo, "Forename")[0] == "close"
    assert probability(model, typo) > probability(model, without_upn(CHILD, forenames=("Oscar",)))


def test_day_and_month_swapped_scores_between_exact_and_different(model: MatchModel) -> None:
    exact = without_upn(CHILD)
    swapped = without_upn(CHILD, dob=date(2014, 7, 3))
    different = without_upn(CHILD, dob=date(2011, 11, 20))
    assert evidence(model, swapped, "Date of birth") == ("close", "day and month swapped")
    assert probability(model, exact) > probability(model, swapped) > probability(model, different)


def test_one_digit_off_in_the_date_of_birth_is_close(model: MatchModel) -> None:
    slip = without_upn(CHILD, dob=date(2014, 3, 8))
    assert evidence(model, slip, "Date of birth") == ("close", "one digit different")
    assert probability(model, slip) > probability(model, without_upn(CHILD, dob=date(2011, 11, 20)))


def test_an_impossible_date_keeps_its_digits_for_the_swap_level(model: MatchModel) -> None:
    registered = replace(CHILD, dob=date(1965, 10, 13))
    query = without_upn(CHILD, dob=None, dob_text="1965-13-10")
    scored = model.score(prepare(query), prepare(registered))
    assert scored.evidence[2].detail == "day and month swapped"


def test_unparsable_date_text_agrees_only_as_text(model: MatchModel) -> None:
    registered = replace(CHILD, dob=None, dob_text="Spring 2014")
    same_text = without_upn(CHILD, dob=None, dob_text="spring 2014")
    other_text = without_upn(CHILD, dob=None, dob_text="summer 2014")
    same = model.score(prepare(same_text), prepare(registered)).evidence[2]
    other = model.score(prepare(other_text), prepare(registered)).evidence[2]
    assert (same.verdict, same.detail) == ("agrees", "same text (not a valid date)")
    assert other.verdict == "disagrees"


def test_each_part_of_a_double_surname_agrees(model: MatchModel) -> None:
    part = without_upn(CHILD, surnames=("Smith",))
    different = without_upn(CHILD, surnames=("Brown",))
    assert evidence(model, part, "Surname")[0] == "agrees"
    assert probability(model, part) > probability(model, different)


def test_a_shared_particle_is_not_a_shared_surname(model: MatchModel) -> None:
    registered = replace(CHILD, surnames=("Van der Berg",))
    query = without_upn(CHILD, surnames=("Van Dijk",))
    assert model.score(prepare(query), prepare(registered)).evidence[1].verdict == "disagrees"


def test_abdul_and_the_word_after_it_are_one_forename(model: MatchModel) -> None:
    registered = replace(CHILD, forenames=("Abdul Rahman",))
    other = without_upn(CHILD, forenames=("Abdul Karim",))
    same = without_upn(CHILD, forenames=("Abdulrahman",))
    assert model.score(prepare(other), prepare(registered)).evidence[0].detail != "same forename"
    assert model.score(prepare(same), prepare(registered)).evidence[0].detail == "same forename"


def test_a_former_surname_agrees(model: MatchModel) -> None:
    registered = replace(CHILD, surnames=("Brown", "Nowak-Smith"))
    query = without_upn(CHILD, surnames=("Nowak-Smith",))
    changed = model.score(prepare(query), prepare(registered))
    assert changed.evidence[1].detail == "former surname or part of a double surname agrees (Nowak)"
    unrelated = model.score(prepare(without_upn(CHILD, surnames=("Green",))), prepare(registered))
    assert changed.probability > unrelated.probability


def test_postcode_levels_fall_from_full_to_sector_to_district(model: MatchModel) -> None:
    full = probability(model, without_upn(CHILD))
    sector = probability(model, without_upn(CHILD, postcode="LS6 2ZZ"))
    district = probability(model, without_upn(CHILD, postcode="LS6 9ZZ"))
    other = probability(model, without_upn(CHILD, postcode="M1 1AA"))
    assert full > sector > district > other


def test_a_postcode_that_is_not_a_uk_postcode_is_compared_as_text(model: MatchModel) -> None:
    registered = replace(CHILD, postcode="75001 Paris")
    same = model.score(prepare(without_upn(CHILD, postcode="75001 PARIS")), prepare(registered))
    assert same.evidence[4].detail == "same postcode"


def test_twins_are_not_a_match_however_much_else_agrees(model: MatchModel) -> None:
    twin = replace(CHILD, id="r2", forenames=("Harry",), middle_names="", upns=("B123456789012",))
    scored = model.score(prepare(twin), prepare(CHILD))
    assert scored.probability < model.threshold
    same_initial = replace(twin, forenames=("Wiktor",))
    assert model.score(prepare(same_initial), prepare(CHILD)).probability < model.threshold


def test_a_shared_upn_is_decisive_even_when_everything_else_differs(model: MatchModel) -> None:
    stranger = PersonRecord(
        id="q", forenames=("Zara",), surnames=("Brown",), dob=date(2009, 1, 1), sex="F",
        postcode="M1 1AA", address="1 Other Road", upns=("X1", "A123456789012"),
    )  # fmt: skip
    scored = model.score(prepare(stranger), prepare(CHILD))
    assert scored.decisive
    assert scored.probability > 0.99


def test_a_missing_value_is_reported_and_weighs_nothing(model: MatchModel) -> None:
    scored = model.score(prepare(without_upn(CHILD, sex="")), prepare(CHILD))
    sex = next(e for e in scored.evidence if e.field == "Sex")
    assert (sex.verdict, sex.weight) == ("missing", 0.0)


def test_a_rare_surname_agreeing_weighs_more_than_a_common_one() -> None:
    base = default_model().to_dict()
    base["term_frequencies"] = {"surname": {"SMITH": 0.02, "NOWAKSMITH": 0.0001}}
    model = MatchModel.from_dict(base)
    smith = replace(CHILD, surnames=("Smith",))
    common = model.score(prepare(without_upn(smith)), prepare(smith)).evidence[1].weight
    rare = model.score(prepare(without_upn(CHILD)), prepare(CHILD)).evidence[1].weight
    assert rare > common


def test_a_prepared_record_survives_json_unchanged(model: MatchModel) -> None:
    prepared = prepare(CHILD)
    stored = json.loads(json.dumps(prepared.to_json()))
    again = PreparedRecord.from_json(stored)
    assert again.to_json() == prepared.to_json()
    query = prepare(without_upn(CHILD, forenames=("Bill",)))
    assert model.score(query, again) == model.score(query, prepared)


def test_a_model_survives_its_dict_form(model: MatchModel) -> None:
    again = MatchModel.from_dict(json.loads(json.dumps(model.to_dict())))
    query = prepare(without_upn(CHILD, forenames=("Bill",)))
    assert again.score(query, prepare(CHILD)) == model.score(query, prepare(CHILD))


def test_describe_gives_every_comparison_with_its_levels(model: MatchModel) -> None:
    summaries = model.describe()
    assert [s.field for s in summaries] == [
        "Forename", "Surname", "Date of birth", "Sex", "Postcode", "Address", "UPN",
        "Parent or carer",
    ]  # fmt: skip
    forename = summaries[0]
    assert any("twins" in level.note for level in forename.levels)
    assert all(0 < level.m <= 1 and 0 < level.u <= 1 for s in summaries for level in s.levels)


@pytest.mark.parametrize(
    "corrupted",
    [
        without_upn(CHILD, forenames=("Bill",), postcode="M1 1AA", address="1 New Road"),
        without_upn(CHILD, surnames=("Brown",), postcode="M1 1AA", address="1 New Road"),
        without_upn(CHILD, dob=date(2014, 7, 3), postcode="M1 1AA"),
        without_upn(CHILD, dob=date(2013, 3, 7), postcode="M1 1AA"),
        without_upn(CHILD, forenames=("Nowak-Smith",), surnames=("William",), postcode="M1 1AA"),
        replace(CHILD, id="q", forenames=("Zed",), surnames=("Zed",), dob=None, postcode=""),
    ],
)
def test_a_corrupted_copy_shares_a_blocking_key(corrupted: PersonRecord) -> None:
    assert query_keys(prepare(corrupted)) & index_keys(prepare(CHILD))


def test_blocking_keys_are_short() -> None:
    assert all(len(key) < 40 for key in query_keys(prepare(CHILD)))


def test_a_name_written_in_cyrillic_or_greek_agrees_with_its_latin_spelling(
    model: MatchModel,
) -> None:
    olena = replace(CHILD, forenames=("Olena",), surnames=("Shevchenko",), middle_names="")
    cyrillic = without_upn(olena, forenames=("Олена",), surnames=("Шевченко",))
    found = {e.field: e.verdict for e in model.score(prepare(cyrillic), prepare(olena)).evidence}
    assert (found["Forename"], found["Surname"]) == ("agrees", "agrees")

    dmitry = replace(CHILD, forenames=("Dmitry",), middle_names="")
    passport = without_upn(dmitry, forenames=("Дмитрий",))  # DMITRII, the passport spelling
    assert model.score(prepare(passport), prepare(dmitry)).evidence[0].detail == (
        "nickname or variant (Dmitrii / Dmitry)"
    )

    greek = replace(CHILD, surnames=("Papadopoulos",))
    written = without_upn(greek, surnames=("Παπαδόπουλος",))
    assert evidence_between(model, written, greek, "Surname")[0] == "agrees"
