"""Free text into clauses, each with a kind: what is drawn, what was not there,
what was not seen, and what the witness only half remembers.

- `draw`: drawn.
- `absent`: the feature was not there ("no beard"). It goes to the negative prompt,
  or to a positive form where one exists ("clean-shaven", "bald").
- `unknown`: not seen or not remembered ("I didn't see his eyes"). Never drawn.
- `uncertain`: hedged ("maybe a scar"). Drawn only when the artist promotes it.

Rules, not a language model: contractions and common typos are normalised first
("didnt" → "did not"), fillers ("um", "like") are dropped, and negations are
counted so a double negative ("never without glasses") stays drawn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["draw", "absent", "unknown", "uncertain"]
MAX_CLAUSE_CHARS = 2000
MAX_PIECES = 1000
KINDS: tuple[Kind, ...] = ("draw", "absent", "unknown", "uncertain")

# Typos and spoken forms, then contractions, spelled out so the rules see one form.
_TYPOS = {
    "didnt": "did not", "dont": "do not", "doesnt": "does not", "wasnt": "was not", "werent": "were not",
    "isnt": "is not", "arent": "are not", "cant": "can not", "couldnt": "could not", "wouldnt": "would not",
    "shouldnt": "should not", "hadnt": "had not", "hasnt": "has not", "havent": "have not", "wont": "will not",
    "aint": "is not", "im": "i am", "ive": "i have", "idk": "i do not know", "dunno": "do not know",
    "cannot": "can not", "mabye": "maybe", "maybee": "maybe", "mayby": "maybe", "prolly": "probably",
    "probly": "probably", "remeber": "remember", "rember": "remember", "remembr": "remember",
    "beleive": "believe", "definately": "definitely", "deffo": "definitely", "glases": "glasses",
    "glassses": "glasses", "beared": "beard", "beardd": "beard", "mustache": "moustache", "tatoo": "tattoo",
    "tatoos": "tattoos", "shaved": "shaven", "noticed": "notice", "saw": "see", "seen": "see",
}
_CONTRACTIONS = (
    (re.compile(r"\bcan't\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bain't\b"), "is not"), (re.compile(r"n't\b"), " not"), (re.compile(r"'m\b"), " am"),
    (re.compile(r"'ve\b"), " have"), (re.compile(r"'re\b"), " are"), (re.compile(r"'ll\b"), " will"),
    (re.compile(r"\b(i|he|she|they|you|we)'d\b"), r"\1 would"),
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_WORD = re.compile(r"[a-z0-9'-]+|[^\sa-z0-9'-]")

# Said while thinking, never drawn. "like" only where it is a filler (see _drop_like).
_FILLERS = re.compile(r"\b(?:um+|u+m+|uh+|uhm+|er+m*|e+h+m*|hm+|ah+|you know|i mean|basically|literally|"
                      r"honestly)\b[,.]?\s*", re.IGNORECASE)
_OPENERS = re.compile(r"^(?:(?:well|so|right|anyway|and|also|now),\s*|(?:okay|ok|yeah|yep|oh)\b,?\s*)+", re.IGNORECASE)
_LIKE = re.compile(r"(^|[,;]\s*|\b(?:was|were|is|are|had|has|got|about|just)\s+)like\b,?\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_ALNUM = re.compile(r"[a-z0-9]")
_INTERJECTIONS = {"no", "nope", "nah", "yes", "yeah", "yep", "right", "ok", "okay", "hmm", "well", "so"}

_SPLIT = re.compile(r"[.;!?\n\r]+|\s+(?:but|though|although|whereas)\s+|:\s+", re.IGNORECASE)
_AND_CLAUSE = re.compile(r",?\s+and\s+(?=(?:i|he|she|they|his|her|their|there|it|the|maybe|might|perhaps|"
                         r"no|not|definitely|probably|possibly)\b)", re.IGNORECASE)

# A comma piece is its own clause when it names something; bare adjectives join the next piece.
FEATURE_WORDS = {
    "nose": "nose", "nostrils": "nose", "eyes": "eyes", "eye": "eyes", "eyebrows": "eyebrows",
    "eyebrow": "eyebrows", "brows": "eyebrows", "brow": "eyebrows", "mouth": "mouth", "lips": "mouth",
    "lip": "mouth", "teeth": "mouth", "jaw": "jaw", "jawline": "jaw", "chin": "jaw", "face": "face_shape",
    "cheeks": "face_shape", "cheekbones": "face_shape", "forehead": "face_shape", "hair": "hair",
    "hairline": "hair", "fringe": "hair", "skin": "skin_tone", "complexion": "skin_tone", "build": "build",
    "body": "build", "beard": "facial_hair", "moustache": "facial_hair", "stubble": "facial_hair",
    "goatee": "facial_hair", "sideburns": "facial_hair", "glasses": "glasses", "spectacles": "glasses",
    "sunglasses": "glasses", "hat": "headwear", "cap": "headwear", "hood": "headwear", "beanie": "headwear",
    "scar": "marks", "scars": "marks", "tattoo": "marks", "tattoos": "marks", "mole": "marks",
    "freckles": "marks", "birthmark": "marks", "piercing": "marks", "earring": "marks", "ears": "ears",
    "ear": "ears", "neck": "other", "head": "hair",
}
_ANCHORS = set(FEATURE_WORDS) | {
    "he", "she", "they", "i", "man", "woman", "guy", "bloke", "lad", "male", "female", "tall", "short",
    "old", "young", "age", "years", "thirty", "forty", "fifty", "sixty", "twenties", "thirties", "forties",
    "fifties", "teen", "teenager", "bald", "clean-shaven",
}

_PRONOUNS = {"he", "she", "they", "i"}
_UNKNOWN = re.compile(
    r"\b(?:(?:did|could|do|can|would|was) not|never|barely|hardly)\s+(?:really\s+|properly\s+|even\s+)?"
    r"(?:see|notice|catch|get\s+a\s+(?:good\s+|proper\s+|clear\s+|real\s+)?look|look\s+at|make\s+out|tell|"
    r"remember|recall|know|pay\s+attention|focus)\b"
    r"|\bno\s+(?:idea|clue|memory|recollection)\b|\bnot\s+see\b|\b(?:forgot|forget|forgotten)\b"
    r"|\b(?:hidden|obscured|covered\s+up|in\s+(?:the\s+)?shadows?)\b|\bmind\s+(?:is|went)\s+blank\b"
    r"|\bunknown\b|\bnot\s+visible\b|\bcould\s+not\s+say\b|\bblur\b")
_SAW_NONE = re.compile(r"\b(?:did|could) not\s+(?:see|notice)\s+(?:a|an|any)\b")
_NEVER_WITHOUT = re.compile(r"\bnever\b.*\bwithout\b")
_NEGATED_BELIEF = re.compile(r"\b(?:do|did|does) not\s+(?:think|believe|reckon)\b|\bdoubt\b")
_UNCERTAIN = re.compile(
    r"\b(?:maybe|perhaps|possibly|probably|might|may\s+have|could\s+have|could\s+be|i\s+think|i\s+guess|"
    r"i\s+believe|i\s+suppose|i\s+reckon|not\s+(?:sure|certain|positive|100)|unsure|uncertain|"
    r"or\s+something|if\s+i\s+(?:remember|recall)|seemed\s+like|sort\s+of\s+think|possible)\b"
    r"|\?|\b[a-z]+\s+or\s+(?!so\b)[a-z]+\b")
_CERTAIN = re.compile(r"\b(?:pretty|quite|very|really|absolutely|totally)\s+sure\b|\bi\s+am\s+sure\b|\bdefinitely\b"
                      r"|\bcertainly\b|\bdefinite\b")
_NEGATION = re.compile(r"\b(?:no|not|never|without|none|nothing|neither|nor|lacking)\b")
_POSITIVE_ABSENT = re.compile(r"\b(?:clean[- ]shaven|bald(?:ing)?|shaven\s+head|hairless|beardless|"
                              r"no\s+facial\s+hair)\b")

# What an absent feature becomes in the drawn prompt, where there is a positive word for it.
_POSITIVE_FORMS = (
    (re.compile(r"\b(?:beard|facial\s+hair|stubble|whiskers)\b"), "clean-shaven"),
    (re.compile(r"^(?:much\s+)?hair(?:\s+head)?$"), "bald"),
)
_NEGATIVE_FORMS = {"head": "hat, cap, hood", "hair head": "hair"}
_FUNCTION_WORDS = {
    "no", "not", "never", "without", "none", "nothing", "neither", "nor", "he", "she", "they", "it", "i", "his",
    "her", "their", "the", "a", "an", "any", "had", "have", "has", "was", "were", "is", "are", "be", "been",
    "wearing", "wear", "wore", "did", "does", "do", "there", "got", "on", "that", "think", "believe", "reckon",
    "see", "really", "at", "all", "either", "lacking", "doubt", "am", "would", "of", "one", "with",
}


@dataclass(frozen=True)
class Parsed:
    text: str
    kind: Kind


def normalise(text: str) -> str:
    """Lower case, one apostrophe, typos fixed and contractions spelled out: the form the rules read."""
    text = text.translate(_APOSTROPHES).lower()
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    words = [_TYPOS.get(w, w) for w in _WORD.findall(text)]
    return _SPACES.sub(" ", " ".join(words)).strip()


def strip_fillers(text: str) -> str:
    """The clause as drawn: fillers out, spaces tidied, stray edge punctuation dropped."""
    text = _OPENERS.sub("", _FILLERS.sub("", text).strip())
    text = _LIKE.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip(" ,;:-")


def pieces(text: str, limit: int = MAX_PIECES) -> list[str]:
    """The text's comma-, sentence- and clause-level pieces: at most `limit`, each cut to MAX_CLAUSE_CHARS
    (a working description holds at most 200 clauses: a megabyte of text must not cost more)."""
    out: list[str] = []
    for sentence in _SPLIT.split(text):
        for part in _AND_CLAUSE.split(sentence[:MAX_CLAUSE_CHARS * 4]):
            out.extend(p.strip()[:MAX_CLAUSE_CHARS] for p in part.split(","))
            if len(out) >= limit:
                return [p for p in out[:limit] if p]
    return [p for p in out if p]


def _anchored(piece: str) -> bool:
    words = normalise(strip_fillers(piece)).split()
    # "he was," alone is a start, not a clause: it joins what follows.
    return any(w in _ANCHORS and (w not in _PRONOUNS or len(words) > 2) for w in words)


def _meaningful(piece: str) -> bool:
    words = [w for w in normalise(strip_fillers(piece)).split() if _ALNUM.search(w)]
    return bool(words) and not (len(words) == 1 and words[0] in _INTERJECTIONS)


def classify(text: str) -> Kind:
    said = normalise(text)
    if _UNKNOWN.search(said) and not _SAW_NONE.search(said) and not _NEVER_WITHOUT.search(said):
        return "unknown"
    if _NEGATED_BELIEF.search(said):
        # "I don't think he had a beard" denies the beard; a second negation leaves it open.
        rest = _NEGATED_BELIEF.sub(" ", said)
        return "uncertain" if _NEGATION.search(rest) else "absent"
    if _UNCERTAIN.search(said) and not _CERTAIN.search(said):
        return "uncertain"
    negations = len(_NEGATION.findall(said))
    if _POSITIVE_ABSENT.search(said) and negations == 0:
        return "absent"
    if "no facial hair" in said:
        return "absent"
    return "absent" if negations % 2 == 1 else "draw"


def split_clauses(text: str) -> list[Parsed]:
    """Clauses in the order said. Bare comma pieces ("a thin, pale face") join the next piece;
    pieces that are only fillers or a "no"/"yes" are dropped."""
    out: list[Parsed] = []
    pending: list[str] = []
    for piece in pieces(text):
        if not _meaningful(piece):
            continue
        pending.append(piece)
        kind = classify(piece)
        if kind == "draw" and not _anchored(piece):
            continue
        joined = ", ".join(pending)[:MAX_CLAUSE_CHARS]
        out.append(Parsed(strip_fillers(joined), classify(joined)))
        pending = []
    if pending:
        joined = ", ".join(pending)[:MAX_CLAUSE_CHARS]
        out.append(Parsed(strip_fillers(joined), classify(joined)))
    return [p for p in out if p.text]


def absent_forms(text: str) -> tuple[str | None, str | None]:
    """(positive form, negative-prompt words) for an absent clause."""
    said = normalise(text)
    positive = _POSITIVE_ABSENT.search(said)
    if positive and not _NEGATION.search(_POSITIVE_ABSENT.sub(" ", said)):
        return positive.group(0).replace("no facial hair", "clean-shaven"), None
    words = [w for w in said.split() if w not in _FUNCTION_WORDS and _ALNUM.search(w)]
    content = " ".join(words)
    for pattern, form in _POSITIVE_FORMS:
        if pattern.search(content):
            return form, None
    return None, _NEGATIVE_FORMS.get(content, content) or None


def features_in(text: str) -> set[str]:
    """The attribute fields a clause speaks about ("ears" and "other" have no field of their own)."""
    return {FEATURE_WORDS[w] for w in normalise(text).split() if w in FEATURE_WORDS}
