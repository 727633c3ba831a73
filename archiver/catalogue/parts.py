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
import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from archiver.atomic import fsync_dir
from archiver.errors import ArchiverError

ROW_GROUP_SIZE = 50_000  # small enough that min/max statistics prune, large enough to scan fast
ROWS_PER_PART = 100_000  # rows held (as Arrow, a few hundred bytes each) before a sorted part is written
BATCH_ROWS = 10_000      # row dicts held before they become one Arrow record batch
MERGE_FANIN = 8          # parts merged at once by compact (more in rounds): each holds a row group
MERGE_BATCH_ROWS = 4_096  # rows read from each part at a time while merging
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
    """Remove dot-files left by a write that crashed, and the scratch folder of a killed compact."""
    if directory.is_dir():
        for leftover in directory.glob(".part-*.parquet.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
        for scratch in directory.glob(".compact-*"):
            shutil.rmtree(scratch, ignore_errors=True)


def open_part(path: Path) -> pq.ParquetFile:
    """A part file opened for reading; one clear error if it is not a readable Parquet file."""
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        reason = next((line for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
        raise ArchiverError(f"{path}: not a readable catalogue part ({reason})") from None


def sort_table(table: pa.Table) -> pa.Table:
    return table.take(pc.sort_indices(table, sort_keys=SORT_KEYS))


@contextlib.contextmanager
def _parquet_file(directory: Path, name: str, schema: pa.Schema, *, durable: bool = True):
    """A ParquetWriter whose file appears as directory/name only once written whole (and fsynced)."""
    final = directory / name
    tmp = directory / f".{name}.tmp"
    try:
        with pq.ParquetWriter(tmp, schema, compression="zstd", write_statistics=True) as writer:
            yield writer
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.rename(tmp, final)
        if durable:
            fsync_dir(directory)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_part(directory: Path, table: pa.Table, name: str | None = None) -> Path:
    """Write *table* (sorted) as one new part in *directory*, atomically.

    The rows are taken in sorted order one row group at a time, so that writing needs no second
    full copy of the table."""
    directory.mkdir(parents=True, exist_ok=True)
    sweep_partial(directory)
    name = name or part_name()
    order = pc.sort_indices(table, sort_keys=SORT_KEYS)
    with _parquet_file(directory, name, table.schema) as writer:
        for start in range(0, table.num_rows, ROW_GROUP_SIZE):
            writer.write_table(table.take(order[start:start + ROW_GROUP_SIZE]), row_group_size=ROW_GROUP_SIZE)
    return directory / name


def write_rows(directory: Path, rows: Iterable[dict[str, Any]], schema: pa.Schema,
               part_rows: int = ROWS_PER_PART) -> list[Path]:
    """Write *rows* as one or more new sorted parts, one per *part_rows* rows, streaming.

    Rows are held as Arrow record batches (converted every BATCH_ROWS rows), so memory is bounded
    by *part_rows*, not by the number of rows. If *rows* fails midway, the parts this call already
    wrote are removed again: the catalogue is left as it was."""
    batch_rows = max(1, min(BATCH_ROWS, part_rows))
    parts: list[Path] = []
    pending: list[dict[str, Any]] = []
    batches: list[pa.RecordBatch] = []
    held = 0

    def to_batch() -> None:
        nonlocal pending, held
        if pending:
            batches.append(pa.RecordBatch.from_pylist(pending, schema=schema))
            held += len(pending)
            pending = []

    def flush() -> None:
        nonlocal batches, held
        to_batch()
        if batches:
            table = pa.Table.from_batches(batches, schema=schema)
            batches, held = [], 0
            parts.append(write_part(directory, table))

    try:
        for row in rows:
            pending.append(row)
            if len(pending) >= batch_rows:
                to_batch()
                if held >= part_rows:
                    flush()
        flush()
    except BaseException:
        for part in parts:
            with contextlib.suppress(OSError):
                part.unlink()
        raise
    return parts


def _key_columns(table: pa.Table) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    return table.column("url_surtkey"), pc.cast(table.column("fetch_time"), pa.int64())


def _not_after(table: pa.Table, bound: tuple[str | None, int | None]) -> int:
    """How many leading rows of the sorted *table* sort at or before the key *bound* (nulls last)."""
    surt, when = _key_columns(table)
    bound_surt, bound_when = bound
    if bound_surt is None:
        before, same = pc.is_valid(surt), pc.is_null(surt)
    else:
        before = pc.fill_null(pc.less(surt, bound_surt), False)
        same = pc.fill_null(pc.equal(surt, bound_surt), False)
    if bound_when is not None:  # a null time sorts last, so with a null bound every time qualifies
        same = pc.and_(same, pc.fill_null(pc.less_equal(when, bound_when), False))
    mask = pc.or_(before, same)
    return pc.sum(pc.cast(mask, pa.int64())).as_py() or 0


def _last_key(table: pa.Table) -> tuple[str | None, int | None]:
    surt, when = _key_columns(table.slice(table.num_rows - 1))
    return surt[0].as_py(), when[0].as_py()


def _sort_key(key: tuple[str | None, int | None]) -> tuple:
    surt, when = key
    return (surt is None, surt or "", when is None, when or 0)


def merged_tables(paths: list[Path], schema: pa.Schema,
                  batch_rows: int = MERGE_BATCH_ROWS) -> Iterator[pa.Table]:
    """The rows of the sorted part files *paths* as one sorted stream of small tables.

    A k-way merge, vectorised: each part is read *batch_rows* at a time; the smallest of the
    buffered parts' last keys bounds what can be emitted now (every row not yet read sorts after
    it), so the rows at or before it are taken from every buffer, sorted and emitted. At least
    one buffer empties each round. Memory: per part, the row group being read (its compressed
    column chunks, about 0.4 KB a row) and batch_rows rows; so compact merges MERGE_FANIN at once."""
    readers = [open_part(p).iter_batches(batch_size=batch_rows, columns=schema.names, use_threads=False)
               for p in paths]
    buffers: list[pa.Table | None] = [None] * len(readers)

    def refill(i: int) -> None:
        for batch in readers[i]:
            if batch.num_rows:
                buffers[i] = pa.Table.from_batches([pa.RecordBatch.from_arrays(batch.columns, schema=schema)])
                return
        buffers[i] = None

    for i in range(len(readers)):
        refill(i)
    while True:
        live = [i for i, b in enumerate(buffers) if b is not None]
        if not live:
            return
        bound = min((_last_key(buffers[i]) for i in live), key=_sort_key)
        taken = []
        for i in live:
            buffer = buffers[i]
            count = buffer.num_rows if len(live) == 1 else _not_after(buffer, bound)
            if count:
                taken.append(buffer.slice(0, count))
                if count == buffer.num_rows:
                    refill(i)
                else:
                    buffers[i] = buffer.slice(count)
        yield sort_table(pa.concat_tables(taken)) if len(taken) > 1 else taken[0]


def _write_stream(directory: Path, name: str, tables: Iterable[pa.Table], schema: pa.Schema, *,
                  durable: bool = True) -> Path:
    """Write an already sorted stream of tables as one file, one row group at a time."""
    held: list[pa.Table] = []
    count = 0
    with _parquet_file(directory, name, schema, durable=durable) as writer:
        for table in tables:
            held.append(table)
            count += table.num_rows
            while count >= ROW_GROUP_SIZE:
                group = pa.concat_tables(held)
                writer.write_table(group.slice(0, ROW_GROUP_SIZE), row_group_size=ROW_GROUP_SIZE)
                rest = group.slice(ROW_GROUP_SIZE)
                held, count = ([rest] if rest.num_rows else []), rest.num_rows
        if held:
            writer.write_table(pa.concat_tables(held), row_group_size=ROW_GROUP_SIZE)
    return directory / name


def compact(directory: Path, schema: pa.Schema) -> tuple[int, Path | None]:
    """Merge every part into one sorted part; return (parts replaced, new part).

    Streaming: the parts (each sorted) are merged MERGE_FANIN at a time, in rounds through scratch
    files when there are more, and the result is written one row group at a time, so memory does
    not depend on the size of the catalogue. The merged part is complete on disk before the parts
    it replaces are removed; parts appended meanwhile are left alone."""
    parts = list_parts(directory)
    if len(parts) <= 1:
        return 0, parts[0] if parts else None
    sweep_partial(directory)
    scratch = directory / f".compact-{secrets.token_hex(4)}"
    try:
        inputs = parts
        round_no = 0
        while len(inputs) > MERGE_FANIN:
            scratch.mkdir(exist_ok=True)
            round_no += 1
            inputs = [_write_stream(scratch, f"round{round_no}-{n}.parquet",
                                    merged_tables(inputs[i:i + MERGE_FANIN], schema), schema, durable=False)
                      for n, i in enumerate(range(0, len(inputs), MERGE_FANIN))]
        merged = _write_stream(directory, part_name(), merged_tables(inputs, schema), schema)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for old in parts:
        old.unlink()
    fsync_dir(directory)
    return len(parts), merged


def replace_parts(directory: Path, tables_rows: Iterable[dict[str, Any]], schema: pa.Schema,
                  part_rows: int = ROWS_PER_PART) -> list[Path]:
    """Write new parts from *tables_rows*, then remove the parts that were there before."""
    old = list_parts(directory)
    new = write_rows(directory, tables_rows, schema, part_rows)
    for part in old:
        part.unlink()
    fsync_dir(directory)
    return new
