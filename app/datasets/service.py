"""Datasets of (description, sketch[, photo]) pairs: import all or nothing, split, list.

Import runs in two passes. The first opens every row's images and collects every
problem with its line number; any problem rejects the whole dataset before a single
byte is stored. The second re-encodes each image to PNG (dropping EXIF, GPS and all
other metadata, as uploads do), puts it in the content-addressed blob store and
writes the dataset row, with a fixed-seed train/validation split, in one transaction.
"""

from __future__ import annotations

import io
import json
import random
import uuid
from collections.abc import Callable
from typing import Any

from PIL import ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.service import record
from app.datasets.models import Dataset
from app.datasets.sources import Source
from app.datasets.validation import Row, RowError, check_rows, decode_image, parse_index
from app.db import flush_unique
from app.errors import ConflictError, InvalidError, NotFoundError
from app.images.service import blob_store
from app.users.actor import Actor
from common.recipe import sha256_hex

DEFAULT_SPLIT_SEED = 2507  # fixed, so every import of the same rows splits the same way
VALIDATION_FRACTION = 0.2  # the seed paper's 80/20
MANIFEST_FORMAT = "likeness-dataset/1"
ERRORS_IN_DETAIL = 50
SPLITS = ("train", "validation")


class DatasetRejectedError(InvalidError):
    """At least one row is unusable: nothing was stored. `errors` lists every problem."""

    def __init__(self, errors: list[RowError]) -> None:
        shown = "; ".join(str(e) for e in errors[:ERRORS_IN_DETAIL])
        more = f"; and {len(errors) - ERRORS_IN_DETAIL} more" if len(errors) > ERRORS_IN_DETAIL else ""
        super().__init__(f"dataset rejected, nothing was imported ({len(errors)} problem(s)): {shown}{more}")
        self.errors = errors


def split_of(count: int, seed: int, fraction: float) -> list[str]:
    """Each pair's split: a seeded shuffle, the first round(fraction × count) to validation
    (at least one, and at least one left to train on)."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    held_out = min(count - 1, max(1, round(count * fraction)))
    validation = set(order[:held_out])
    return ["validation" if i in validation else "train" for i in range(count)]


def _check_name(db: Session, name: str) -> str:
    name = name.strip()
    if not name or len(name) > 120 or not name.isprintable():
        raise InvalidError("name: 1 to 120 printable characters")
    if db.scalar(select(Dataset.id).where(Dataset.name == name)) is not None:
        raise ConflictError(f"name: a dataset named {name!r} already exists")
    return name


def _check_split(seed: int, fraction: float) -> None:
    if not 0.0 < fraction < 1.0:
        raise InvalidError("validation_fraction: must be between 0 and 1")
    if not 0 <= seed < 2**31:
        raise InvalidError("split_seed: must be between 0 and 2³¹ - 1")


def _store_image(source: Source, path: str, stored: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Re-encodes one image to PNG and stores it; a path named by several rows is stored once."""
    if path not in stored:
        original = source.read(path)
        image = ImageOps.exif_transpose(decode_image(original)).convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        stored[path] = {"sha256": blob_store().put(buffer.getvalue()), "source": path,
                        "original_sha256": sha256_hex(original), "width": image.width, "height": image.height}
    return stored[path]


def _items(source: Source, rows: list[Row], splits: list[str],
           on_row: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    stored: dict[str, dict[str, Any]] = {}
    items = []
    for index, (row, split) in enumerate(zip(rows, splits, strict=True)):
        photo = _store_image(source, row.photo, stored) if row.photo else None
        items.append({"index": index, "line": row.line, "split": split, "description": row.description,
                      "sketch": _store_image(source, row.sketch, stored), "photo": photo,
                      "attributes": row.attributes})
        if on_row is not None:
            on_row(index + 1, len(rows))
    return items


def _manifest(items: list[dict[str, Any]], seed: int, fraction: float) -> bytes:
    body = {"format": MANIFEST_FORMAT, "split_seed": seed, "validation_fraction": fraction, "items": items}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def validate_source(source: Source) -> tuple[list[Row], list[RowError]]:
    """Every row and every problem, without storing anything (the CLI's --check)."""
    errors: list[RowError] = []
    rows = parse_index(source, errors)
    check_rows(source, rows, errors)
    if not errors and len(rows) < 2:
        errors.append(RowError(0, source.index_path, "need at least 2 pairs: one to train on, one to validate"))
    return rows, sorted(errors, key=lambda e: e.line)


def import_dataset(db: Session, actor: Actor | None, *, name: str, source: Source, source_bytes: bytes | None = None,
                   split_seed: int = DEFAULT_SPLIT_SEED, validation_fraction: float = VALIDATION_FRACTION,
                   on_row: Callable[[int, int], None] | None = None) -> Dataset:
    """Validates every row, then stores the images and the dataset; raises DatasetRejectedError
    (listing every problem) with nothing stored when any row is unusable. `on_row(done, total)`
    follows the storing (the CLI's progress bar)."""
    name = _check_name(db, name)
    _check_split(split_seed, validation_fraction)
    rows, errors = validate_source(source)
    if errors:
        raise DatasetRejectedError(errors)
    splits = split_of(len(rows), split_seed, validation_fraction)
    items = _items(source, rows, splits, on_row)
    manifest_sha256 = blob_store().put(_manifest(items, split_seed, validation_fraction))
    source_sha256 = blob_store().put(source_bytes) if source_bytes is not None else None
    dataset = Dataset(name=name, manifest_sha256=manifest_sha256, source_sha256=source_sha256,
                      source_name=source.name[:300], pairs=len(items), train_count=splits.count("train"),
                      validation_count=splits.count("validation"), split_seed=split_seed,
                      validation_fraction=validation_fraction, items=items,
                      created_by=actor.id if actor else None)
    db.add(dataset)
    flush_unique(db, f"name: a dataset named {name!r} already exists")
    record(db, actor, "dataset.import", entity_type="dataset", entity_id=dataset.id,
           details={"name": name, "pairs": len(items), "train": dataset.train_count,
                    "validation": dataset.validation_count, "split_seed": split_seed,
                    "manifest_sha256": manifest_sha256, "source_sha256": source_sha256})
    db.commit()
    return dataset


def list_datasets(db: Session) -> list[Dataset]:
    return list(db.scalars(select(Dataset).order_by(Dataset.created_at)))


def get_dataset(db: Session, ref: str | uuid.UUID) -> Dataset:
    """By id or by name."""
    try:
        dataset = db.get(Dataset, uuid.UUID(str(ref)))
    except ValueError:
        # Postgres text cannot hold NUL: such a name cannot exist, and must not reach the driver.
        dataset = None if "\x00" in str(ref) else db.scalar(select(Dataset).where(Dataset.name == str(ref)))
    if dataset is None:
        raise NotFoundError(f"dataset {ref} not found")
    return dataset


def items_of(dataset: Dataset, split: str | None = None) -> list[dict[str, Any]]:
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    return [item for item in dataset.items if split is None or item["split"] == split]
