"""The census date form of the DfE return page."""

from __future__ import annotations

from django import forms

from cme.core.dates import GovUKDateField


class CensusDateForm(forms.Form):
    census_date = GovUKDateField(
        label="Census date",
        help_text="For example, 2 10 2025. Censuses fall in early October, January and May.",
    )
