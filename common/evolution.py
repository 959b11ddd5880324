"""Evolving arrays of faces (EvoFIT's recognition loop) in the model's own spaces: the genome and its maths.

A face's **genome** is two short lists of `(seed, coefficient)` terms:

- `noise`: its initial latent noise is `Σ c · N(seed)`, each N(seed) the standard normal tensor the
  engine draws from a CPU generator seeded `seed` (exactly what the pipeline draws for a plain seed).
  Independent Gaussians of this size are orthogonal to within a fraction of a percent, so the
  coefficient vector stands for the noise itself: keeping it at unit length keeps the noise a
  unit-variance Gaussian, and spherical interpolation of two noises is spherical interpolation of
  their coefficient vectors, computed here exactly, without torch.
- `cond`: an offset added to the prompt's text conditioning, `Σ c · D(seed)`, each D(seed) a standard
  normal tensor the conditioning's shape scaled by the encoding's own spread and COND_SPREAD.

The face space (EvoFIT searches a few dozen shape/texture coefficients, not pixels): a first-array face
is `Genome.face(seed)`, a random unit combination of FACE_DIMENSIONS fixed noise tensors (NOISE_BASIS) and
of as many fixed conditioning offsets (COND_BASIS); mutation rotates toward random directions of the same
bases, so selection works in FACE_DIMENSIONS dimensions, not in every latent one (where a fresh seed is
orthogonal to any target and the search cannot close in: docs/benchmarks.md, convergence).

A plain candidate (seed s) is the genome `noise=[(s, 1)]`, `cond=[]`. Breeding, mutation and blending
only ever combine terms, so a child's genome is small (the basis terms and the seeds of any plain
candidates bred in, tiny terms pruned, at most MAX_TERMS) and the recipe alone redraws it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Mutation: an angle, as a fraction of a right angle, between the bred noise and a fresh one.
INITIAL_SCALE = 0.6
SCALE_DECAY = 0.7  # each generation with picks: the search narrows
REJECT_WIDEN = 1.8  # "none of these": it widens again
MIN_SCALE, MAX_SCALE = 0.08, 1.0
COND_SPREAD = 0.25  # conditioning offsets, in units of the encoding's standard deviation
# The face space: every face's noise is a unit combination of FACE_DIMENSIONS fixed noise tensors, its
# conditioning offset one of as many fixed offsets. 8: 12 converged too slowly for 9 faces × 5 rounds.
FACE_DIMENSIONS = 8
PRUNE_BELOW = 1e-3
MAX_TERMS = 48
KARCHER_ITERATIONS = 20
DEFAULT_ARRAY, MAX_ARRAY, DEFAULT_MAX_PICKS, MAX_PICKS = 9, 18, 3, 6
SCALE_ARRAY = (-1.0, -2 / 3, -1 / 3, 0.0, 1 / 3, 2 / 3, 1.0)  # "show an array along this scale"
SCALES = ("age", "weight", "masculinity", "distinctiveness")
INTERNAL_REGIONS = ("eyes", "eyebrows", "nose", "mouth")
EXTERNAL_REGIONS = ("hair", "ears", "jaw")

Term = tuple[int, float]
Phase = Literal["internal", "external"]


def _basis_seed(root: int, k: int) -> int:
    return (root * 2654435761 + (k + 1) * 0x9E3779B9) % 2**32


NOISE_BASIS = tuple(_basis_seed(0x4C696B65, k) for k in range(FACE_DIMENSIONS))
COND_BASIS = tuple(_basis_seed(0x436F6E64, k) for k in range(FACE_DIMENSIONS))


class Genome(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    noise: list[Term] = Field(min_length=1)
    cond: list[Term] = Field(default_factory=list)

    @classmethod
    def of_seed(cls, seed: int) -> Genome:
        return cls(noise=[(seed, 1.0)])

    @classmethod
    def face(cls, seed: int) -> Genome:
        """The face `seed` names in the face space: a random unit point of each basis (a first-array face)."""
        noise, cond = directions(seed)
        return cls(noise=noise, cond=cond)


class ParentRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    image_sha256: str
    weight: float


class Child(BaseModel):
    """One face of an evolved array: what it is made of, and how it came about."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    genome: Genome
    kind: Literal["initial", "elite", "centre", "bred", "blend", "scale"]
    parents: list[ParentRef] = Field(default_factory=list)
    mutation_seed: int | None = None
    mutation_scale: float = 0.0
    sliders: dict[str, float] = Field(default_factory=dict)  # this face's own scale values (scale arrays)


class EvolveSpec(BaseModel):
    """What the engine needs to draw an evolved array (GenerationSpec.evolve)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    generation: int = Field(ge=0)
    scale: float = Field(ge=0.0, le=MAX_SCALE)
    phase: Phase = "internal"
    # Which features are held fixed (pinned to the anchor image, spec.parent_sha256): None on the first
    # array, in blends and in scale arrays; else the features the phase is not working on.
    hold: Literal["internal", "external"] | None = None
    base: Genome | None = None  # the bred centre the array varies around ("none of these" returns to it)
    children: list[Child] = Field(min_length=1, max_length=MAX_ARRAY)


# -- vector maths over terms ------------------------------------------------------------------------


def _as_dict(terms: Sequence[Term]) -> dict[int, float]:
    out: dict[int, float] = {}
    for seed, coefficient in terms:
        out[seed] = out.get(seed, 0.0) + coefficient
    return out


def _terms(values: dict[int, float]) -> list[Term]:
    return sorted(((seed, c) for seed, c in values.items() if c != 0.0), key=lambda t: t[0])


def norm(terms: Sequence[Term]) -> float:
    return math.sqrt(sum(c * c for c in _as_dict(terms).values()))


def dot(a: Sequence[Term], b: Sequence[Term]) -> float:
    bd = _as_dict(b)
    return sum(c * bd.get(seed, 0.0) for seed, c in _as_dict(a).items())


def combine(pairs: Sequence[tuple[float, Sequence[Term]]]) -> list[Term]:
    """Σ weight · terms."""
    out: dict[int, float] = {}
    for weight, terms in pairs:
        for seed, c in terms:
            out[seed] = out.get(seed, 0.0) + weight * c
    return _terms(out)


def normalized(terms: Sequence[Term]) -> list[Term]:
    """Unit length, tiny terms dropped and, past MAX_TERMS, the smallest: the genome stays small."""
    values = _as_dict(terms)
    length = math.sqrt(sum(c * c for c in values.values()))
    if length == 0:
        raise ValueError("a noise genome cannot be zero")
    kept = {s: c / length for s, c in values.items() if abs(c / length) >= PRUNE_BELOW}
    if len(kept) > MAX_TERMS:
        kept = dict(sorted(kept.items(), key=lambda kv: -abs(kv[1]))[:MAX_TERMS])
    length = math.sqrt(sum(c * c for c in kept.values()))
    return _terms({s: c / length for s, c in kept.items()})


def slerp(a: Sequence[Term], b: Sequence[Term], t: float) -> list[Term]:
    """Spherical interpolation from a (t=0) to b (t=1) of two unit noise genomes."""
    a, b = normalized(a), normalized(b)
    cos = max(-1.0, min(1.0, dot(a, b)))
    theta = math.acos(cos)
    if theta < 1e-6:
        return normalized(combine([(1 - t, a), (t, b)]))
    sin = math.sin(theta)
    return normalized(combine([(math.sin((1 - t) * theta) / sin, a), (math.sin(t * theta) / sin, b)]))


def rating_weight(rating: int | None) -> float:
    """A pick's say in its children: rating + 1 (0-10 → 1-11); an unrated pick counts as a 5."""
    return float((5 if rating is None else rating) + 1)


def weighted_slerp(genomes: Sequence[Sequence[Term]], weights: Sequence[float]) -> list[Term]:
    """The weighted spherical mean (Karcher mean) of unit noise genomes: slerp generalised to any number
    of parents. For two it is slerp(a, b, w_b / (w_a + w_b)); equal weights treat the parents alike."""
    if not genomes or len(genomes) != len(weights) or min(weights) <= 0:
        raise ValueError("weighted_slerp needs parents with positive weights")
    points = [normalized(g) for g in genomes]
    total = sum(weights)
    mean = normalized(combine([(w, p) for w, p in zip(weights, points, strict=True)]))
    for _ in range(KARCHER_ITERATIONS):
        step = combine([(w / total, _log_map(mean, p)) for w, p in zip(weights, points, strict=True)])
        length = norm(step)
        if length < 1e-12:
            break
        mean = normalized(combine([(math.cos(length), mean), (math.sin(length) / length, step)]))
    return mean


def _log_map(base: Sequence[Term], point: Sequence[Term]) -> list[Term]:
    """The tangent vector at `base` pointing to `point`, as long as the arc between them."""
    cos = max(-1.0, min(1.0, dot(base, point)))
    theta = math.acos(cos)
    if theta < 1e-9:
        return []
    return combine([(theta / math.sin(theta), point), (-theta * cos / math.sin(theta), base)])


def directions(seed: int) -> tuple[list[Term], list[Term]]:
    """Two random unit directions of the face space, one over NOISE_BASIS, one over COND_BASIS, drawn from
    Python's own generator seeded `seed` (pure Python: the API and the engine agree; recipes store the result)."""
    rng = random.Random(seed)
    values = [rng.gauss(0.0, 1.0) for _ in range(2 * FACE_DIMENSIONS)]
    noise = normalized(list(zip(NOISE_BASIS, values[:FACE_DIMENSIONS], strict=True)))
    cond = normalized(list(zip(COND_BASIS, values[FACE_DIMENSIONS:], strict=True)))
    return noise, cond


def mutate_noise(base: Sequence[Term], seed: int, scale: float) -> list[Term]:
    """Rotate the noise by `scale` of a right angle (0 keeps it, 1 is at right angles) toward a random direction
    of the face space, so selection works in FACE_DIMENSIONS dimensions rather than in every latent one."""
    base = normalized(base)
    direction, _ = directions(seed)
    tangent = combine([(1.0, direction), (-dot(direction, base), base)])
    if norm(tangent) < 1e-6:  # base lies along the direction (one chance in never): a fresh seed's noise instead
        tangent = combine([(1.0, [(seed, 1.0)]), (-dot([(seed, 1.0)], base), base)])
    angle = scale * math.pi / 2
    return normalized(combine([(math.cos(angle), base), (math.sin(angle), normalized(tangent))]))


def breed(parents: Sequence[Genome], weights: Sequence[float]) -> Genome:
    """Noise by weighted slerp; conditioning offsets mixed linearly by the same weights."""
    total = sum(weights)
    noise = weighted_slerp([p.noise for p in parents], weights)
    cond = combine([(w / total, p.cond) for p, w in zip(parents, weights, strict=True)])
    return Genome(noise=noise, cond=cond)


def mutate(base: Genome, seed: int, scale: float) -> Genome:
    """A child around `base`: noise rotated by `scale`, plus a conditioning offset of size `scale`, both along
    random directions of the face space."""
    cond = combine([(1.0, base.cond), (scale, directions(seed)[1])]) if scale > 0 else list(base.cond)
    return Genome(noise=mutate_noise(base.noise, seed, scale), cond=cond)


def blend(a: Genome, b: Genome, weight: float) -> Genome:
    """The morph from a (0) to b (1)."""
    return Genome(noise=slerp(a.noise, b.noise, weight),
                  cond=combine([(1 - weight, a.cond), (weight, b.cond)]))


def bred_array(parents: Sequence[Genome], weights: Sequence[float], seeds: Sequence[int],
               scale: float) -> tuple[Genome, list[tuple[Genome, str, int | None]]]:
    """The centre, and the next array: the best-rated pick as it was (the elite: the best face so far
    never leaves), the centre, then mutants of the centre, one per remaining seed."""
    centre = breed(parents, weights)
    best = max(range(len(parents)), key=lambda i: weights[i])
    array: list[tuple[Genome, str, int | None]] = [(parents[best], "elite", None), (centre, "centre", None)]
    array += [(mutate(centre, seed, scale), "bred", seed) for seed in seeds[len(array):]]
    return centre, array[:len(seeds)]


def next_scale(previous: float | None, rejected: bool) -> float:
    """Shrinks generation by generation; widens when the witness rejects a whole array."""
    if previous is None:
        return INITIAL_SCALE
    if rejected:
        return min(MAX_SCALE, previous * REJECT_WIDEN)
    return max(MIN_SCALE, previous * SCALE_DECAY)
