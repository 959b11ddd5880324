"""Usernames: one spelling per name (NFKC), nothing invisible, no look-alike of a name in use.

"Admin\u200b" or a Cyrillic "аdmin" would read as "admin" in the audit trail and the
share dialog; such names are refused when an account is created.
"""

from __future__ import annotations

import unicodedata

from app.errors import InvalidError

MAX_LENGTH = 80
# Letters that render as nothing, though Unicode files them as letters or marks.
_INVISIBLE = frozenset({0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x034F, 0x17B4, 0x17B5})
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Cyrillic and Greek letters drawn like Latin ones, and digits like letters (after casefold).
_CONFUSABLE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ӏ": "l", "ԛ": "q", "ԝ": "w", "һ": "h",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j", "0": "o", "1": "l", "|": "l", "ı": "i",
})


def _refused(char: str) -> bool:
    if ord(char) in _INVISIBLE or 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF:
        return True
    category = unicodedata.category(char)
    return category in _REFUSED_CATEGORIES or (category == "Zs" and char != " ")


def normalise(raw: str) -> str:
    """The stored form of a new username, or 422 saying what is wrong with it."""
    name = unicodedata.normalize("NFKC", raw).strip()
    bad = sorted({f"U+{ord(c):04X}" for c in name if _refused(c)})
    if bad:
        raise InvalidError(f"username: contains invisible or control characters ({', '.join(bad)}); "
                           "use visible letters, digits and punctuation only")
    if not name or len(name) > MAX_LENGTH:
        raise InvalidError(f"username: 1 to {MAX_LENGTH} characters")
    return name


def lookup_form(raw: str) -> str:
    """How a typed username is matched at sign-in or when sharing (never refuses)."""
    return unicodedata.normalize("NFKC", raw).strip()


def skeleton(name: str) -> str:
    """What a name looks like: case, width, accents' composition and common homoglyphs folded."""
    folded = unicodedata.normalize("NFKC", name).casefold().translate(_CONFUSABLE)
    return folded.replace("rn", "m")
