"""From a working description (attributes + clauses) to a prompt and a negative prompt.

Every round's prompt is built afresh from the session's working description: nothing
is appended. "not_seen" and "unsure" attributes are never drawn; of the clauses, `draw`
ones are drawn, `absent` ones go to the negative prompt (or their positive form,
"clean-shaven"), `unknown` never, `uncertain` only when the artist promoted them.
Pure: the API, the worker, evaluation and training all import it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from common.attributes import NOT_SEEN, UNSURE, known_attributes
from common.clauses import absent_forms, strip_fillers
from common.models import resolve_model
from common.settings import get_settings
from common.styles import DEFAULT_STYLE, STYLE_PREFIXES
from common.tiny_vocab import write_tiny_tokenizer
from common.tokens import CLIP_WINDOW, ClipBpe
from common.working import Working

FRAMING = "frontal view, head and shoulders"
NEGATIVE_PROMPT = (
    "colour, photo, photorealistic, blurry, deformed, disfigured, extra limbs, cartoon, text, "
    "watermark, signature, multiple faces, cropped, low quality"
)
# attribute key -> the noun it describes (None: the value stands alone)
_FEATURES: dict[str, str | None] = {
    "skin_tone": "skin", "build": "build", "face_shape": "face", "eyebrows": "eyebrows", "eyes": "eyes",
    "nose": "nose", "mouth": "mouth", "jaw": "jaw", "facial_hair": None, "glasses": None,
    "headwear": None, "marks": None, "other": None,
}


def _said(value: Any) -> str | None:
    return value if isinstance(value, str) and value not in (NOT_SEEN, UNSURE) and value.strip() else None


def _phrase(value: str, noun: str | None) -> str:
    return value if noun is None or noun in value.lower() else f"{value} {noun}"


def attribute_phrases(attributes: dict[str, Any]) -> list[str]:
    phrases: list[str] = []
    who = " ".join(v for v in (_said(attributes.get("age_range")), _said(attributes.get("sex"))) if v)
    if who:
        phrases.append(who)
    hair = attributes.get("hair") or {}
    hair_words = [v for v in (_said(hair.get(k)) for k in ("length", "colour", "style")) if v]
    if hair_words:
        phrases.append(_phrase(" ".join(hair_words), "hair"))
    for key, noun in _FEATURES.items():
        value = _said(attributes.get(key))
        if value:
            phrases.append(_phrase(value, noun))
    return phrases


@dataclass(frozen=True)
class Built:
    prompt: str
    negative_prompt: str
    clauses: list[dict[str, str]] = field(default_factory=list)  # [{"text", "kind"}] in order


def _unique(items: list[str]) -> list[str]:
    """Each phrase once (case aside), in order; empty ones dropped."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


def build(working: Working, style: str = DEFAULT_STYLE, negative: str = NEGATIVE_PROMPT) -> Built:
    """The round's prompts, from the working description alone (the same input, the same prompts)."""
    drawn: list[str] = []
    positives: list[str] = []
    negatives: list[str] = []
    for clause in working.clauses:
        if clause.kind == "draw" or (clause.kind == "uncertain" and clause.promoted):
            drawn.append(strip_fillers(" ".join(clause.text.split())))
        elif clause.kind == "absent":
            positive, words = absent_forms(clause.text)
            positives.append(positive or "")
            negatives.append(words or "")
    parts = [STYLE_PREFIXES[style], FRAMING, *attribute_phrases(working.attributes.stored()), *_unique(positives)]
    prompt = ", ".join(parts)
    text = ", ".join(_unique(drawn))
    negative_prompt = ", ".join([negative, *_unique(negatives)]) if negative else ", ".join(_unique(negatives))
    return Built(prompt=f"{prompt}. {text}." if text else prompt, negative_prompt=negative_prompt,
                 clauses=[{"text": c.text, "kind": c.kind} for c in working.clauses])


def build_prompt(text: str, attributes: dict[str, Any], style: str = DEFAULT_STYLE) -> str:
    """A description's prompt: its working description before any round."""
    return build(Working.from_description(text, known_attributes(attributes)), style).prompt


def refine_prompt(previous: str, feedback: str) -> str:
    """Evaluation only (the paper's loop): the feedback joins the picked candidate's prompt.
    Sessions never append; they rebuild from the working description."""
    feedback = " ".join(feedback.split())
    return f"{previous}. {feedback}" if feedback else previous


@functools.cache
def _tokenizer() -> ClipBpe:
    settings = get_settings()
    model = resolve_model(settings)
    if not model.random_weights:
        return ClipBpe(model.tokenizer_dir)
    # The tiny vocabulary is generated, the same every time: write our own copy
    # rather than race the worker that builds the tiny model's folder.
    folder = settings.models_dir / "tiny-tokenizer"
    if not (folder / "merges.txt").exists():
        write_tiny_tokenizer(folder)
    return ClipBpe(folder)


def count_tokens(prompt: str) -> int:
    return _tokenizer().count(prompt)


PROMPT_WINDOW = CLIP_WINDOW
