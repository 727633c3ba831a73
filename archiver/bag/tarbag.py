"""Serialized bags: one top-level directory in a tar file (BagIt Profiles 1.4 Serialization).

Reading is defensive: members are checked one by one while extracting, and extraction stops at
the first member that is a link, a device, or would land outside the extraction folder.
Writing is deterministic (sorted names, regular files only) and atomic.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from archiver.atomic import atomic_write
from archiver.bag.codes import Problem, problem
from archiver.bag.paths import unsafe_reason
from archiver.errors import ArchiverError

_COPY_CHUNK = 1 << 20


def _extract(tar: tarfile.TarFile, dest: Path) -> tuple[Path | None, list[Problem]]:
    top: str | None = None
    for member in tar:
        name = member.name
        while name.startswith("./"):
            name = name[2:]
        name = name.rstrip("/")
        if not name or name == ".":
            continue
        reason = unsafe_reason(name)
        if reason:
            return None, [problem("E-TAR-UNSAFE", member.name, reason)]
        if not (member.isfile() or member.isdir()):
            kind = "link" if (member.issym() or member.islnk()) else "special file"
            return None, [problem("E-TAR-UNSAFE", member.name, f"{kind} members are not accepted")]
        first = name.split("/", 1)[0]
        if top is None:
            top = first
        elif first != top:
            return None, [problem("E-TAR-LAYOUT", member.name,
                                  f"second top-level entry {first!r} (first was {top!r})")]
        target = dest / name
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        if "/" not in name:
            return None, [problem("E-TAR-LAYOUT", member.name,
                                  "a file at the top level; expected one directory")]
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        if source is None:
            return None, [problem("E-TAR-UNSAFE", member.name, "member cannot be read")]
        with source, open(target, "xb") as out:
            shutil.copyfileobj(source, out, _COPY_CHUNK)
    if top is None:
        raise ArchiverError("not a bag: the tar file is empty")
    return dest / top, []


@contextlib.contextmanager
def extracted_bag(path: Path) -> Iterator[tuple[Path | None, list[Problem]]]:
    """Extract a serialized bag into a private temporary folder; removed afterwards.

    Yields (bag directory, []) or (None, problems) when the tar is unsafe or malformed.
    Raises ArchiverError when *path* is not a tar file at all (exit 2).
    """
    path = Path(path)
    if not tarfile.is_tarfile(path):
        raise ArchiverError(f"{path}: not a bag (neither a directory nor a tar file)")
    with tempfile.TemporaryDirectory(prefix="archiver-bag-") as tmp:
        try:
            with tarfile.open(path, "r:*") as tar:
                result = _extract(tar, Path(tmp))
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise ArchiverError(f"{path}: unreadable tar file ({exc})") from None
        except ArchiverError as exc:
            raise ArchiverError(f"{path}: {exc}") from None
        except FileExistsError as exc:
            result = None, [problem("E-TAR-UNSAFE", str(exc.filename), "member appears twice")]
        yield result


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_tar(bag: Path, target: Path) -> Path:
    """Serialize the bag directory *bag* as *target* (uncompressed tar), atomically, never overwriting."""
    bag = Path(bag)
    top = bag.name
    with atomic_write(target, "wb", overwrite=False) as fh, tarfile.open(
            fileobj=fh, mode="w", format=tarfile.PAX_FORMAT) as tar:
        os.fchmod(fh.fileno(), 0o666 & ~current_umask())  # mkstemp makes it 0600
        stack = [(bag, top)]
        while stack:
            directory, arc = stack.pop()
            info = tar.gettarinfo(str(directory), arcname=arc)
            tar.addfile(info)
            entries = sorted(os.scandir(directory), key=lambda e: e.name, reverse=True)
            for entry in entries:
                child_arc = f"{arc}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), child_arc))
                elif entry.is_file(follow_symlinks=False):
                    info = tar.gettarinfo(entry.path, arcname=child_arc)
                    info.type = tarfile.REGTYPE  # hard-linked payload is stored as content
                    info.linkname = ""
                    info.size = entry.stat(follow_symlinks=False).st_size
                    with open(entry.path, "rb") as src:
                        tar.addfile(info, src)
                else:
                    raise ArchiverError(f"{entry.path}: not a regular file; cannot serialize it")
    return Path(target)
