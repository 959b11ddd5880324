"""The feedback suggester on a table of real-sounding phrasings, against one working description.

Each row: what the witness said, and the edits that must be suggested, as
(kind, field, value) for `set`/`keep`, ("add", kind, clause text) and ("pick", index).
"""

from __future__ import annotations

from typing import Any

import pytest

from common.prompt import build
from common.suggest import Suggestion, apply, suggest
from common.working import Clause, Working, diff

DESCRIPTION = ("He was about forty, thin face, short dark hair going grey at the sides, a crooked nose "
               "and a small scar over his left eyebrow. I didn't see his ears.")
ATTRIBUTES = {"sex": "male", "age_range": "35-45", "face_shape": "thin", "hair": {"colour": "dark grey",
              "length": "short"}, "nose": "crooked", "eyes": "brown", "marks": "small scar over left eyebrow"}


def _working() -> Working:
    return Working.from_description(DESCRIPTION, ATTRIBUTES)


TABLE: list[tuple[str, list[tuple[Any, ...]]]] = [
    # one feature, moved
    ("nose wider", [("set", "nose", "wide crooked")]),
    ("the nose needs to be wider", [("set", "nose", "wide crooked")]),
    ("make the nose a little wider", [("set", "nose", "slightly wide crooked")]),
    ("his nose was much bigger", [("set", "nose", "very big crooked")]),
    ("nose is too big", [("set", "nose", "small crooked")]),
    ("the nose should be narrower", [("set", "nose", "narrow crooked")]),
    ("nose a bit longer", [("set", "nose", "slightly long crooked")]),
    ("eyes closer together", [("set", "eyes", "close-set brown")]),
    ("the eyes were closer together than that", [("set", "eyes", "close-set brown")]),
    ("eyes further apart", [("set", "eyes", "wide-set brown")]),
    ("his eyes were a bit farther apart", [("set", "eyes", "slightly wide-set brown")]),
    ("eyes darker", [("set", "eyes", "dark brown")]),
    ("the eyes are too small", [("set", "eyes", "big brown")]),
    ("eyebrows bushier", [("set", "eyebrows", "bushy")]),
    ("his eyebrows were thicker", [("set", "eyebrows", "thick")]),
    ("brows a bit higher", [("set", "eyebrows", "slightly high")]),
    ("lips fuller", [("set", "mouth", "full")]),
    ("the mouth was wider", [("set", "mouth", "wide")]),
    ("thinner lips", [("set", "mouth", "thin")]),
    ("chin more pointed", [("set", "jaw", "pointed")]),
    ("his jaw was squarer", [("set", "jaw", "square")]),
    ("the chin is too sharp", [("set", "jaw", "soft")]),
    ("face rounder", [("set", "face_shape", "round thin")]),
    ("the face should be longer", [("set", "face_shape", "long thin")]),
    ("face is too thin", [("set", "face_shape", "full")]),
    ("skin darker", [("set", "skin_tone", "dark")]),
    ("his skin was a bit paler", [("set", "skin_tone", "slightly pale")]),
    # hair
    ("hair shorter at the sides", [("set", "hair.style", "short at the sides")]),
    ("the hair was shorter on top", [("set", "hair.style", "short on top")]),
    ("hair longer", [("set", "hair.length", "long")]),
    ("his hair was a lot shorter", [("set", "hair.length", "very short")]),
    ("hair darker", [("set", "hair.colour", "dark grey")]),
    ("the hair should be greyer", [("set", "hair.colour", "grey dark")]),
    ("hair curlier", [("set", "hair.style", "curly")]),
    ("hair messier", [("set", "hair.style", "messy")]),
    # age and build
    ("older", [("set", "age_range", "40-50")]),
    ("he looked older", [("set", "age_range", "40-50")]),
    ("a bit older", [("set", "age_range", "38-48")]),
    ("much older than that", [("set", "age_range", "45-55")]),
    ("younger", [("set", "age_range", "30-40")]),
    ("he's too old", [("set", "age_range", "30-40")]),
    ("too young", [("set", "age_range", "40-50")]),
    ("slightly younger", [("set", "age_range", "32-42")]),
    ("he was heavier", [("set", "build", "heavy")]),
    ("thinner", [("set", "build", "thin")]),
    ("he was more muscular", [("set", "build", "muscular")]),
    # a feature is right now: its pending changes go
    ("the nose is right now", [("keep", "nose")]),
    ("nose is good now", [("keep", "nose")]),
    ("the mouth is fine", [("keep", "mouth")]),
    ("leave the eyes", [("keep", "eyes")]),
    ("don't change the chin", [("keep", "jaw")]),
    ("yes the eyes are spot on", [("keep", "eyes")]),
    # another candidate
    ("no, more like the second one", [("pick", 2)]),
    ("the first one was closer", [("pick", 1)]),
    ("more like the third picture", [("pick", 3)]),
    ("I prefer number 4", [("pick", 4)]),
    # clauses to add, with their kinds
    ("the nose should be bent more to the left", [("add", "draw", "the nose should be bent more to the left")]),
    ("he didnt have a beard", [("add", "absent", "he didnt have a beard")]),
    ("maybe he had glasses", [("add", "uncertain", "maybe he had glasses")]),
    ("I don't think he wore a hat", [("add", "absent", "I don't think he wore a hat")]),
    ("I didn't see his teeth", [("add", "unknown", "I didn't see his teeth")]),
    ("um he had a tattoo on his neck", [("add", "draw", "he had a tattoo on his neck")]),
    ("there was a mole on his cheek", [("add", "draw", "there was a mole on his cheek")]),
    # nothing to change
    ("that's closer", []),
    ("much better", []),
    ("um", []),
    # two at once, in the order said
    ("older, and the nose wider", [("set", "age_range", "40-50"), ("set", "nose", "wide crooked")]),
    ("no, more like the second one but with a wider nose", [("pick", 2), ("set", "nose", "wide crooked")]),
    ("the nose is right now, eyes closer together", [("keep", "nose"), ("set", "eyes", "close-set brown")]),
]


def _shape(s: Suggestion) -> tuple[Any, ...]:
    if s.kind == "pick":
        return ("pick", s.candidate_index)
    if s.kind == "add":
        assert s.clause is not None
        return ("add", s.clause.kind, s.clause.text)
    if s.kind == "keep":
        return ("keep", s.field)
    return ("set", s.field, s.value)


def test_the_table_is_large_and_covers_every_suggestion() -> None:
    assert len(TABLE) >= 60
    assert {row[0] for _, rows in TABLE for row in rows} == {"set", "keep", "add", "pick"}


@pytest.mark.parametrize(("said", "expected"), TABLE)
def test_suggestions(said: str, expected: list[tuple[Any, ...]]) -> None:
    assert [_shape(s) for s in suggest(said, _working(), 2)] == expected


def test_ids_are_stable_and_distinct() -> None:
    first = suggest("older, nose wider, maybe glasses", _working())
    again = suggest("older, nose wider, maybe glasses", _working())
    assert [s.id for s in first] == [s.id for s in again]
    assert len({s.id for s in first}) == 3


def test_the_nose_is_right_now_drops_the_pending_nose_change() -> None:
    working = apply(_working(), suggest("the nose should be bent more to the left", _working(), 2), 2)
    assert "bent more to the left" in build(working).prompt
    working = apply(working, suggest("the nose is right now", working, 3), 3)
    assert "bent more to the left" not in build(working).prompt
    assert "crooked nose" in build(working).prompt  # the description's own words stay


def test_applying_twice_is_applying_once() -> None:
    edits = suggest("older, nose wider, maybe glasses", _working(), 2)
    once = apply(_working(), edits, 2)
    assert apply(once, edits, 2) == once


def test_an_uncertain_clause_is_drawn_only_when_promoted() -> None:
    working = apply(_working(), suggest("maybe he had glasses", _working(), 2), 2)
    assert "glasses" not in build(working).prompt
    promoted = working.model_copy(update={"clauses": [
        c.model_copy(update={"promoted": True}) if c.kind == "uncertain" else c for c in working.clauses]})
    assert "maybe he had glasses" in build(promoted).prompt
    change = diff(working, promoted)
    assert change["changed"] == [{"text": "maybe he had glasses", "from": "uncertain", "to": "uncertain",
                                  "promoted": True}]


def test_absent_and_unknown_clauses_are_never_drawn() -> None:
    working = Working(clauses=[Clause(text="no beard", kind="absent"), Clause(text="wasn't wearing glasses",
                                                                              kind="absent"),
                               Clause(text="I didn't see his eyes", kind="unknown")])
    built = build(working)
    assert "clean-shaven" in built.prompt and "beard" not in built.prompt
    assert "glasses" not in built.prompt and built.negative_prompt.endswith(", glasses")
    assert "eyes" not in built.prompt
