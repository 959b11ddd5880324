"""Clause kinds on a table of real-sounding phrasings: contractions, typos, fillers,
hedges and double negatives. Each row is what a witness might say and the kind it must get."""

from __future__ import annotations

import pytest

from common.clauses import absent_forms, classify, split_clauses, strip_fillers

KINDS = [
    # drawn
    ("he had a beard", "draw"),
    ("short dark hair going grey at the sides", "draw"),
    ("a crooked nose", "draw"),
    ("he was about forty", "draw"),
    ("about forty or so", "draw"),
    ("big ears that stuck out", "draw"),
    ("I'm pretty sure he had a moustache", "draw"),
    ("he definitely had glasses", "draw"),
    ("never saw him without his glasses", "draw"),
    ("he wasn't without a hat", "draw"),
    ("thick eyebrows that nearly met in the middle", "draw"),
    ("a scar on his chin", "draw"),
    ("he was really tall", "draw"),
    ("pale skin with freckles", "draw"),
    ("his hair was slicked back", "draw"),
    # absent
    ("no beard", "absent"),
    ("he had no beard", "absent"),
    ("wasn't wearing glasses", "absent"),
    ("wasnt wearing glasses", "absent"),
    ("he didnt have a beard", "absent"),
    ("he didn't have any tattoos", "absent"),
    ("I don't think he had a beard", "absent"),
    ("I dont think he wore glasses", "absent"),
    ("I didn't see a beard", "absent"),
    ("without a hat", "absent"),
    ("clean-shaven", "absent"),
    ("clean shaven", "absent"),
    ("he was bald", "absent"),
    ("no hair at all", "absent"),
    ("nothing on his head", "absent"),
    ("no facial hair", "absent"),
    ("his nose wasn't that big", "absent"),
    ("there were no scars", "absent"),
    ("he never wore a cap", "absent"),
    # unknown
    ("I didn't see his eyes", "unknown"),
    ("I did not see his ears", "unknown"),
    ("I didnt see his mouth", "unknown"),
    ("can't remember the mouth", "unknown"),
    ("I cant remember his nose", "unknown"),
    ("no idea about the hair", "unknown"),
    ("I couldn't see his eyes, he had sunglasses on", "unknown"),
    ("I didn't get a good look at his face", "unknown"),
    ("his hair was hidden under the hood", "unknown"),
    ("I forgot what his chin looked like", "unknown"),
    ("dunno about the eyebrows", "unknown"),
    ("I don't remember his skin", "unknown"),
    ("his eyes were in shadow", "unknown"),
    ("didnt notice his ears", "unknown"),
    # uncertain
    ("maybe a scar", "uncertain"),
    ("might have had glasses", "uncertain"),
    ("I think he was tall", "uncertain"),
    ("mabye a moustache", "uncertain"),
    ("possibly a tattoo on his neck", "uncertain"),
    ("brown or black hair", "uncertain"),
    ("I'm not sure he had glasses", "uncertain"),
    ("he probably had a beard", "uncertain"),
    ("I guess his nose was big", "uncertain"),
    ("was there a scar?", "uncertain"),
    ("he could have had an earring", "uncertain"),
    ("I don't think he didn't have a beard", "uncertain"),
    ("perhaps blue eyes", "uncertain"),
    ("I'm not certain about the jaw, maybe square", "uncertain"),
]


def test_the_table_is_large_and_covers_every_kind() -> None:
    assert len(KINDS) >= 60
    assert {kind for _, kind in KINDS} == {"draw", "absent", "unknown", "uncertain"}


@pytest.mark.parametrize(("said", "kind"), KINDS)
def test_kind(said: str, kind: str) -> None:
    assert classify(said) == kind


@pytest.mark.parametrize(("said", "expected"), [
    ("um, like, he had a beard", [("he had a beard", "draw")]),
    ("uh he was, like, forty", [("he was, forty", "draw")]),
    ("a thin, pale face, no beard, maybe a scar",
     [("a thin, pale face", "draw"), ("no beard", "absent"), ("maybe a scar", "uncertain")]),
    ("He was about forty. I didn't see his ears.",
     [("He was about forty", "draw"), ("I didn't see his ears", "unknown")]),
    ("no, he had a beard", [("he had a beard", "draw")]),
    ("long hair and I didn't see his eyes", [("long hair", "draw"), ("I didn't see his eyes", "unknown")]),
    ("short hair but no beard", [("short hair", "draw"), ("no beard", "absent")]),
    ("um. er. hmm", []),
])
def test_split_keeps_order_drops_fillers(said: str, expected: list[tuple[str, str]]) -> None:
    assert [(p.text, p.kind) for p in split_clauses(said)] == expected


@pytest.mark.parametrize(("said", "positive", "negative"), [
    ("no beard", "clean-shaven", None),
    ("I don't think he had a beard", "clean-shaven", None),
    ("clean-shaven", "clean-shaven", None),
    ("he was bald", "bald", None),
    ("no hair at all", "bald", None),
    ("wasn't wearing glasses", None, "glasses"),
    ("he didn't have any tattoos", None, "tattoos"),
    ("nothing on his head", None, "hat, cap, hood"),
])
def test_absent_goes_to_a_positive_form_or_the_negative_prompt(said: str, positive: str | None,
                                                               negative: str | None) -> None:
    assert absent_forms(said) == (positive, negative)


def test_like_that_means_something_stays() -> None:
    assert strip_fillers("he looked like a boxer") == "he looked like a boxer"
    assert strip_fillers("he was like really tall") == "he was really tall"
