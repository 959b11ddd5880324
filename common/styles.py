"""Sketch styles: the prompt words that set the medium, shared by API and engine.

The API builds a prompt that opens with the session's style; the engine blends
continuously toward a second style by encoding the same prompt with the other
style's opening and interpolating the two conditionings (seed 001's style
interpolation, done in CLIP's embedding space).
"""

from __future__ import annotations

STYLE_PREFIXES: dict[str, str] = {
    "pencil": "forensic pencil sketch, police composite drawing, black and white graphite portrait",
    "charcoal": "forensic charcoal drawing, police composite, soft smudged charcoal portrait, black and white",
    "ink": "forensic ink drawing, police composite, clean pen and ink line portrait, black and white",
}
STYLES = tuple(STYLE_PREFIXES)
DEFAULT_STYLE = "pencil"


def restyle(prompt: str, from_style: str, to_style: str) -> str:
    """The same prompt drawn in another style: swaps the opening style words."""
    old, new = STYLE_PREFIXES[from_style], STYLE_PREFIXES[to_style]
    return new + prompt[len(old):] if prompt.startswith(old) else f"{new}, {prompt}"


def with_style(prompt: str, style: str) -> str:
    """The prompt opening with `style`'s words if it opens with any style's; an artist's own
    prompt that names no known style is left as written."""
    for known in STYLES:
        if prompt.startswith(STYLE_PREFIXES[known]):
            return restyle(prompt, known, style)
    return prompt
