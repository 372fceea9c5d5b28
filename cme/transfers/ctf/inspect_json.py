"""What `cme ctf inspect FILE` prints, and the command's whole job as a plain function."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from .model import CtfFile
from .reader import read_ctf
from .safety import DEFAULT_MAX_BYTES, CtfRefused


def inspect_json(ctf: CtfFile) -> dict[str, Any]:
    """What the file holds in brief: header codes, destination, each pupil's identity, errors."""
    header = ctf.header
    return {
        "ctf_version": header.version,
        "source_lea": header.source_lea,
        "source_estab": header.source_estab,
        "dest_lea": header.dest_lea,
        "dest_estab": header.dest_estab,
        "destination": header.destination,
        "pupils": [
            {
                "upn": pupil.upn,
                "surname": pupil.surname,
                "forename": pupil.forename,
                "dob": pupil.dob.isoformat() if pupil.dob else None,
                "sex": pupil.sex,
            }
            for pupil in ctf.pupils
        ],
        "errors": list(ctf.errors),
    }


def run_inspect(path: Path, out: TextIO, err: TextIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Print the JSON to `out` and return 0 when the file was read (even with per-pupil errors);
    print a one-line reason to `err` and return 2 when it was refused or cannot be opened."""
    try:
        ctf = read_ctf(path, max_bytes=max_bytes)
    except CtfRefused as refused:
        err.write(f"{refused.reason}\n")
        return 2
    except OSError as error:
        err.write(f"cannot open the file ({error.strerror or 'unreadable'})\n")
        return 2
    json.dump(inspect_json(ctf), out, indent=2)
    out.write("\n")
    return 0
