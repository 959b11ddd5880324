"""The structured description: every feature a witness may speak to.

Each value is free text, or one of the two answers that are never drawn as a
specific detail: "not_seen" and "unsure" (spelled any reasonable way).
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

NOT_SEEN, UNSURE = "not_seen", "unsure"
_UNKNOWN_SPELLINGS = {
    "not_seen": NOT_SEEN, "not seen": NOT_SEEN, "notseen": NOT_SEEN, "not-seen": NOT_SEEN,
    "unsure": UNSURE, "not sure": UNSURE, "unknown": UNSURE, "don't know": UNSURE,
}
Value = str | None


def _normalise(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be text, 'not_seen' or 'unsure'")
    text = value.strip()
    if len(text) > 500:
        raise ValueError("at most 500 characters")
    return _UNKNOWN_SPELLINGS.get(text.lower(), text) or None


class Hair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    colour: Value = Field(default=None, validation_alias=AliasChoices("colour", "color"))
    length: Value = None
    style: Value = None

    @field_validator("*", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _normalise(value)


class Attributes(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sex: Value = None
    age_range: Value = Field(default=None, validation_alias=AliasChoices("age_range", "age"))
    skin_tone: Value = None
    build: Value = None
    face_shape: Value = None
    hair: Hair = Field(default_factory=Hair)
    eyebrows: Value = None
    eyes: Value = None
    nose: Value = None
    mouth: Value = Field(default=None, validation_alias=AliasChoices("mouth", "lips", "mouth_lips"))
    jaw: Value = Field(default=None, validation_alias=AliasChoices("jaw", "chin", "jaw_chin"))
    facial_hair: Value = None
    glasses: Value = None
    headwear: Value = None
    marks: Value = Field(default=None, validation_alias=AliasChoices(
        "marks", "scars", "tattoos", "scars_marks_tattoos"))
    other: Value = Field(default=None, validation_alias=AliasChoices("other", "distinctive_features"))

    @model_validator(mode="before")
    @classmethod
    def _flat_hair(cls, data: Any) -> Any:
        # Accept hair_colour / hair_length / hair_style as well as a nested object.
        if isinstance(data, dict) and any(k.startswith("hair_") for k in data):
            data = dict(data)
            hair = dict(data.get("hair") or {})
            for part in ("colour", "color", "length", "style"):
                if f"hair_{part}" in data:
                    hair[part] = data.pop(f"hair_{part}")
            data["hair"] = hair
        elif isinstance(data, dict) and isinstance(data.get("hair"), str):
            data = {**data, "hair": {"style": data["hair"]}}
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _clean(cls, value: Any, info: Any) -> Any:
        return value if info.field_name == "hair" else _normalise(value)

    def stored(self) -> dict[str, Any]:
        """Only what was said; omitted fields stay out of the record."""
        data = self.model_dump(exclude_none=True)
        if not data.get("hair"):
            data.pop("hair", None)
        return data


def _accepted_names() -> frozenset[str]:
    names: set[str] = set()
    for name, info in Attributes.model_fields.items():
        names.add(name)
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
    return frozenset(names)


def known_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """Only the attributes a description can carry: a dataset's other columns (e.g. a shape index)
    are the pair's metadata, not words to draw."""
    accepted = _accepted_names()
    return {k: v for k, v in attributes.items() if k in accepted}

