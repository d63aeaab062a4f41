"""Domain errors raised by services; the API layer maps each to a status and error code."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a business rule said no. ``code`` is the machine code clients switch on."""

    status_code = 400
    default_code = "invalid"
    default_detail = "The request could not be processed."

    def __init__(self, detail: str | None = None, *, code: str | None = None, errors=None, headers=None):
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        self.errors = errors
        self.headers = headers or {}
        super().__init__(self.detail)


class ValidationError(DomainError):
    status_code = 400
    default_code = "invalid"
    default_detail = "Invalid input."


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"
    default_detail = "Not found."


class ConflictError(DomainError):
    status_code = 409
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class InvalidTransition(ConflictError):
    default_code = "invalid_transition"
    default_detail = "That state change is not allowed."


class PayloadTooLarge(DomainError):
    status_code = 413
    default_code = "too_large"
    default_detail = "The request body or file is too large."


class UnsupportedMediaType(DomainError):
    status_code = 415
    default_code = "unsupported_media_type"
    default_detail = "Unsupported file or media type."


class RateLimited(DomainError):
    status_code = 429
    default_code = "rate_limited"
    default_detail = "Too many requests; try again later."

    def __init__(self, detail: str | None = None, *, retry_after: int = 60, **kwargs):
        super().__init__(detail, headers={"Retry-After": str(max(1, int(retry_after)))}, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    status_code = 503
    default_code = "service_unavailable"
    default_detail = "A dependency is unavailable; try again later."


class TransientError(Exception):
    """A failure worth retrying (network blip, peer 5xx): tasks autoretry on it."""
