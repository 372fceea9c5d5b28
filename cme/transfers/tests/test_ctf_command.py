"""`cme ctf inspect` as an operator runs it: the real command, through Django's command runner."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from cme.transfers.ctf import write_ctf
from cme.transfers.ctf.samples import full_pupil, sample_header


def test_inspect_prints_json_that_parses(tmp_path: Path) -> None:
    path = tmp_path / "leavers.xml"
    with path.open("wb") as out:
        write_ctf(sample_header(), [full_pupil(1), full_pupil(2)], out)
    stdout = io.StringIO()

    call_command("ctf", "inspect", str(path), stdout=stdout)

    printed = json.loads(stdout.getvalue())
    assert len(printed["pupils"]) == 2
    assert printed["errors"] == []
    assert set(printed["pupils"][0]) == {"upn", "surname", "forename", "dob", "sex"}


def test_inspect_refuses_a_file_that_is_not_a_ctf_with_exit_status_2(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<?xml version='1.0'?><Invoice><Total>3</Total></Invoice>")
    stderr = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("ctf", "inspect", str(path), stderr=stderr)

    assert exited.value.code == 2
    assert stderr.getvalue().strip() == "not a CTF (root is Invoice)"
