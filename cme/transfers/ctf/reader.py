"""Reading a CTF: streamed, size-capped, DTD-free, and tolerant of older files.

The file is parsed with lxml's `iterparse`; each `Pupil` is turned into a `CtfPupil` as soon as
it ends and then cleared from the tree, so the tree never holds more than one pupil (and with
`on_pupil` nothing else grows either).
Refusals (`CtfRefused`) happen before anything is returned: a file that is too large, not XML,
has a DTD or an entity declaration, or whose root is not `CTfile`. A bad pupil only adds to
`errors`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from . import safety
from .fields import Problems, children, local_name
from .model import CtfFile, CtfHeader, CtfPupil
from .parse import EMPTY_HEADER, parse_header, parse_pupil
from .safety import (
    DEFAULT_MAX_BYTES,
    HAS_DTD,
    NOT_XML,
    CappedReader,
    CtfRefused,
    check_prolog,
    known_size,
    not_a_ctf,
    too_large,
)
from .validate import ctf_schema, schema_problems

Source = BinaryIO | Path | str
# Called with a finished Header or Pupil element, its position (0 for the header) and the
# list that collects messages.
PartHandler = Callable[[etree._Element, int, list[str]], None]


def read_ctf(
    source: Source,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    validate: bool = True,
    on_pupil: Callable[[CtfPupil], None] | None = None,
) -> CtfFile:
    """Read a CTF from a path or a binary stream. Raises `CtfRefused` for an unusable file.

    With `validate`, each part is also checked against the XSD and its problems are added to
    `errors` (prefixed "schema:"). With `on_pupil`, each pupil is handed to it as soon as it is
    read instead of being kept in `pupils`, so memory stays flat however large the file (the
    header, read first in any real file, is complete only when this returns).
    """
    result = CtfFile(header=CtfHeader(**EMPTY_HEADER))
    schema = ctf_schema() if validate else None

    def on_part(element: etree._Element, position: int, errors: list[str]) -> None:
        where = _where(position)
        problems = Problems(where, errors)
        if position == 0:
            result.header = parse_header(element, problems)
        else:
            pupil = parse_pupil(element, problems)
            if not (pupil.upn or pupil.surname or pupil.forename):
                problems.add(element, "skipped: no UPN or name")
            elif on_pupil is not None:
                on_pupil(pupil)
            else:
                result.pupils.append(pupil)
        if schema is not None:
            _add_schema_problems(element, where, schema, errors)

    with _opened(source, max_bytes) as reader:
        _stream(reader, on_part, result.errors)
    return result


def validate_ctf(source: Source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """Every XSD problem of the file, each with its line; [] when valid. Raises `CtfRefused`."""
    schema = ctf_schema()
    errors: list[str] = []

    def on_part(element: etree._Element, position: int, errors: list[str]) -> None:
        _add_schema_problems(element, _where(position), schema, errors)

    with _opened(source, max_bytes) as reader:
        _stream(reader, on_part, errors)
    return errors


def _where(position: int) -> str:
    return "header" if position == 0 else f"pupil {position}"


def _add_schema_problems(
    element: etree._Element, where: str, schema: etree.XMLSchema, errors: list[str]
) -> None:
    for line, message in schema_problems(element, schema):
        errors.append(f"{where} (line {line}): schema: {message}")


@contextlib.contextmanager
def _opened(source: Source, max_bytes: int) -> Iterator[CappedReader]:
    """A capped reader over `source`, after the size and prolog checks."""
    if isinstance(source, str | Path):
        path = Path(source)
        if path.stat().st_size > max_bytes:
            raise too_large(max_bytes)
        with path.open("rb") as stream:
            yield _checked(stream, max_bytes)
        return
    size = known_size(source)
    if size is not None and size > max_bytes:
        raise too_large(max_bytes)
    yield _checked(source, max_bytes)


def _checked(stream: BinaryIO, max_bytes: int) -> CappedReader:
    # The module constant is looked up here, not bound at import, so tests can lower it.
    reader = CappedReader(stream, max_bytes, safety.MAX_PART_BYTES)
    root = check_prolog(reader)
    if root != "CTfile":
        raise not_a_ctf(root)
    return reader


def _stream(reader: CappedReader, on_part: PartHandler, errors: list[str]) -> None:
    """Parse, refusing what is not a CTF, and hand each Header and Pupil to `on_part`.

    Only the root, `Header` and `Pupil` produce events, so the other elements cost no Python
    work until a part is handed over.
    """
    events = etree.iterparse(
        reader,
        events=("start", "end"),
        tag=("{*}CTfile", "{*}Header", "{*}Pupil"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    root: etree._Element | None = None
    pupils = 0
    try:
        for event, element in events:
            if root is None:
                _check_root(element)
                root = element
            if event == "start":
                continue
            parent = element.getparent()
            if parent is None:
                break
            if parent is root and local_name(element) == "Header":
                on_part(element, 0, errors)
                element.clear(keep_tail=False)  # the empty element stays, to show it was there
                reader.part_freed()
            elif local_name(element) == "Pupil" and _is_pupil_data(parent, root):
                pupils += 1
                on_part(element, pupils, errors)
                _forget(element)
                reader.part_freed()
    except etree.XMLSyntaxError:
        raise CtfRefused(NOT_XML) from None
    if root is not None:
        _check_top_level(root, errors)


def _check_top_level(root: etree._Element, errors: list[str]) -> None:
    """Report a missing Header and anything else at the top level (Header and Pupils are gone)."""
    names = set()
    for name, child in children(root):
        names.add(name)
        if name not in ("Header", "CTFpupilData"):
            Problems("file", errors).add(child, f"unexpected element {name[:40]}")
    if "Header" not in names:
        errors.insert(0, "file: no Header")


def _check_root(root: etree._Element) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise CtfRefused(HAS_DTD)
    name = local_name(root)
    if name != "CTfile":
        raise not_a_ctf(name)


def _is_pupil_data(element: etree._Element, root: etree._Element) -> bool:
    return local_name(element) == "CTFpupilData" and element.getparent() is root


def _forget(element: etree._Element) -> None:
    """Free a finished part, and the empty husks of the parts before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
