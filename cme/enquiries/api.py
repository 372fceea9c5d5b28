"""The enquiries endpoints of the HTTP API (mounted under /api/v1/ by cme.api.urls)."""

from ninja import Router

router = Router()
