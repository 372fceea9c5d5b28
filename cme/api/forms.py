from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from cme.accounts.models import Authority, PartnerAgency
from cme.registers.models import Establishment


class TokenForm(forms.Form):
    """A token for one organisation, chosen from one list: the authority's own system, the schools
    in its area and its partner agencies. Choices read "authority:", "establishment:<id>" or
    "agency:<id>"."""

    name = forms.CharField(
        label="Name",
        max_length=80,
        help_text="So you can tell tokens apart, like “Management information system, 2026”",
        error_messages={"required": "Enter a name for the token"},
    )
    # A random value per form shown: a second submission of the same form (the browser's
    # "resubmit" on refreshing the page that shows the secret) is recognised and refused.
    once = forms.CharField(widget=forms.HiddenInput, required=False)
    organisation = forms.ChoiceField(
        label="Who will use it",
        help_text="A school's token sends that school's returns; an agency's token refers "
        "children for that agency; the authority's own system uploads CTFs and searches the "
        "Lost Pupil Database",
        error_messages={
            "required": "Choose the school, partner agency or system the token is for",
            "invalid_choice": "Choose a school, partner agency or system from the list",
        },
    )

    def __init__(
        self,
        *args: Any,
        establishments: QuerySet[Establishment],
        agencies: QuerySet[PartnerAgency],
        authority: Authority,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.establishments = {str(e.pk): e for e in establishments}
        self.agencies = {str(a.pk): a for a in agencies}
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a school, agency or system"),
            ("This authority", [("authority:", f"{authority.name}'s own system")]),
            (
                "Schools",
                [(f"establishment:{pk}", str(e)) for pk, e in self.establishments.items()],
            ),
            ("Partner agencies", [(f"agency:{pk}", a.name) for pk, a in self.agencies.items()]),
        ]

    def organisation_chosen(self) -> dict[str, Any]:
        """`establishment=`, `agency=` or `for_authority=` for the service."""
        kind, _, pk = self.cleaned_data["organisation"].partition(":")
        if kind == "authority":
            return {"for_authority": True}
        if kind == "establishment":
            return {"establishment": self.establishments[pk]}
        return {"agency": self.agencies[pk]}
