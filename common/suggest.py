"""The feedback suggester: from the witness's words, edits to the working description
that the artist accepts or rejects. The words themselves are never changed.

- `set`: an attribute gets a new value ("nose wider" → nose: "wide crooked"; "older" → age).
- `keep`: the witness says a feature is right: drop the pending feedback clauses about it.
- `add`: a clause (with its kind) joins the working description.
- `pick`: "more like the second one": pick another candidate (1-based index of the round shown).

Rules over common phrasings, no language model. Applying an edit twice changes nothing
more than applying it once, so a client may both send an edited working description and
name the suggestions it accepted.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from common.attributes import Attributes
from common.clauses import features_in, normalise, pieces, split_clauses
from common.working import Clause, Working

SuggestionKind = Literal["set", "keep", "add", "pick"]
_HAIR_PARTS = ("colour", "length", "style")
FIELDS = tuple(f for f in Attributes.model_fields if f != "hair") + tuple(f"hair.{p}" for p in _HAIR_PARTS)


class Suggestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default="", description="stable for the same feedback and working description")
    kind: SuggestionKind
    field: str | None = Field(default=None, description="set/keep: the attribute, e.g. nose, hair.length")
    value: str | None = Field(default=None, max_length=500, description="set: the new value")
    clause: Clause | None = Field(default=None, description="add: the clause and its kind")
    candidate_index: int | None = Field(default=None, ge=1, le=64, description="pick: 1-based, in the round shown")
    text: str = Field(default="", max_length=2000, description="the edit in words, for the artist")
    said: str = Field(default="", max_length=2000, description="the part of the feedback it came from")

    @field_validator("field")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        if value is not None and value not in FIELDS:
            raise ValueError(f"must be one of {', '.join(FIELDS)}")
        return value

    def identity(self) -> str:
        clause = f"{self.clause.kind}:{self.clause.key()}" if self.clause else ""
        key = "|".join((self.kind, self.field or "", self.value or "", clause, str(self.candidate_index or "")))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]

    def named(self) -> Suggestion:
        return self.model_copy(update={"id": self.identity()})


_COMPARATIVES = {
    "wider": "wide", "broader": "broad", "narrower": "narrow", "longer": "long", "shorter": "short",
    "bigger": "big", "larger": "large", "smaller": "small", "thinner": "thin", "thicker": "thick", "fuller": "full",
    "darker": "dark", "lighter": "light", "fairer": "fair", "rounder": "round", "squarer": "square",
    "sharper": "sharp", "higher": "high", "lower": "low", "straighter": "straight", "curlier": "curly",
    "bushier": "bushy", "deeper": "deep", "flatter": "flat", "pointier": "pointed", "greyer": "grey",
    "grayer": "grey", "messier": "messy", "neater": "neat", "heavier": "heavy", "stronger": "strong",
    "softer": "soft", "paler": "pale", "puffier": "puffy", "wavier": "wavy", "slimmer": "slim",
    "skinnier": "skinny", "fatter": "heavy", "stockier": "stocky", "leaner": "lean", "taller": "tall",
    "hookier": "hooked", "droopier": "droopy", "blonder": "blond", "redder": "red",
}
_PAIRS = [("wide", "narrow"), ("broad", "narrow"), ("long", "short"), ("big", "small"), ("large", "small"),
          ("thin", "thick"), ("thin", "full"), ("dark", "light"), ("dark", "fair"), ("dark", "pale"),
          ("round", "angular"), ("sharp", "soft"), ("high", "low"), ("straight", "curly"), ("deep", "shallow"),
          ("close-set", "wide-set"), ("heavy", "slim"), ("heavy", "thin"), ("tall", "short"), ("bushy", "thin"),
          ("pointed", "rounded"), ("flat", "pointed"), ("neat", "messy"), ("straight", "wavy")]
_OPPOSITE: dict[str, set[str]] = {}
for _a, _b in _PAIRS:
    _OPPOSITE.setdefault(_a, set()).add(_b)
    _OPPOSITE.setdefault(_b, set()).add(_a)
# "too X" and "less X" move to this one opposite.
_FLIP = {"wide": "narrow", "narrow": "wide", "broad": "narrow", "long": "short", "short": "long", "big": "small",
         "small": "big", "large": "small", "thin": "full", "thick": "thin", "full": "thin", "dark": "light",
         "light": "dark", "fair": "dark", "pale": "dark", "round": "angular", "angular": "round", "sharp": "soft",
         "soft": "sharp", "high": "low", "low": "high", "straight": "curly", "curly": "straight", "deep": "shallow",
         "heavy": "slim", "slim": "heavy", "tall": "short", "bushy": "thin", "pointed": "rounded", "flat": "pointed",
         "neat": "messy", "messy": "neat", "close-set": "wide-set", "wide-set": "close-set"}
_BASES = set(_COMPARATIVES.values()) | set(_OPPOSITE)
_HAIR_COLOURS = {"dark", "light", "fair", "grey", "blond", "blonde", "black", "brown", "red", "ginger", "white",
                 "silver", "pale"}
_HAIR_LENGTHS = {"short", "long"}
_DEGREE = re.compile(r"\b(?:(a\s+(?:bit|little|touch|tad)|slightly|bit|little|somewhat)"
                     r"|(much|a\s+lot|way|far|really|very|lot))\b")
_SPACING = re.compile(r"\b(closer\s+together|close\s+together|further\s+apart|farther\s+apart|wider\s+apart|"
                      r"more\s+apart|more\s+spread\s+out)\b")
_QUALIFIER = re.compile(r"\b(?:at|on|around|over)\s+the\s+(sides?|top|back|front|temples|ears)\b|\bon\s+top\b")
_TOO = re.compile(r"\btoo\s+(\w+)")
_MORE = re.compile(r"\bmore\s+([\w-]+)")
_LESS = re.compile(r"\bless\s+([\w-]+)")
_NOT_ENOUGH = re.compile(r"\bnot\s+([\w-]+)\s+enough\b")
_AGE = re.compile(r"\b(older|younger)\b|\btoo\s+(young|old)\b|\b(?:look|looks|looked)\s+(old|young)\s+enough\b")
_BUILD = re.compile(r"\b(heavier|fatter|chubbier|stockier|bigger|thinner|skinnier|slimmer|leaner|taller|shorter"
                    r"|more\s+muscular)\b")
_RIGHT = re.compile(r"\b(?:is|are|was|were|looks?|looking|seems?|now)\s+(?:\w+\s+){0,2}?(?:right|good|fine|correct|"
                    r"perfect|spot\s+on|ok|okay|accurate|great|him|it)\b"
                    r"|\b(?:leave|keep)\s+(?:the\s+|his\s+|her\s+)?\w+|\b(?:do|did)\s+not\s+(?:change|touch)\b"
                    r"|\bgot\s+the\s+\w+\s+right\b")
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8}
_PICK = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\s+(?:one|image|picture|face|sketch|drawing|candidate|pic)\b"
                   r"|\b(?:number|no|#|image|picture|candidate)\s*(\d{1,2})\b")
_NO_EDIT = re.compile(r"^(?:(?:that|it|this|he|she)\s+(?:is|was|looks?)\s+|that's\s+|it's\s+|yes\s+|no\s+|much\s+|"
                      r"a\s+lot\s+|a\s+bit\s+|getting\s+|now\s+)*(?:better|closer|close|good|great|nearly|almost|"
                      r"there|worse|right|not\s+quite|not\s+really|not\s+him|him|spot\s+on|perfect|nice|similar|"
                      r"the\s+same|wrong|off)$")


def _degree(said: str) -> str:
    match = _DEGREE.search(said)
    if match is None:
        return ""
    return "slightly " if match.group(1) else "very "


def _base(word: str) -> str | None:
    word = _COMPARATIVES.get(word, word)
    return word if word in _BASES or word in _HAIR_COLOURS else None


def _change(said: str) -> str | None:
    """The adjective the witness moves a feature towards, if the words say one."""
    spacing = _SPACING.search(said)
    if spacing:
        return "close-set" if "close" in spacing.group(1) else "wide-set"
    for pattern, flip in ((_TOO, True), (_LESS, True), (_NOT_ENOUGH, False), (_MORE, False)):
        match = pattern.search(said)
        base = _base(match.group(1)) if match else None
        if base:
            return _FLIP.get(base) if flip else base
    for word in said.split():
        if word in _COMPARATIVES:
            return _COMPARATIVES[word]
    return None


def _adjusted(existing: str | None, adjective: str, degree: str, qualifier: str = "") -> str:
    """The new value: the adjective (and its degree) replaces its opposite and any earlier degree."""
    drop = {adjective, *_OPPOSITE.get(adjective, ()), "slightly", "very"}
    rest = [w for w in (existing or "").split() if w.lower() not in drop]
    if qualifier:
        rest = [w for w in rest if w.lower() not in ("at", "the", "on", "sides", "side", "top", "back", "front")]
    return " ".join([f"{degree}{adjective}{' ' + qualifier if qualifier else ''}", *rest]).strip()


def _shift_age(existing: str | None, older: bool, degree: str) -> str:
    years = 10 if degree == "very " else 3 if degree == "slightly " else 5
    numbers = re.findall(r"\d+", existing or "")
    if not numbers:
        return "older" if older else "younger"
    step = years if older else -years
    return re.sub(r"\d+", lambda m: str(max(1, int(m.group(0)) + step)), existing or "")


def _attributes(working: Working) -> dict[str, Any]:
    return working.attributes.model_dump()


def _get(working: Working, field: str) -> str | None:
    data = _attributes(working)
    if field.startswith("hair."):
        return (data.get("hair") or {}).get(field[5:])
    value = data.get(field)
    return value if isinstance(value, str) else None


def _hair_field(adjective: str, qualifier: str) -> str:
    if qualifier or adjective not in _HAIR_LENGTHS | _HAIR_COLOURS:
        return "hair.style"
    return "hair.length" if adjective in _HAIR_LENGTHS else "hair.colour"


def _set(field: str, value: str, said: str) -> Suggestion:
    return Suggestion(kind="set", field=field, value=value, text=f"{field}: {value}", said=said)


def _feature_edits(working: Working, said: str, piece: str, features: set[str]) -> list[Suggestion]:
    adjective = _change(said)
    if adjective is None:
        return []
    degree = _degree(said)
    qualifier_match = _QUALIFIER.search(said)
    qualifier = qualifier_match.group(0) if qualifier_match else ""
    out: list[Suggestion] = []
    for feature in sorted(features - {"ears", "other"}):
        field = _hair_field(adjective, qualifier) if feature == "hair" else feature
        value = _adjusted(_get(working, field), adjective, degree, qualifier if feature == "hair" else "")
        out.append(_set(field, value, piece))
    return out


def _rules(working: Working, piece: str) -> list[Suggestion] | None:
    """The edits one piece of feedback suggests; None when no rule speaks to it."""
    said = normalise(piece)
    pick = _PICK.search(said)
    if pick:
        index = _ORDINALS[pick.group(1)] if pick.group(1) else int(pick.group(2))
        if index >= 1:
            return [Suggestion(kind="pick", candidate_index=index, text=f"pick candidate {index} instead", said=piece)]
    if _NO_EDIT.match(said):
        return []
    features = features_in(said)
    if features and _RIGHT.search(said) and _change(said) is None and not re.search(r"\bnot\s+(right|good)", said):
        return [Suggestion(kind="keep", field="hair.style" if f == "hair" else f,
                           text=f"{f.replace('_', ' ')} is right: drop its pending changes", said=piece)
                for f in sorted(features - {"ears", "other"})]
    age = _AGE.search(said)
    if age and not (features - {"face_shape"}):
        older = bool(age.group(1) == "older" or age.group(2) == "young" or age.group(3) == "young")
        return [_set("age_range", _shift_age(_get(working, "age_range"), older, _degree(said)), piece)]
    build = _BUILD.search(said)
    if build and not features:
        word = build.group(1).replace("more muscular", "muscular")
        return [_set("build", _adjusted(_get(working, "build"), _COMPARATIVES.get(word, word),
                                                 _degree(said)), piece)]
    if features:
        edits = _feature_edits(working, said, piece, features)
        return edits or None
    return None


def _adds(working: Working, text: str, round_index: int | None) -> list[Suggestion]:
    have = {(c.key(), c.kind) for c in working.clauses}
    out: list[Suggestion] = []
    for parsed in split_clauses(text):
        clause = Clause(text=parsed.text[:2000], kind=parsed.kind, source="feedback", round=round_index)
        if (clause.key(), clause.kind) not in have:
            out.append(Suggestion(kind="add", clause=clause, text=f"add ({clause.kind}): {clause.text}",
                                  said=parsed.text[:2000]))
    return out


def suggest(feedback: str, working: Working, round_index: int | None = None) -> list[Suggestion]:
    """Every edit the feedback suggests, in the order said, each with its stable id."""
    out: list[Suggestion] = []
    for piece in pieces(feedback):
        edits = _rules(working, piece)
        out.extend(_adds(working, piece, round_index) if edits is None else edits)
    unique: dict[str, Suggestion] = {}
    for suggestion in out:
        named = suggestion.named()
        unique.setdefault(named.id, named)
    return list(unique.values())


def _with_attribute(working: Working, field: str, value: str) -> Working:
    data = working.attributes.stored()
    if field.startswith("hair."):
        data["hair"] = {**(data.get("hair") or {}), field[5:]: value}
    else:
        data[field] = value
    return working.model_copy(update={"attributes": Attributes.model_validate(data)})


def _about(clause: Clause, field: str) -> bool:
    feature = "hair" if field.startswith("hair.") else field
    return feature in features_in(clause.text)


def apply(working: Working, edits: list[Suggestion], round_index: int | None = None) -> Working:
    """The working description with the accepted edits made (picks change nothing here)."""
    for edit in edits:
        if edit.kind == "set" and edit.field and edit.value:
            working = _with_attribute(working, edit.field, edit.value)
        elif edit.kind == "keep" and edit.field:
            field = edit.field
            kept = [c for c in working.clauses if c.source == "description" or not _about(c, field)]
            working = working.model_copy(update={"clauses": kept})
        elif edit.kind == "add" and edit.clause:
            clause = edit.clause if edit.clause.round or round_index is None else \
                edit.clause.model_copy(update={"round": round_index})
            working = working.with_clause(clause)
    return working
