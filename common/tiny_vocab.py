"""A small CLIP vocabulary for the tiny random-weight model.

Real CLIP has 49,408 tokens learned from the web; the tiny model gets every byte
plus whole-word merges for the words witnesses and artists use, so token counts
on the tiny model look like real ones (about a token a word) instead of one per
letter. Written as the same vocab.json + merges.txt files a real model ships.
"""

from __future__ import annotations

import json
from pathlib import Path

from common.tokens import END, START, bytes_to_unicode

WORDS = """
a an the and or with of in on at to from by for as is are was were has have had not no very quite
slightly rather bit little more less than about around like man woman male female person boy girl
teenager adult elderly old young middle aged age years year twenties thirties forties fifties
sixties seventies late early mid tall short average medium large small big thin slim skinny heavy
stocky muscular build overweight broad narrow wide long round oval square heart shaped face head
skin tone pale fair light olive tan tanned brown dark black white complexion hair bald balding
receding shaved buzz cut crew curly wavy straight frizzy spiky blond blonde ginger red auburn grey
gray silver brunette dyed ponytail bun braids dreadlocks fringe parted side middle back slicked
messy neat thick thinning eyebrows eyebrow bushy arched bushy unibrow brows brow heavy eyes eye blue
green hazel deep set close apart hooded almond narrow bags sunken nose pointed hooked crooked broken
flat button upturned bulbous nostrils bridge mouth lips lip full thin wide small teeth gap missing
gold smile jaw chin jawline cleft double strong weak pointed receding prominent cheekbones cheeks
cheek ears ear forehead high low lined wrinkles freckles mole acne pockmarked beard moustache
mustache stubble goatee sideburns clean shaven unshaven glasses spectacles sunglasses frames rimmed
wire rimless hat cap baseball beanie hood hoodie helmet balaclava scarf scar scars tattoo tattoos
mark marks birthmark piercing earring neck above below left right upper lower across over under near
pencil sketch drawing charcoal ink forensic composite police portrait monochrome graphite shading
detailed frontal view front head shoulders lineart line art photo photograph photorealistic color
colour blurry deformed disfigured extra limbs cartoon text watermark signature multiple faces
cropped frame low quality changes change make bigger smaller longer shorter darker lighter wider
narrower thicker thinner closer higher lower younger older softer harder rounder sharper he she they
his her their looked looks looking wore wearing seemed seen unsure
""".split()


def _word_merges(word: str) -> list[tuple[str, str]]:
    """Merges that build `word</w>` left to right from its letters."""
    symbols = [*word[:-1], word[-1] + "</w>"]
    merges = []
    current = symbols[0]
    for nxt in symbols[1:]:
        merges.append((current, nxt))
        current += nxt
    return merges


def write_tiny_tokenizer(folder: Path) -> None:
    """Writes vocab.json and merges.txt for a CLIPTokenizer into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    base = list(bytes_to_unicode().values())
    vocab_list = base + [ch + "</w>" for ch in base]
    merges: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for word in dict.fromkeys(WORDS):
        for pair in _word_merges(word):
            if pair not in seen:
                seen.add(pair)
                merges.append(pair)
                vocab_list.append("".join(pair))
    vocab_list += [START, END]
    vocab = {tok: i for i, tok in enumerate(dict.fromkeys(vocab_list))}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    lines = ["#version: 0.2"] + [f"{a} {b}" for a, b in merges]
    (folder / "merges.txt").write_text("\n".join(lines) + "\n", "utf-8")
