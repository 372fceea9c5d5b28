"""UK postcodes: checked for shape and written the standard way (upper case, one space)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Outward code (area, district) and inward code (sector, unit); GIR 0AA is the one oddity.
_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value).upper()
    if not _POSTCODE.match(compact):
        raise ValidationError(f"Enter a real UK postcode, like SW1A 1AA (not “{value.strip()}”)")
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_postcode(value: str) -> bool:
    try:
        normalise_postcode(value)
    except ValidationError:
        return False
    return True
