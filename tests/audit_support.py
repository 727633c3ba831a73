"""Helpers for the audit tests: small collections sealed into bags, and a store of them."""

from __future__ import annotations

from pathlib import Path

# A small collection in the documented layout (archiver/collection.py); sizes vary so that
# truncation and Payload-Oxum changes are visible.
COLLECTION_FILES = {
    "warc/capture-00000.warc.gz": 150_000,
    "warc/capture-00001.warc.gz": 64_000,
    "metadata/articles/article one.json": 900,
    "metadata/articles/статья.json": 700,
    "catalogue/records/part-0.parquet": 20_000,
    "catalogue/articles/part-0.parquet": 8_000,
    "logs/capture.log": 3_000,
}


def make_collection(root: Path, seed: int = 0, extra: dict[str, int] | None = None) -> Path:
    """Write a collection of pseudo-random files (deterministic per seed) under *root*."""
    import random

    rng = random.Random(seed)
    for rel, size in {**COLLECTION_FILES, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(size))
    return root


def make_bag(collection: Path, bag: Path) -> Path:
    """Seal *collection* into a new bag at *bag* with `archiver package` (the collection is untouched)."""
    from click.testing import CliRunner

    from archiver.cli import cli

    result = CliRunner().invoke(cli, ["package", str(collection), "--bag", str(bag),
                                      "--info", f"External-Identifier=test:{bag.name}"])
    assert result.exit_code == 0, result.output
    return bag


def make_store(root: Path, names: list[str], extra: dict[str, dict[str, int]] | None = None
               ) -> dict[str, Path]:
    """A store folder holding one bag per name (each from its own collection, plus *extra* files)."""
    bags = {}
    for i, name in enumerate(names):
        collection = make_collection(root / "collections" / name, seed=i, extra=(extra or {}).get(name))
        bags[name] = make_bag(collection, root / "store" / name)
    return bags


def flip_bit(path: Path, offset: int = 1000) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
