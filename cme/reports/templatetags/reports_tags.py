"""Showing a figure's value: a number as it is, a blank as "none"."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure(value: object) -> object:
    """A missing statistic (no cases in the term) reads "none" rather than an empty cell."""
    if value is None or value == "":
        return "none"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
