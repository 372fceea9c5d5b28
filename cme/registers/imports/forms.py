"""The upload form: which kind of file, for which school, and the file itself. It checks what can
be checked at once (size, encoding, columns, number of rows); every row is checked afterwards."""

from __future__ import annotations

from typing import Any

from django import forms

from cme.registers.imports.csvfile import (
    ESTABLISHMENTS,
    LAYOUTS,
    MAX_BYTES,
    ROLL,
    FileRefused,
    count_rows,
    decode,
    read_header,
)
from cme.registers.models import Establishment, ImportKind


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the file hold?",
        choices=[
            (ImportKind.ROLL.value, "Pupils on roll at one school (the whole roll)"),
            (ImportKind.ESTABLISHMENTS.value, "Establishments in your area"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the file holds"},
    )
    establishment = forms.ModelChoiceField(
        label="School (for a pupils-on-roll file)",
        queryset=Establishment.objects.none(),
        required=False,
        empty_label="Choose a school",
        help_text="Pupils on this school's roll but not in the file will be taken off the roll",
    )
    file = forms.FileField(
        label="Upload a CSV file",
        help_text=(
            "Smaller than 5MB, at most 50,000 rows, saved as CSV UTF-8. The first row names the "
            f"columns; for pupils: {ROLL.names}. For establishments: {ESTABLISHMENTS.names}"
        ),
        error_messages={
            "required": "Select a CSV file",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args: Any, establishments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["establishment"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = establishments
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, upload = data.get("kind"), data.get("file")
        if kind == ImportKind.ROLL and not data.get("establishment"):
            self.add_error("establishment", "Choose the school whose roll this is")
        if not kind or upload is None:
            return data
        if (upload.size or 0) > MAX_BYTES:
            self.add_error("file", "The selected file must be smaller than 5MB")
            return data
        try:
            text = decode(upload.read(MAX_BYTES + 1))
            read_header(text, LAYOUTS[ImportKind(kind)])
            data["rows"] = count_rows(text)
        except FileRefused as refused:
            self.add_error("file", str(refused))
            return data
        data["text"] = text
        return data
