"""A simulated witness: is the search converging on a hidden face?

A hidden target is drawn in the model in use: the face a random seed names in the face space (the family
every method's first array is drawn from, common/evolution.py Genome.face) with random holistic scale
values. A simulated witness looks at each array and chooses by distance to the
target in a stated feature space: the dlib face descriptor when dlib finds a face on the target,
else the pixel distance (grey levels, RMS). Memory is imperfect: each perceived distance is the true
one times exp(N(0, memory_noise)). Ratings follow the perceived distance (10 for the nearest face of
the array, falling linearly to 0 at the farthest).

Three methods start from the same first array (faces varied in latents and conditioning around the
description) and then differ:

- model1: the seed paper's loop: one pick, img2img of it at strength 0.3, no words; as many faces a round;
- model1_keep: the same, but the pick is shown again beside 8 refinements (a fairer match for evolve's elite:
  Model 1's plain loop can lose its best face, as img2img drifts);
- evolve: up to three picks with ratings bred into the next array (common/evolution.py, as the API);
- evolve_scales: evolve, and the witness also moves the holistic sliders halfway toward the target's
  values each round (with the same memory noise).

The figure of merit is the true distance of the witness's top pick, normalised per trial by the
median distance of the first array (1 = a random face of the first array). It measures a search in
the model's own space by a simulated chooser: not whether a person would name the composite.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from common import evolution as ev
from common.evolution import Child, EvolveSpec, Genome
from common.spec import MAX_CANDIDATES, GenerationSpec, Mode, Strategy
from worker.engine import Engine

PROMPT = "forensic pencil sketch, portrait of a man, short dark hair, thin face"
NEGATIVE = "photo, colour"
METHODS = ("model1", "model1_keep", "evolve", "evolve_scales")
MOVED_SCALES = ("age", "weight", "masculinity")


@dataclass
class WitnessConfig:
    trials: int = 20
    rounds: int = 5
    array: int = 9
    picks: int = 3
    size: int = 64
    steps: int = 4
    memory_noise: float = 0.15
    strength: float = 0.3
    seed: int = 0
    prompt: str = PROMPT


@dataclass
class Trial:
    space: str
    curves: dict[str, list[float]] = field(default_factory=dict)


Feature = Callable[[Image.Image], Any]
Choice = tuple[list[int], list[int], list[float]]  # top picks, their ratings, every face's true distance


class Witness:
    """Chooses by (noisy) distance to the target in one feature space."""

    def __init__(self, target: Image.Image, rng: random.Random, noise: float) -> None:
        self.rng, self.noise = rng, noise
        self.space, self.feature = _feature_space(target)
        self.target = self.feature(target)

    def distance(self, image: Image.Image) -> float:
        feature = self.feature(image)
        if feature is None:  # dlib space, no face on this one: as far as a face can be
            return 1.5
        return float(np.linalg.norm(feature - self.target) / math.sqrt(feature.size))

    def choose(self, images: list[Image.Image], k: int) -> Choice:
        """(indices of the top k by perceived distance, their ratings 0-10, every face's true distance)."""
        true = [self.distance(image) for image in images]
        perceived = [d * math.exp(self.rng.gauss(0.0, self.noise)) for d in true]
        order = sorted(range(len(images)), key=lambda i: perceived[i])[:k]
        low, high = min(perceived), max(perceived)
        ratings = [round(10 * (high - perceived[i]) / (high - low)) if high > low else 5 for i in order]
        return order, ratings, true


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float64) / 255.0


def _feature_space(target: Image.Image) -> tuple[str, Feature]:
    """dlib's descriptor where it finds a face on the target, else pixels."""
    try:
        from common.faces import FaceModelsMissingError, identity_embedding

        if identity_embedding(target, quick=True) is not None:
            return "dlib", lambda image: identity_embedding(image, quick=True)
    except (ImportError, FaceModelsMissingError):
        pass
    return "pixel", _pixels


class Simulation:
    def __init__(self, engine: Engine, config: WitnessConfig) -> None:
        self.engine, self.config = engine, config

    def _spec(self, seeds: list[int], steps: int | None = None, **values: Any) -> GenerationSpec:
        c = self.config
        return GenerationSpec(prompt=c.prompt, negative_prompt=NEGATIVE, seeds=seeds, steps=steps or c.steps,
                              width=c.size, height=c.size, preview=False, **values)

    def draw(self, children: list[Child], generation: int, scale: float,
             sliders: dict[str, float] | None = None) -> list[Image.Image]:
        evolve = EvolveSpec(generation=generation, scale=scale, children=children)
        spec = self._spec([i for i, _ in enumerate(children)], mode=Mode.TXT2IMG, strategy=Strategy.EVOLVE,
                          evolve=evolve, sliders=sliders or None)
        return [g.image for g in self.engine.generate(spec)]

    def refine(self, parent: Image.Image, seeds: list[int]) -> list[Image.Image]:
        c = self.config
        steps = max(c.steps, math.ceil(1 / c.strength))  # img2img runs strength × steps: at least one
        images = []
        for start in range(0, len(seeds), MAX_CANDIDATES):  # as many faces as evolve shows, in batches of 8
            spec = self._spec(seeds[start:start + MAX_CANDIDATES], steps, mode=Mode.IMG2IMG, strength=c.strength,
                              parent_sha256="0" * 64)
            images += [g.image for g in self.engine.generate(spec, parent)]
        return images

    def trial(self, index: int) -> Trial:
        c = self.config
        rng = random.Random(c.seed * 100_003 + index)
        seed = lambda: rng.randrange(2**32)  # noqa: E731
        target_sliders = {name: rng.uniform(-0.8, 0.8) for name in MOVED_SCALES}
        # The target is a face of the family every method starts from (reachable in principle by any of them).
        target_child = Child(genome=Genome.face(seed()), kind="initial", sliders=target_sliders)
        target = self.draw([target_child], 0, 0.0)[0]
        witness = Witness(target, rng, c.memory_noise)
        first = [Genome.face(seed()) for _ in range(c.array)]  # the first array, as the API draws it
        images = self.draw([Child(genome=g, kind="initial") for g in first], 0, ev.INITIAL_SCALE)
        choice = witness.choose(images, c.picks)  # one choice from the shared first array for every method
        unit = statistics.median(choice[2]) or 1.0
        trial = Trial(space=witness.space)
        trial.curves["model1"] = self._model1(witness, images, choice, unit, seed, keep=False)
        trial.curves["model1_keep"] = self._model1(witness, images, choice, unit, seed, keep=True)
        trial.curves["evolve"] = self._evolve(witness, first, choice, unit, seed, None)
        trial.curves["evolve_scales"] = self._evolve(witness, first, choice, unit, seed, target_sliders)
        return trial

    def _model1(self, witness: Witness, images: list[Image.Image], choice: Choice, unit: float,
                seed: Callable[[], int], keep: bool) -> list[float]:
        """keep: the pick is shown again beside array − 1 refinements (as evolve keeps its elite)."""
        curve = []
        for round_ in range(self.config.rounds):
            order, _, true = choice if round_ == 0 else witness.choose(images, 1)
            curve.append(true[order[0]] / unit)
            pick = images[order[0]]
            images = [pick] if keep else []
            images += self.refine(pick, [seed() for _ in range(self.config.array - len(images))])
        return curve

    def _evolve(self, witness: Witness, genomes: list[Genome], choice: Choice, unit: float,
                seed: Callable[[], int], target_sliders: dict[str, float] | None) -> list[float]:
        c = self.config
        curve, scale, sliders = [], None, {name: 0.0 for name in MOVED_SCALES}
        images: list[Image.Image] = []
        for generation in range(1, c.rounds + 1):
            order, ratings, true = choice if generation == 1 else witness.choose(images, c.picks)
            curve.append(true[order[0]] / unit)
            if generation == c.rounds:
                break
            weights = [ev.rating_weight(r) for r in ratings]
            scale = ev.next_scale(scale, rejected=False)
            _, array = ev.bred_array([genomes[i] for i in order], weights, [seed() for _ in range(c.array)], scale)
            genomes = [genome for genome, _, _ in array]
            if target_sliders is not None:  # halfway toward the remembered target, memory noise and all
                sliders = {name: max(-1.0, min(1.0, value + 0.5 * (target_sliders[name] - value)
                                               + witness.rng.gauss(0.0, c.memory_noise)))
                           for name, value in sliders.items()}
            children = [Child(genome=g, kind="bred") for g in genomes]
            images = self.draw(children, generation, scale, sliders if target_sliders is not None else None)
        return curve


def run_witness_bench(engine: Engine, config: WitnessConfig,
                      progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Every trial, then the median normalised distance per round and method, and the ratio."""
    simulation = Simulation(engine, config)
    trials = []
    for index in range(config.trials):
        trials.append(simulation.trial(index))
        if progress is not None:
            progress(index + 1)
    medians = {m: [round(statistics.median(t.curves[m][r] for t in trials), 4) for r in range(config.rounds)]
               for m in METHODS}
    last = config.rounds - 1
    spaces = sorted({t.space for t in trials})
    return {
        "feature_space": spaces[0] if len(spaces) == 1 else spaces,
        "feature_spaces_per_trial": {s: sum(t.space == s for t in trials) for s in spaces},
        "memory_noise": config.memory_noise,
        "target": f"a face of the face space (Genome.face: {ev.FACE_DIMENSIONS} noise and conditioning dimensions), "
                  "random age/weight/masculinity",
        "faces_per_round": {m: config.array for m in METHODS},
        "config": asdict(config),
        "model": {k: engine.info[k] for k in ("name", "random_weights", "device")},
        "median_normalised_distance": medians,
        "ratio": round(medians["evolve"][last] / medians["model1"][last], 4),
        "ratio_with_scales": round(medians["evolve_scales"][last] / medians["model1"][last], 4),
        "ratio_vs_model1_keep": round(medians["evolve"][last] / medians["model1_keep"][last], 4),
        "ratio_with_scales_vs_model1_keep": round(medians["evolve_scales"][last] / medians["model1_keep"][last], 4),
        "goal_ratio": 0.7,
    }


def plot(result: dict[str, Any], path: str) -> None:
    """The three curves, one PNG (matplotlib, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4))
    for method, curve in result["median_normalised_distance"].items():
        axes.plot(range(1, len(curve) + 1), curve, marker="o", label=method)
    axes.set_xlabel("round")
    axes.set_ylabel(f"median normalised distance ({result['feature_space']})")
    axes.set_title(f"simulated witness, {result['config']['trials']} trials; ratio {result['ratio']}, "
                   f"with scales {result['ratio_with_scales']}", fontsize=10)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
