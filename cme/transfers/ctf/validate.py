"""Checking CTF parts against CME's XSD (`schema/ctf.xsd`), with messages safe to show.

`Header` and `Pupil` are global elements of the schema, so a streamed file is validated one part
at a time: memory stays bounded, every problem has a line number, and a bad pupil does not hide
the problems (or the data) of the next. The top level (`CTfile`, `Header`, `CTFpupilData`) is
checked by the reader, which sees it go by.

libxml2's messages quote the offending value (a name, a date of birth): those quotes are
replaced by a description of what is wrong, so no personal data reaches a message.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from lxml import etree

SCHEMA_PATH = Path(__file__).with_name("schema") / "ctf.xsd"

_ELEMENT = re.compile(r"Element '([A-Za-z0-9_.:-]{1,60})': ")
# Messages whose quotes hold only schema or element names, never a value from the file.
_NAMES_ONLY = (
    "This element is not expected",
    "Missing child element",
    "Character content other than whitespace",
    "The attribute",
    "No match found",
)
_FACETS = {
    "pattern": "is not in the expected form",
    "enumeration": "is not one of the allowed values",
    "maxLength": "is too long",
    "minLength": "is too short",
    "length": "has the wrong length",
}
_FACET = re.compile(r"\[facet '(\w+)'\]")
_ATOMIC_TYPE = re.compile(r"atomic type '([\w:]{1,40})'\.?$")


_per_thread = threading.local()


def ctf_schema() -> etree.XMLSchema:
    """The parsed schema, loaded once per thread.

    One per thread because a validator keeps the last run's messages in its `error_log`: two
    uploads validated at once in a threaded server must not read each other's.
    """
    schema: etree.XMLSchema | None = getattr(_per_thread, "schema", None)
    if schema is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))
        _per_thread.schema = schema
    return schema


def safe_message(message: str) -> str:
    """A libxml2 validation message with any value from the file left out."""
    match = _ELEMENT.match(message)
    if match is None:
        return "does not match the schema"
    element, rest = match.group(1), message[match.end() :]
    if rest.startswith(_NAMES_ONLY):
        return f"{element}: {rest.rstrip('.')}"
    facet = _FACET.match(rest)
    if facet is not None:
        return f"{element}: the value {_FACETS.get(facet.group(1), 'is not allowed')}"
    atomic = _ATOMIC_TYPE.search(rest)
    if atomic is not None:
        return f"{element}: the value is not a valid {atomic.group(1)}"
    return f"{element}: the value is not valid"


def schema_problems(element: etree._Element, schema: etree.XMLSchema) -> list[tuple[int, str]]:
    """(line, message) for each schema problem of `element` (a `Header` or a `Pupil`).

    One message per line and element: libxml2 often reports a bad value twice (facet and type).
    """
    if schema.validate(element):
        return []
    problems: list[tuple[int, str]] = []
    seen: set[tuple[int, str]] = set()
    for entry in schema.error_log:
        text = safe_message(entry.message)
        key = (entry.line, text.partition(":")[0])
        if key not in seen:
            seen.add(key)
            problems.append((entry.line, text))
    return problems
