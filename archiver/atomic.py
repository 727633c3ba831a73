"""Atomic file and directory creation: build beside the target, then rename into place.

A reader (or a crash) never sees a half-written file: either the old state or the new one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from archiver.errors import ArchiverError


def fsync_dir(path: Path) -> None:
    """Flush a directory entry so that a rename inside it survives power loss."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(target: Path, mode: str = "wb", *, overwrite: bool = True) -> Iterator[IO]:
    """Open a temporary file beside *target*; on success fsync and rename it over *target*.

    On any exception the temporary file is removed and *target* is untouched.
    """
    target = Path(target)
    if not overwrite and target.exists():
        raise ArchiverError(f"{target} already exists; refusing to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp_path = Path(tmp)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if not overwrite and target.exists():
            raise ArchiverError(f"{target} already exists; refusing to overwrite it")
        os.replace(tmp_path, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temporary directory beside *target*; rename it to *target* when the block succeeds.

    An existing *target* is never overwritten. On failure the temporary directory is removed.
    """
    target = Path(target)
    if target.exists():
        raise ArchiverError(f"{target} already exists; refusing to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            raise ArchiverError(f"{target} already exists; refusing to overwrite it")
        os.rename(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
