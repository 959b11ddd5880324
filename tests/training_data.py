"""Synthetic (description, sketch) pairs a tiny model can learn: coloured shapes drawn with
PIL and the sentence that names them; and dataset folders and ZIPs made from them."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import torch
from PIL import Image, ImageDraw

COLOURS = {"red": (220, 30, 30), "green": (30, 180, 30), "blue": (30, 60, 220), "black": (10, 10, 10)}
SHAPES = ("round", "square", "long")


def shape_image(shape: str, colour: str, rng: random.Random, size: int = 32) -> Image.Image:
    """One shape at a random place and size on white paper."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    side = rng.randint(size * 5 // 16, size // 2)
    x, y = rng.randint(0, size - side - 2), rng.randint(0, size - side - 2)
    fill = COLOURS[colour]
    if shape == "round":
        draw.ellipse((x, y, x + side, y + side), fill=fill)
    elif shape == "square":
        draw.rectangle((x, y, x + side, y + side), fill=fill)
    else:
        draw.rectangle((x, y + side // 3, min(size - 1, x + side + size // 8), y + 2 * side // 3), fill=fill)
    return image


def shape_pairs(count: int, seed: int, size: int = 32) -> list[tuple[str, Image.Image]]:
    """Cycles through every shape and colour: 12 descriptions, each drawn many ways."""
    rng = random.Random(seed)
    pairs = []
    for i in range(count):
        shape, colour = SHAPES[i % len(SHAPES)], list(COLOURS)[(i // len(SHAPES)) % len(COLOURS)]
        pairs.append((f"a {colour} {shape} shape", shape_image(shape, colour, rng, size)))
    return pairs


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def write_dataset(folder: Path, rows: list[dict[str, Any]], files: dict[str, bytes], fmt: str = "jsonl") -> Path:
    """An index (pairs.jsonl or pairs.csv) and the files, as a folder to import."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    if fmt == "jsonl":
        (folder / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    else:
        columns = list(dict.fromkeys(k for r in rows for k in r))
        with (folder / "pairs.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def good_dataset(folder: Path, count: int = 10, size: int = 64, fmt: str = "jsonl",
                 photos: bool = False) -> Path:
    rows, files = [], {}
    for i, (text, image) in enumerate(shape_pairs(count, seed=1, size=size)):
        files[f"sketches/{i:03d}.png"] = png(image)
        row = {"description": text, "sketch": f"sketches/{i:03d}.png", "shape_index": i % 3}
        if photos:
            files[f"photos/{i:03d}.png"] = png(image.convert("L").convert("RGB"))
            row["photo"] = f"photos/{i:03d}.png"
        rows.append(row)
    return write_dataset(folder, rows, files, fmt)


def zip_folder(folder: Path, inside: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, inside + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def tiny_feature_net() -> Any:
    """A small random conv net standing in for LPIPS's AlexNet: two feature maps."""
    torch.manual_seed(0)
    layers = torch.nn.ModuleList([torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)])

    def features(x: torch.Tensor) -> list[torch.Tensor]:
        first = torch.relu(layers[0](x))
        return [first, torch.relu(layers[1](first))]

    return features  # type: ignore[return-value]
