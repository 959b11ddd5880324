"""Rules shared by request bodies of several domains."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator


def no_nulls(*fields: str) -> Any:
    """For PATCH bodies: a field may be left out (it keeps its value) but not sent as null.

    Pydantic does not validate defaults, so only an explicit null reaches the check, and the
    error names the field.
    """

    def reject_null(value: object) -> object:
        if value is None:
            raise ValueError("leave the field out to keep its value; it cannot be null")
        return value

    return field_validator(*fields)(reject_null)
