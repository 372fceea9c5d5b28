"""Synthetic children registers and queries with known truth, for the matching benchmarks.

    python bench/synth.py --scenario lookup --register 1000000 --queries 10000 --seed 1 --out DIR
    python bench/synth.py --check [--scenario reconcile --register 100000 --queries 100000]

Writes DIR/register.csv and DIR/queries.csv (columns as in `cme match`), DIR/truth.csv
(query_id,register_id: every true pair) and DIR/twins.csv (register_id_a,register_id_b: twins,
different children who share a date of birth, address and family surname). From Python:

    sys.path.insert(0, "bench"); from synth import generate
    data = generate("lookup", 100_000, 1_000, seed=1)  # .register .queries .truth .twins

Scenarios: `lookup` (a roll of pupils aged 4-16; 80% of queries are a corrupted copy of one of
them), `reconcile` (leavers and joiners; 60% of joiners are a leaver) and `files` (lookup with the
mess of spreadsheets: blank columns, unparsable dates of birth, non-UK postcodes). The same
arguments and seed give byte-identical files. The word lists are in bench/synth_data/.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for _path in (_HERE, _HERE.parent):  # bench/ for synth_data, the repo root for cme
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from synth_data.bank import load_bank  # noqa: E402
from synth_data.corrupt import LOOKUP_RATES, RECONCILE_RATES, Corrupter, Rates  # noqa: E402
from synth_data.mess import FILES_MESS, make_messy  # noqa: E402
from synth_data.population import (  # noqa: E402
    COLUMNS,
    MIN_SIBLING_GAP_DAYS,
    OLDEST_DOB,
    YOUNGEST_DOB,
    Person,
    Population,
)
from synth_data.validate import problems  # noqa: E402

SCENARIOS = ("lookup", "reconcile", "files")


@dataclass(frozen=True)
class Scenario:
    true_share: float  # queries that are a copy of a register child
    both_twins: float  # when a twin is queried, how often the other twin is queried too
    rates: Rates
    # How the queries that are not on the register are made (shares add up to 1).
    fresh: float = 0.5  # a child of a new family
    sibling: float = 0.25  # a brother or sister of a register child, at the same address
    namesake: float = 0.25  # a child with the forename and surname of a register child


_SCENARIOS = {
    "lookup": Scenario(0.8, 0.5, LOOKUP_RATES),
    "reconcile": Scenario(0.6, 0.8, RECONCILE_RATES),
    "files": Scenario(0.8, 0.5, LOOKUP_RATES),
}


@dataclass
class Synthetic:
    """A generated data set: rows as dicts of the CSV columns, and the truth about them."""

    register: list[dict[str, str]]
    queries: list[dict[str, str]]
    truth: set[tuple[str, str]]
    twins: set[tuple[str, str]]
    # How many true-match queries received each corruption, and how the other queries were made.
    corruptions: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    file_mess: dict[str, dict[str, int]] = field(default_factory=dict)  # files scenario only


def _register(population: Population, count: int) -> list[Person]:
    people: list[Person] = []
    while len(people) < count:
        people += population.family()
    del people[count:]  # a cut family only loses members; twins cut apart are not recorded
    for person in people:
        population.register_extras(person)
    population.rng.shuffle(people)  # siblings must not sit next to each other
    for number, person in enumerate(people, start=1):
        person.row["id"] = f"R{number:07d}"
    return people


def _twin_pairs(people: list[Person]) -> set[tuple[str, str]]:
    """Pairs of register ids born together; co-twins cut off the register are forgotten."""
    on_register = {id(person) for person in people}
    pairs: set[tuple[str, str]] = set()
    for person in people:
        if not person.twins:
            continue
        person.twins = tuple(twin for twin in person.twins if id(twin) in on_register)
        for twin in person.twins:
            first, second = sorted((person.row["id"], twin.row["id"]))
            pairs.add((first, second))
    return pairs


def _sources(
    people: list[Person], count: int, scenario: Scenario, rng: random.Random
) -> list[Person]:
    """The register children the true queries copy, with co-twins often queried together."""
    chosen: list[Person] = []
    seen: set[str] = set()
    order = rng.sample(range(len(people)), min(count, len(people)))
    for index in order:
        if len(chosen) >= count:
            break
        person = people[index]
        group = [person]
        if person.twins and rng.random() < scenario.both_twins:
            group += list(person.twins)
        for member in group:
            if member.row["id"] not in seen and len(chosen) < count:
                seen.add(member.row["id"])
                chosen.append(member)
    return chosen


def _not_on_register(population: Population, people: list[Person], kind: str) -> tuple[Person, str]:
    """A child who is not on the register but may look like one who is, and how it was made."""
    rng = population.rng
    if kind == "sibling":
        relative = people[int(rng.random() * len(people))]
        household = relative.household
        born = [relative.dob] + [sibling.dob for sibling in relative.siblings]
        for _ in range(10):
            dob = OLDEST_DOB + int(rng.random() * (YOUNGEST_DOB - OLDEST_DOB))
            if all(abs(dob - other) >= MIN_SIBLING_GAP_DAYS for other in born):
                taken = {relative.row["forename"]} | {s.row["forename"] for s in relative.siblings}
                return population.child(household, dob, taken), kind
        kind = "fresh"  # the family has no room for another child
    if kind == "namesake":
        # Same names and sex, born a different day, often in the same year: a hard non-match.
        model = people[int(rng.random() * len(people))]
        child = population.family()[0]
        dob = model.dob
        while dob == model.dob:
            shift = int((rng.random() - 0.5) * (730 if rng.random() < 0.5 else 8000))
            dob = min(max(model.dob + shift, OLDEST_DOB), YOUNGEST_DOB)
        child.dob = dob
        child.row.update(
            forename=model.row["forename"],
            surname=model.row["surname"],
            sex=model.row["sex"],
            dob=population.iso(dob),
        )
        return child, kind
    return population.family()[0], "fresh"


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Millions of new objects set off the cyclic collector again and again; nothing here needs
    it until the data set is made (a fifth of the run time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate(scenario: str, n_register: int, n_queries: int, seed: int) -> Synthetic:
    """A register of `n_register` children and `n_queries` queries with their true matches."""
    with _cyclic_gc_paused():
        return _generate(scenario, n_register, n_queries, seed)


def _generate(scenario: str, n_register: int, n_queries: int, seed: int) -> Synthetic:
    if scenario not in _SCENARIOS:
        raise ValueError(f"Unknown scenario {scenario!r}; choose one of {', '.join(SCENARIOS)}")
    plan = _SCENARIOS[scenario]
    rng = random.Random(f"synth-{scenario}-{seed}")  # noqa: S311 (test data, not secrets)
    population = Population(load_bank(), rng, n_register)
    people = _register(population, n_register)
    twins = _twin_pairs(people)

    true_count = min(round(n_queries * plan.true_share), n_register)
    copier = Corrupter(population, plan.rates)
    queries: list[tuple[dict[str, str], str]] = [
        (copier.copy(person), person.row["id"])
        for person in _sources(people, true_count, plan, rng)
    ]
    other = Corrupter(population, plan.rates)  # its counts are not reported
    kinds: Counter[str] = Counter()
    weights = [plan.fresh, plan.sibling, plan.namesake]
    for _ in range(n_queries - len(queries)):
        child, made = _not_on_register(
            population, people, rng.choices(["fresh", "sibling", "namesake"], weights)[0]
        )
        kinds[made] += 1
        queries.append((other.copy(child), ""))
    rng.shuffle(queries)
    truth = set()
    for number, (row, register_id) in enumerate(queries, start=1):
        row["id"] = f"Q{number:07d}"
        if register_id:
            truth.add((row["id"], register_id))
    register = [person.row for person in people]
    query_rows = [row for row, _ in queries]
    data = Synthetic(register, query_rows, truth, twins, Counter(copier.counts), kinds)
    if scenario == "files":
        data.file_mess = {
            "register": make_messy(register, rng, FILES_MESS),
            "queries": make_messy(query_rows, rng, FILES_MESS),
        }
    return data


def write(data: Synthetic, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("register", data.register), ("queries", data.queries)):
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows([row[column] for column in COLUMNS] for row in rows)
    for name, header, pairs in (
        ("truth", ("query_id", "register_id"), data.truth),
        ("twins", ("register_id_a", "register_id_b"), data.twins),
    ):
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(sorted(pairs))


def check(scenario: str, n_register: int, n_queries: int, seed: int) -> None:
    """Print the figures the lead quotes: corruption rates, true-match share, twins, names."""
    started = time.perf_counter()
    data = generate(scenario, n_register, n_queries, seed)
    seconds = time.perf_counter() - started
    true_queries = len({query for query, _ in data.truth})
    print(
        f"{scenario}: {len(data.register):,} register rows, {len(data.queries):,} queries, "
        f"seed {seed}, generated in {seconds:.1f} s"
    )
    print(f"queries with a true match: {true_queries:,} ({true_queries / len(data.queries):.1%})")
    print(f"queries not on the register: {dict(sorted(data.kinds.items()))}")
    in_pairs = len({register_id for pair in data.twins for register_id in pair})
    print(
        f"twin pairs in the register: {len(data.twins):,} "
        f"({in_pairs / len(data.register):.2%} of children are twins or triplets)"
    )
    surnames = Counter(row["surname"] for row in data.register)
    forenames = Counter(row["forename"] for row in data.register)
    print(
        f"distinct surnames: {len(surnames):,}; singletons: "
        f"{sum(1 for c in surnames.values() if c == 1):,}; most common: "
        + ", ".join(
            f"{name} {count / len(data.register):.2%}" for name, count in surnames.most_common(8)
        )
    )
    print(
        f"distinct forenames: {len(forenames):,}; most common: "
        + ", ".join(
            f"{name} {count / len(data.register):.2%}" for name, count in forenames.most_common(6)
        )
    )
    filled = {column: sum(1 for row in data.register if row[column]) for column in COLUMNS}
    print(
        "register rows with a value: "
        + ", ".join(
            f"{column} {count / len(data.register):.1%}" for column, count in filled.items()
        )
    )
    print(f"corruption rates in the {true_queries:,} true-match queries:")
    known = [f.name for f in fields(Rates)]
    for name in sorted(data.corruptions, key=lambda n: (known.index(n) if n in known else 99, n)):
        count = data.corruptions[name]
        print(f"  {name:32} {count:8,}  {count / max(true_queries, 1):6.1%}")
    for name, done in data.file_mess.items():
        print(
            f"{name} file mess: " + ", ".join(f"{what} {count:,}" for what, count in done.items())
        )
    found = problems(data, messy=scenario == "files")
    print("invariants: " + ("all hold" if not found else "BROKEN"))
    for problem in found[:20]:
        print(f"  {problem}")
    if found:
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=SCENARIOS, default="lookup")
    parser.add_argument("--register", type=int, default=None, help="register rows")
    parser.add_argument("--queries", type=int, default=None, help="query rows")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="output folder")
    parser.add_argument("--check", action="store_true", help="print rates instead of writing")
    args = parser.parse_args(argv)
    n_register = args.register if args.register is not None else 100_000
    n_queries = args.queries if args.queries is not None else 20_000
    if args.check:
        check(args.scenario, n_register, n_queries, args.seed)
        return
    if args.out is None:
        parser.error("--out is required unless --check is given")
    started = time.perf_counter()
    data = generate(args.scenario, n_register, n_queries, args.seed)
    write(data, args.out)
    print(
        f"{len(data.register):,} register rows, {len(data.queries):,} queries, "
        f"{len(data.truth):,} true pairs, {len(data.twins):,} twin pairs in {args.out} "
        f"({time.perf_counter() - started:.1f} s)"
    )


if __name__ == "__main__":
    main()
