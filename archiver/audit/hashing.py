"""Hash a stream of files in batches on a thread pool, for audits of stores of many small files.

archiver.fixity.hash_files hands each file to the pool on its own. That is right for large files,
but a bag holds thousands of 4 KiB metadata files too, and per-file pool hand-offs (plus a fresh
1 MiB buffer per file) then cost more than the hashing: on two cores it fell to ~30 MB/s on such
files. Here files are grouped into batches of a few MiB or a few hundred files, small files are read in
one call, each worker reuses one buffer for large ones, and every file is still read once for
all algorithms. Results come back in
the order the files were given; at most 2 x workers batches are in flight, so memory stays
bounded however many files there are.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from archiver.fixity import CHUNK_SIZE, normalize_algorithm

BATCH_BYTES = 4 << 20
BATCH_FILES = 256
SMALL_FILE = 256 << 10     # read whole (one allocation, no shared buffer) below this size

_local = threading.local()

Job = tuple[str, int, Sequence[str], Any]   # (path, size, algorithms in BagIt spelling, caller's tag)


def _prototypes(algorithms: Sequence[str]) -> list:
    """Fresh hash objects for *algorithms* (BagIt spelling, e.g. sha3-256 -> hashlib's sha3_256)."""
    return [hashlib.new(normalize_algorithm(a).replace("-", "_")) for a in algorithms]


def _hash_one(path: str, size: int, algorithms: Sequence[str]) -> dict[str, str] | OSError:
    """Read *path* once, feeding every algorithm; small files in one read, large ones in chunks."""
    hashers = _prototypes(algorithms)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        return exc
    try:
        if size < SMALL_FILE:
            while chunk := os.read(fd, SMALL_FILE):
                for h in hashers:
                    h.update(chunk)
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
    return {a: h.hexdigest() for a, h in zip(algorithms, hashers, strict=True)}


def _hash_batch(batch: list[Job]) -> list[tuple[Any, dict[str, str] | OSError]]:
    return [(tag, _hash_one(path, size, algorithms)) for path, size, algorithms, tag in batch]


def _batches(jobs: Iterable[Job | None]) -> Iterator[list[Job]]:
    batch: list[Job] = []
    nbytes = 0
    for job in jobs:
        if job is None:
            if batch:
                yield batch
                batch, nbytes = [], 0
            continue
        batch.append(job)
        nbytes += job[1]
        if nbytes >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, nbytes = [], 0
    if batch:
        yield batch


def hash_in_batches(jobs: Iterable[Job | None], workers: int = 2
                    ) -> Iterator[tuple[Any, dict[str, str] | OSError]]:
    """Yield (tag, {algorithm: hex digest} or the OSError) for each (path, size, algorithms, tag).

    A None among the jobs ends the current batch early (callers mark the end of a bag with it).

    Results come in the order of *jobs*, which is consumed lazily (a budget may stop it between
    files); sizes choose how a file is read and shape the batches.
    """
    workers = max(1, workers)
    inflight: deque[Future] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="audit-hash") as pool:
        try:
            for batch in _batches(jobs):
                inflight.append(pool.submit(_hash_batch, batch))
                if len(inflight) >= 2 * workers:
                    yield from inflight.popleft().result()
            while inflight:
                yield from inflight.popleft().result()
        finally:
            for future in inflight:
                future.cancel()
