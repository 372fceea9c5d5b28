"""Invariants of a generated data set, checked by `synth.py --check`."""

from __future__ import annotations

import re
from datetime import date
from typing import Protocol

from cme.children.upn import is_valid_upn

UK_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}")  # queries may drop the space


class DataSet(Protocol):
    register: list[dict[str, str]]
    queries: list[dict[str, str]]
    truth: set[tuple[str, str]]
    twins: set[tuple[str, str]]


def _parses(dob: str) -> bool:
    try:
        date.fromisoformat(dob)
    except ValueError:
        return False
    return True


def problems(data: DataSet, messy: bool) -> list[str]:
    """What is wrong with `data`; empty when every invariant holds. `messy`: the files scenario."""
    found: list[str] = []
    register = {row["id"]: row for row in data.register}
    queries = {row["id"]: row for row in data.queries}
    if len(register) != len(data.register) or len(queries) != len(data.queries):
        found.append("ids are not unique")
    matched = [query for query, _ in data.truth]
    if len(set(matched)) != len(matched):
        found.append("a query has more than one true match")
    for query, target in data.truth:
        if query not in queries or target not in register:
            found.append(f"truth pair {query},{target} names a missing row")
            break
    upns = [row["upn"] for row in data.register if row["upn"]]
    if len(set(upns)) != len(upns):
        found.append("register UPNs are not unique")
    if not all(is_valid_upn(upn) for upn in upns):
        found.append("a register UPN fails its check letter")
    truth = dict(data.truth)
    register_upns = set(upns)
    for row in data.queries:
        upn, matched_id = row["upn"], truth.get(row["id"])
        expected = register[matched_id]["upn"] if matched_id is not None else ""
        if upn and expected and upn != expected:  # a blanked register column hides the UPN
            found.append(f"query {row['id']} has a UPN that is not its child's")
        elif upn and matched_id is None and upn in register_upns:
            found.append(f"query {row['id']} is not on the register but has a register UPN")
    for first, second in data.twins:
        a, b = register.get(first), register.get(second)
        if a is None or b is None:
            found.append(f"twins {first},{second} are not both on the register")
        elif messy:
            continue
        elif a["dob"] != b["dob"] or a["address"] != b["address"] or a["forename"] == b["forename"]:
            found.append(
                f"twins {first},{second} differ in date of birth or address, or share a name"
            )
    if not messy:
        for row in data.register + data.queries:
            if row["dob"] and not _parses(row["dob"]):
                found.append(f"row {row['id']} has an unparsable date of birth")
                break
            if row["postcode"] and not UK_POSTCODE.fullmatch(row["postcode"].upper()):
                found.append(f"row {row['id']} has a postcode not in UK format")
                break
    return found
