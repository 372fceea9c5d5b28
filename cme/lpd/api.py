"""The Lost Pupil Database in the HTTP API (mounted under /api/v1/ by cme.api.urls), for an
authority's own system (an "authority" token: neither a school's nor an agency's).

- POST /api/v1/lpd/search — what is known about a pupil; ranked lost pupils with their evidence.
  A restricted child's location (postcode, schools, address evidence) is never in the answer.
- POST /api/v1/lpd/files — a lost CTF's XML as text (the API's bodies are at most 64 KB, 413 beyond: a lost
  CTF normally holds one pupil, 5–10 KB); the same file twice gives the existing upload (200).

Every search and upload is audited and counted for the authority, like the pages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field, StringConstraints

from cme.api import problems
from cme.api.auth import authority_token
from cme.api.problems import field_errors, invalid, problem
from cme.api.schemas import FormShaped, Problem, form_data, form_schema
from cme.lpd import selectors, services
from cme.lpd.forms import LpdSearchForm

router = Router(tags=["Lost Pupil Database"])

if TYPE_CHECKING:
    LpdSearchIn = FormShaped
else:
    LpdSearchIn = form_schema("LpdSearchIn", LpdSearchForm)

ERRORS: dict[int, Any] = {
    400: Problem,
    401: Problem,
    403: Problem,
    413: Problem,
    422: Problem,
    429: Problem,
}


class EvidenceOut(Schema):
    field: str
    verdict: str = Field(description="agrees, close, disagrees or missing")
    detail: str


class LostPupilOut(Schema):
    id: int = Field(description="The lost pupil's id in the LPD")
    probability: float = Field(description="How likely this is the same child, 0 to 1")
    decisive: bool = Field(description="A UPN agrees")
    location_withheld: bool = Field(
        description="The pupil is a restricted child: postcode, schools and address evidence "
        "are left out"
    )
    upn: str
    forename: str
    surname: str
    dob: date | None
    sex: str
    postcode: str | None
    last_school: str | None
    source_school: str | None
    uploaded_at: datetime
    evidence: list[EvidenceOut]


class LpdSearchOut(Schema):
    results: list[LostPupilOut]


class LpdFileIn(Schema):
    # No maxLength of its own: the API's 64 KB body limit (413) is the limit, whatever the
    # characters' encoded size.
    ctf_xml: Annotated[str, StringConstraints(strict=True, min_length=1)] = Field(
        description="The lost CTF's XML, as text; the whole body is at most 64 KB"
    )


class LpdFileOut(Schema):
    id: int
    pupils: int
    destination: str = Field(description="unknown (XXX/XXXX) or abroad (MMM/MMMM)")
    errors: list[str] = Field(description="Per-pupil problems; the other pupils were stored")


def shown_probability(probability: float) -> float:
    """The probability to the precision the page shows (0.1%, "over 99.9%" below 1): more digits
    would tell apart levels of evidence the page does not."""
    if probability >= 1:
        return 1.0
    return min(round(probability, 3), 0.999)


def _pupil_out(candidate: selectors.LpdCandidate) -> dict[str, Any]:
    pupil, withheld = candidate.pupil, candidate.withheld
    return {
        "id": pupil.pk,
        "probability": shown_probability(candidate.scored.probability),
        "decisive": candidate.scored.decisive,
        "location_withheld": withheld,
        "upn": pupil.upn,
        "forename": pupil.forename,
        "surname": pupil.surname,
        "dob": pupil.dob,
        "sex": pupil.sex,
        "postcode": None if withheld else pupil.postcode,
        "last_school": None if withheld else pupil.last_school,
        "source_school": None if withheld else pupil.file.source_school,
        "uploaded_at": pupil.file.uploaded_at,
        "evidence": [
            {"field": e.field, "verdict": e.verdict, "detail": e.detail} for e in candidate.evidence
        ],
    }


@router.post(
    "/lpd/search",
    response={200: LpdSearchOut, **ERRORS},
    operation_id="lpd_search",
    summary="Search the Lost Pupil Database with what is known about a pupil",
)
def lpd_search(request: HttpRequest, body: LpdSearchIn) -> Any:
    token = authority_token(request)
    form = LpdSearchForm(form_data(LpdSearchForm, body.form_values()))
    if not form.is_valid():
        return invalid(request, field_errors(form.errors))
    record, school = form.to_lookup()
    # A system holds no grant to see a restricted child's location.
    searcher = selectors.Searcher(authority_id=token.authority_id)
    candidates = selectors.lpd_search(searcher, record, previous_school=school)
    services.lpd_search_record(
        authority_id=token.authority_id,
        actor=None,
        fields=form.described_fields(),
        results=len(candidates),
        withheld=sum(1 for c in candidates if c.withheld),
        via_api=True,
    )
    return {"results": [_pupil_out(c) for c in candidates]}


@router.post(
    "/lpd/files",
    response={200: LpdFileOut, 201: LpdFileOut, **ERRORS},
    operation_id="lpd_file_create",
    summary="Upload a lost CTF (destination unknown or abroad) to the Lost Pupil Database",
)
def lpd_file_create(request: HttpRequest, body: LpdFileIn) -> Any:
    token = authority_token(request)
    try:
        done = services.lpd_file_upload(
            content=body.ctf_xml.encode("utf-8"), actor=None, authority=token.authority
        )
    except services.UploadRefused as refused:
        return problem(request, 422, str(refused), type=problems.REFUSED)
    upload = done.file
    answer = {
        "id": upload.pk,
        "pupils": upload.pupil_count,
        "destination": upload.destination,
        "errors": list(upload.errors),
    }
    return Status(201 if done.created else 200, answer)
