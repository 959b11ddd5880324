"""Words for the record: the screen's candidate numbers, readable setting names, the approved
lineage, description diffs, and witness text with its invisible characters made visible."""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

from app.sessions.models import SketchSession

# What the report calls each generation setting (the spec's field names are for machines).
SETTING_LABELS: dict[str, str] = {
    "mode": "Start", "strategy": "Model", "steps": "Denoising steps", "guidance": "Guidance scale",
    "strength": "Strength (share of the pick redrawn)", "width": "Width (px)", "height": "Height (px)",
    "style": "Style", "style_blend": "Style blend", "fusion_weight": "CLIP image weight",
    "reference_sha256": "Reference image (SHA-256)", "sketchify_reference": "Reference turned into a sketch",
    "clip_adapter": "CLIP adapter", "adapters": "UNet adapters", "adapter_schedule": "Adapter schedule",
    "region": "Facial region refined", "mask_sha256": "Painted mask (SHA-256)",
    "parent_sha256": "Starting image (SHA-256)",
}
_VALUES = {"txt2img": "from the description (text to image)", "img2img": "from the picked image",
           "clip-fusion": "Model 2: CLIP fusion", "clip-lora": "Model 3: CLIP fusion + LoRA", "constant": "constant",
           "ramp": "ramp over the steps"}
_HIDDEN = {"prompt", "negative_prompt", "seeds", "preview"}


def candidate_label(round_index: int, candidate_index: int) -> str:
    """The screen's number (frontend/src/lib/roundTree.ts): "R3·2" is round 3, second candidate."""
    return f"R{round_index}·{candidate_index + 1}"


def visible(text: str) -> str:
    """Control, format (bidi, zero-width) and odd space characters as ⟨U+XXXX⟩, so what a reader
    sees is what was stored."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in "\n\t" or not (category in ("Cc", "Cf", "Zl", "Zp") or (category == "Zs" and char != " ")):
            out.append(char)
        else:
            out.append(f"⟨U+{ord(char):04X}⟩")
    return "".join(out)


def _value(key: str, value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "adapters":
        return "; ".join(f"{a.get('id')} ×{a.get('weight')}" for a in value)
    if key == "clip_adapter":
        return f"{value.get('id')} ×{value.get('weight')}"
    if key == "style_blend":
        return f"toward {value.get('style')} {round(float(value.get('weight', 0)) * 100)}%"
    return _VALUES.get(str(value), str(value))


def round_settings(spec: dict[str, Any]) -> dict[str, str]:
    """The settings that drew a round, as label → readable value (prompts and seeds are shown apart)."""
    return {SETTING_LABELS.get(k, k.replace("_", " ").capitalize()): _value(k, v)
            for k, v in spec.items() if k not in _HIDDEN}


def attribute_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def attribute_value(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{attribute_label(k).lower()}: {attribute_value(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list):
        return ", ".join(attribute_value(v) for v in value)
    return str(value)


def approved_lineage(session: SketchSession) -> list[int]:
    """Round indexes from round 1 to the round that drew the approved composite, following picks."""
    if session.final_candidate_id is None:
        return []
    round_of = {c.id: r for r in session.rounds for c in r.candidates}
    lineage: list[int] = []
    round_ = round_of.get(session.final_candidate_id)
    while round_ is not None and round_.index not in lineage:
        lineage.append(round_.index)
        round_ = round_of.get(round_.parent_candidate_id) if round_.parent_candidate_id else None
    return lineage[::-1]


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """The new version against the old, word by word: equal, delete and insert runs."""
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    ops: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append({"op": "equal", "text": "".join(a[i1:i2])})
            continue
        if i2 > i1:
            ops.append({"op": "delete", "text": "".join(a[i1:i2])})
        if j2 > j1:
            ops.append({"op": "insert", "text": "".join(b[j1:j2])})
    return ops
