"""The case list's filter form, and the year-group arithmetic it needs.

The form is bound to the query string. A value that does not validate gets a GOV.UK inline error
and is left out of the filter; the other filters still apply, so a mistyped date never gives an
empty page or an error page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict

from cme.accounts.models import Role, User
from cme.cases.models import Priority, Stage
from cme.cases.selectors import (
    DEFAULT_SORT,
    OWNER_ME,
    OWNER_NONE,
    STATUS_ALL,
    STATUS_CLOSED,
    STATUS_OPEN,
    VULNERABLE_ANY,
    CaseFilter,
    is_known_sort,
)
from cme.children.models import VulnerableGroup
from cme.children.school_age import national_curriculum_year, school_year_starting

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %m %Y"]

# ---------------------------------------------------------------------------------------------
# Year groups. An English school year starts on 1 September; a year group is the children born
# between 1 September and 31 August of one year. Reception is the year group of children who
# turn 5 during the school year, Year N those who turn N + 5.

RECEPTION = "R"
YEAR_GROUPS: list[tuple[str, str]] = [
    (RECEPTION, "Reception"),
    *[(str(n), f"Year {n}") for n in range(1, 14)],
]


def _offset(year_group: str) -> int:
    """Years after Reception: 0 for Reception, 7 for Year 7."""
    if year_group == RECEPTION:
        return 0
    number = int(year_group) if year_group.isdigit() else 0
    if not 1 <= number <= 13:
        raise ValueError(f"No year group {year_group!r}")
    return number


def birth_range_for_year_group(year_group: str, on: date) -> tuple[date, date]:
    """The first and last dates of birth of children in `year_group` in the school year of `on`.

    Year 7 in the school year starting 1 September 2026: born 1 September 2014 to 31 August 2015.
    """
    cohort = school_year_starting(on) - _offset(year_group) - 5
    return date(cohort, 9, 1), date(cohort + 1, 8, 31)


def year_group_on(dob: date | None, on: date) -> str:
    """The year group label ("Reception", "Year 7") of a child born on `dob`, in `on`'s school year.

    Blank when the date of birth is not known or falls outside Reception to Year 13.
    """
    label = national_curriculum_year(dob, on) if dob is not None else ""
    if label == RECEPTION:
        return "Reception"
    return f"Year {label}" if label.isdigit() else ""


# ---------------------------------------------------------------------------------------------

STATUS_CHOICES = [
    (STATUS_OPEN, "Open cases"),
    (STATUS_CLOSED, "Closed cases"),
    (STATUS_ALL, "Open and closed cases"),
]
# The open stages: "closed" is chosen with the status filter.
OPEN_STAGE_CHOICES = [(value, label) for value, label in Stage.choices if value != Stage.CLOSED]
VULNERABLE_CHOICES = [
    ("", "Any child"),
    (VULNERABLE_ANY, "Any vulnerability"),
    *VulnerableGroup.choices,
]
CASE_TEAM_ROLES = [Role.CME_OFFICER, Role.CME_MANAGER, Role.CASEWORKER]


def case_team_of(user: User) -> list[tuple[str, str]]:
    """Owner choices: people with a case-team role in the user's authority (one query)."""
    membership = user.membership
    if membership is None:
        return []
    people = (
        User.objects.filter(
            memberships__authority_id=membership.authority_id,
            memberships__role__in=CASE_TEAM_ROLES,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
        .values_list("pk", "full_name", "email")
    )
    return [(str(pk), name or email) for pk, name, email in people]


def with_defaults(query: QueryDict) -> QueryDict:
    """The query string with the default status (open cases) filled in, for binding the form."""
    data = query.copy()
    if not data.get("status"):
        data["status"] = STATUS_OPEN
    return data


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Name, date of birth (like 27/03/2015), UPN or case reference",
        error_messages={"max_length": "Search must be 100 characters or fewer"},
    )
    status = forms.ChoiceField(
        label="Cases",
        required=False,
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose open cases, closed cases or both"},
    )
    stage = forms.MultipleChoiceField(
        label="Stage",
        required=False,
        choices=OPEN_STAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose stages from the list"},
    )
    owner = forms.ChoiceField(
        label="Owner",
        required=False,
        error_messages={"invalid_choice": "Choose an owner from the list"},
    )
    priority = forms.MultipleChoiceField(
        label="Priority",
        required=False,
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose priorities from the list"},
    )
    vulnerable = forms.ChoiceField(
        label="Vulnerability",
        required=False,
        choices=VULNERABLE_CHOICES,
        error_messages={"invalid_choice": "Choose a vulnerability from the list"},
    )
    overdue = forms.BooleanField(label="Only overdue follow-ups", required=False)
    year_group = forms.ChoiceField(
        label="Year group",
        required=False,
        choices=[("", "Any year group"), *YEAR_GROUPS],
        help_text="This school year, from the date of birth",
        error_messages={"invalid_choice": "Choose a year group from the list"},
    )
    notified_from = forms.DateField(
        label="Notified from",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2026",
        error_messages={"invalid": "Notified from must be a real date, like 27/3/2026"},
    )
    notified_to = forms.DateField(
        label="Notified to",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 31/3/2026",
        error_messages={"invalid": "Notified to must be a real date, like 31/3/2026"},
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone"),
            (OWNER_ME, "Me"),
            (OWNER_NONE, "Unassigned"),
            *case_team_of(user),
        ]

    def clean_sort(self) -> str:
        # An unknown sort is not the user's mistake to correct: use the default quietly.
        value: str = self.cleaned_data.get("sort") or ""
        return value if is_known_sort(value) else DEFAULT_SORT

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        start, end = data.get("notified_from"), data.get("notified_to")
        if start and end and start > end:
            self.add_error("notified_to", "Notified to must be the same as or after notified from")
        return data

    def to_filter(self, *, today: date) -> CaseFilter:
        """The filter from the fields that validated; fields with errors are left out."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        born_from = born_to = None
        if data.get("year_group"):
            born_from, born_to = birth_range_for_year_group(data["year_group"], today)
        return CaseFilter(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or STATUS_OPEN,
            stages=tuple(data.get("stage") or ()),
            owner=data.get("owner") or "",
            priorities=tuple(data.get("priority") or ()),
            vulnerable=data.get("vulnerable") or "",
            overdue=bool(data.get("overdue")),
            born_from=born_from,
            born_to=born_to,
            notified_from=data.get("notified_from"),
            notified_to=data.get("notified_to"),
            sort=data.get("sort") or DEFAULT_SORT,
        )

    def audit_summary(self) -> dict[str, Any]:
        """The filters used, for the audit trail: names and coded values, never the search text."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        summary: dict[str, Any] = {"q": bool((data.get("q") or "").strip())}
        for name in ("status", "owner", "vulnerable", "year_group", "sort"):
            if data.get(name):
                summary[name] = data[name]
        for name in ("stage", "priority"):
            if data.get(name):
                summary[name] = sorted(data[name])
        if data.get("overdue"):
            summary["overdue"] = True
        for name in ("notified_from", "notified_to"):
            if data.get(name):
                summary[name] = data[name].isoformat()
        return summary
