"""TOTP secrets encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key is a file beside the export signing key (DATA_DIR/keys/ by default, mode 0600),
so a copy of the database alone reveals no second factor. Losing the key loses every
enrolled authenticator: back it up with the signing key. Secrets stored in plain text
by older versions are still read, and sealed the next time they are written (and by
migration 0009).
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from app.errors import UnavailableError
from common.settings import get_settings

PREFIX = "fernet:"
KEY_NAME = "totp-secrets.key"


def key_path() -> Path:
    return get_settings().resolved_signing_key_path.parent / KEY_NAME


def _create_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        # link() fails if the name exists: two first writers at once keep one key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@functools.cache
def _fernet(path: Path) -> Fernet:
    if not path.exists():
        _create_key(path)
    return Fernet(path.read_bytes().strip())


def box() -> Fernet:
    return _fernet(key_path())


def seal(secret: str) -> str:
    return PREFIX + box().encrypt(secret.encode("ascii")).decode("ascii")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def unseal(stored: str) -> str:
    """The plain secret; a legacy plain value is returned as it is."""
    if not is_sealed(stored):
        return stored
    try:
        return box().decrypt(stored[len(PREFIX):].encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError):
        raise UnavailableError(f"one-time code secrets cannot be decrypted with {key_path()}: restore the key "
                               "file that was beside the signing key") from None
