"""Finalise WARC files left open by a crash: keep every complete gzip member, cut the torn tail.

Our writer puts exactly one record in each gzip member, so "complete record" and "complete gzip
member whose CRC-32 and length trailer check out" (RFC 1952 section 2.3.1) are the same thing.
The scan streams the file through zlib once and never holds more than a read buffer in memory.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from archiver.atomic import fsync_dir
from archiver.capture.warcwriter import OPEN_SUFFIX

READ = 1024 * 1024


@dataclass(frozen=True)
class Repaired:
    path: Path  # the closed file, or None-like original path if it held nothing and was removed
    members: int
    removed_bytes: int
    deleted: bool


def complete_length(path: Path) -> tuple[int, int]:
    """(bytes covered by complete gzip members at the start of *path*, number of those members)."""
    good = 0
    members = 0
    pos = 0
    decomp = zlib.decompressobj(wbits=31)
    with open(path, "rb") as fh:
        while True:
            data = fh.read(READ)
            if not data:
                return good, members
            while data:
                try:
                    # bounded output: a highly compressible member never balloons in memory
                    decomp.decompress(data, READ)
                    while decomp.unconsumed_tail and not decomp.eof:
                        decomp.decompress(decomp.unconsumed_tail, READ)
                except zlib.error:
                    return good, members
                if decomp.eof:
                    used = len(data) - len(decomp.unused_data)
                    pos += used
                    good = pos
                    members += 1
                    data = decomp.unused_data
                    decomp = zlib.decompressobj(wbits=31)
                else:
                    pos += len(data)
                    data = b""


def repair_open_file(path: Path) -> Repaired:
    """Truncate *path* (a NAME.warc.gz.open) to its complete members and rename it to NAME.warc.gz.

    A file without even its warcinfo record holds nothing of value and is removed.
    """
    path = Path(path)
    good, members = complete_length(path)
    size = path.stat().st_size
    if members == 0:
        path.unlink()
        fsync_dir(path.parent)
        return Repaired(path, 0, size, True)
    with open(path, "r+b") as fh:
        fh.truncate(good)
        fh.flush()
        os.fsync(fh.fileno())
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    os.rename(path, final)
    fsync_dir(path.parent)
    return Repaired(final, members, size - good, False)


def repair_directory(directory: Path) -> list[Repaired]:
    """Repair every `*.warc.gz.open` file in *directory*."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return [repair_open_file(p) for p in sorted(directory.glob("*.warc.gz" + OPEN_SUFFIX))]
