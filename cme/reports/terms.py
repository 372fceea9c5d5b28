"""Reporting terms: the school year cut into three, with no gaps, so every day is in one term.

Autumn is 1 September to 31 December, spring 1 January to 31 March, summer 1 April to 31 August.
The holidays go with the term before them: a figure "for the summer term" covers the summer
holiday too, so nothing that happens in a holiday falls outside every report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cme.children.school_age import school_year_starting

AUTUMN, SPRING, SUMMER = "autumn", "spring", "summer"
SEASONS = (AUTUMN, SPRING, SUMMER)


@dataclass(frozen=True, order=True)
class Term:
    """A reporting term of the school year starting 1 September `year`."""

    year: int
    index: int  # 0 autumn, 1 spring, 2 summer

    @property
    def season(self) -> str:
        return SEASONS[self.index]

    @property
    def start(self) -> date:
        if self.index == 0:
            return date(self.year, 9, 1)
        return date(self.year + 1, 1, 1) if self.index == 1 else date(self.year + 1, 4, 1)

    @property
    def end(self) -> date:
        if self.index == 0:
            return date(self.year, 12, 31)
        return date(self.year + 1, 3, 31) if self.index == 1 else date(self.year + 1, 8, 31)

    @property
    def label(self) -> str:
        """ "Autumn term 2026", "Spring term 2027": the calendar year the term starts in."""
        return f"{self.season.capitalize()} term {self.start.year}"

    @property
    def code(self) -> str:
        """The term in a URL or form: "2026-autumn" (the school year's first calendar year)."""
        return f"{self.year}-{self.season}"

    def previous(self) -> Term:
        return Term(self.year - 1, 2) if self.index == 0 else Term(self.year, self.index - 1)

    def ends_by(self, today: date) -> date:
        """The last day counted: the term's end, or today while the term is running."""
        return min(self.end, today)


def term_of(day: date) -> Term:
    year = school_year_starting(day)
    if day.month >= 9:
        return Term(year, 0)
    return Term(year, 1) if day.month <= 3 else Term(year, 2)


def parse_term(code: str) -> Term | None:
    """The term from its code ("2026-autumn"), or None when the code is not one."""
    year_text, _, season = code.partition("-")
    if not (year_text.isdigit() and len(year_text) == 4) or season not in SEASONS:
        return None
    return Term(int(year_text), SEASONS.index(season))


def terms_back(last: Term, count: int) -> list[Term]:
    """`count` terms ending with `last`, oldest first."""
    terms = [last]
    while len(terms) < count:
        terms.append(terms[-1].previous())
    return terms[::-1]
