"""From what the artist chose for a round to the engine's GenerationSpec.

Checks every reference the round names (adapters in the registry, uploads of this
case, a face for a region) before anything is queued, so a bad choice is a 4xx
naming the field, never a failed job later.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image as PILImage
from sqlalchemy.orm import Session

from app.errors import InvalidError, NotFoundError
from app.images.models import Image
from app.images.service import blob_store
from app.registry.service import get_adapter
from app.sessions.models import Candidate, SketchSession
from app.sessions.references import check_cross_witness, is_photographic, sketch_of
from app.sessions.schemas import RoundParams
from common.spec import AdapterRef, GenerationSpec, Mode, Strategy, StyleBlend
from common.styles import DEFAULT_STYLE, with_style

# The seed paper's Model 1 settings (strength 0.3, guidance 7.5) at 30 steps, 512².
DEFAULTS: dict[str, Any] = {"steps": 30, "guidance": 7.5, "strength": 0.3, "width": 512, "height": 512,
                            "model": Strategy.IMG2IMG.value, "style": DEFAULT_STYLE, "fusion_weight": None,
                            "clip_adapter_id": None, "adapters": [], "adapter_schedule": "constant",
                            "style_blend": None, "sliders": None, "phase": "internal", "cache_interval": 1}
# Chosen once, these hold for the session's next rounds too; region, mask and reference are per round.
STICKY = tuple(DEFAULTS)
DEFAULT_FUSION_WEIGHT = 0.5


def sticky_params(base: dict[str, Any], chosen: RoundParams) -> dict[str, Any]:
    return {**DEFAULTS, **base, **chosen.model_dump(include=set(STICKY), exclude_none=True, mode="json")}


def _style(params: dict[str, Any]) -> tuple[str, StyleBlend | None]:
    blend = params.get("style_blend")
    if blend is None:
        return params["style"], None
    if isinstance(blend, int | float):  # a number blends from the house pencil toward the chosen style
        return DEFAULT_STYLE, StyleBlend(style=params["style"], weight=float(blend))
    return params["style"], StyleBlend.model_validate(blend)


def _adapter(db: Session, adapter_id: str, kind: str, weight: float, field: str) -> AdapterRef:
    try:
        adapter = get_adapter(db, uuid.UUID(str(adapter_id)), kind)
    except NotFoundError as exc:
        raise InvalidError(f"{field}: {exc.detail}") from None
    return AdapterRef(id=str(adapter.id), sha256=adapter.sha256, weight=weight, config=adapter.config)


def _upload(db: Session, session: SketchSession, upload_id: uuid.UUID | None, kind: str, field: str) -> str | None:
    if upload_id is None:
        return None
    image = db.get(Image, upload_id)
    if image is None or image.case_id != session.case_id or image.kind != kind:
        raise InvalidError(f"{field}: no {kind} upload {upload_id} in this case")
    return image.sha256


def _check_region(region: str, parent_sha256: str | None, parent: Candidate | None) -> None:
    """A region needs a face on the pick. The "no face" badge (the worker's face check) runs the same
    full detector (common/faces.find_face) that locates the region, so once the badge is set it
    decides. Only a pick whose check is still running is looked at here: about a second of dlib
    inside this request's transaction, which on SQLite holds the write lock."""
    if parent_sha256 is None:
        raise InvalidError("region: a region refines a picked candidate; the first round has none")
    if parent is not None and parent.face_found is False:
        raise InvalidError(f"region: no face found on this candidate (it is marked \"no face\"), so the "
                           f"{region!r} region cannot be located; paint a mask instead")
    if parent is not None and parent.face_found:
        return
    from common.faces import NoFaceError, region_mask

    with PILImage.open(io.BytesIO(blob_store().get(parent_sha256))) as image:
        try:
            region_mask(image.convert("RGB"), region)
        except NoFaceError as exc:
            raise InvalidError(f"region: {exc}") from None


def build_spec(db: Session, session: SketchSession, params: dict[str, Any], chosen: RoundParams, *, prompt: str,
               negative: str, seeds: list[int], parent: Candidate | None) -> GenerationSpec:
    strategy = Strategy(params["model"])
    reference = _upload(db, session, chosen.reference_upload_id, "reference", "reference_upload_id")
    mask = _upload(db, session, chosen.mask_upload_id, "mask", "mask_upload_id")
    sketchify, first_image = chosen.sketchify_reference, reference
    if chosen.reference_upload_id is not None:
        # Never another witness's face; never a photograph (app/sessions/references.py).
        upload = db.get(Image, chosen.reference_upload_id)
        assert upload is not None  # _upload checked it
        check_cross_witness(db, session, upload)
        sketchify = sketchify or is_photographic(upload)
        if sketchify and strategy is Strategy.IMG2IMG and parent is None:
            first_image = sketch_of(db, upload)
    # Without a pick, an uploaded reference can be the starting image (Model 1 from a hand sketch).
    start = parent.image.sha256 if parent else (first_image if strategy is Strategy.IMG2IMG else None)
    if chosen.region and mask:
        raise InvalidError("region: choose a facial region or a painted mask, not both")
    if chosen.region:
        _check_region(chosen.region, start, parent)
    if mask and start is None:
        raise InvalidError("mask_upload_id: a mask refines a picked candidate; the first round has none")
    fusion = params["fusion_weight"]
    if strategy in (Strategy.IMG2IMG, Strategy.EVOLVE):
        fusion = 0.0
    elif fusion is None:
        fusion = DEFAULT_FUSION_WEIGHT
    clip_adapter = None
    if strategy is Strategy.CLIP_LORA:
        if not params["clip_adapter_id"]:
            raise InvalidError("clip_adapter_id: model clip-lora needs a clip-lora adapter from the registry")
        clip_adapter = _adapter(db, params["clip_adapter_id"], "clip-lora", 1.0, "clip_adapter_id")
    adapters = [_adapter(db, a["id"], "unet-lora", a["weight"], "adapters") for a in params["adapters"]]
    style, blend = _style(params)
    return GenerationSpec(
        mode=Mode.IMG2IMG if start else Mode.TXT2IMG, strategy=strategy, prompt=with_style(prompt, style),
        negative_prompt=negative,
        seeds=seeds, steps=params["steps"], guidance=params["guidance"], strength=params["strength"],
        width=params["width"], height=params["height"], parent_sha256=start, fusion_weight=fusion,
        reference_sha256=reference, sketchify_reference=sketchify, clip_adapter=clip_adapter,
        adapters=adapters, adapter_schedule=params["adapter_schedule"], style=style, style_blend=blend,
        region=chosen.region, mask_sha256=mask, sliders=params["sliders"] or None,
        cache_interval=params.get("cache_interval", 1),
    )
