"""How a match probability reads on a page."""

from __future__ import annotations


def percent(probability: float) -> str:
    """A probability as a percentage people can compare: "87.5%", "over 99.9%"."""
    value = probability * 100
    if probability >= 1:
        return "100%"
    if value >= 99.95:
        return "over 99.9%"
    if value < 0.1:
        return "under 0.1%"
    return f"{value:.1f}%"


# GOV.UK tag colours for each field verdict the engine gives.
VERDICT_TAGS = {
    "agrees": "govuk-tag--green",
    "close": "govuk-tag--yellow",
    "disagrees": "govuk-tag--red",
    "missing": "govuk-tag--grey",
}
