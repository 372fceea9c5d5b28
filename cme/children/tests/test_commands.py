"""The data officers' commands: `cme upn validate` and `cme school-age`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

CME = Path(sys.executable).with_name("cme")


def _run(*args: str, stdin: io.StringIO | None = None) -> str:
    out = io.StringIO()
    options: dict[str, Any] = {} if stdin is None else {"stdin": stdin}
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def _fails(*args: str, stdin: io.StringIO | None = None) -> tuple[str, CommandError]:
    out = io.StringIO()
    options: dict[str, Any] = {} if stdin is None else {"stdin": stdin}
    with pytest.raises(CommandError) as raised:
        call_command(*args, stdout=out, **options)
    return out.getvalue(), raised.value


def test_upn_validate_says_valid_for_each_good_upn() -> None:
    assert _run("upn", "validate", "B801200005001", "b801 2000 05001") == (
        "B801200005001 valid\nb801 2000 05001 valid\n"
    )


def test_upn_validate_gives_the_reason_and_fails_when_any_is_invalid() -> None:
    out, error = _fails("upn", "validate", "B801200005001", "A801200005001", "B80120000500")
    assert out.splitlines() == [
        "B801200005001 valid",
        "A801200005001 invalid: The check letter of this UPN is wrong: it starts with A but the "
        "other 12 characters give B. Check the UPN was copied correctly",
        "B80120000500 invalid: A UPN must be 13 characters long; this one has 12",
    ]
    assert error.returncode == 1
    assert "2 of 3" in str(error)


def test_upn_validate_reads_a_file_skipping_blank_lines(tmp_path: Path) -> None:
    upns = tmp_path / "upns.txt"
    upns.write_text("\ufeffB801200005001\r\n\n   \nA801200005001\n", encoding="utf-8")
    out, _ = _fails("upn", "validate", "--file", str(upns))
    assert [line.split(" ", 1)[1][:7] for line in out.splitlines()] == ["valid", "invalid"]
    assert out.startswith("B801200005001 valid\n")


def test_upn_validate_reads_standard_input_for_a_dash() -> None:
    out = _run("upn", "validate", "--file", "-", stdin=io.StringIO("B801200005001\n\n"))
    assert out == "B801200005001 valid\n"


def test_upn_validate_combines_arguments_and_a_file(tmp_path: Path) -> None:
    upns = tmp_path / "upns.txt"
    upns.write_text("B801200005001\n", encoding="utf-8")
    out = _run("upn", "validate", "B801200005001", "--file", str(upns))
    assert out.count("valid") == 2


def test_upn_validate_needs_something_to_check() -> None:
    _, error = _fails("upn", "validate")
    assert "at least one UPN" in str(error)


def test_upn_validate_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    _, error = _fails("upn", "validate", "--file", str(tmp_path / "missing.txt"))
    assert "missing.txt" in str(error)


def test_school_age_prints_json() -> None:
    out = _run("school-age", "--dob", "2014-09-01", "--on", "2026-09-01")
    assert json.loads(out) == {
        "compulsory_school_age": True,
        "starts": "2019-12-31",
        "ends": "2031-06-27",
        "year_group": "7",
    }
    assert list(json.loads(out)) == ["compulsory_school_age", "starts", "ends", "year_group"]


def test_school_age_outside_compulsory_school_age() -> None:
    out = json.loads(_run("school-age", "--dob", "2023-01-01", "--on", "2026-01-01"))
    assert (out["compulsory_school_age"], out["year_group"]) == (False, "N1")


def test_school_age_defaults_to_today() -> None:
    out = json.loads(_run("school-age", "--dob", "2014-09-01"))
    assert out["starts"] == "2019-12-31"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--dob", "2014-13-01"], "'2014-13-01'"),
        (["--dob", "1/9/2014"], "'1/9/2014'"),
        (["--dob", "2014-09-01", "--on", "2026-02-30"], "'2026-02-30'"),
    ],
)
def test_school_age_names_a_bad_date(args: list[str], named: str) -> None:
    _, error = _fails("school-age", *args)
    assert named in str(error)


def test_the_commands_exit_with_their_status_from_the_shell() -> None:
    good = subprocess.run(  # noqa: S603 - our own command with fixed arguments
        [str(CME), "upn", "validate", "B801200005001"], capture_output=True, text=True, check=False
    )
    assert (good.returncode, good.stdout) == (0, "B801200005001 valid\n")
    bad = subprocess.run(  # noqa: S603
        [str(CME), "upn", "validate", "--file", "-"],
        input="B801200005001\nA801200005001\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "A801200005001 invalid: " in bad.stdout
    age = subprocess.run(  # noqa: S603
        [str(CME), "school-age", "--dob", "2014-09-01", "--on", "not-a-date"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert age.returncode != 0
    assert "'not-a-date'" in age.stderr
