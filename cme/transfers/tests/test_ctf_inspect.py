"""`run_inspect`: what `cme ctf inspect FILE` prints and its exit status."""

from __future__ import annotations

import io
import json
from pathlib import Path

from cme.transfers.ctf import run_inspect, write_ctf
from cme.transfers.ctf.samples import full_pupil, sample_header


def inspect(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_inspect(path, out, err)
    return status, out.getvalue(), err.getvalue()


def test_a_readable_file_prints_json_and_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    with path.open("wb") as out:
        write_ctf(sample_header("MMM", "MMMM"), [full_pupil(1)], out)
    status, out_text, err_text = inspect(path)
    assert (status, err_text) == (0, "")
    summary = json.loads(out_text)
    assert summary["destination"] == "abroad"
    assert summary["pupils"] == [
        {
            "upn": full_pupil(1).upn,
            "surname": "Pennywhistle1",
            "forename": "Marigold",
            "dob": "2014-02-02",
            "sex": "F",
        }
    ]
    assert summary["errors"] == []


def test_per_pupil_errors_still_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "bad-dob.xml"
    with path.open("wb") as out:
        write_ctf(sample_header(), [full_pupil(1)], out)
    path.write_bytes(path.read_bytes().replace(b"<DOB>2014-02-02", b"<DOB>2014-02-31"))
    status, out_text, _ = inspect(path)
    assert status == 0
    assert json.loads(out_text)["errors"][0].endswith("DOB is not a date")


def test_a_refused_file_prints_one_line_on_stderr_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<html><body>hello</body></html>")
    assert inspect(path) == (2, "", "not a CTF (root is html)\n")


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    status, out_text, err_text = inspect(tmp_path / "missing.xml")
    assert (status, out_text) == (2, "")
    assert err_text.startswith("cannot open the file") and err_text.count("\n") == 1
