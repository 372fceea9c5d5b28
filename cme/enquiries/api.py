"""The enquiries endpoint of the HTTP API (mounted under /api/v1/ by cme.api.urls).

POST /api/v1/enquiry-messages takes a signed message from another authority's deployment. It
needs no API token: the Ed25519 signature, checked against the sender's key in the directory,
is the authentication. The body is read as raw bytes (the signature covers exactly them), so it
is described here for the OpenAPI spec rather than parsed by a schema.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from cme.api.problems import DUPLICATE, REFUSED, problem
from cme.api.schemas import Problem
from cme.enquiries import signing
from cme.enquiries.services import MessageRefused
from cme.enquiries.transport import message_verify

router = Router()


class MessageAccepted(Schema):
    message_id: str
    status: str


ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message_id", "kind", "sender", "recipient", "created_at", "body"],
    "properties": {
        "message_id": {
            "type": "string",
            "format": "uuid",
            "description": "Idempotency key: the same on every retry, accepted once",
        },
        "kind": {"type": "string", "enum": ["enquiry", "response"]},
        "sender": {"type": "string", "pattern": "^\\d{3}$", "description": "Sender's LA code"},
        "recipient": {
            "type": "string",
            "pattern": "^\\d{3}$",
            "description": "Recipient's LA code",
        },
        "created_at": {
            "type": "string",
            "format": "date-time",
            "description": "When this attempt was signed; refused if more than 5 minutes off",
        },
        "sender_entry": {
            "type": "object",
            "description": "The sender's directory entry: name and named CME contacts",
        },
        "body": {
            "type": "object",
            "description": "An enquiry (basic information set and vulnerability indicators) "
            "or a response (answer and message). See docs/enquiries.md.",
        },
    },
}


@router.post(
    "/enquiry-messages",
    auth=None,
    response={
        202: MessageAccepted,
        400: Problem,
        401: Problem,
        403: Problem,
        404: Problem,
        409: Problem,
        413: Problem,
        422: Problem,
        429: Problem,
    },
    operation_id="enquiry_message_receive",
    summary="Receive a signed enquiry or response from another authority's deployment",
    tags=["Authorities"],
    openapi_extra={
        "parameters": [
            {
                "name": signing.SIGNATURE_HEADER,
                "in": "header",
                "required": True,
                "description": "Ed25519 signature of the exact request body, in base64",
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ENVELOPE_SCHEMA}},
        },
    },
)
def enquiry_message_receive(request: HttpRequest) -> Any:
    try:
        message_verify(
            raw=request.body, signature=request.headers.get(signing.SIGNATURE_HEADER, "")
        )
    except MessageRefused as refused:
        kind = DUPLICATE if refused.code == "replayed" else REFUSED
        return problem(request, refused.status, refused.detail, type=kind, code=refused.code)
    return Status(202, {"message_id": _message_id(request.body), "status": "accepted"})


def _message_id(raw: bytes) -> str:
    import json

    return str(json.loads(raw)["message_id"])
