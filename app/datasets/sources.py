"""Where a dataset's files come from: a folder or a ZIP, read through one interface.

Paths in the index are relative to the index file's folder, written with forward
slashes; a path that is absolute or climbs out with `..` is refused (a ZIP from
elsewhere must not make us read /etc/passwd or a sibling dataset).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath
from typing import Protocol

INDEX_SUFFIXES = (".jsonl", ".csv")
MAX_ZIP_ENTRIES = 200_000
MAX_ZIP_TOTAL_BYTES = 20 * 1024**3  # uncompressed: refuse a ZIP bomb before reading any of it
MAX_INDEX_BYTES = 64 * 1024 * 1024


class SourceError(ValueError):
    """The folder or ZIP as a whole is unusable (no index, several indexes, not a ZIP)."""


class Source(Protocol):
    name: str
    index_path: str

    def size(self, path: str) -> int | None:
        """Bytes of the file at `path` (relative to the index), None when there is no such file."""
        ...

    def read(self, path: str) -> bytes: ...


def safe_relative(path: str) -> PurePosixPath | None:
    """The normalised relative path, or None when it is absolute or leaves its folder."""
    if not path or "\\" in path or "\x00" in path:
        return None
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        return None
    return pure


def _pick_index(candidates: list[str], wanted: str | None, where: str) -> str:
    if wanted is not None:
        if wanted not in candidates:
            raise SourceError(f"index {wanted!r} not found in {where}; found: {', '.join(candidates) or 'none'}")
        return wanted
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise SourceError(f"no index file (*.jsonl or *.csv) at the top of {where}")
    raise SourceError(f"several index files in {where} ({', '.join(sorted(candidates))}); name one with --index")


class FolderSource:
    def __init__(self, root: Path, index: str | None = None) -> None:
        self.root = root.resolve()
        self.name = root.name
        found = sorted(p.name for p in self.root.iterdir() if p.is_file() and p.suffix.lower() in INDEX_SUFFIXES)
        self.index_path = _pick_index(found, index, str(root))

    def _file(self, path: str) -> Path | None:
        pure = safe_relative(path)
        if pure is None:
            return None
        target = (self.root / pure).resolve()
        # A symlink inside the folder may still point outside it.
        if self.root not in target.parents or not target.is_file():
            return None
        return target

    def size(self, path: str) -> int | None:
        target = self._file(path)
        return target.stat().st_size if target else None

    def read(self, path: str) -> bytes:
        target = self._file(path)
        if target is None:
            raise FileNotFoundError(path)
        return target.read_bytes()


class ZipSource:
    def __init__(self, data: bytes, name: str, index: str | None = None) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise SourceError(f"{name}: not a ZIP file") from None
        self.name = name
        infos = [i for i in self.zip.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_ENTRIES:
            raise SourceError(f"{name}: {len(infos):,} files is over the limit of {MAX_ZIP_ENTRIES:,}")
        if sum(i.file_size for i in infos) > MAX_ZIP_TOTAL_BYTES:
            raise SourceError(f"{name}: over {MAX_ZIP_TOTAL_BYTES // 1024**3} GiB uncompressed")
        self.entries = {i.filename: i for i in infos}
        self.base = self._base_folder()
        top = [n.removeprefix(self.base) for n in self.entries if "/" not in n.removeprefix(self.base)]
        self.index_path = _pick_index(sorted(t for t in top if t.lower().endswith(INDEX_SUFFIXES)), index, name)

    def _base_folder(self) -> str:
        """A ZIP made by zipping a folder has everything under that one folder: look inside it."""
        tops = {n.split("/", 1)[0] for n in self.entries}
        if len(tops) == 1 and all("/" in n for n in self.entries):
            return next(iter(tops)) + "/"
        return ""

    def _info(self, path: str) -> zipfile.ZipInfo | None:
        pure = safe_relative(path)
        return None if pure is None else self.entries.get(self.base + str(pure))

    def size(self, path: str) -> int | None:
        info = self._info(path)
        return info.file_size if info else None

    def read(self, path: str) -> bytes:
        info = self._info(path)
        if info is None:
            raise FileNotFoundError(path)
        return self.zip.read(info)


def open_source(path: Path, index: str | None = None) -> tuple[Source, bytes | None]:
    """A folder or a .zip file on disk; the ZIP's bytes come back too (their hash is recorded)."""
    if path.is_dir():
        return FolderSource(path, index), None
    if not path.is_file():
        raise SourceError(f"{path}: no such folder or ZIP file")
    data = path.read_bytes()
    return ZipSource(data, path.name, index), data
