"""Small helpers for reading values out of CTF elements, reporting problems without the values."""

from __future__ import annotations

import re
from datetime import date, datetime

from lxml import etree

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


class Problems:
    """Messages about one part of the file ("pupil 3", "header"), each with a line number.

    Messages name the part and the field, never the value: they are shown and may be logged.
    """

    def __init__(self, where: str, messages: list[str]) -> None:
        self.where = where
        self.messages = messages

    def add(self, element: etree._Element | None, text: str) -> None:
        line = element.sourceline if element is not None else None
        place = f"{self.where} (line {line})" if line else self.where
        self.messages.append(f"{place}: {text}")


def local_name(element: etree._Element) -> str:
    """The element's name without any namespace; "" for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag if tag[0] != "{" else tag.rpartition("}")[2]


def children(element: etree._Element) -> list[tuple[str, etree._Element]]:
    """(local name, element) for each child element.

    The hottest code of the reader: a list comprehension with `local_name` inlined is about
    twice as fast as a generator calling it.
    """
    return [
        (tag if tag[0] != "{" else tag.rpartition("}")[2], child)
        for child in element
        if isinstance(tag := child.tag, str)
    ]


def text_of(element: etree._Element) -> str:
    return (element.text or "").strip()


def date_of(element: etree._Element, label: str, problems: Problems) -> date | None:
    value = text_of(element)
    if _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(element, f"{label} is not a date")
    return None


def datetime_of(element: etree._Element, label: str, problems: Problems) -> datetime | None:
    value = text_of(element)
    if _DATE.match(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    problems.add(element, f"{label} is not a date and time")
    return None


def int_of(element: etree._Element, label: str, problems: Problems) -> int | None:
    value = text_of(element)
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    problems.add(element, f"{label} is not a whole number")
    return None


def bool_of(element: etree._Element, label: str, problems: Problems) -> bool | None:
    value = text_of(element).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    problems.add(element, f"{label} is not true or false")
    return None


def code_of(
    element: etree._Element, label: str, pattern: re.Pattern[str], problems: Problems
) -> str:
    """The element's text when it matches `pattern` (e.g. a 3-digit LA code), else ""."""
    value = text_of(element)
    if pattern.fullmatch(value):
        return value
    problems.add(element, f"{label} is not a valid code")
    return ""
