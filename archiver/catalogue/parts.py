"""Append-only Parquet part files, each appearing atomically.

A part is written under a dot-name (which pyarrow.dataset, DuckDB, Polars and Spark all skip),
fsynced, then renamed to `part-<UTC time>-<random>.parquet`: a reader sees a whole part or none,
and a crash leaves at most a dot-file that the next write sweeps away. Existing parts are never
rewritten; `compact` writes the merged part first and only then removes the parts it replaced.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archiver.atomic import fsync_dir

ROW_GROUP_SIZE = 50_000  # small enough that min/max statistics prune, large enough to scan fast
ROWS_PER_PART = 500_000  # bounds memory while building: each part is sorted on its own
SORT_KEYS = [("url_surtkey", "ascending"), ("fetch_time", "ascending")]


def part_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"part-{stamp}-{secrets.token_hex(4)}.parquet"


def list_parts(directory: Path) -> list[Path]:
    """The visible part files of a catalogue directory, in name (= time) order."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("part-*.parquet") if p.is_file())


def sweep_partial(directory: Path) -> None:
    """Remove dot-files left by a write that crashed."""
    if directory.is_dir():
        for leftover in directory.glob(".part-*.parquet.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()


def sort_table(table: pa.Table) -> pa.Table:
    return table.take(pc.sort_indices(table, sort_keys=SORT_KEYS))


def write_part(directory: Path, table: pa.Table, name: str | None = None) -> Path:
    """Write *table* (sorted) as one new part in *directory*, atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    sweep_partial(directory)
    final = directory / (name or part_name())
    tmp = directory / f".{final.name}.tmp"
    try:
        pq.write_table(sort_table(table), tmp, compression="zstd", row_group_size=ROW_GROUP_SIZE,
                       write_statistics=True)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.rename(tmp, final)
        fsync_dir(directory)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return final


def batched(rows: Iterable[dict[str, Any]], size: int = ROWS_PER_PART) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_rows(directory: Path, rows: Iterable[dict[str, Any]], schema: pa.Schema) -> list[Path]:
    """Write *rows* as one or more new parts (one per ROWS_PER_PART rows)."""
    return [write_part(directory, pa.Table.from_pylist(batch, schema=schema))
            for batch in batched(rows)]


def read_parts(directory: Path, schema: pa.Schema) -> pa.Table:
    """All parts of a catalogue directory as one table (empty table if none)."""
    parts = list_parts(directory)
    if not parts:
        return schema.empty_table()
    return pa.concat_tables([pq.read_table(p, schema=schema) for p in parts])


def compact(directory: Path, schema: pa.Schema) -> tuple[int, Path | None]:
    """Merge every part into one sorted part; return (parts replaced, new part)."""
    parts = list_parts(directory)
    if len(parts) <= 1:
        return 0, parts[0] if parts else None
    merged = write_part(directory, pa.concat_tables([pq.read_table(p, schema=schema) for p in parts]))
    for old in parts:
        old.unlink()
    fsync_dir(directory)
    return len(parts), merged


def replace_parts(directory: Path, tables_rows: Iterable[dict[str, Any]], schema: pa.Schema) -> list[Path]:
    """Write new parts from *tables_rows*, then remove the parts that were there before."""
    old = list_parts(directory)
    new = write_rows(directory, tables_rows, schema)
    for part in old:
        part.unlink()
    fsync_dir(directory)
    return new
