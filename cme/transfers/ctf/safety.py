"""Refusing unsafe or unsuitable files before, and while, they are parsed.

A CTF comes from outside the authority, so nothing in it is trusted: the size is capped (checked
before parsing when it is known, and counted while reading either way), and any DTD or entity
declaration is refused before the parser sees the document, so entity expansion ("billion
laughs") and external references (`file:///etc/passwd`, URLs) can never happen. The parser is
also configured not to load DTDs, resolve entities or use the network, as a second line.
"""

from __future__ import annotations

import os
import re
from typing import BinaryIO

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# How much of the start of a file may be prolog (declaration, comments, processing instructions).
PROLOG_LIMIT = 1024 * 1024
# How much of the file may be read without a part (Header or Pupil) ending and being freed: the
# parsed tree holds at most about this much, whatever the file. A real pupil is a few KB.
MAX_PART_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024


class CtfRefused(Exception):
    """Nothing is read from the file. `reason` is one line, safe to show and log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NOT_XML = "not XML"
HAS_DTD = "has a DTD or entity declaration"


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes >= 1 else f"{megabytes:.2f}"


def too_large(max_bytes: int) -> CtfRefused:
    return CtfRefused(f"larger than {_megabytes(max_bytes)} MB")


def part_too_large(max_part_bytes: int) -> CtfRefused:
    return CtfRefused(f"has a record larger than {_megabytes(max_part_bytes)} MB")


def not_a_ctf(root: str) -> CtfRefused:
    return CtfRefused(f"not a CTF (root is {root[:40]})")


def known_size(stream: BinaryIO) -> int | None:
    """The bytes left in `stream`, when it can say without being read (files, BytesIO)."""
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    except (OSError, ValueError, AttributeError):
        return None
    return end - here


class CappedReader:
    """A read-only stream that replays `prefix`, then reads `stream`, refusing past `max_bytes`,
    or past `max_part_bytes` since the reader last called `part_freed`.

    `bytes_read` counts what was taken from the underlying stream, so tests can show that a
    refused file was not read further.
    """

    def __init__(
        self, stream: BinaryIO, max_bytes: int, max_part_bytes: int = MAX_PART_BYTES
    ) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self._max_part_bytes = max_part_bytes
        self._prefix = b""
        self._freed_at = 0
        self.bytes_read = 0

    def take(self, size: int) -> bytes:
        """Read up to `size` bytes from the underlying stream, counting them."""
        data = self._stream.read(size)
        self.bytes_read += len(data)
        if self.bytes_read > self._max_bytes:
            raise too_large(self._max_bytes)
        if self.bytes_read - self._freed_at > self._max_part_bytes:
            raise part_too_large(self._max_part_bytes)
        return data

    def part_freed(self) -> None:
        """The parts read so far have left the tree: the next may start counting."""
        self._freed_at = self.bytes_read

    def unread(self, data: bytes) -> None:
        self._prefix = data + self._prefix

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = _CHUNK
        if self._prefix:
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        return self.take(size)


_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def _decode_for_sniffing(data: bytes) -> str:
    """Enough of a decoding of the first bytes to see the prolog's markup."""
    encoding = _UTF16_BOMS.get(data[:2])
    if encoding is None and len(data) >= 2 and b"\x00" in data[:2]:
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    if encoding is not None:
        return data[2 if data[:2] in _UTF16_BOMS else 0 :].decode(encoding, errors="replace")
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


# The pieces a prolog may hold before the root element, other than a DOCTYPE.
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
# The root's start tag: its name, ended by a space, "/" or ">" (else the chunk cut it short).
_ROOT_START = re.compile(r"<([A-Za-z_:][^\s/>]*)[\s/>]")


def check_prolog(reader: CappedReader) -> str:
    """Read up to the root element, refusing a DTD, an entity or a non-XML start.

    Returns the root element's local name; the bytes read are put back for the parser.
    """
    seen = b""
    while True:
        chunk = reader.take(_CHUNK)
        seen += chunk
        verdict = _prolog_verdict(_decode_for_sniffing(seen), complete=not chunk)
        if verdict.startswith("<"):
            break
        if verdict == "more" and len(seen) < PROLOG_LIMIT:
            continue
        raise CtfRefused(HAS_DTD if verdict == "dtd" else NOT_XML)
    reader.unread(seen)
    return verdict[1:].rpartition(":")[2]


def _prolog_verdict(text: str, *, complete: bool) -> str:
    """ "<" and the root's name at the root element, "dtd" at a DOCTYPE or ENTITY, "bad" if not
    XML, else "more"."""
    position = 0
    while True:
        rest = text[position:]
        if rest.startswith(("<!DOCTYPE", "<!ENTITY")):
            return "dtd"
        root = _ROOT_START.match(rest)
        if root is not None:
            return "<" + root.group(1)
        item = _PROLOG_ITEM.match(text, position)
        if item is not None and item.end() < len(text):
            position = item.end()
            continue
        if complete:
            return "bad"
        # The chunk may have ended inside a comment, a declaration or a "<!DOCTYPE".
        cut_short = (
            item is not None
            or rest.startswith(("<?", "<!--"))
            or any(markup.startswith(rest) for markup in ("<!DOCTYPE", "<!ENTITY", "<!--"))
            or re.fullmatch(r"<[A-Za-z_:][^\s/>]*", rest) is not None
        )
        return "more" if cut_short else "bad"
