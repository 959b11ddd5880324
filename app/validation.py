"""Rules shared by the request bodies of several domains, and how a PATCH body is applied."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator


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


def apply_changes(entity: object, body: BaseModel) -> list[str]:
    """Sets the fields a PATCH body carries on the entity; returns their names, sorted, for the audit."""
    changes = body.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(entity, name, value)
    return sorted(changes)
