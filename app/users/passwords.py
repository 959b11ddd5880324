"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.errors import InvalidError

MIN_LENGTH, MAX_LENGTH = 8, 128
_COMMON = frozenset(
    """
password password1 password123 passw0rd 12345678 123456789 1234567890 qwerty123 qwertyuiop iloveyou
sunshine princess football baseball welcome welcome1 admin123 administrator letmein monkey dragon
trustno1 abc12345 11111111 00000000 changeme p@ssw0rd superman starwars whatever computer internet
""".split()
)
_hasher = PasswordHasher()  # argon2id with the library's current recommended costs


def check_password_rules(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidError(f"password: use at least {MIN_LENGTH} characters (12 or more advised)")
    if len(password) > MAX_LENGTH:
        raise InvalidError(f"password: use at most {MAX_LENGTH} characters")
    if password.lower() in _COMMON:
        raise InvalidError("password: this is a commonly used password; choose another")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against when the user does not exist, so both answers take as long.
DUMMY_HASH = hash_password("not-a-real-password-for-timing")
