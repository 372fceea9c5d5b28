"""The transfers endpoints of the HTTP API (mounted under /api/v1/ by cme.api.urls).

- POST /api/v1/ctf-files — the authority's own system (or a school's, for its own school's
  files) sends a CTF as the raw XML body (Content-Type application/xml) or as the multipart
  field `file`; it is stored and imported as the upload page does, and the answer is a summary
  with no personal data: the file's reference, how many pupils, how many matched known
  children, how many new, and the file's problems (places and field names only). The same file
  again is answered from the first import (200 instead of 201) and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from cme.api import problems
from cme.api.auth import token_of
from cme.api.problems import problem
from cme.api.schemas import Problem
from cme.transfers import services
from cme.transfers.models import MAX_UPLOAD_BYTES, Channel

router = Router(tags=["Common transfer files"])

XML_TYPES = ("application/xml", "text/xml")


class CtfImported(Schema):
    reference: str = Field(description="The file's reference here, e.g. CTF-000123")
    already_imported: bool = Field(description="True when this exact file was imported before")
    destination: str = Field(description="known, unknown or abroad")
    pupils: int
    matched: int = Field(description="Pupils matched to children the authority already knows")
    created: int = Field(description="Pupils recorded as new children")
    skipped: int = Field(description="Pupils that could not be imported (no name)")
    cases_opened: int = Field(description="Tracking cases opened for pupils with no destination")
    errors: list[str] = Field(description="Problems in the file: places and fields, no values")


@router.post(
    "/ctf-files",
    response={
        200: CtfImported,
        201: CtfImported,
        400: Problem,
        401: Problem,
        403: Problem,
        413: Problem,
        415: Problem,
        422: Problem,
        429: Problem,
    },
    operation_id="ctf_file_create",
    summary="Send a common transfer file (the raw XML as the body) to be imported",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
def ctf_file_create(request: HttpRequest) -> Any:
    token = token_of(request)
    if token.agency_id is not None:
        return problem(request, 403, "A partner agency's token cannot send CTFs.")
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            return problem(request, 400, "Send the CTF as the multipart field named file.")
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            return problem(
                request, 413, f"The file must be {MAX_UPLOAD_BYTES // (1024 * 1024)} MB or less."
            )
        content = upload.read(MAX_UPLOAD_BYTES + 1)
    elif content_type in XML_TYPES:
        content = request.body
    else:
        return problem(
            request,
            415,
            "Send the CTF as the body with Content-Type application/xml, "
            "or as the multipart field named file.",
        )
    school = token.establishment
    try:
        stored = services.ctf_upload_store(
            actor=None,
            authority=token.authority,
            establishment=school,
            content=content,
            channel=Channel.API,
        )
        summary = services.ctf_import(actor=None, upload=stored.upload)
    except services.TransferRefused as refused:
        return problem(request, 422, str(refused), type=problems.REFUSED)
    stored_upload = stored.upload
    return Status(
        200 if summary.already_imported else 201,
        {
            "reference": stored_upload.reference,
            "already_imported": summary.already_imported,
            "destination": stored_upload.destination,
            "pupils": summary.pupils,
            "matched": summary.matched,
            "created": summary.created,
            "skipped": summary.skipped,
            "cases_opened": summary.cases_opened,
            "errors": list(stored_upload.errors),
        },
    )
