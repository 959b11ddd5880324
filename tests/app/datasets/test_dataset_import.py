"""Dataset import: every bad row named with its line, nothing stored unless all rows are good;
a fixed-seed 80/20 split; admin-only routes that take a ZIP."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image

from app.datasets import service, validation
from app.datasets.models import Dataset
from app.datasets.sources import FolderSource, SourceError, ZipSource, open_source
from app.db import session_factory
from app.users.actor import system_actor
from tests.conftest import Stack, bearer
from tests.training_data import good_dataset, png, shape_pairs, write_dataset, zip_folder


def blob_count(stack: Stack) -> int:
    blobs = stack.data_dir / "blobs"
    return sum(1 for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else 0


def dataset_rows() -> int:
    with session_factory()() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(Dataset)) or 0


def do_import(folder: Path, name: str = "shapes", **kwargs: Any) -> Dataset:
    with session_factory()() as db:
        return service.import_dataset(db, system_actor("test"), name=name, source=FolderSource(folder), **kwargs)


def test_a_good_folder_is_imported_with_a_fixed_80_20_split(sqlite_stack: Stack, tmp_path: Path) -> None:
    folder = good_dataset(tmp_path / "good", count=10, photos=True)
    dataset = do_import(folder)
    assert (dataset.pairs, dataset.train_count, dataset.validation_count) == (10, 8, 2)
    assert [i["split"] for i in dataset.items] == service.split_of(10, service.DEFAULT_SPLIT_SEED, 0.2)
    first = dataset.items[0]
    assert first["line"] == 1 and first["description"] == "a red round shape"
    assert first["attributes"] == {"shape_index": 0} and first["photo"]["sha256"] != first["sketch"]["sha256"]
    from app.images.service import blob_store

    stored = Image.open(io.BytesIO(blob_store().get(first["sketch"]["sha256"])))
    assert stored.format == "PNG" and stored.size == (64, 64)
    manifest = json.loads(blob_store().get(dataset.manifest_sha256))
    assert manifest["items"] == dataset.items and manifest["split_seed"] == service.DEFAULT_SPLIT_SEED


def test_the_split_depends_only_on_the_seed() -> None:
    assert service.split_of(295, 7, 0.2) == service.split_of(295, 7, 0.2)
    assert service.split_of(295, 7, 0.2) != service.split_of(295, 8, 0.2)
    assert service.split_of(295, 7, 0.2).count("validation") == 59
    assert service.split_of(2, 7, 0.2).count("validation") == 1, "at least one to validate and one to train"


def test_a_csv_index_works_the_same(sqlite_stack: Stack, tmp_path: Path) -> None:
    dataset = do_import(good_dataset(tmp_path / "csv", count=5, fmt="csv"))
    assert dataset.pairs == 5 and dataset.items[2]["line"] == 4  # the header is line 1
    assert dataset.items[0]["attributes"] == {"shape_index": "0"}


def _bad_rows(tmp_path: Path) -> Path:
    """One good row, then one row for each kind of problem."""
    image = png(shape_pairs(1, seed=3)[0][1])
    files = {"ok.png": image, "broken.png": b"\x89PNG\r\n\x1a\n not really a png", "empty.png": b"",
             "big.png": png(Image.new("RGB", (300, 300), "white"))}
    rows = [
        {"description": "a red round shape", "sketch": "ok.png"},                 # 1 fine
        {"description": "a blue square shape", "sketch": "missing.png"},          # 2 missing file
        {"description": "a green long shape", "sketch": "broken.png"},            # 3 unreadable
        {"description": "   ", "sketch": "ok.png"},                               # 4 empty description
        {"description": "a black round shape", "sketch": "big.png"},              # 5 too many pixels (patched)
        {"description": "a red square shape", "sketch": "../outside.png"},        # 6 escapes the folder
        {"description": "a red long shape", "sketch": "ok.png", "photo": "empty.png"},  # 7 empty photo file
        {"sketch": "ok.png"},                                                      # 8 no description
    ]
    folder = write_dataset(tmp_path / "bad", rows, files)
    with (folder / "pairs.jsonl").open("a") as index:
        index.write("{not json\n")                                                 # 9 not JSON
    (tmp_path / "outside.png").write_bytes(image)
    return folder


def test_every_bad_row_is_named_with_its_line_and_nothing_is_stored(sqlite_stack: Stack, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_PIXELS", 200 * 200)
    folder = _bad_rows(tmp_path)
    with pytest.raises(service.DatasetRejectedError) as caught:
        do_import(folder)
    found = {(e.line, e.field) for e in caught.value.errors}
    assert found == {(2, "sketch"), (3, "sketch"), (4, "description"), (5, "sketch"), (6, "sketch"),
                     (7, "photo"), (8, "description"), (9, "row")}
    messages = {e.line: e.message for e in caught.value.errors}
    assert "not found" in messages[2] and "unreadable" in messages[3] and "over the limit" in messages[5]
    assert "inside the dataset" in messages[6] and "empty" in messages[7] and "JSON" in messages[9]
    assert "line 2: sketch" in caught.value.detail and "nothing was imported" in caught.value.detail
    assert blob_count(sqlite_stack) == 0 and dataset_rows() == 0


def test_an_oversized_file_is_refused_by_its_size_before_it_is_read(sqlite_stack: Stack, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(service.DatasetRejectedError) as caught:
        do_import(good_dataset(tmp_path / "d", count=3))
    assert [(e.line, e.field) for e in caught.value.errors] == [(1, "sketch"), (2, "sketch"), (3, "sketch")]
    assert "bytes is over the limit" in caught.value.errors[0].message
    assert blob_count(sqlite_stack) == 0


def test_a_csv_without_the_needed_columns_is_refused(sqlite_stack: Stack, tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "c", [{"text": "a red round shape", "image": "x.png"}], {}, fmt="csv")
    with pytest.raises(service.DatasetRejectedError) as caught:
        do_import(folder)
    assert str(caught.value.errors[0]) == "line 1: header: missing column(s): description, sketch"


def test_a_duplicate_name_is_refused_before_any_work(sqlite_stack: Stack, tmp_path: Path) -> None:
    do_import(good_dataset(tmp_path / "a", count=3))
    before = blob_count(sqlite_stack)
    with pytest.raises(service.ConflictError):
        do_import(good_dataset(tmp_path / "b", count=4, size=32))
    assert blob_count(sqlite_stack) == before


def test_index_discovery_in_folders_and_zips(tmp_path: Path) -> None:
    folder = good_dataset(tmp_path / "z", count=3)
    assert ZipSource(zip_folder(folder, inside="shapes/"), "a.zip").index_path == "pairs.jsonl"
    (folder / "other.csv").write_text("description,sketch\n")
    with pytest.raises(SourceError, match="several index files"):
        FolderSource(folder)
    assert FolderSource(folder, index="other.csv").index_path == "other.csv"
    with pytest.raises(SourceError, match="not a ZIP"):
        ZipSource(b"PK nothing", "bad.zip")
    (tmp_path / "shapes.zip").write_bytes(zip_folder(good_dataset(tmp_path / "y", count=3)))
    source, data = open_source(tmp_path / "shapes.zip")
    assert isinstance(source, ZipSource) and data is not None and source.size("sketches/000.png")
    assert source.size("../sketches/000.png") is None and source.size("/etc/passwd") is None


# --- API -------------------------------------------------------------------------------------


def test_datasets_routes_are_for_admins_and_take_a_zip(client: TestClient, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    admin, artist = bearer(client, "boss"), bearer(client, "artist")
    assert client.get("/api/datasets", headers=artist).status_code == 403
    data = zip_folder(good_dataset(tmp_path / "api", count=6))
    refused = client.post("/api/datasets", headers=artist, data={"name": "x"},
                          files={"file": ("pairs.zip", data, "application/zip")})
    assert refused.status_code == 403
    created = client.post("/api/datasets", headers=admin, data={"name": "shapes-api"},
                          files={"file": ("pairs.zip", data, "application/zip")})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["pairs"], body["train_count"], body["validation_count"]) == (6, 5, 1) and body["source_sha256"]
    listed = client.get("/api/datasets", headers=admin).json()
    assert [d["name"] for d in listed] == ["shapes-api"]
    detail = client.get(f"/api/datasets/{body['id']}", headers=admin).json()
    assert len(detail["items"]) == 6


def test_a_bad_zip_is_a_422_listing_the_lines(client: TestClient, tmp_path: Path) -> None:
    admin = bearer(client, "boss")
    folder = write_dataset(tmp_path / "bad", [{"description": "a red round shape", "sketch": "nope.png"},
                                              {"description": "", "sketch": "nope.png"}], {})
    answer = client.post("/api/datasets", headers=admin, data={"name": "bad"},
                         files={"file": ("bad.zip", zip_folder(folder), "application/zip")})
    assert answer.status_code == 422
    assert "line 1: sketch: 'nope.png': file not found" in answer.json()["detail"]
    assert "line 2: description: empty" in answer.json()["detail"]
    not_zip = client.post("/api/datasets", headers=admin, data={"name": "bad"},
                          files={"file": ("bad.zip", b"hello", "application/zip")})
    assert not_zip.status_code == 422 and "not a ZIP" in not_zip.json()["detail"]
    assert client.get("/api/datasets", headers=admin).json() == []
