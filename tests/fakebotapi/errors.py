"""Bot API error responses, with the exact descriptions Telegram sends.

Every failure a handler can produce is an :class:`ApiError`; the transports turn it into the
JSON body ``{"ok": false, "error_code": ..., "description": ..., "parameters"?: ...}`` and the
matching HTTP status, which python-telegram-bot maps to ``BadRequest`` (400), ``Forbidden``
(403), ``InvalidToken`` (401/404), ``Conflict`` (409), ``RetryAfter`` (429) or ``NetworkError``.
"""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API call that Telegram would answer with ``ok: false``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON object Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 ``Bad Request: <detail>``."""
    return ApiError(400, f"Bad Request: {detail}")


def cant_parse(detail: str) -> ApiError:
    """400 for text whose markup Telegram cannot parse."""
    return bad_request(f"can't parse entities: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 ``Forbidden: <detail>``."""
    return ApiError(403, f"Forbidden: {detail}")


def not_found() -> ApiError:
    """404, for unknown methods and malformed tokens."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """401, for well-formed tokens that belong to no bot."""
    return ApiError(401, "Unauthorized")


def conflict(detail: str) -> ApiError:
    """409 ``Conflict: <detail>``."""
    return ApiError(409, f"Conflict: {detail}")


def retry_after(seconds: int) -> ApiError:
    """429 flood wait; PTB raises ``RetryAfter`` from ``parameters.retry_after``."""
    return ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def bad_gateway() -> ApiError:
    """502, as Telegram's front end answers while the Bot API server restarts."""
    return ApiError(502, "Bad Gateway")


def missing(name: str) -> ApiError:
    """A required parameter that was not sent."""
    return bad_request(f"{name} is empty")
