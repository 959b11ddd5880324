"""A deterministic ZIP writer: stored (uncompressed) members, fixed header fields.

Why not zipfile's writer: its headers carry timestamps, the host OS and version
details, none of which the manifest's hashes cover. Here every header byte is either
a constant or derived from a member's name and bytes, so the verifier rebuilds the
archive from its members and compares byte for byte: a change anywhere in the file,
content or container, is caught. Any unzip tool reads the result.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import BinaryIO

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_VERSION = 20  # 2.0: stored members, no ZIP64
_MADE_BY = (3 << 8) | _VERSION  # Unix, so the mode bits below mean what they say
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01; the manifest carries the real time
_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_LIMIT = 2**32 - 1
MAX_MEMBERS = 65535


class ArchiveTooLargeError(ValueError):
    pass


class StoredZipWriter:
    """Writes members in order to a binary stream; close() writes the central directory."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._offset = 0
        self._central: list[bytes] = []
        self._names: set[str] = set()

    def add(self, name: str, data: bytes) -> None:
        if not name.isascii() or name in self._names or name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"bad or repeated member name {name!r}")
        if len(self._central) >= MAX_MEMBERS or self._offset + len(data) + 1024 > _LIMIT:
            raise ArchiveTooLargeError("the package would exceed the ZIP limits (65,535 files, 4 GiB)")
        raw_name, crc = name.encode("ascii"), zlib.crc32(data)
        header = _LOCAL.pack(0x04034B50, _VERSION, 0, 0, 0, _DOS_DATE, crc, len(data), len(data), len(raw_name), 0)
        self._central.append(_CENTRAL.pack(0x02014B50, _MADE_BY, _VERSION, 0, 0, 0, _DOS_DATE, crc, len(data),
                                           len(data), len(raw_name), 0, 0, 0, 0, _MODE, self._offset) + raw_name)
        self._out.write(header + raw_name)
        self._out.write(data)
        self._offset += len(header) + len(raw_name) + len(data)
        self._names.add(name)

    def close(self) -> None:
        directory = b"".join(self._central)
        count = len(self._central)
        self._out.write(directory)
        self._out.write(_END.pack(0x06054B50, 0, 0, count, count, len(directory), self._offset, 0))
        self._out.flush()


def canonical_bytes(members: list[tuple[str, bytes]]) -> bytes:
    """The exact bytes StoredZipWriter produces for these members, in this order."""
    buffer = io.BytesIO()
    writer = StoredZipWriter(buffer)
    for name, data in members:
        writer.add(name, data)
    writer.close()
    return buffer.getvalue()
