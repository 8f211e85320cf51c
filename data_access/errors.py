"""Typed errors of the data layer. Each carries a one-line reason fit for `status` and `/healthz`."""

from __future__ import annotations


class DataError(Exception):
    """Base class: a dataset could not be fetched or accepted."""

    kind = "error"

    def __init__(self, message: str, url: str | None = None):
        super().__init__(message)
        self.message = message
        self.url = url

    def reason(self) -> str:
        return f"{self.kind}: {self.message}"


class PortalError(DataError):
    kind = "portal"


class Unauthorized(PortalError):
    kind = "unauthorised"


class NotFound(PortalError):
    kind = "not found"


class RateLimited(PortalError):
    kind = "rate limited"


class ServerError(PortalError):
    kind = "server error"


class PortalTimeout(PortalError):
    kind = "timeout"


class BadRequest(PortalError):
    kind = "bad request"


class InvalidPayload(DataError):
    kind = "invalid payload"


class SchemaMismatch(DataError):
    kind = "schema mismatch"


class ValidationFailed(DataError):
    kind = "validation failed"
