"""Term dates for the demo authorities: the previous, current and next school years.

They follow `term_dates_england_default`, the typical English pattern, so school-day clocks (a CTF
within 15 school days) work in the demo. A term is found by its authority and name first, so a
second run adds nothing, and terms an administrator has changed are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cme.accounts.models import Authority
from cme.core.calendar import term_dates_england_default
from cme.core.models import Term
from cme.demo.pupils import academic_year_of


def demo_terms(authorities: Iterable[Authority], today: date) -> int:
    """Add the default terms each authority lacks for last, this and next school year."""
    current = academic_year_of(today)
    wanted = [
        term
        for year in (current - 1, current, current + 1)
        for term in term_dates_england_default(year)
    ]
    new: list[Term] = []
    for authority in authorities:
        have = set(Term.objects.filter(authority=authority).values_list("name", flat=True))
        new += [
            Term(authority=authority, name=term.name, starts=term.starts, ends=term.ends)
            for term in wanted
            if term.name not in have
        ]
    Term.objects.bulk_create(new)
    return len(new)
