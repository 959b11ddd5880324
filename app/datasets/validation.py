"""Every row of a dataset index checked before anything is stored.

Rows come from a JSONL file (one JSON object a line) or a CSV file with a header.
Both name `description`, `sketch` (a path) and optionally `photo` (a path); other
CSV columns, and a JSONL row's `attributes` object plus any other keys, become the
pair's attributes. Each problem is reported with the line it is on, so the whole
list can be fixed in one pass.

Pillow only: the API process stays torch-free.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from app.datasets.sources import MAX_INDEX_BYTES, Source, safe_relative

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 36_000_000  # 6000 × 6000, as for uploads
MAX_SIDE = 8192
MAX_DESCRIPTION_CHARS = 10_000
MAX_ROWS = 100_000
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "TIFF")
RESERVED = ("description", "sketch", "photo")


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line of the index file; 0 for the file as a whole
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "index"
        return f"{where}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class Row:
    line: int
    description: str
    sketch: str
    photo: str | None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedImage:
    path: str
    format: str
    width: int
    height: int


def _jsonl_rows(text: str, errors: list[RowError]) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(RowError(number, "row", f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(value, dict):
            errors.append(RowError(number, "row", "must be a JSON object"))
            continue
        rows.append((number, value))
    return rows


def _csv_rows(text: str, errors: list[RowError]) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        return []
    missing = [c for c in ("description", "sketch") if c not in reader.fieldnames]
    if missing:
        errors.append(RowError(1, "header", f"missing column(s): {', '.join(missing)}"))
        return []
    rows = []
    start = 2  # the line the next record starts on (a quoted field may span lines)
    for record in reader:
        if None in record:
            errors.append(RowError(start, "row", "more fields than the header has columns"))
        # Empty CSV cells are absent values, not empty attributes.
        rows.append((start, {k: v for k, v in record.items() if k is not None and v not in (None, "")}))
        start = reader.line_num + 1
    return rows


def _attributes(line: int, raw: dict[str, Any], errors: list[RowError]) -> dict[str, Any]:
    attributes = raw.get("attributes", {})
    if not isinstance(attributes, dict):
        errors.append(RowError(line, "attributes", "must be an object"))
        attributes = {}
    extra = {k: v for k, v in raw.items() if k not in (*RESERVED, "attributes")}
    return {**extra, **attributes}


def _text(line: int, raw: dict[str, Any], name: str, errors: list[RowError], required: bool) -> str | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(RowError(line, name, "empty" if name in raw else "missing"))
        return None
    if not isinstance(value, str):
        errors.append(RowError(line, name, "must be text"))
        return None
    return value.strip()


def parse_index(source: Source, errors: list[RowError]) -> list[Row]:
    """The index's rows; problems with the index or a row's fields go to `errors`."""
    size = source.size(source.index_path) or 0
    if size > MAX_INDEX_BYTES:
        errors.append(RowError(0, source.index_path, f"{size:,} bytes is over the limit of {MAX_INDEX_BYTES:,}"))
        return []
    try:
        text = source.read(source.index_path).decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(RowError(0, source.index_path, "not UTF-8 text"))
        return []
    reader = _csv_rows if source.index_path.lower().endswith(".csv") else _jsonl_rows
    rows = []
    for line, raw in reader(text, errors):
        description = _text(line, raw, "description", errors, required=True)
        if description and len(description) > MAX_DESCRIPTION_CHARS:
            errors.append(RowError(line, "description", f"over {MAX_DESCRIPTION_CHARS:,} characters"))
        sketch = _text(line, raw, "sketch", errors, required=True)
        photo = _text(line, raw, "photo", errors, required=False)
        attributes = _attributes(line, raw, errors)
        if description and sketch:
            rows.append(Row(line, description, sketch, photo, attributes))
    if not rows and not errors:
        errors.append(RowError(0, source.index_path, "no rows"))
    if len(rows) > MAX_ROWS:
        errors.append(RowError(0, source.index_path, f"{len(rows):,} rows is over the limit of {MAX_ROWS:,}"))
    return rows


def decode_image(data: bytes) -> Image.Image:
    """The decoded image; ValueError saying why not (format, size, corrupt data)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in IMAGE_FORMATS:
                raise ValueError(f"{probe.format} is not one of {', '.join(IMAGE_FORMATS)}")
            width, height = probe.size
            # Checked from the header, before the pixels are decoded.
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ValueError(f"{width}×{height} pixels is over the limit of {MAX_PIXELS:,} "
                                 f"({MAX_SIDE} per side)")
            probe.load()
            return probe
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError("too many pixels (decompression bomb refused)") from None
    except ValueError:
        raise
    except Exception as exc:
        raise ValueError(f"unreadable image ({type(exc).__name__})") from None


def check_image(source: Source, line: int, name: str, path: str, errors: list[RowError]) -> CheckedImage | None:
    if safe_relative(path) is None:
        errors.append(RowError(line, name, f"{path!r}: must be a relative path inside the dataset"))
        return None
    size = source.size(path)
    if size is None:
        errors.append(RowError(line, name, f"{path!r}: file not found"))
        return None
    if size > MAX_IMAGE_BYTES:
        errors.append(RowError(line, name, f"{path!r}: {size:,} bytes is over the limit of {MAX_IMAGE_BYTES:,}"))
        return None
    if size == 0:
        errors.append(RowError(line, name, f"{path!r}: empty file"))
        return None
    try:
        image = decode_image(source.read(path))
    except ValueError as exc:
        errors.append(RowError(line, name, f"{path!r}: {exc}"))
        return None
    return CheckedImage(path, str(image.format), image.width, image.height)


def check_rows(source: Source, rows: list[Row], errors: list[RowError]) -> None:
    """Opens every image a row names; what cannot be used goes to `errors`."""
    for row in rows:
        check_image(source, row.line, "sketch", row.sketch, errors)
        if row.photo:
            check_image(source, row.line, "photo", row.photo, errors)
