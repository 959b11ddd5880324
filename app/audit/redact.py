"""What of a generation spec goes on the audit trail: everything but the witness's words.

A round's prompt is built from the description and refined with the witness's feedback,
so the trail keeps its SHA-256 and length (the round row keeps the words themselves).
"""

from __future__ import annotations

from typing import Any

from common.recipe import sha256_hex

WORDS = ("prompt", "negative_prompt")


def spec_for_audit(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    kept = {k: v for k, v in spec.items() if k not in WORDS}
    for name in WORDS:
        text = spec.get(name)
        if isinstance(text, str):
            kept[f"{name}_sha256"] = sha256_hex(text.encode("utf-8"))
            kept[f"{name}_characters"] = len(text)
    return kept
