from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cme.children.postcodes import is_valid_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" ex4  9qq ", "EX4 9QQ"),
        ("M1 1AE", "M1 1AE"),
        ("b33 8th", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_real_postcodes_are_written_the_standard_way(typed: str, written: str) -> None:
    assert normalise_postcode(typed) == written
    assert is_valid_postcode(typed)


@pytest.mark.parametrize(
    "typed", ["", "SW1A", "12345", "SW1A 1A", "EX4 9CI", "QQ1 1AA1", "E1 1AA X"]
)
def test_anything_else_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ValidationError, match="Enter a real UK postcode, like SW1A 1AA"):
        normalise_postcode(typed)
    assert not is_valid_postcode(typed)
