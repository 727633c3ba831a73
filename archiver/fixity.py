"""Streaming fixity: hash a file once for several algorithms, and many files in parallel.

Each file is read once, in fixed-size chunks, and every chunk updates all digests, so asking for
sha256 and sha512 costs one read, not two. hashlib releases the GIL while hashing buffers larger
than 2 KiB, so a small thread pool keeps both cores busy; at most ``2 * workers`` files are open
at any time, so memory stays bounded whatever the number of files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, TypeVar

from archiver.errors import ArchiverError

CHUNK_SIZE = 1 << 20
T = TypeVar("T")
R = TypeVar("R")

# BagIt algorithm names (RFC 8493 section 2.4: lowercase, no punctuation) -> hashlib names.
_HASHLIB_NAMES = {
    "md5": "md5",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
    "sha3-256": "sha3_256",
    "sha3-512": "sha3_512",
    "blake2b": "blake2b",
}


def normalize_algorithm(name: str) -> str:
    """Return the BagIt spelling of *name* ("SHA-256" -> "sha256"), or fail with one clear line."""
    key = name.strip().lower()
    if key not in _HASHLIB_NAMES:
        key = key.replace("-", "").replace("_", "")
        key = {"sha3256": "sha3-256", "sha3512": "sha3-512"}.get(key, key)
    if key not in _HASHLIB_NAMES:
        known = ", ".join(sorted(_HASHLIB_NAMES))
        raise ArchiverError(f"unknown checksum algorithm {name!r} (known: {known})")
    return key


def is_supported(name: str) -> bool:
    """True when *name* (BagIt spelling) can be computed here."""
    return name in _HASHLIB_NAMES


class MultiHasher:
    """Several digests fed from one stream of bytes (used while copying, so a file is read once)."""

    def __init__(self, algorithms: Sequence[str]):
        names = [normalize_algorithm(a) for a in algorithms]
        if not names:
            raise ArchiverError("at least one checksum algorithm is needed")
        self._hashes = {n: hashlib.new(_HASHLIB_NAMES[n]) for n in dict.fromkeys(names)}
        self.size = 0

    def update(self, chunk: bytes | memoryview) -> None:
        self.size += len(chunk)
        for h in self._hashes.values():
            h.update(chunk)

    def hexdigests(self) -> dict[str, str]:
        return {name: h.hexdigest() for name, h in self._hashes.items()}


def hash_stream(stream: IO[bytes], algorithms: Sequence[str], chunk_size: int = CHUNK_SIZE
                ) -> dict[str, str]:
    """Hash an open binary stream to its end for every algorithm; lowercase hex digests."""
    hasher = MultiHasher(algorithms)
    buf = bytearray(chunk_size)
    view = memoryview(buf)
    while True:
        n = stream.readinto(view)  # type: ignore[attr-defined]
        if not n:
            break
        hasher.update(view[:n])
    return hasher.hexdigests()


def hash_file(path: Path, algorithms: Sequence[str], chunk_size: int = CHUNK_SIZE) -> dict[str, str]:
    """Read *path* once and return {algorithm: lowercase hex digest} for every algorithm."""
    with open(path, "rb", buffering=0) as fh:
        if hasattr(os, "posix_fadvise"):
            try:
                os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            except OSError:
                pass
        return hash_stream(fh, algorithms, chunk_size)


BATCH_BYTES = 4 << 20
BATCH_ITEMS = 64


def _batches(items: Iterable[T], weight: Callable[[T], int] | None) -> Iterator[list[T]]:
    """Group small items so that a thread-pool job carries at least ~BATCH_BYTES of work.

    Dispatching one job per 4 KiB file costs more than hashing it; a 1 GiB file stays alone.
    """
    if weight is None:
        for item in items:
            yield [item]
        return
    batch: list[T] = []
    load = 0
    for item in items:
        batch.append(item)
        load += weight(item)
        if load >= BATCH_BYTES or len(batch) >= BATCH_ITEMS:
            yield batch
            batch, load = [], 0
    if batch:
        yield batch


def map_bounded(function: Callable[[T], R], items: Iterable[T], workers: int = 2, *,
                weight: Callable[[T], int] | None = None) -> Iterator[tuple[T, R | OSError]]:
    """Run *function* over *items* in a thread pool, yielding (item, result or OSError) as done.

    *items* is consumed lazily and at most ``2 * workers`` jobs are in flight, so a generator over
    a million files never materialises. With *weight* (an item's size in bytes), small items are
    grouped into one job. An OSError from one item is returned for that item, not raised.
    """
    workers = max(1, int(workers))

    def job(batch: list[T]) -> list[tuple[T, R | OSError]]:
        out: list[tuple[T, R | OSError]] = []
        for item in batch:
            try:
                out.append((item, function(item)))
            except OSError as exc:
                out.append((item, exc))
        return out

    if workers == 1:
        for batch in _batches(items, weight):
            yield from job(batch)
        return

    limit = 2 * workers
    pending: set[Future] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fixity") as pool:
        try:
            for batch in _batches(items, weight):
                if len(pending) >= limit:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        yield from fut.result()
                pending.add(pool.submit(job, batch))
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield from fut.result()
        finally:
            for fut in pending:
                fut.cancel()


def _size_or_zero(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def hash_files(paths: Iterable[Path], algorithms: Sequence[str], workers: int = 2, *,
               sizes: Callable[[Path], int] | None = None
               ) -> Iterator[tuple[Path, dict[str, str] | OSError]]:
    """Hash many files in parallel, yielding (path, digests or the OSError) as each completes.

    Memory stays bounded (at most ``2 * workers`` jobs in flight); small files are hashed in
    batches. *sizes* may give each file's size when the caller knows it (saves a stat per file).
    Results come in completion order.
    """
    algorithms = [normalize_algorithm(a) for a in algorithms]  # fail early, not in a worker
    yield from map_bounded(lambda p: hash_file(p, algorithms), paths, workers,
                           weight=sizes or _size_or_zero)
