"""The census date form of the DfE return page."""

from __future__ import annotations

from django import forms

from cme.core.dates import GovUKDateField


class CensusDateForm(forms.Form):
    census_date = GovUKDateField(
        label="Census date",
        help_text="For example, 2 10 2025. Censuses fall in early October, January and May.",
    )


class TermForm(forms.Form):
    """The term of the termly report, from the terms `choices` offers (codes like 2026-autumn)."""

    term = forms.ChoiceField(
        label="Term", error_messages={"invalid_choice": "Choose a term from the list"}
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["term"].choices = choices  # type: ignore[attr-defined]
