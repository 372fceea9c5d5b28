"""A typed face on django-rules, which ships without type hints.

Apps declare their permissions in their own `rules.py` with `predicate` and `add_perm`, and views
ask for one with `permission_required`. Nothing else in the project imports `rules` directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar, cast

import rules as _rules
from django.contrib.auth.decorators import login_required
from rules.contrib import views as _rules_views

# A django-rules predicate: callable with (user) or (user, object), combinable with & | ~.
Predicate: TypeAlias = Any
View = TypeVar("View", bound=Callable[..., Any])


def predicate(fn: Callable[..., bool]) -> Predicate:
    return _rules.predicate(fn)  # type: ignore[attr-defined,no-untyped-call]


def named_predicate(name: str) -> Callable[[Callable[..., bool]], Predicate]:
    def wrap(fn: Callable[..., bool]) -> Predicate:
        return _rules.predicate(fn, name=name)  # type: ignore[attr-defined,no-untyped-call]

    return wrap


def add_perm(name: str, rule: Predicate) -> None:
    _rules.add_perm(name, rule)  # type: ignore[attr-defined,no-untyped-call]


def permission_required(
    perm: str, *, fn: Callable[..., Any] | None = None
) -> Callable[[View], View]:
    """Refuse with 403 when the signed-in user lacks `perm`; anonymous users go to sign in.

    `fn` picks the object the permission is checked against from the view's arguments.
    """
    refuse_without = _rules_views.permission_required(  # type: ignore[no-untyped-call]
        perm, fn=fn, raise_exception=True
    )

    def decorate(view: View) -> View:
        return cast(View, login_required(refuse_without(view)))

    return decorate
