"""What applying a checked file would change: new, changed and (for a roll) left the roll.

A roll file is the establishment's whole roll: a pupil on the roll here but not in the file has left
it. An establishments file adds and changes establishments; those not in it are left as they are.
The digest pins down the plan a person saw, so applying can refuse if the register moved on since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cme.children.upn import normalise_upn
from cme.registers.imports.checks import EstablishmentRow, PupilRow
from cme.registers.models import Establishment, RollEntry

PREVIEW_ROWS = 100

ROLL_FIELDS = (
    "forename",
    "middle_names",
    "surname",
    "preferred_forename",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "year_group",
    "admission_date",
)
ESTABLISHMENT_FIELDS = ("urn", "name", "kind", "phase", "is_open")


def field_label(model: Any, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _digest(parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class RollPlan:
    establishment: Establishment
    new: list[PupilRow] = field(default_factory=list)
    changed: list[tuple[RollEntry, PupilRow, list[str]]] = field(default_factory=list)
    left: list[RollEntry] = field(default_factory=list)
    unchanged: int = 0

    @property
    def digest(self) -> str:
        return _digest(
            {
                "establishment": self.establishment.pk,
                "new": sorted(row.upn for row in self.new),
                "changed": sorted([row.upn, names] for _, row, names in self.changed),
                "left": sorted(entry.upn for entry in self.left),
            }
        )

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "left": len(self.left),
            "unchanged": self.unchanged,
        }

    def preview(self) -> dict[str, list[Any]]:
        """The first rows of each part, for the preview page (names are shown to the officer)."""
        return {
            "new": [[row.row, row.upn, row.name] for row in self.new[:PREVIEW_ROWS]],
            "changed": [
                [row.row, row.upn, row.name, [field_label(RollEntry, n) for n in names]]
                for _, row, names in self.changed[:PREVIEW_ROWS]
            ],
            "left": [
                [entry.upn, f"{entry.forename} {entry.surname}"]
                for entry in self.left[:PREVIEW_ROWS]
            ],
        }


def roll_plan(establishment: Establishment, rows: list[PupilRow]) -> RollPlan:
    plan = RollPlan(establishment)
    current = {
        normalise_upn(entry.upn): entry
        for entry in RollEntry.objects.filter(establishment=establishment).order_by("pk")
    }
    for row in rows:
        entry = current.pop(row.upn, None)
        if entry is None:
            plan.new.append(row)
            continue
        names = [name for name in ROLL_FIELDS if getattr(entry, name) != getattr(row, name)]
        if entry.upn != row.upn:
            names.insert(0, "upn")
        if names:
            plan.changed.append((entry, row, names))
        else:
            plan.unchanged += 1
    plan.left = sorted(current.values(), key=lambda entry: (entry.surname, entry.forename))
    return plan


@dataclass
class EstablishmentPlan:
    la_code: str
    new: list[EstablishmentRow] = field(default_factory=list)
    changed: list[tuple[Establishment, EstablishmentRow, list[str]]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def digest(self) -> str:
        return _digest(
            {
                "new": sorted(row.dfe_number for row in self.new),
                "changed": sorted([row.dfe_number, names] for _, row, names in self.changed),
            }
        )

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "left": 0,
            "unchanged": self.unchanged,
        }

    def preview(self) -> dict[str, list[Any]]:
        return {
            "new": [[row.row, row.dfe_number, row.name] for row in self.new[:PREVIEW_ROWS]],
            "changed": [
                [row.row, row.dfe_number, row.name, [field_label(Establishment, n) for n in names]]
                for _, row, names in self.changed[:PREVIEW_ROWS]
            ],
            "left": [],
        }


def establishment_plan(la_code: str, rows: list[EstablishmentRow]) -> EstablishmentPlan:
    plan = EstablishmentPlan(la_code)
    current = {
        establishment.number: establishment
        for establishment in Establishment.objects.filter(la_code=la_code)
    }
    for row in rows:
        existing = current.get(row.number)
        if existing is None:
            plan.new.append(row)
            continue
        names = [
            name for name in ESTABLISHMENT_FIELDS if getattr(existing, name) != getattr(row, name)
        ]
        if names:
            plan.changed.append((existing, row, names))
        else:
            plan.unchanged += 1
    return plan
