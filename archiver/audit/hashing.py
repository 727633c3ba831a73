"""Hash the payload files of many bags through one bounded thread pool, each file read once.

Each job carries its own algorithms (bags in one store may use different manifests) and a tag
that says which bag and file it is for. Files whose size is known to be small are read in one
call into one bytes object; large ones stream through a per-thread 1 MiB buffer, so no buffer is
allocated per file. The pool, the batching of small files and the bound on memory are
archiver.fixity.map_bounded's.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from archiver.fixity import CHUNK_SIZE, map_bounded, normalize_algorithm

SMALL_FILE = 256 << 10     # read whole (one allocation, no shared buffer) below this size

_local = threading.local()

Job = tuple[str, int, Sequence[str], Any]   # (path, size, algorithms in BagIt spelling, caller's tag)


_PROTOTYPES: dict[tuple[str, ...], list] = {}


def _fresh_hashers(algorithms: Sequence[str]) -> list:
    """New hash objects for *algorithms* (BagIt spelling: sha3-256 is hashlib's sha3_256).

    Copying a prototype is cheaper than a name lookup per file, which counts for 4 KiB files.
    """
    key = tuple(algorithms)
    prototypes = _PROTOTYPES.get(key)
    if prototypes is None:
        prototypes = [hashlib.new(normalize_algorithm(a).replace("-", "_")) for a in key]
        _PROTOTYPES[key] = prototypes
    return [p.copy() for p in prototypes]


def _hash_one(path: str, size: int, algorithms: Sequence[str]) -> dict[str, bytes] | OSError:
    """Read *path* once, feeding every algorithm; small files in one read, large ones in chunks."""
    hashers = _fresh_hashers(algorithms)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        return exc
    try:
        if size < SMALL_FILE:
            # One read of the expected size (+1 to see the end); keeps going if the file grew.
            chunk = os.read(fd, size + 1)
            while chunk:
                for h in hashers:
                    h.update(chunk)
                chunk = os.read(fd, SMALL_FILE)
        else:
            view = getattr(_local, "view", None)
            if view is None:
                view = _local.view = memoryview(bytearray(CHUNK_SIZE))
            while n := os.readv(fd, [view]):
                for h in hashers:
                    h.update(view[:n])
    except OSError as exc:
        return exc
    finally:
        os.close(fd)
    return {a: h.digest() for a, h in zip(algorithms, hashers, strict=True)}


def hash_jobs(jobs: Iterable[Job], workers: int = 2) -> Iterator[tuple[Any, dict[str, bytes] | OSError]]:
    """Yield (tag, {algorithm: digest bytes} or the OSError) for each (path, size, algorithms, tag).

    *jobs* is consumed lazily (a budget may stop it between files) by archiver.fixity's bounded
    thread pool, which groups small files into one pool job by their sizes. Results come in
    completion order.
    """
    results = map_bounded(lambda job: _hash_one(job[0], job[1], job[2]), jobs, workers, weight=_size)
    for job, result in results:
        yield job[3], result


def _size(job: Job) -> int:
    return job[1]
