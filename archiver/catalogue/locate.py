"""From a catalogue row back to the original bytes: read one record at its offset.

Only `warc_record_length` bytes starting at `warc_record_offset` are read, streamed, so a
1 GiB response comes out without being held in memory.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO, Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator

from archiver.catalogue.arrowschemas import RECORDS_SCHEMA
from archiver.catalogue.parts import list_parts
from archiver.errors import ArchiverError


class _Window:
    """A read-only file view of *length* bytes from the current position."""

    def __init__(self, fh: IO[bytes], length: int):
        self.fh, self.left = fh, length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.fh.read(size)
        self.left -= len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.fh.readline(size)
        self.left -= len(data)
        return data


def find_row(source: Path, key: str) -> dict[str, Any]:
    """The records-catalogue row for *key*: a row number, a WARC-Record-ID, or a URL (its latest
    whole capture; the latest capture cut short only if there is no whole one)."""
    from archiver.catalogue import collection_root

    root, _ = collection_root(source)
    parts = list_parts(root / "catalogue" / "records")
    if not parts:
        raise ArchiverError(f"{source}: the records catalogue is empty (run 'archiver catalogue build')")
    table = pq.ParquetDataset(parts, schema=RECORDS_SCHEMA).read()
    if key.isdigit():
        index = int(key)
        if index >= table.num_rows:
            raise ArchiverError(f"row {index} does not exist (the catalogue has {table.num_rows} rows)")
        return table.slice(index, 1).to_pylist()[0]
    if key.startswith(("<urn:", "urn:")):
        record_id = key if key.startswith("<") else f"<{key}>"
        hits = table.filter(pc.equal(table.column("warc_record_id"), record_id))
    else:
        mask = pc.and_(pc.equal(table.column("url"), key),
                       pc.is_in(table.column("warc_type"), value_set=_types(["response", "revisit"])))
        hits = table.filter(mask)
        # A capture whose body was cut short (WARC-Truncated other than the capture's own
        # "length" limit) is not the page: the latest whole capture is preferred to it.
        truncated = pc.utf8_lower(hits.column("content_truncated"))  # as written by any tool
        cut = pc.fill_null(pc.not_equal(truncated, "length"), False)
        hits = hits.append_column("_cut", cut).sort_by([("_cut", "ascending"), ("fetch_time", "descending")])
        hits = hits.drop_columns(["_cut"])
    if hits.num_rows == 0:
        raise ArchiverError(f"no catalogued record for {key}")
    return hits.slice(0, 1).to_pylist()[0]


def _types(names):
    import pyarrow as pa

    return pa.array(names, pa.string())


def copy_record(source: Path, row: dict[str, Any], out: IO[bytes], *, body: bool = False) -> str:
    """Write the record's HTTP response (or with *body*, its decoded payload) to *out*.

    A revisit is followed to the original record it refers to. Returns the record id written.
    """
    from archiver.catalogue import collection_root

    root, _ = collection_root(source)
    if row.get("warc_type") == "failed" or not row.get("warc_filename"):
        raise ArchiverError(f"{row.get('url')}: the fetch failed ({row.get('fetch_error')}); "
                            "there is no record")
    if row.get("warc_type") == "revisit" and row.get("warc_refers_to"):
        row = find_row(source, row["warc_refers_to"])
    warc = root / "warc" / row["warc_filename"]
    try:
        fh = warc.open("rb")
    except FileNotFoundError:
        raise ArchiverError(f"{warc}: the catalogued WARC file is missing") from None
    with fh:
        fh.seek(row["warc_record_offset"])
        # Unparsed, the record's raw stream is the block exactly as stored: status line,
        # headers and body as received (chunked framing and Content-Encoding kept).
        records = ArchiveIterator(_Window(fh, row["warc_record_length"]), no_record_parse=not body)
        record = next(iter(records), None)
        if record is None or record.rec_headers.get_header("WARC-Record-ID") != row["warc_record_id"]:
            raise ArchiverError(f"{warc}: no record {row['warc_record_id']} at offset "
                                f"{row['warc_record_offset']} (the catalogue is stale: rebuild it)")
        if body:
            shutil.copyfileobj(record.content_stream(), out)
        else:
            shutil.copyfileobj(record.raw_stream, out)
    return row["warc_record_id"]
