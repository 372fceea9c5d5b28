"""Common Transfer Files: a safe streaming reader, a writer, CME's XSD and the inspect summary.

Pure Python on lxml (no Django), so the pages, the import and the management commands can all
stand on it. See docs/ctf.md.
"""

from .inspect_json import inspect_json, run_inspect
from .model import (
    ABROAD_ESTAB,
    ABROAD_LEA,
    UNKNOWN_ESTAB,
    UNKNOWN_LEA,
    Address,
    Assessment,
    AttendanceYear,
    Contact,
    CtfFile,
    CtfHeader,
    CtfPupil,
    Destination,
    FsmPeriod,
    Language,
    LookedAfter,
    Phone,
    SchoolSpell,
    SenNeed,
    SenRecord,
    destination_of,
)
from .reader import read_ctf, validate_ctf
from .safety import DEFAULT_MAX_BYTES, CtfRefused
from .validate import SCHEMA_PATH, ctf_schema
from .writer import write_ctf

__all__ = [
    "ABROAD_ESTAB",
    "ABROAD_LEA",
    "DEFAULT_MAX_BYTES",
    "SCHEMA_PATH",
    "UNKNOWN_ESTAB",
    "UNKNOWN_LEA",
    "Address",
    "Assessment",
    "AttendanceYear",
    "Contact",
    "CtfFile",
    "CtfHeader",
    "CtfPupil",
    "CtfRefused",
    "Destination",
    "FsmPeriod",
    "Language",
    "LookedAfter",
    "Phone",
    "SchoolSpell",
    "SenNeed",
    "SenRecord",
    "ctf_schema",
    "destination_of",
    "inspect_json",
    "read_ctf",
    "run_inspect",
    "validate_ctf",
    "write_ctf",
]
