"""UPN rules: the check letter, what validation says, and making new UPNs."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError

from cme.children.upn import (
    CHECK_LETTERS,
    check_letter,
    is_temporary_upn,
    is_valid_upn,
    make_temporary_upn,
    make_upn,
    normalise_upn,
    validate_upn,
)


def _message(value: object) -> str:
    with pytest.raises(ValidationError) as raised:
        validate_upn(value)
    [message] = raised.value.messages
    return message


def _code(value: object) -> str | None:
    with pytest.raises(ValidationError) as raised:
        validate_upn(value)
    return raised.value.code


def test_the_spec_example_is_valid() -> None:
    assert check_letter("801200005001") == "B"
    assert is_valid_upn("B801200005001")
    validate_upn("B801200005001")


def test_the_spec_example_with_the_wrong_check_letter_is_not() -> None:
    assert not is_valid_upn("A801200005001")
    assert _code("A801200005001") == "upn_check_letter"
    assert _message("A801200005001") == (
        "The check letter of this UPN is wrong: it starts with A but the other 12 characters "
        "give B. Check the UPN was copied correctly"
    )


def test_the_check_letter_table_leaves_out_i_o_and_s() -> None:
    assert len(CHECK_LETTERS) == 23
    assert not set("IOS") & set(CHECK_LETTERS)
    assert CHECK_LETTERS[0] == "A" and CHECK_LETTERS[8] == "J" and CHECK_LETTERS[22] == "Z"


def test_a_temporary_upn_values_its_last_letter_from_the_table() -> None:
    # 8*2 + 1*4 + 2*5 + 5*10 + 13 * value(letter); with A (0) the sum is 80, 80 mod 23 = 11 → M.
    assert check_letter("80120000500A") == "M"
    # C is 2: 80 + 26 = 106, 106 mod 23 = 14 → Q.
    assert check_letter("80120000500C") == "Q"
    assert is_valid_upn("M80120000500A")
    assert is_temporary_upn("M80120000500A")
    assert not is_temporary_upn("B801200005001")
    assert not is_valid_upn("B80120000500A")


@pytest.mark.parametrize("letter", ["I", "O", "S"])
def test_a_temporary_upn_cannot_end_in_i_o_or_s(letter: str) -> None:
    value = "A80120000500" + letter
    assert not is_valid_upn(value)
    assert _code(value) == "upn_characters"
    assert _message(value) == (
        "The last character of a UPN must be a digit, or for a temporary UPN a capital letter "
        f"other than I, O or S, not '{letter}'"
    )


def test_a_letter_anywhere_but_the_ends_is_refused() -> None:
    with pytest.raises(ValueError, match="Character 5"):
        check_letter("801A00005001")


@pytest.mark.parametrize(
    ("value", "length"), [("", 0), ("B80120000500", 12), ("B8012000050011", 14)]
)
def test_it_says_when_the_length_is_wrong(value: str, length: int) -> None:
    assert _code(value) == "upn_length"
    assert _message(value) == f"A UPN must be 13 characters long; this one has {length}"


def test_it_says_when_the_first_character_is_not_a_check_letter() -> None:
    assert _message("1801200005001") == (
        "The first character of a UPN must be a capital letter other than I, O or S, not '1'"
    )
    assert _message("I801200005001").endswith("not 'I'")
    assert _message("b801200005001").endswith("not 'b'")


def test_it_says_which_middle_character_is_not_a_digit() -> None:
    assert _code("B8012X0005001") == "upn_characters"
    assert _message("B8012X0005001") == (
        "Characters 2 to 12 of a UPN must be digits; character 6 is 'X'"
    )
    assert _message("B80120000500 1") == "A UPN must be 13 characters long; this one has 14"
    assert _message("B8012000 5001") == (
        "Characters 2 to 12 of a UPN must be digits; character 9 is ' '"
    )


def test_it_refuses_what_is_not_text() -> None:
    assert _code(801200005001) == "upn_type"
    assert _message(None) == "Enter the UPN as text"
    assert not is_valid_upn(None)


def test_lower_case_and_spaced_input_is_normalised() -> None:
    assert normalise_upn(" b801 2000 05001 ") == "B801200005001"
    assert normalise_upn("b\t8012\u00a0000050\n01") == "B801200005001"
    assert normalise_upn("m80120000500a") == "M80120000500A"
    assert is_valid_upn(normalise_upn("b801 200 005 001"))
    # Validation itself is exact: forms normalise first.
    assert not is_valid_upn("b801200005001")


def test_make_upn_gives_the_spec_example() -> None:
    assert make_upn("801", "2000", 2005, 1) == "B801200005001"
    assert make_upn(801, 2000, 5, 1) == "B801200005001"


def test_make_temporary_upn_ends_in_the_letter() -> None:
    assert make_temporary_upn("801", "2000", 2005, 0, "A") == "M80120000500A"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("99", "2001", 2019, 1), "LA code must be 3 digits"),
        (("990", "201", 2019, 1), "Establishment number must be 4 digits"),
        (("990", 12345, 2019, 1), "Establishment number must be 4 digits"),
        (("990", "2001", -1, 1), "Year of allocation"),
        (("990", "2001", 2019, 1000), "Serial must be from 0 to 999"),
        (("990", "2001", 2019, -1), "Serial must be from 0 to 999"),
    ],
)
def test_make_upn_refuses_parts_that_do_not_fit(
    args: tuple[str | int, str | int, int, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_upn(*args)


def test_make_temporary_upn_refuses_parts_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match="from 0 to 99"):
        make_temporary_upn("990", "2001", 2019, 100)
    with pytest.raises(ValueError, match="other than I, O or S"):
        make_temporary_upn("990", "2001", 2019, 1, "O")


def _random_parts(rng: random.Random) -> tuple[str, str, int, int]:
    return (
        f"{rng.randrange(1000):03d}",
        f"{rng.randrange(10000):04d}",
        rng.randrange(1990, 2040),
        rng.randrange(1000),
    )


def test_every_made_upn_is_valid_and_keeps_its_parts() -> None:
    rng = random.Random(990)  # noqa: S311 - test data, not secrets
    for _ in range(5000):
        la, number, year, serial = _random_parts(rng)
        upn = make_upn(la, number, year, serial)
        assert is_valid_upn(upn), upn
        assert not is_temporary_upn(upn)
        assert upn[1:] == f"{la}{number}{year % 100:02d}{serial:03d}"
        temporary = make_temporary_upn(la, number, year, serial % 100, rng.choice(CHECK_LETTERS))
        assert is_valid_upn(temporary), temporary
        assert is_temporary_upn(temporary)


def test_every_single_character_change_is_caught() -> None:
    """23 is prime and every weight is below it, so one wrong character always shows."""
    rng = random.Random(13)  # noqa: S311
    for _ in range(300):
        upn = make_upn(*_random_parts(rng))
        position = rng.randrange(13)
        if position == 0:
            replacement = rng.choice([c for c in CHECK_LETTERS if c != upn[0]])
        else:
            replacement = rng.choice([c for c in "0123456789" if c != upn[position]])
        changed = upn[:position] + replacement + upn[position + 1 :]
        assert not is_valid_upn(changed), (upn, changed)


def test_every_swap_of_neighbouring_digits_is_caught() -> None:
    rng = random.Random(21)  # noqa: S311
    for _ in range(300):
        upn = make_upn(*_random_parts(rng))
        position = rng.randrange(1, 12)
        if upn[position] == upn[position + 1]:
            continue
        swapped = upn[:position] + upn[position + 1] + upn[position] + upn[position + 2 :]
        assert not is_valid_upn(swapped), (upn, swapped)
