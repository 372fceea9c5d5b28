"""Fictional streets with postcodes in a handful of real-format postcode districts per authority."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from faker import Faker

# Letters the inward code's unit may use (the Royal Mail leaves out C, I, K, M, O and V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# A full UK postcode: outward code (area and district), a space, inward code (sector and unit).
POSTCODE_RE = re.compile(r"^[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}$")

_STREET_ENDINGS = (
    "Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Crescent", "Gardens", "Grove",
    "Place", "Terrace", "Court", "Walk", "Mews", "Rise", "View", "Green",
)  # fmt: skip
_STREET_WORDS = (
    "Church", "Mill", "Station", "Park", "Victoria", "Meadow", "Orchard", "Oak", "Willow", "Beech",
    "Elm", "Ash", "Chestnut", "Hawthorn", "Rowan", "Queen's", "King's", "Castle", "Bridge",
    "Market", "Brook", "Forge", "Windmill", "Harbour", "Quarry", "School", "Chapel", "Manor",
    "Priory", "Abbey", "Granary", "Primrose", "Bluebell", "Foxglove", "Heather", "Kestrel",
)  # fmt: skip


@dataclass(frozen=True)
class Street:
    name: str
    town: str
    postcodes: tuple[str, ...]

    def address(self, rng: random.Random) -> tuple[str, str]:
        """A house on this street: its address line and its postcode."""
        roll = rng.random()
        if roll < 0.12:
            line = f"Flat {rng.randint(1, 24)}, {rng.randint(1, 80)} {self.name}"
        elif roll < 0.16:
            line = f"{rng.randint(1, 120)}{rng.choice('AB')} {self.name}"
        else:
            line = f"{rng.randint(1, 180)} {self.name}"
        return f"{line}, {self.town}", rng.choice(self.postcodes)


def district_streets(district: str, town: str, fake: Faker, count: int = 80) -> tuple[Street, ...]:
    """The streets of one postcode district: the same for the same district, run after run."""
    seed = f"cme-demo:streets:{district}"
    rng = random.Random(seed)  # noqa: S311 - fictional data, not a secret
    fake.seed_instance(seed)
    sectors = sorted(rng.sample(range(10), rng.randint(3, 6)))
    used_units: set[str] = set()
    used_names: set[str] = set()
    streets: list[Street] = []
    while len(streets) < count:
        first = fake.last_name() if rng.random() < 0.5 else rng.choice(_STREET_WORDS)
        name = f"{first} {rng.choice(_STREET_ENDINGS)}"
        if name in used_names:
            continue
        used_names.add(name)
        sector = rng.choice(sectors)
        postcodes: list[str] = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            unit = f"{sector}{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"
            if unit not in used_units:
                used_units.add(unit)
                postcodes.append(f"{district} {unit}")
        if postcodes:
            streets.append(Street(name, town, tuple(postcodes)))
    return tuple(streets)
