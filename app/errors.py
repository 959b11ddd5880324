"""Refusals the services raise; one handler turns them into HTTP answers."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(DomainError):
    """Also what another artist's ids answer: no existence leak."""

    status_code = 404


class ConflictError(DomainError):
    status_code = 409


class InvalidError(DomainError):
    status_code = 422


class UnauthorizedError(DomainError):
    status_code = 401


class ForbiddenError(DomainError):
    status_code = 403


class UnavailableError(DomainError):
    status_code = 503
