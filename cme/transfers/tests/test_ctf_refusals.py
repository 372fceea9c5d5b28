"""Files the CTF reader must refuse, and refuse before reading the rest of them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cme.transfers.ctf import CtfRefused, read_ctf, validate_ctf, write_ctf
from cme.transfers.ctf.samples import full_pupil, sample_header

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CTfile><Header><DocumentName>&lol9;</DocumentName></Header>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CTfile [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<CTfile><Header><DocumentName>&secret;</DocumentName></Header>
"""
DTD_ONLY = b"""<?xml version="1.0"?>
<!-- a comment first, as some suppliers write -->
<!DOCTYPE CTfile SYSTEM "http://127.0.0.1:9/ctf.dtd">
<CTfile><Header/>
"""
NOT_A_CTF = b'<?xml version="1.0"?>\n<html><body>'
PADDING = b"<p>" + b"x" * 1000 + b"</p>\n"


class TrackedStream(io.RawIOBase):
    """A stream that cannot seek (like an upload) and counts the bytes taken from it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.bytes_read += len(chunk)
        return len(chunk)


def padded(start: bytes, megabytes: int = 4) -> bytes:
    """`start` followed by megabytes more of content that a refusal must never reach."""
    return start + PADDING * (megabytes * 1024)


def refusal(source: object, **options: int) -> tuple[str, TrackedStream | None]:
    with pytest.raises(CtfRefused) as refused:
        read_ctf(source, **options)  # type: ignore[arg-type]
    return refused.value.reason, source if isinstance(source, TrackedStream) else None


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (BILLION_LAUGHS, "has a DTD or entity declaration"),
        (EXTERNAL_ENTITY, "has a DTD or entity declaration"),
        (DTD_ONLY, "has a DTD or entity declaration"),
        (NOT_A_CTF, "not a CTF (root is html)"),
    ],
    ids=["billion-laughs", "external-entity", "dtd-only", "not-a-ctf"],
)
def test_unsafe_or_foreign_xml_is_refused_before_the_rest_is_read(
    document: bytes, reason: str
) -> None:
    stream = TrackedStream(padded(document))
    assert refusal(stream)[0] == reason
    # The first 64 KB chunk (and, for the root check, the parser's look-ahead) at most.
    assert stream.bytes_read <= 256 * 1024
    assert stream.bytes_read < len(padded(document)) // 10


def test_the_external_entity_is_never_resolved(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(EXTERNAL_ENTITY + b"</CTfile>")
    with pytest.raises(CtfRefused) as refused:
        read_ctf(path)
    assert "root" not in str(refused.value)  # refused for the DTD, not after expanding it
    assert refused.value.reason == "has a DTD or entity declaration"


def test_validation_refuses_the_same_files(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    path.write_bytes(BILLION_LAUGHS + b"</CTfile>")
    with pytest.raises(CtfRefused, match="DTD"):
        validate_ctf(path)


def test_an_oversized_file_is_refused_from_its_size_without_being_opened(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(padded(b"<CTfile>", megabytes=2))
    assert refusal(path, max_bytes=1024 * 1024)[0] == "larger than 1 MB"


def test_an_oversized_seekable_stream_is_refused_before_any_read() -> None:
    stream = io.BytesIO(padded(b"<CTfile>", megabytes=2))
    assert refusal(stream, max_bytes=1024 * 1024)[0] == "larger than 1 MB"
    assert stream.tell() == 0


def test_an_oversized_upload_of_unknown_size_is_refused_once_the_cap_is_passed() -> None:
    output = io.BytesIO()
    write_ctf(sample_header(), (full_pupil(n) for n in range(1, 400)), output)
    stream = TrackedStream(output.getvalue())
    reason, _ = refusal(stream, max_bytes=256 * 1024)
    assert reason == "larger than 0.25 MB"
    assert stream.bytes_read <= 256 * 1024 + 64 * 1024


@pytest.mark.parametrize(
    "document",
    [b"", b"   \n", b"UPN,Surname\nA123,Smith\n", b"\x89PNG\r\n\x1a\n", b"<CTfile><Header>"],
    ids=["empty", "blank", "csv", "binary", "truncated"],
)
def test_what_is_not_xml_is_refused_as_not_xml(document: bytes) -> None:
    assert refusal(io.BytesIO(document))[0] == "not XML"


def test_an_undeclared_entity_in_the_body_is_not_xml() -> None:
    document = b"<CTfile><Header><DocumentName>&lol;</DocumentName></Header></CTfile>"
    assert refusal(io.BytesIO(document))[0] == "not XML"


def test_a_utf16_file_with_a_dtd_is_still_refused() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><CTfile/>'
    assert refusal(io.BytesIO(document.encode("utf-16")))[0] == "has a DTD or entity declaration"


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY])
def test_the_parser_refuses_a_dtd_even_if_the_prolog_check_missed_it(
    document: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cme.transfers.ctf import reader

    monkeypatch.setattr(reader, "check_prolog", lambda _reader: "CTfile")
    assert refusal(io.BytesIO(document + b"</CTfile>"))[0] == "has a DTD or entity declaration"


def test_a_dtd_after_a_long_comment_is_still_found() -> None:
    comment = b"<!-- " + b"padding " * 20_000 + b"-->\n"  # longer than the first 64 KB read
    assert refusal(io.BytesIO(comment + BILLION_LAUGHS + b"</CTfile>"))[0] == (
        "has a DTD or entity declaration"
    )


def test_a_long_comment_before_a_real_ctf_is_fine() -> None:
    comment = b"<!-- " + b"padding " * 20_000 + b"-->\n"
    output = io.BytesIO()
    write_ctf(sample_header(), [full_pupil(1)], output)
    document = output.getvalue().replace(b"<CTfile>", comment + b"<CTfile>", 1)
    assert read_ctf(io.BytesIO(document)).pupils == [full_pupil(1)]


def test_a_prolog_of_more_than_a_megabyte_is_refused() -> None:
    comment = b"<!-- " + b"padding " * 200_000 + b"-->\n<CTfile/>"
    assert refusal(io.BytesIO(comment))[0] == "not XML"


def test_one_huge_pupil_is_refused_while_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from cme.transfers.ctf import safety

    monkeypatch.setattr(safety, "MAX_PART_BYTES", 512 * 1024)
    output = io.BytesIO()
    write_ctf(sample_header(), [full_pupil(n) for n in range(1, 200)], output)
    normal = output.getvalue()
    assert len(normal) > 512 * 1024
    assert read_ctf(io.BytesIO(normal)).errors == []  # many pupils: each part is small
    huge = b"<Pupil>" + b"<Email>x</Email>" * 100_000 + b"</Pupil>"
    stream = TrackedStream(normal.replace(b"<CTFpupilData>", b"<CTFpupilData>" + huge, 1))
    assert refusal(stream)[0] == "has a record larger than 0.50 MB"
    assert stream.bytes_read <= 512 * 1024 + 64 * 1024 + 32 * 1024
