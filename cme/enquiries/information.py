"""What an enquiry carries: the basic information set (§3.3.3.1) and the vulnerability
indicators (§3.3.3.3), built from the case and the child, and shown as rows on both sides.

For a restricted child (§3.9.3.2) the location fields are left out here, before anything is
saved or sent: they are not in the enquiry at all, so no later step can leak them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from cme.cases.models import Case
from cme.children.models import (
    Ethnicity,
    NameKind,
    Relationship,
    Sex,
    SpecialNeeds,
    VulnerableGroup,
)

# Where the child is, was or may be: never sent for a restricted child.
LOCATION_KEYS = (
    "previous_address",
    "previous_school",
    "last_attended_on",
    "possible_new_address",
    "possible_new_school",
)
# Left out for a restricted child too: the UPN names the LA and school that issued it, often the
# withheld previous school (and it is not in §3.3.3.1's list).
WITHHELD_KEYS = (*LOCATION_KEYS, "upn")
# What the enquiring officer types in on the enquiry form, beyond what the case holds.
EXTRA_KEYS = (
    "possible_new_address",
    "possible_new_school",
    "date_left_area",
    "reason_for_leaving",
    "attendance_interventions",
)

ASYLUM = {VulnerableGroup.UNACCOMPANIED_ASYLUM, VulnerableGroup.REFUGEE_FAMILY}
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def basic_information(case: Case, extra: dict[str, Any]) -> dict[str, Any]:
    """§3.3.3.1 for this case's child. `extra` holds what the officer typed."""
    child = case.child
    addresses = list(child.addresses.all())
    previous = next((a for a in addresses if a.is_current), addresses[0] if addresses else None)
    school = case.last_placement.name if case.last_placement else case.last_placement_other
    details: dict[str, Any] = {
        "forename": child.forename,
        "middle_names": child.middle_names,
        "surname": child.surname,
        "preferred_name": " ".join(
            p for p in (child.preferred_forename, child.preferred_surname) if p
        ),
        "other_names": [
            {"forename": n.forename, "surname": n.surname, "kind": n.kind}
            for n in child.other_names.all()
        ],
        "date_of_birth": _iso(child.date_of_birth),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "upn": child.upn,
        "country_of_origin": child.country_of_origin,
        # Names and who holds parental responsibility: never a carer's address or contacts.
        "carers": [
            {
                "name": c.full_name,
                "relationship": c.relationship,
                "parental_responsibility": c.has_parental_responsibility,
                "lives_with_child": c.lives_with_child,
            }
            for c in child.carers.all()
        ],
        "siblings": [
            {"name": s.full_name, "date_of_birth": _iso(s.date_of_birth)}
            for s in child.siblings.all()
        ],
        "previous_address": previous.one_line() if previous else "",
        "previous_school": school,
        "last_attended_on": _iso(case.last_attended_on),
        "possible_new_address": extra.get("possible_new_address", ""),
        "possible_new_school": extra.get("possible_new_school", ""),
        "date_left_area": extra.get("date_left_area", ""),
        "restricted": child.is_restricted,
    }
    if child.is_restricted:
        details = withheld(details)
    return details


def withheld(details: dict[str, Any]) -> dict[str, Any]:
    """The details as a restricted child's enquiry carries them: no place, no UPN."""
    kept = {k: v for k, v in details.items() if k not in WITHHELD_KEYS}
    kept["restricted"] = True
    return kept


TEXT_WITHHELD = "Withheld: restricted record"


def text_withheld(indicators: dict[str, Any]) -> dict[str, Any]:
    """The indicators with their free text (which may name a place) withheld."""
    return {
        **indicators,
        "reason_for_leaving": TEXT_WITHHELD,
        "attendance_interventions": TEXT_WITHHELD,
    }


def vulnerability_indicators(case: Case, extra: dict[str, Any]) -> dict[str, Any]:
    """§3.3.3.3 (the reason for believing the child is there travels as the enquiry's reason)."""
    child = case.child
    groups = sorted(v.group for v in child.vulnerabilities.all())
    return {
        "reason_for_leaving": extra.get("reason_for_leaving", ""),
        "child_protection_plan": child.child_protection_plan,
        "looked_after": child.looked_after,
        "child_in_need": child.child_in_need,
        "privately_fostered": VulnerableGroup.PRIVATELY_FOSTERED in groups,
        "asylum_seeker": any(g in ASYLUM for g in groups),
        "youth_justice": VulnerableGroup.OFFENDING in groups,
        "attendance_interventions": extra.get("attendance_interventions", ""),
        "special_needs": child.special_needs,
        "vulnerable_groups": groups,
    }


def location_words(case: Case) -> list[str]:
    """The restricted child's known places, to keep out of free text that travels."""
    child = case.child
    words: list[str] = []
    for a in child.addresses.all():
        words += [a.line1, a.line2, a.town, a.postcode]
    for c in child.carers.all():
        words += [c.address, c.phone, c.email, *re.split(r"[,\n]", c.address)]
    if case.last_placement:
        words.append(case.last_placement.name)
    words.append(case.last_placement_other)
    return [w.strip() for w in words if w and len(w.strip()) >= 4]


def names_a_place(text: str, places: list[str]) -> bool:
    lowered = text.lower()
    return bool(POSTCODE.search(text)) or any(p.lower() in lowered for p in places)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _yes(value: Any) -> str:
    return "Yes" if value else "No"


def _date(value: Any) -> str:
    if not value:
        return "Not known"
    try:
        return date.fromisoformat(str(value)).strftime("%-d %B %Y")
    except ValueError:
        return str(value)  # as another deployment sent it


def detail_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """The basic information as (label, text) rows, in the guidance's order."""
    others = [
        f"{n.get('forename', '')} {n.get('surname', '')} "
        f"({_label(NameKind, str(n.get('kind', ''))).lower()})".strip()
        for n in details.get("other_names", [])
    ]
    carers = [
        f"{c.get('name', '')} ({_label(Relationship, str(c.get('relationship', ''))).lower()}"
        f"{', parental responsibility' if c.get('parental_responsibility') else ''}"
        f"{', lives with the child' if c.get('lives_with_child') else ''})"
        for c in details.get("carers", [])
    ]
    siblings = [
        str(s.get("name", ""))
        + (f", born {_date(s['date_of_birth'])}" if s.get("date_of_birth") else "")
        for s in details.get("siblings", [])
    ]
    name = " ".join(
        str(details.get(k)) for k in ("forename", "middle_names", "surname") if details.get(k)
    )
    rows = [
        ("Legal name", name),
        ("Preferred name", details.get("preferred_name") or "None recorded"),
        ("Aliases and former names", "; ".join(others) or "None recorded"),
        ("Date of birth", _date(details.get("date_of_birth", ""))),
        ("Gender", _label(Sex, details.get("sex", "U"))),
        (
            "Ethnicity",
            _label(Ethnicity, str(details["ethnicity"]))
            if details.get("ethnicity")
            else "Not recorded",
        ),
        (
            "UPN",
            "Withheld: restricted record"
            if details.get("restricted")
            else details.get("upn") or "Not known",
        ),
        ("Parents and carers", "; ".join(carers) or "None recorded"),
        ("Siblings", "; ".join(siblings) or "None recorded"),
    ]
    if details.get("restricted"):
        rows.append(
            (
                "Addresses and schools",
                "Withheld: restricted record. Ask the enquiring officer by phone.",
            )
        )
    else:
        rows += [
            ("Previous address", details.get("previous_address") or "Not known"),
            ("Previous school", details.get("previous_school") or "Not known"),
            ("Date of last attendance", _date(details.get("last_attended_on", ""))),
            ("Possible new address", details.get("possible_new_address") or "Not known"),
            ("Possible new school", details.get("possible_new_school") or "Not known"),
        ]
    rows += [
        ("Date the child left the area", _date(details.get("date_left_area", ""))),
        ("Country of origin, if recently arrived", details.get("country_of_origin") or "Not given"),
    ]
    return rows


def indicator_rows(indicators: dict[str, Any]) -> list[tuple[str, str]]:
    groups = [_label(VulnerableGroup, g) for g in indicators.get("vulnerable_groups", [])]
    return [
        ("Reason for leaving", indicators.get("reason_for_leaving") or "Not known"),
        ("Child protection plan", _yes(indicators.get("child_protection_plan"))),
        ("Looked after", _yes(indicators.get("looked_after"))),
        ("Child in need", _yes(indicators.get("child_in_need"))),
        ("Privately fostered", _yes(indicators.get("privately_fostered"))),
        ("Asylum seeker", _yes(indicators.get("asylum_seeker"))),
        ("Involved with youth justice", _yes(indicators.get("youth_justice"))),
        (
            "Interventions for poor attendance",
            indicators.get("attendance_interventions") or "None known",
        ),
        ("Special educational needs", _label(SpecialNeeds, indicators.get("special_needs", ""))),
        ("Vulnerable groups", "; ".join(groups) or "None recorded"),
    ]


def high_concern(indicators: dict[str, Any]) -> bool:
    """Indicators that start an incoming enquiry at high priority, before the assessment."""
    return bool(
        indicators.get("child_protection_plan")
        or indicators.get("looked_after")
        or indicators.get("privately_fostered")
    )
