"""Hash a stream of files in batches on a thread pool, for audits of stores of many small files.

archiver.fixity.hash_files hands each file to the pool on its own. That is right for large files,
but a bag holds thousands of 4 KiB metadata files too, and per-file pool hand-offs (plus a fresh
1 MiB buffer per file) then cost more than the hashing: on two cores it fell to ~30 MB/s on such
files. Here files are grouped into batches of a few MiB or a few hundred files, each worker
reuses one buffer, and every file is still read once for all algorithms. Results come back in
the order the files were given; at most 2 x workers batches are in flight, so memory stays
bounded however many files there are.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from archiver.fixity import CHUNK_SIZE, MultiHasher, normalize_algorithm

BATCH_BYTES = 4 << 20
BATCH_FILES = 256

_local = threading.local()


def _buffer() -> memoryview:
    view = getattr(_local, "view", None)
    if view is None:
        view = _local.view = memoryview(bytearray(CHUNK_SIZE))
    return view


def _hash_one(path: Path, algorithms: Sequence[str]) -> dict[str, str] | OSError:
    view = _buffer()
    hasher = MultiHasher(algorithms)
    try:
        with open(path, "rb", buffering=0) as fh:
            while n := fh.readinto(view):
                hasher.update(view[:n])
    except OSError as exc:
        return exc
    return hasher.hexdigests()


def _hash_batch(batch: list[tuple[Path, int]], algorithms: Sequence[str]
                ) -> list[tuple[Path, dict[str, str] | OSError]]:
    return [(path, _hash_one(path, algorithms)) for path, _size in batch]


def _batches(files: Iterable[tuple[Path, int]]) -> Iterator[list[tuple[Path, int]]]:
    batch: list[tuple[Path, int]] = []
    nbytes = 0
    for path, size in files:
        batch.append((path, size))
        nbytes += size
        if nbytes >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, nbytes = [], 0
    if batch:
        yield batch


def hash_in_batches(files: Iterable[tuple[Path, int]], algorithms: Sequence[str], workers: int = 2
                    ) -> Iterator[tuple[Path, dict[str, str] | OSError]]:
    """Yield (path, {algorithm: hex digest} or the OSError) for each (path, size) given, in order.

    *files* is consumed lazily (a budget may stop it between files); sizes only shape batches.
    """
    algorithms = [normalize_algorithm(a) for a in algorithms]
    inflight: deque[Future] = deque()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="audit-hash") as pool:
        try:
            for batch in _batches(files):
                inflight.append(pool.submit(_hash_batch, batch, algorithms))
                if len(inflight) >= 2 * max(1, workers):
                    yield from inflight.popleft().result()
            while inflight:
                yield from inflight.popleft().result()
        finally:
            for future in inflight:
                future.cancel()
