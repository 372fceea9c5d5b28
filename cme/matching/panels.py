"""The candidates panel shown inside referral triage and case opening: the top few, with a way
to the full search that carries what is known in a POST (never in a URL)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cme.matching.display import VERDICT_TAGS
from cme.matching.engine import PersonRecord
from cme.matching.forms import QUERY_ID
from cme.matching.selectors import Candidate, active_model, find_candidates
from cme.matching.sources import referral_source

PANEL_SIZE = 3


def _names(*values: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v and v.strip())


def search_fields(record: PersonRecord) -> dict[str, str]:
    """The Find a child form's fields for `record`, as hidden inputs of the "see all" button."""
    dob = record.dob
    return {
        "forename": record.forenames[0] if record.forenames else "",
        "surname": record.surnames[0] if record.surnames else "",
        "other_names": ", ".join(record.forenames[1:]),
        "date_of_birth_0": str(dob.day) if dob else "",
        "date_of_birth_1": str(dob.month) if dob else "",
        "date_of_birth_2": str(dob.year) if dob else "",
        "sex": record.sex,
        "postcode": record.postcode,
        "address": record.address,
        "upn": record.upns[0] if record.upns else "",
        "parent_name": record.parent_names[0] if record.parent_names else "",
    }


def panel(user: Any, record: PersonRecord, *, exclude: Any = ()) -> dict[str, Any]:
    """Context for matching/_panel.html."""
    if not user.has_perm("matching.find_child"):
        return {"matching_panel": None}
    candidates: list[Candidate] = find_candidates(user, record, PANEL_SIZE, exclude=exclude)
    return {
        "matching_panel": {
            "candidates": candidates,
            "search": search_fields(record),
            "threshold": active_model().threshold,
            "verdict_tags": VERDICT_TAGS,
        }
    }


def referral_panel(user: Any, referral: Any) -> dict[str, Any]:
    record = referral_source(referral).record
    return panel(user, record, exclude={("referral", referral.pk)})


def new_child_record(data: Mapping[str, Any]) -> PersonRecord:
    """A record from the case-opening form's cleaned data."""
    born = data.get("date_of_birth")
    return PersonRecord(
        id=QUERY_ID,
        forenames=_names(str(data.get("forename", ""))),
        middle_names=str(data.get("middle_names", "") or ""),
        surnames=_names(str(data.get("surname", ""))),
        dob=born if isinstance(born, date) else None,
        sex=str(data.get("sex", "")) if data.get("sex") in ("M", "F") else "",
        upns=_names(str(data.get("upn", "") or "")),
    )


def likely_matches(user: Any, data: Mapping[str, Any]) -> dict[str, Any]:
    """The panel for a child about to be created, or an empty dict when no candidate reaches the
    model's threshold (the case then opens without a stop)."""
    context = panel(user, new_child_record(data))
    shown = context["matching_panel"]
    if shown is None:
        return {}
    if not any(c.scored.probability >= shown["threshold"] for c in shown["candidates"]):
        return {}
    return context
