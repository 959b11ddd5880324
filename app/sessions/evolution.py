"""Model evolve: from what the witness chose in an array to the genomes of the next array.

The maths is in common/evolution.py; here the choice is checked against the session (every pick a
candidate of this session, else a 422 naming it), the parents' genomes are read from their recipes,
and the plan (EvolveSpec) is laid into the round's GenerationSpec. Nothing here touches torch.

- first array (a session created with model evolve, or an evolve round with nothing to breed from):
  each face a random point of the face space (its seed's unit combination of the fixed noise basis and
  conditioning offset basis, common/evolution.py) around the description;
- picks with ratings: the rating-weighted spherical mean of the picks' noise and mean of their
  conditioning offsets is the centre; the array is the best-rated pick as it was (the elite), the
  centre, and mutants of the centre at a mutation scale that shrinks each generation;
- reject_all: mutants of the previous centre at a wider scale;
- blend {a, b, weight}: the one morph; scale_array with one pick: 7 variants along the scale.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.errors import InvalidError
from app.sessions.models import Candidate, Round, SketchSession
from app.sessions.schemas import RoundCreate, RoundParams, SessionCreate
from common import evolution as ev
from common.evolution import Child, EvolveSpec, Genome, ParentRef
from common.spec import MAX_CANDIDATES, GenerationSpec, Mode, Strategy


@dataclass
class EvolvePlan:
    evolve: EvolveSpec
    anchor: Candidate | None = None  # the top pick: its image anchors held features and is the round's parent
    choice: dict[str, Any] | None = None  # what the witness chose, for the round record

    def apply(self, spec: GenerationSpec) -> GenerationSpec:
        values = spec.model_dump(mode="json")
        count = len(self.evolve.children)  # a blend is one face, a scale array seven: one seed (label) each
        values.update(seeds=[spec.seeds[i % len(spec.seeds)] for i in range(count)], mode=Mode.TXT2IMG.value,
                      parent_sha256=self.anchor.image.sha256 if self.anchor else None,
                      evolve=self.evolve.model_dump(mode="json"))
        return GenerationSpec.model_validate(values)


def is_evolve(session: SketchSession, data: RoundParams) -> bool:
    model = data.model or session.params.get("model") or Strategy.IMG2IMG.value
    return Strategy(model) is Strategy.EVOLVE


def check_single_pick(data: RoundCreate) -> uuid.UUID:
    """Models 1-3 refine one candidate: the evolve-only fields are a 422 here."""
    for field in ("picks", "blend", "scale_array"):
        if getattr(data, field) is not None:
            raise InvalidError(f"{field}: only with model evolve; send \"model\": \"evolve\" or one candidate_id")
    if data.reject_all:
        raise InvalidError("reject_all: only with model evolve")
    if data.candidate_id is None:
        raise InvalidError("candidate_id: name the candidate the witness picked")
    if data.candidates is not None and data.candidates > MAX_CANDIDATES:
        raise InvalidError(f"candidates: up to {MAX_CANDIDATES} a round; only model evolve draws up to "
                           f"{ev.MAX_ARRAY}")
    return data.candidate_id


def array_size(data: SessionCreate | RoundCreate, session: SketchSession | None = None) -> int:
    """The body's count, else the array size the session started with, else DEFAULT_ARRAY (9)."""
    if isinstance(data, SessionCreate):
        return data.candidates if "candidates" in data.model_fields_set else ev.DEFAULT_ARRAY
    return data.candidates or (session.params.get("array") if session else None) or ev.DEFAULT_ARRAY


def _initial_children(seeds: list[int]) -> list[Child]:
    return [Child(genome=Genome.face(s), kind="initial") for s in seeds]  # a random point of the face space each


def initial_plan(seeds: list[int], phase: str) -> EvolvePlan:
    """The first array: varied latents and conditioning around the description."""
    evolve = EvolveSpec(generation=0, scale=ev.INITIAL_SCALE, phase=phase,
                        children=_initial_children(seeds))
    return EvolvePlan(evolve, choice={"picks": [], "reject_all": False, "blend": None, "scale_array": None})


def genome_of(candidate: Candidate) -> Genome:
    """A candidate's genome from its recipe; a plain candidate is its seed's noise."""
    entry = (candidate.image.recipe or {}).get("evolve")
    return Genome.model_validate(entry["genome"]) if entry else Genome.of_seed(candidate.seed)


def _previous(session: SketchSession) -> tuple[EvolveSpec | None, str | None]:
    """The last evolved array of the session and its anchor image."""
    for round_ in sorted(session.rounds, key=lambda r: r.index, reverse=True):
        spec = round_.job.spec if round_.job else {}
        if spec.get("evolve"):
            return EvolveSpec.model_validate(spec["evolve"]), spec.get("parent_sha256")
    return None, None


def _candidate(db: Session, session: SketchSession, candidate_id: uuid.UUID, field: str) -> Candidate:
    candidate = db.get(Candidate, candidate_id)
    round_ = db.get(Round, candidate.round_id) if candidate else None
    if candidate is None or round_ is None or round_.session_id != session.id:
        raise InvalidError(f"{field}: candidate {candidate_id} is not one of this session's faces; "
                           "pick from this session's arrays")
    return candidate


def _check_choice(data: RoundCreate) -> None:
    given = [name for name, on in (("picks", bool(data.picks)), ("reject_all", data.reject_all),
                                   ("blend", data.blend is not None)) if on]
    if len(given) > 1:
        raise InvalidError(f"{' and '.join(given)}: choose one of picks, reject_all or blend")
    if not given:
        raise InvalidError("picks: pick at least one face (with a rating), or send reject_all: true")
    if data.scale_array and (len(data.picks or []) != 1):
        raise InvalidError("scale_array: pick exactly one face to vary along the scale")
    if data.region or data.mask_upload_id or data.reference_upload_id:
        raise InvalidError("region: an evolved array holds features by its phase; no region, mask or reference")
    ids = [p.candidate_id for p in data.picks or []]
    if len(set(ids)) != len(ids):
        raise InvalidError("picks: each face once")


def _picks(data: RoundCreate) -> RoundCreate:
    """The witness's link sends one candidate_id: in an evolve session it is a pick like any other."""
    if data.picks is None and data.candidate_id is not None and not data.reject_all and data.blend is None:
        return data.model_copy(update={"picks": [{"candidate_id": data.candidate_id, "rating": data.rating}]})
    return data


def plan_round(db: Session, session: SketchSession, data: RoundCreate, seeds: list[int], phase: str) -> EvolvePlan:
    """The next array from the witness's choice; 422 before anything is stored when the choice is wrong."""
    data = _picks(data)
    _check_choice(data)
    previous, previous_anchor = _previous(session)
    generation = previous.generation + 1 if previous else 1
    choice: dict[str, Any] = {"picks": [], "reject_all": data.reject_all, "blend": None,
                              "scale_array": data.scale_array}
    if data.blend is not None:
        return _blend_plan(db, session, data, generation, previous, choice)
    if data.reject_all:
        return _reject_plan(db, session, seeds, phase, generation, previous, previous_anchor, choice)
    picks = [(_candidate(db, session, p.candidate_id, "picks"), p.rating) for p in data.picks or []]
    choice["picks"] = [{"candidate_id": str(c.id), "rating": r, "weight": ev.rating_weight(r)} for c, r in picks]
    anchor = max(picks, key=lambda cr: ev.rating_weight(cr[1]))[0]
    refs = [ParentRef(image_sha256=c.image.sha256, weight=ev.rating_weight(r)) for c, r in picks]
    if data.scale_array:
        genome = genome_of(picks[0][0])
        children = [Child(genome=genome, kind="scale", parents=refs, sliders={data.scale_array: v})
                    for v in ev.SCALE_ARRAY]
        scale = previous.scale if previous else ev.INITIAL_SCALE
        return EvolvePlan(EvolveSpec(generation=generation, scale=scale, phase=phase,
                                     base=genome, children=children), anchor, choice)
    scale = ev.next_scale(previous.scale if previous else None, rejected=False)
    base, array = ev.bred_array([genome_of(c) for c, _ in picks], [ref.weight for ref in refs], seeds, scale)
    children = [Child(genome=genome, kind=kind, parents=refs, mutation_seed=seed,
                      mutation_scale=scale if seed is not None else 0.0) for genome, kind, seed in array]
    evolve = EvolveSpec(generation=generation, scale=scale, phase=phase, hold=_hold(phase),
                        base=base, children=children)
    return EvolvePlan(evolve, anchor, choice)


def _hold(phase: str) -> str:
    """EvoFIT's order: in the internal phase the external features are held, and the reverse."""
    return "external" if phase == "internal" else "internal"


def _blend_plan(db: Session, session: SketchSession, data: RoundCreate, generation: int,
                previous: EvolveSpec | None, choice: dict[str, Any]) -> EvolvePlan:
    assert data.blend is not None
    if data.blend.a == data.blend.b:
        raise InvalidError("blend: a and b must be two different faces")
    a, b = (_candidate(db, session, cid, "blend") for cid in (data.blend.a, data.blend.b))
    weight = data.blend.weight
    refs = [ParentRef(image_sha256=a.image.sha256, weight=1 - weight),
            ParentRef(image_sha256=b.image.sha256, weight=weight)]
    child = Child(genome=ev.blend(genome_of(a), genome_of(b), weight), kind="blend", parents=refs)
    choice["blend"] = {"a": str(a.id), "b": str(b.id), "weight": weight}
    scale = previous.scale if previous else ev.INITIAL_SCALE
    return EvolvePlan(EvolveSpec(generation=generation, scale=scale, children=[child]), a if weight <= 0.5 else b,
                      choice)


def _reject_plan(db: Session, session: SketchSession, seeds: list[int], phase: str, generation: int,
                 previous: EvolveSpec | None, anchor_sha: str | None, choice: dict[str, Any]) -> EvolvePlan:
    """None of these: mutants of the last centre at a wider scale (fresh faces if there is no centre)."""
    scale = ev.next_scale(previous.scale if previous else None, rejected=True)
    base = previous.base if previous else None
    if base is None:
        evolve = EvolveSpec(generation=generation, scale=scale, phase=phase,
                            children=_initial_children(seeds))
        return EvolvePlan(evolve, None, choice)
    children = [Child(genome=ev.mutate(base, s, scale), kind="bred", mutation_seed=s, mutation_scale=scale)
                for s in seeds]
    anchor = _candidate_by_sha(session, anchor_sha)
    evolve = EvolveSpec(generation=generation, scale=scale, phase=phase,
                        hold=_hold(phase) if anchor else None, base=base, children=children)
    return EvolvePlan(evolve, anchor, choice)


def _candidate_by_sha(session: SketchSession, sha256: str | None) -> Candidate | None:
    if sha256 is None:
        return None
    return next((c for r in session.rounds for c in r.candidates if c.image.sha256 == sha256), None)


def lineage(candidate: Candidate, by_sha: dict[str, uuid.UUID]) -> dict[str, Any]:
    """A candidate's generation and parents (as this session's candidate ids), for the artist's screen."""
    entry = (candidate.image.recipe or {}).get("evolve")
    if not entry:
        return {"generation": None, "parents": []}
    parents = [{"candidate_id": by_sha.get(p["image_sha256"]), "image_sha256": p["image_sha256"],
                "weight": p["weight"]} for p in entry["parents"]]
    return {"generation": entry["generation"], "parents": parents}
