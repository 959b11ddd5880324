"""Evolved arrays and holistic scales through the real engine (tiny model): each face is redrawn
byte for byte from its recipe alone."""

from __future__ import annotations

import numpy as np
from PIL import Image

from common import evolution as ev
from common.evolution import Child, EvolveSpec, Genome
from common.recipe import encode_png, sha256_hex
from common.spec import Mode, Strategy
from tests.worker.engine.conftest import SpecFactory
from worker.engine import Engine, spec_from_recipe
from worker.engine.evolve import EVOLVE_CHUNK


def _png_sha(image: Image.Image, recipe: dict) -> str:
    return sha256_hex(encode_png(image, recipe))


def _redraws_exactly(engine: Engine, generated: list, parent: Image.Image | None = None) -> None:
    for item in generated:
        spec = spec_from_recipe(item.recipe)
        again = engine.generate(spec, parent)[item.recipe["batch_index"]]
        assert _png_sha(again.image, again.recipe) == _png_sha(item.image, item.recipe)


def _bred_array(count: int) -> EvolveSpec:
    parents = [Genome(noise=[(11, 1.0)], cond=[(5, 1.0)]), Genome(noise=[(22, 1.0)])]
    base = ev.breed(parents, [ev.rating_weight(8), ev.rating_weight(3)])
    refs = [ev.ParentRef(image_sha256="a" * 64, weight=9.0), ev.ParentRef(image_sha256="b" * 64, weight=4.0)]
    children = [Child(genome=base, kind="elite", parents=refs)]
    children += [Child(genome=ev.mutate(base, 900 + i, 0.4), kind="bred", parents=refs, mutation_seed=900 + i,
                       mutation_scale=0.4) for i in range(count - 1)]
    return EvolveSpec(generation=2, scale=0.4, base=base, children=children)


def test_a_bred_array_of_nine_redraws_byte_for_byte(engine: Engine, make_spec: SpecFactory) -> None:
    evolve = _bred_array(9)
    spec = make_spec(strategy=Strategy.EVOLVE, seeds=list(range(9)), evolve=evolve, steps=2)
    generated = engine.generate(spec)
    assert len(generated) == 9 > EVOLVE_CHUNK  # drawn in two chunks
    pixels = [np.asarray(g.image) for g in generated]
    assert not np.array_equal(pixels[0], pixels[1]), "mutations must differ from the elite"
    entry = generated[3].recipe["evolve"]
    assert entry["kind"] == "bred" and entry["mutation_seed"] == 902 and entry["mutation_scale"] == 0.4
    assert [p["weight"] for p in entry["parents"]] == [9.0, 4.0]
    assert entry["phase"] == "internal" and entry["generation"] == 2
    assert entry["genome"] == evolve.children[3].genome.model_dump(mode="json")
    _redraws_exactly(engine, generated[-1:])


def test_a_plain_seed_genome_is_the_pipelines_own_draw(engine: Engine, make_spec: SpecFactory) -> None:
    plain = engine.generate(make_spec(seeds=[11], steps=2))[0]
    evolve = EvolveSpec(generation=0, scale=0.6, children=[Child(genome=Genome.of_seed(11), kind="initial")])
    evolved = engine.generate(make_spec(strategy=Strategy.EVOLVE, seeds=[11], evolve=evolve, steps=2))[0]
    assert np.array_equal(np.asarray(plain.image), np.asarray(evolved.image))


def test_sliders_move_every_model_and_are_redrawn(engine: Engine, make_spec: SpecFactory) -> None:
    plain = engine.generate(make_spec(seeds=[11], steps=2))[0]
    zero = engine.generate(make_spec(seeds=[11], steps=2, sliders={"age": 0.0}))[0]
    assert np.array_equal(np.asarray(plain.image), np.asarray(zero.image))
    older = engine.generate(make_spec(seeds=[11], steps=2, sliders={"age": 1.0, "distinctiveness": -0.5}))
    assert not np.array_equal(np.asarray(plain.image), np.asarray(older[0].image))
    assert older[0].recipe["scales"]["values"] == {"age": 1.0, "distinctiveness": -0.5}
    assert older[0].recipe["spec"]["sliders"] == {"age": 1.0, "distinctiveness": -0.5}
    assert "sliders" not in plain.recipe["spec"], "older recipes keep their keys"
    _redraws_exactly(engine, older)
    # img2img (Model 1) takes the scales too.
    refined = engine.generate(make_spec(mode=Mode.IMG2IMG, seeds=[3], steps=4, strength=0.5,
                                        parent_sha256="0" * 64, sliders={"weight": -1.0}), plain.image)
    _redraws_exactly(engine, refined, plain.image)


def test_a_scale_array_varies_one_face_along_the_scale(engine: Engine, make_spec: SpecFactory) -> None:
    genome = Genome(noise=[(11, 1.0)], cond=[(4, 0.5)])
    children = [Child(genome=genome, kind="scale", sliders={"masculinity": v}) for v in ev.SCALE_ARRAY]
    spec = make_spec(strategy=Strategy.EVOLVE, seeds=[11] * 7, steps=2,
                     evolve=EvolveSpec(generation=1, scale=0.0, children=children))
    generated = engine.generate(spec)
    pixels = [np.asarray(g.image).astype(int) for g in generated]
    assert len({p.tobytes() for p in pixels}) == 7
    assert generated[0].recipe["evolve"]["scales"]["values"] == {"masculinity": -1.0}
    assert generated[3].recipe["evolve"]["scales"] is None  # the middle one is the face itself
    _redraws_exactly(engine, [generated[6]])


def test_holding_features_without_a_face_falls_back_and_says_so(engine: Engine, make_spec: SpecFactory) -> None:
    anchor = engine.generate(make_spec(seeds=[11], steps=2))[0].image
    evolve = _bred_array(2).model_copy(update={"hold": "external"})
    spec = make_spec(strategy=Strategy.EVOLVE, seeds=[1, 2], evolve=evolve, steps=2, parent_sha256="0" * 64)
    generated = engine.generate(spec, anchor)
    hold = generated[0].recipe["evolve"]["hold"]
    assert hold["requested"] == "external" and hold["applied"] is False and "no face" in hold["reason"]
    assert generated[0].recipe["mask"] is None
    _redraws_exactly(engine, generated[:1], anchor)


def test_holding_the_outer_face_keeps_it_and_evolves_the_inner(engine: Engine, make_spec: SpecFactory) -> None:
    # A real face as the anchor (scikit-image's astronaut): dlib finds it, so the hold applies.
    import skimage.data

    anchor = Image.fromarray(skimage.data.astronaut())
    evolve = _bred_array(2).model_copy(update={"hold": "external"})
    spec = make_spec(strategy=Strategy.EVOLVE, seeds=[1, 2], evolve=evolve, steps=2, parent_sha256="0" * 64,
                     width=128, height=128)
    generated = engine.generate(spec, anchor)
    hold = generated[0].recipe["evolve"]["hold"]
    assert hold == {"requested": "external", "applied": True, "free_regions": list(ev.INTERNAL_REGIONS)}
    assert generated[0].recipe["mask"] is not None
    held = np.asarray(anchor.resize((128, 128), Image.Resampling.LANCZOS).convert("RGB")).astype(int)
    for item in generated:
        pixels = np.asarray(item.image).astype(int)
        # The astronaut's face sits around x 175-265, y 76-166 of 512: at 128 px, x 44-66, y 19-41.
        assert np.array_equal(pixels[100:, :], held[100:, :]), "below the face, the anchor is kept exactly"
        assert np.abs(pixels[19:41, 44:66] - held[19:41, 44:66]).mean() > 5, "the inner face evolves"
    _redraws_exactly(engine, generated[:1], anchor)
