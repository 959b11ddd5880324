"""Breeding maths of evolved arrays: rating weights, spherical interpolation, mutation scale."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from common import evolution as ev
from common.evolution import Genome


def _vector(terms: list[tuple[int, float]], size: int = 20000) -> np.ndarray:
    """The noise a genome stands for, realised with numpy (independent Gaussians per seed)."""
    out = np.zeros(size)
    for seed, c in terms:
        out += c * np.random.default_rng(seed).standard_normal(size)
    return out


def test_slerp_end_points_and_unit_length() -> None:
    a, b = [(1, 1.0)], [(2, 1.0)]
    assert ev.slerp(a, b, 0.0) == [(1, 1.0)]
    assert dict(ev.slerp(a, b, 1.0)) == pytest.approx({2: 1.0})
    half = ev.slerp(a, b, 0.5)
    assert ev.norm(half) == pytest.approx(1.0)
    # Orthogonal parents: the midpoint sits at 45° from each, not at the shorter linear mean.
    assert dict(half) == pytest.approx({1: math.sqrt(0.5), 2: math.sqrt(0.5)})


def test_slerp_in_coefficients_matches_slerp_of_the_noise() -> None:
    a, b = ev.normalized([(1, 0.8), (3, 0.6)]), ev.normalized([(2, 1.0), (3, 0.3)])
    va, vb = _vector(a), _vector(b)
    cos_true = va @ vb / np.linalg.norm(va) / np.linalg.norm(vb)
    assert ev.dot(a, b) == pytest.approx(cos_true, abs=0.02)
    mid = _vector(ev.slerp(a, b, 0.3))
    assert np.std(mid) == pytest.approx(1.0, abs=0.02)  # still a unit Gaussian


def test_rating_weights_pull_the_child_toward_the_better_pick() -> None:
    high, low = Genome.of_seed(10), Genome.of_seed(20)
    child = ev.breed([high, low], [ev.rating_weight(9), ev.rating_weight(1)])
    coefficients = dict(child.noise)
    assert coefficients[10] > coefficients[20] > 0
    even = dict(ev.breed([high, low], [1.0, 1.0]).noise)
    assert even[10] == pytest.approx(even[20])
    assert ev.rating_weight(0) > 0 and ev.rating_weight(10) == 11


def test_three_way_weighted_slerp_treats_equal_parents_alike() -> None:
    genomes = [[(1, 1.0)], [(2, 1.0)], [(3, 1.0)]]
    mixed = dict(ev.weighted_slerp(genomes, [1.0, 1.0, 1.0]))
    assert mixed[1] == pytest.approx(mixed[2]) and mixed[2] == pytest.approx(mixed[3])
    assert ev.norm(list(mixed.items())) == pytest.approx(1.0)


def test_two_parent_weighted_slerp_is_slerp() -> None:
    a, b = [(1, 1.0)], [(2, 0.6), (1, 0.8)]
    got = dict(ev.weighted_slerp([a, b], [1.0, 3.0]))
    assert got == pytest.approx(dict(ev.slerp(a, b, 0.75)), abs=1e-9)


def test_conditioning_offsets_mix_by_the_same_weights() -> None:
    a = Genome(noise=[(1, 1.0)], cond=[(100, 1.0)])
    b = Genome(noise=[(2, 1.0)], cond=[(200, 1.0)])
    child = ev.breed([a, b], [3.0, 1.0])
    assert dict(child.cond) == pytest.approx({100: 0.75, 200: 0.25})


def test_mutation_rotates_by_its_scale() -> None:
    base = Genome(noise=[(1, 1.0)])
    same = ev.mutate(base, 7, 0.0)
    assert same.noise == base.noise and same.cond == []
    small, large = ev.mutate(base, 7, 0.1), ev.mutate(base, 7, 0.9)
    # The cosine to the parent falls as the scale grows: cos(scale · 90°).
    assert ev.dot(small.noise, base.noise) == pytest.approx(math.cos(0.1 * math.pi / 2))
    assert ev.dot(large.noise, base.noise) == pytest.approx(math.cos(0.9 * math.pi / 2))
    # The conditioning moves by `scale` along a direction of the face space's conditioning basis.
    assert ev.norm(large.cond) == pytest.approx(0.9)
    assert {seed for seed, _ in large.cond} <= set(ev.COND_BASIS)


def test_a_face_is_a_reproducible_unit_point_of_the_face_space() -> None:
    face = Genome.face(42)
    assert face == Genome.face(42) and face != Genome.face(43)
    assert {seed for seed, _ in face.noise} == set(ev.NOISE_BASIS)
    assert {seed for seed, _ in face.cond} == set(ev.COND_BASIS)
    assert ev.norm(face.noise) == pytest.approx(1.0) and ev.norm(face.cond) == pytest.approx(1.0)
    assert len(set(ev.NOISE_BASIS) | set(ev.COND_BASIS)) == 2 * ev.FACE_DIMENSIONS
    # As realised: a unit Gaussian, as independent of another face as two random unit points in K dimensions.
    assert np.std(_vector(face.noise)) == pytest.approx(1.0, abs=0.02)


def test_breeding_and_mutation_never_leave_the_face_space() -> None:
    parents = [Genome.face(s) for s in (1, 2, 3)]
    genome = ev.breed(parents, [11.0, 6.0, 1.0])
    for generation in range(30):
        genome = ev.mutate(genome, 500 + generation, 0.5)
    assert {seed for seed, _ in genome.noise} <= set(ev.NOISE_BASIS)
    assert {seed for seed, _ in genome.cond} <= set(ev.COND_BASIS)
    assert ev.norm(genome.noise) == pytest.approx(1.0)


def test_selection_in_the_face_space_closes_in_on_a_target() -> None:
    """Keep the nearest of nine mutants, narrowing: in K dimensions the cosine to a target climbs toward 1,
    where a fresh seed per mutation (every latent dimension) would leave it near 0."""
    target, genome, scale = Genome.face(7).noise, Genome.face(8).noise, 0.6
    start = ev.dot(genome, target)
    for generation in range(8):
        mutants = [genome] + [ev.mutate_noise(genome, 100 * generation + i, scale) for i in range(8)]
        genome = max(mutants, key=lambda m: ev.dot(m, target))
        scale = ev.next_scale(scale, rejected=False)
    assert ev.dot(genome, target) > max(0.9, start + 0.3)


def test_scale_shrinks_each_generation_and_widens_on_rejection() -> None:
    scales = [ev.next_scale(None, False)]
    for _ in range(4):
        scales.append(ev.next_scale(scales[-1], False))
    assert all(later < earlier for earlier, later in itertools.pairwise(scales))
    widened = ev.next_scale(scales[-1], True)
    assert widened > scales[-1]
    assert ev.next_scale(1.0, True) == ev.MAX_SCALE
    shrunk = 1.0
    for _ in range(40):
        shrunk = ev.next_scale(shrunk, False)
    assert shrunk == ev.MIN_SCALE


def test_blend_end_points_and_morph() -> None:
    a = Genome(noise=[(1, 1.0)], cond=[(5, 1.0)])
    b = Genome(noise=[(2, 1.0)], cond=[(6, 1.0)])
    assert ev.blend(a, b, 0.0).noise == a.noise
    morph = ev.blend(a, b, 0.25)
    assert dict(morph.cond) == pytest.approx({5: 0.75, 6: 0.25})
    assert dict(morph.noise)[1] > dict(morph.noise)[2]


def test_genome_stays_small_over_many_generations() -> None:
    genome = Genome.of_seed(1)
    for generation in range(200):
        genome = ev.mutate(genome, 1000 + generation, 0.3)
    assert len(genome.noise) <= ev.MAX_TERMS
    assert ev.norm(genome.noise) == pytest.approx(1.0)


def test_the_next_array_keeps_the_best_pick_then_the_centre_then_mutants() -> None:
    best, other = Genome(noise=[(1, 1.0)], cond=[(7, 1.0)]), Genome(noise=[(2, 1.0)])
    centre, array = ev.bred_array([other, best], [2.0, 9.0], [10, 11, 12, 13], 0.3)
    assert [kind for _, kind, _ in array] == ["elite", "centre", "bred", "bred"]
    assert array[0][0] == best and array[1][0] == centre
    assert [seed for _, _, seed in array] == [None, None, 12, 13]
    assert ev.dot(array[2][0].noise, centre.noise) == pytest.approx(math.cos(0.3 * math.pi / 2))
