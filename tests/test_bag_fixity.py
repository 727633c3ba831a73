"""archiver.fixity: one read for all algorithms, parallel hashing with errors as values."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from archiver.errors import ArchiverError
from archiver.fixity import (
    BATCH_ITEMS,
    MultiHasher,
    _batches,
    hash_file,
    hash_files,
    normalize_algorithm,
)


def test_hash_file_matches_hashlib_for_every_algorithm(tmp_path: Path):
    data = bytes(range(256)) * 9000  # many 4 KiB chunks
    f = tmp_path / "blob"
    f.write_bytes(data)
    got = hash_file(f, ["sha256", "sha512", "md5"], chunk_size=4096)
    assert got == {
        "sha256": hashlib.sha256(data).hexdigest(),
        "sha512": hashlib.sha512(data).hexdigest(),
        "md5": hashlib.md5(data).hexdigest(),
    }


def test_hash_file_reads_the_file_once(tmp_path: Path, monkeypatch):
    f = tmp_path / "blob"
    f.write_bytes(b"x" * 10_000)
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    hash_file(f, ["sha256", "sha512"])
    assert opened == [f]


def test_empty_file(tmp_path: Path):
    f = tmp_path / "empty"
    f.write_bytes(b"")
    assert hash_file(f, ["sha256"]) == {"sha256": hashlib.sha256(b"").hexdigest()}


def test_hash_files_yields_every_file_and_errors_as_values(tmp_path: Path):
    paths = []
    for i in range(25):
        p = tmp_path / f"f{i}"
        p.write_bytes(str(i).encode() * 1000)
        paths.append(p)
    missing = tmp_path / "missing"
    results = dict(hash_files(iter(paths + [missing]), ["sha256", "sha512"], workers=2))
    assert set(results) == set(paths) | {missing}
    assert isinstance(results[missing], FileNotFoundError)
    for p in paths:
        assert results[p]["sha512"] == hashlib.sha512(p.read_bytes()).hexdigest()


def test_hash_files_consumes_its_input_lazily(tmp_path: Path):
    consumed = 0

    def gen():
        nonlocal consumed
        for i in range(1000):
            p = tmp_path / f"g{i}"
            p.write_bytes(b"a")
            consumed += 1
            yield p

    it = hash_files(gen(), ["sha256"], workers=2)
    next(it)
    # At most 2 * workers batches in flight, plus the batch being formed.
    assert consumed <= 5 * BATCH_ITEMS < 1000


def test_small_files_are_batched_large_ones_are_not():
    sizes = [4096] * 100 + [8 << 20] * 3 + [10]
    batches = list(_batches(range(len(sizes)), sizes.__getitem__))
    # 64 small files fill a batch by count; the next one closes when an 8 MiB file joins it.
    assert [len(b) for b in batches] == [64, 37, 1, 1, 1]
    assert batches[2] == [101] and batches[3] == [102]


def test_algorithm_names():
    assert normalize_algorithm("SHA-256") == "sha256"
    assert normalize_algorithm("sha512") == "sha512"
    with pytest.raises(ArchiverError, match="unknown checksum algorithm"):
        normalize_algorithm("crc32")
    h = MultiHasher(["sha256", "SHA256"])
    h.update(b"abc")
    assert h.hexdigests() == {"sha256": hashlib.sha256(b"abc").hexdigest()} and h.size == 3


def test_an_error_in_a_batch_touches_only_its_file(tmp_path: Path):
    paths = []
    for i in range(10):
        p = tmp_path / f"s{i}"
        p.write_bytes(b"x" * i)
        paths.append(p)
    paths[4].unlink()
    sizes = {p: 10 for p in paths}
    results = dict(hash_files(paths, ["sha256"], workers=2, sizes=sizes.__getitem__))
    assert isinstance(results[paths[4]], FileNotFoundError)
    assert all(isinstance(results[p], dict) for p in paths if p != paths[4])
    assert results[paths[3]]["sha256"] == hashlib.sha256(b"xxx").hexdigest()
