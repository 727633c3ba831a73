"""Payload content checks beyond BagIt: metadata JSON against its schema, WARCs read to the end."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

from archiver.bag.codes import Problem, problem
from archiver.bag.payload import PayloadListing
from archiver.collection import METADATA_DIR, WARC_DIR, WARC_SUFFIXES
from archiver.errors import ArchiverError

_METADATA_PREFIX = f"data/{METADATA_DIR}/"
_WARC_PREFIX = f"data/{WARC_DIR}/"


def check_metadata(bag: Path, relpath: str) -> list[Problem]:
    """Validate one data/metadata/**/*.json document with archiver.schemas."""
    from archiver.schemas import load_schema, validate_document

    try:
        with (bag / relpath).open(encoding="utf-8") as fh:
            document = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return [problem("E-METADATA-JSON", relpath, f"not valid UTF-8 JSON: {exc}")]
    except OSError as exc:
        return [problem("E-FILE-UNREADABLE", relpath, exc.strerror or str(exc))]
    schema_id = document.get("$schema") if isinstance(document, dict) else None
    if isinstance(schema_id, str):
        try:
            load_schema(schema_id)
        except ArchiverError:
            return [problem("W-METADATA-SCHEMA-UNKNOWN", relpath,
                            f"schema {schema_id!r} is not installed here; document not checked")]
    return [problem("E-METADATA-SCHEMA", relpath, str(v)) for v in validate_document(document)]


def _gzip_problem(path: Path) -> str | None:
    """Read a gzip file to its end: warcio stops quietly at a truncated last member, gzip does not."""
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (EOFError, OSError, zlib.error) as exc:
        return f"gzip stream damaged: {exc}"
    return None


def check_warc(bag: Path, relpath: str) -> list[Problem]:
    """Read every record of a WARC to its end (WARC 1.1: each record is headers + block).

    Block and payload digests are checked where the records carry them, and a gzip WARC must
    end with a complete gzip member.
    """
    from warcio.archiveiterator import ArchiveIterator

    if relpath.endswith(".gz"):
        damaged = _gzip_problem(bag / relpath)
        if damaged:
            return [problem("E-WARC", relpath, damaged)]
    records = 0
    try:
        with (bag / relpath).open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                stream = record.content_stream()
                while stream.read(1 << 16):
                    pass
                if record.digest_checker.passed is False:
                    why = "; ".join(map(str, record.digest_checker.problems))
                    return [problem("E-WARC", relpath, f"record {records + 1}: {why}")]
                records += 1
    except Exception as exc:  # warcio raises many types for truncated or garbled input
        return [problem("E-WARC", relpath, f"unreadable after {records} records: {exc}")]
    return []


def check_content(bag: Path, listing: PayloadListing) -> list[Problem]:
    found: list[Problem] = []
    for relpath in sorted(listing.sizes):
        if relpath.startswith(_METADATA_PREFIX) and relpath.endswith(".json"):
            found.extend(check_metadata(bag, relpath))
        elif relpath.startswith(_WARC_PREFIX) and relpath.endswith(WARC_SUFFIXES):
            found.extend(check_warc(bag, relpath))
    return found
