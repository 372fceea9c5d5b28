"""Unique Pupil Numbers (UPNs): the check letter, validation and making new ones.

A UPN has 13 characters: a check letter, the 3-digit LA code, the 4-digit establishment number,
the 2-digit year of allocation and a 3-digit serial. A temporary UPN has a letter instead of the
last digit. The check letter is found by weighting characters 2 to 13 by 2 to 13, adding up, and
taking the sum modulo 23 as an index into the letters A to Z without I, O and S (where letters in
the 13th position also take their value from).

`validate_upn` and `is_valid_upn` check the value exactly as given; clean user input with
`normalise_upn` first (it removes spaces and uppercases).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

__all__ = [
    "CHECK_LETTERS",
    "UPN_LENGTH",
    "check_letter",
    "is_temporary_upn",
    "is_valid_upn",
    "make_temporary_upn",
    "make_upn",
    "normalise_upn",
    "validate_upn",
]

UPN_LENGTH = 13
# A=0 … Z=22, leaving out I, O and S (too easily read as 1, 0 and 5).
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_LETTER_VALUES = {letter: value for value, letter in enumerate(CHECK_LETTERS)}
_DIGITS = frozenset("0123456789")


def _character_value(character: str, position: int) -> int:
    """The value of character `position` (2..13) in the check-letter sum."""
    if character in _DIGITS:
        return int(character)
    if position == UPN_LENGTH and character in _LETTER_VALUES:
        return _LETTER_VALUES[character]
    raise ValueError(f"Character {position} of a UPN cannot be {character!r}")


def check_letter(body12: str) -> str:
    """The check letter for the 12 characters that follow it (digits, the last may be a letter)."""
    if len(body12) != UPN_LENGTH - 1:
        raise ValueError(f"Expected the 12 characters after the check letter, got {len(body12)}")
    total = sum(
        _character_value(character, position) * position
        for position, character in enumerate(body12, start=2)
    )
    return CHECK_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    """Remove spaces (of any kind) and uppercase, as people type UPNs in groups or in lower case."""
    return "".join(value.split()).upper()


def _problem(value: object) -> ValidationError | None:
    """Why `value` is not a valid UPN, or None when it is one."""
    if not isinstance(value, str):
        return ValidationError("Enter the UPN as text", code="upn_type")
    if len(value) != UPN_LENGTH:
        return ValidationError(
            "A UPN must be 13 characters long; this one has %(length)d",
            code="upn_length",
            params={"length": len(value)},
        )
    first, middle, last = value[0], value[1:12], value[12]
    if first not in _LETTER_VALUES:
        return ValidationError(
            "The first character of a UPN must be a capital letter other than I, O or S, "
            "not %(character)s",
            code="upn_characters",
            params={"character": repr(first)},
        )
    for position, character in enumerate(middle, start=2):
        if character not in _DIGITS:
            return ValidationError(
                "Characters 2 to 12 of a UPN must be digits; character %(position)d is "
                "%(character)s",
                code="upn_characters",
                params={"position": position, "character": repr(character)},
            )
    if last not in _DIGITS and last not in _LETTER_VALUES:
        return ValidationError(
            "The last character of a UPN must be a digit, or for a temporary UPN a capital letter "
            "other than I, O or S, not %(character)s",
            code="upn_characters",
            params={"character": repr(last)},
        )
    expected = check_letter(value[1:])
    if first != expected:
        return ValidationError(
            "The check letter of this UPN is wrong: it starts with %(given)s but the other "
            "12 characters give %(expected)s. Check the UPN was copied correctly",
            code="upn_check_letter",
            params={"given": first, "expected": expected},
        )
    return None


def validate_upn(value: object) -> None:
    """Raise ValidationError saying exactly what is wrong unless `value` is a valid UPN."""
    problem = _problem(value)
    if problem is not None:
        raise problem


def is_valid_upn(value: object) -> bool:
    """Whether `value` is a valid UPN, permanent or temporary, exactly as given."""
    return _problem(value) is None


def is_temporary_upn(value: str) -> bool:
    """Whether a valid UPN is a temporary one (its last character is a letter)."""
    return is_valid_upn(value) and value[-1] in _LETTER_VALUES


def _digits(value: str | int, width: int, what: str) -> str:
    text = f"{value:0{width}d}" if isinstance(value, int) else value
    if len(text) != width or not set(text) <= _DIGITS:
        raise ValueError(f"{what} must be {width} digits, not {value!r}")
    return text


def _year(year: int) -> str:
    """The 2-digit year of allocation from a 4-digit (2019) or 2-digit (19) year."""
    if not 0 <= year <= 9999:
        raise ValueError(f"Year of allocation must be a year like 2019 or 19, not {year!r}")
    return f"{year % 100:02d}"


def make_upn(la_code: str | int, establishment_number: str | int, year: int, serial: int) -> str:
    """A permanent UPN: LA code, establishment number, year of allocation and serial (0 to 999)."""
    if not 0 <= serial <= 999:
        raise ValueError(f"Serial must be from 0 to 999, not {serial!r}")
    body = (
        _digits(la_code, 3, "LA code")
        + _digits(establishment_number, 4, "Establishment number")
        + _year(year)
        + f"{serial:03d}"
    )
    return check_letter(body) + body


def make_temporary_upn(
    la_code: str | int, establishment_number: str | int, year: int, serial: int, letter: str = "A"
) -> str:
    """A temporary UPN: as a permanent one, but a 2-digit serial (0 to 99) followed by a letter."""
    if not 0 <= serial <= 99:
        raise ValueError(f"Serial of a temporary UPN must be from 0 to 99, not {serial!r}")
    if letter not in _LETTER_VALUES:
        raise ValueError(f"Letter must be a capital letter other than I, O or S, not {letter!r}")
    body = (
        _digits(la_code, 3, "LA code")
        + _digits(establishment_number, 4, "Establishment number")
        + _year(year)
        + f"{serial:02d}"
        + letter
    )
    return check_letter(body) + body
