"""Small builders for case tests: a child and a case, with sensible defaults."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from cme.cases import services
from cme.cases.models import Case, Source
from cme.children.models import Child


def make_child(authority: Any, **fields: Any) -> Child:
    defaults: dict[str, Any] = {
        "forename": "Amelia",
        "surname": "Pemberton",
        "date_of_birth": date(2014, 5, 17),
        "sex": "F",
    }
    return Child.objects.create(authority=authority, **{**defaults, **fields})


def open_case(authority: Any, actor: Any, child: Child | None = None, **fields: Any) -> Case:
    return services.case_open(
        actor=actor,
        authority=authority,
        child=child or make_child(authority),
        source=fields.pop("source", Source.SCHOOL),
        notified_on=fields.pop("notified_on", timezone.localdate() - timedelta(days=3)),
        **fields,
    )
