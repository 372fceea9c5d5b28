"""Log records carry the request id so a log line can be tied to an audit event without personal data."""

from __future__ import annotations

import logging

from cme.core import request_context


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_context.current().request_id
        return True
