"""The termly report for senior managers and elected members: one term's figures beside the
terms before it, as a page and as XLSX, with small numbers suppressed in the versions that leave
the CME team.

The figures reuse the dashboard's and the DfE return's counting (cme/reports/dashboard.py,
cme/reports/selectors.py); nothing here counts children a second way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from openpyxl import Workbook
from openpyxl.styles import Font

from cme.accounts.models import Authority
from cme.cases.exports import escape_formula
from cme.cases.models import Case, Outcome, Source
from cme.children.models import ChildVulnerability
from cme.core import audit
from cme.core.models import AuditAction
from cme.lpd.selectors import lpd_activity_by_month
from cme.registers.places import places_available
from cme.reports import dashboard, selectors
from cme.reports.terms import Term, terms_back

COMPARED_TERMS = 3
SMALL = 5
FEWER_THAN_5 = "fewer than 5"
HIDDEN_STATISTIC = "not shown (fewer than 5 cases)"
TEAM, MEMBERS = "team", "members"

Cell = int | float | str | None


def suppress(value: Cell) -> Cell:
    """A count under 5 as "fewer than 5"; anything else unchanged. Zero is hidden too: showing
    0 beside "fewer than 5" would narrow the hidden number down."""
    if isinstance(value, int) and not isinstance(value, bool) and value < SMALL:
        return FEWER_THAN_5
    return value


@dataclass(frozen=True)
class Line:
    label: str
    values: tuple[Cell, ...]  # one a term, oldest first
    # "count" lines are suppressed cell by cell; "stat" lines (days) are hidden for a term whose
    # number of cases (the section's first line) is under 5, since a mean of 2 gives them away;
    # "activity" lines (places, uploads) count no children and are never suppressed.
    kind: str = "count"


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    lines: list[Line]
    note: str = ""


@dataclass(frozen=True)
class TermlyReport:
    authority_name: str
    terms: list[Term]
    as_at: date
    sections: list[Section]
    suppressed: bool = False

    def for_members(self) -> TermlyReport:
        """The same report with small numbers suppressed (for anyone outside the team)."""
        sections = []
        for section in self.sections:
            base = section.lines[0].values if section.lines else ()
            lines = []
            for line in section.lines:
                if line.kind == "activity":
                    values = line.values
                elif line.kind == "stat":
                    values = tuple(
                        HIDDEN_STATISTIC if isinstance(n, int) and n < SMALL else v
                        for v, n in zip(line.values, base, strict=True)
                    )
                else:
                    values = tuple(suppress(v) for v in line.values)
                lines.append(Line(line.label, values, line.kind))
            sections.append(Section(section.slug, section.title, lines, section.note))
        return TermlyReport(self.authority_name, self.terms, self.as_at, sections, True)


def _breakdown_lines(
    figures: list[selectors.Figures], name: str, labels: dict[str, str]
) -> list[Line]:
    return [
        Line(label, tuple(f.counts[name].get(value, 0) for f in figures))
        for value, label in labels.items()
    ]


def _case_lines(authority: Authority, terms: list[Term], today: date) -> list[Section]:
    """Cases notified and closed in each term, and closures by outcome (one query)."""
    aggregates: dict[str, Any] = {}
    for i, term in enumerate(terms):
        span = (term.start, term.ends_by(today))
        aggregates[f"notified_{i}"] = Count("pk", filter=Q(notified_on__range=span))
        aggregates[f"closed_{i}"] = Count("pk", filter=Q(closed_on__range=span))
        for outcome in Outcome:
            aggregates[f"{outcome.value}_{i}"] = Count(
                "pk", filter=Q(closed_on__range=span, outcome=outcome)
            )
    counts = Case.objects.filter(authority=authority).aggregate(**aggregates)

    def line(label: str, key: str) -> Line:
        return Line(label, tuple(int(counts[f"{key}_{i}"] or 0) for i in range(len(terms))))

    return [
        Section(
            "cases",
            "Cases notified and closed in the term",
            [line("Cases notified", "notified"), line("Cases closed", "closed")],
        ),
        Section(
            "outcomes",
            "Cases closed in the term, by outcome",
            [line(outcome.label, outcome.value) for outcome in Outcome],
            note="Whereabouts unknown are children who left without a known destination (item 17).",
        ),
    ]


def _pace_section(slug: str, title: str, paces: dict[Term, dashboard.Pace]) -> Section:
    ps = list(paces.values())
    return Section(
        slug,
        title,
        [
            Line("Cases", tuple(p.cases for p in ps)),
            Line("Mean (days)", tuple(p.mean for p in ps), "stat"),
            Line("Median (days)", tuple(p.median for p in ps), "stat"),
            Line("Mode (days)", tuple(p.mode for p in ps), "stat"),
            Line("Shortest (days)", tuple(p.shortest for p in ps), "stat"),
            Line("Longest (days)", tuple(p.longest for p in ps), "stat"),
        ],
    )


def termly_report(authority: Authority, term: Term, today: date) -> TermlyReport:
    """The report for `term` and the two terms before it. For a term still running, figures run
    to `today`; a term not yet begun has nothing in it."""
    terms = terms_back(term, COMPARED_TERMS)
    vulnerable = Exists(ChildVulnerability.objects.filter(child=OuterRef("child")))
    at_end = [
        selectors.figures_for(
            authority,
            selectors.Period(t.ends_by(today), t.ends_by(today)),
            extra={"vulnerable": vulnerable},
        )
        for t in terms
    ]
    during = [
        selectors.cme_in_period(authority, selectors.Period(t.start, t.ends_by(today)))
        for t in terms
    ]
    follow_ups = [dashboard.follow_up_tasks(authority, t.start, t.end, today) for t in terms]
    sections = [
        Section(
            "missing",
            "Children missing education",
            [
                Line(
                    "At the end of the term (or today, for a term not yet over)",
                    tuple(f.total for f in at_end),
                ),
                Line("At any time in the term", tuple(f.total for f in during)),
                Line(
                    "At the end of the term, in a vulnerable group (item 11)",
                    tuple(f.counts["vulnerable"].get("True", 0) for f in at_end),
                ),
            ],
        ),
        Section(
            "sex",
            "Children missing education at the end of the term, by sex",
            _breakdown_lines(at_end, "sex", dashboard.SEX_LABELS),
        ),
        Section(
            "year-group",
            "Children missing education at the end of the term, by year group",
            _breakdown_lines(at_end, "year_group", dashboard.YEAR_GROUP_LABELS),
        ),
        Section(
            "time-missing",
            "Children missing education at the end of the term, by length of time missing",
            _breakdown_lines(at_end, "time_missing", dashboard.TIME_LABELS),
        ),
        Section(
            "reason",
            "Children missing education at the end of the term, by how we were told",
            _breakdown_lines(at_end, "reason", dict(Source.choices)),
        ),
        *_case_lines(authority, terms, today),
        _pace_section(
            "pace-determined",
            "Days from notified to provision determined (item 15)",
            dashboard.pace_by_term(authority, "provision_determined_on", terms),
        ),
        _pace_section(
            "pace-moved",
            "Days from notified to moved into provision (item 15)",
            dashboard.pace_by_term(authority, "moved_into_provision_on", terms),
        ),
        Section(
            "follow-ups",
            "Monthly follow-up tasks due in the term (item 18)",
            [
                Line(label, tuple(f[key] for f in follow_ups))
                for key, label in (
                    ("on_time", "Done on time"),
                    ("late", "Done late"),
                    ("overdue", "Not done and overdue"),
                    ("not_yet_due", "Not yet due"),
                )
            ],
        ),
    ]
    sections += [_places_section(authority, terms, today), _lpd_section(authority, terms, today)]
    return TermlyReport(authority.name, terms, today, sections)


def _places_section(authority: Authority, terms: list[Term], today: date) -> Section:
    """Item 16: places available on each term's last day (two queries a term)."""
    totals = [places_available(authority, t.ends_by(today)) for t in terms]
    return Section(
        "places",
        "Places available at the end of the term (item 16)",
        [
            Line("Schools (statutory)", tuple(t.statutory.places for t in totals), "activity"),
            Line("Alternative provision", tuple(t.alternative.places for t in totals), "activity"),
            Line(
                "Of these, in figures more than a month old",
                tuple(t.stale_places for t in totals),
                "activity",
            ),
        ],
    )


def _lpd_section(authority: Authority, terms: list[Term], today: date) -> Section:
    """Item 22: the authority's use of the Lost Pupil Database in each term (one query)."""
    months = lpd_activity_by_month(authority, 24, today=today)

    def total(term: Term, field: str) -> int:
        last = term.ends_by(today)
        # Reporting terms are whole calendar months (see terms.py), so months add up exactly.
        return sum(getattr(m, field) for m in months if term.start <= m.month <= last)

    return Section(
        "lpd",
        "Lost Pupil Database use in the term (item 22)",
        [
            Line(label, tuple(total(t, field) for t in terms), "activity")
            for field, label in (
                ("uploads", "Files uploaded"),
                ("searches", "Searches"),
                ("downloads", "Files downloaded"),
            )
        ],
    )


def _xlsx_value(value: Cell) -> Cell:
    # openpyxl would store text starting with "=" as a formula.
    if isinstance(value, str):
        escaped = escape_formula(value)
        assert isinstance(escaped, str)
        return escaped
    return value


def termly_xlsx(report: TermlyReport) -> bytes:
    """The report as a workbook of one sheet; pass the members version (suppressed)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Termly report"
    bold = Font(bold=True)
    sheet.append(
        [_xlsx_value(f"Children missing education: termly report, {report.authority_name}")]
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Figures as at {report.as_at:%-d %B %Y}"])
    if report.suppressed:
        sheet.append(["Numbers under 5 are shown as “fewer than 5”."])
    for section in report.sections:
        sheet.append([])
        sheet.append([_xlsx_value(section.title)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.append(["Figure", *(t.label for t in report.terms)])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for line in section.lines:
            sheet.append([_xlsx_value(line.label), *(_xlsx_value(v) for v in line.values)])
        if section.note:
            sheet.append([_xlsx_value(section.note)])
    sheet.column_dimensions["A"].width = 70
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_export(*, authority: Authority, actor: Any, report: str, term: Term, form: str) -> None:
    """One audit event per export of a report figure set (no child is in any of them)."""
    audit.record(
        action=AuditAction.EXPORTED,
        actor=actor,
        authority=authority,
        target_type=f"reports.{report}",
        payload={"report": report, "term": term.code, "format": form},
    )
