"""From a witness's words to a prompt, and from feedback to the next prompt.

"not_seen" and "unsure" are never drawn: those features stay out of the prompt.
The artist sees the built prompt and its token count, and may edit it.
"""

from __future__ import annotations

import functools
from typing import Any

from app.witnesses.attributes import NOT_SEEN, UNSURE
from common.models import resolve_model
from common.settings import get_settings
from common.styles import DEFAULT_STYLE, STYLE_PREFIXES
from common.tiny_vocab import write_tiny_tokenizer
from common.tokens import CLIP_WINDOW, ClipBpe

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


def build_prompt(text: str, attributes: dict[str, Any], style: str = DEFAULT_STYLE) -> str:
    parts = [STYLE_PREFIXES[style], FRAMING, *attribute_phrases(attributes)]
    prompt = ", ".join(parts)
    text = " ".join(text.split())
    return f"{prompt}. {text}" if text else prompt


def refine_prompt(previous: str, feedback: str) -> str:
    """The witness's correction joins the prompt of the candidate they picked."""
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
