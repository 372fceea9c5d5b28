"""Blocking keys: which register records are worth scoring against a query.

A pair is scored only when it shares a key. Each key family survives a different corruption:

- ``F`` date of birth + a forename initial (or its nickname group's initial): survives surname
  changes, moves and typos after the first letter;
- ``G`` date of birth + a surname initial (any surname, former ones included): survives nicknames;
- ``S`` surname sound + birth year and month: survives a slip in the day of birth;
- ``N`` forename group or sound + surname sound: survives any date of birth error;
- ``P`` full postcode + a forename initial: survives surname and date errors while the family
  stays put (the initial keeps brothers and sisters at the same address out);
- ``U`` each UPN, current or former.

Queries also look up the ``F``, ``G`` and ``S`` keys of their date with day and month swapped, and
``N`` keys with forename and surname swapped.
The same keys are built in SQL for bulk linkage (`sql.KEYS_SQL`); a test keeps the two equal.
"""

from __future__ import annotations

from cme.matching.engine.records import PreparedRecord


def forename_initials(p: PreparedRecord) -> set[str]:
    return {w[0] for w in p.fa} | {g[0] for g in p.fg}


def _date_keys(p: PreparedRecord, dob8: str) -> set[str]:
    keys = {f"F{dob8}{i}" for i in forename_initials(p)}
    keys.update(f"G{dob8}{s[0]}" for s in p.sa)
    keys.update(f"S{s}{dob8[:6]}" for s in p.sp)
    return keys


def index_keys(p: PreparedRecord) -> set[str]:
    """Keys stored for a register record."""
    keys = _date_keys(p, p.dob8) if p.dob8 else set()
    keys.update(f"N{f}|{s}" for f in p.fg | p.fp for s in p.sp)
    if len(p.pc) >= 5:
        keys.update(f"P{p.pc}{i}" for i in forename_initials(p))
    keys.update(f"U{u}" for u in p.upns)
    return keys


def swapped_dob(dob8: str) -> str:
    """The same date with day and month swapped, or '' when that changes nothing."""
    if not dob8 or dob8[4:6] == dob8[6:8]:
        return ""
    return dob8[:4] + dob8[6:8] + dob8[4:6]


def query_keys(p: PreparedRecord) -> set[str]:
    """Keys to look up for a query: its own, and those of its date with day and month swapped."""
    keys = index_keys(p)
    keys.update(f"N{s}|{f}" for s in p.sp for f in p.fp)  # forename and surname swapped
    swapped = swapped_dob(p.dob8)
    if swapped:
        keys |= _date_keys(p, swapped)
    return keys
