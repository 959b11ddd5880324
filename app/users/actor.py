"""Who is acting: the signed-in user (or a system process), carried into every audit event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ARTIST = "artist"


@dataclass(frozen=True)
class Actor:
    id: uuid.UUID | None
    username: str
    role: str
    source: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def system_actor(name: str) -> Actor:
    """A process acting on its own (a worker, the CLI)."""
    return Actor(id=None, username=name, role="system")
