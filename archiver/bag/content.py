"""Payload content checks beyond BagIt: metadata JSON against its schema, WARCs read to the end."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

from archiver.bag.codes import Problem, problem
from archiver.bag.payload import PayloadListing
from archiver.collection import METADATA_DIR, WARC_DIR, WARC_SUFFIXES
from archiver.errors import ArchiverError
from archiver.warctail import load_failure, tail_problem

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


def check_warc(bag: Path, relpath: str) -> list[Problem]:
    """Read every record of a WARC to its end (WARC 1.1: each record is headers + block).

    Block and payload digests are checked where the records carry them, and a gzip WARC must
    end with a complete gzip member.
    """
    from warcio.archiveiterator import ArchiveIterator

    records = 0
    last_offset = 0
    try:
        with (bag / relpath).open("rb") as fh:
            iterator = ArchiveIterator(fh, check_digests=True)
            for record in iterator:
                last_offset = iterator.get_record_offset()
                while record.raw_stream.read(1 << 16):  # the block as stored: digests cover it
                    pass
                if record.digest_checker.passed is False:
                    why = "; ".join(map(str, record.digest_checker.problems))
                    return [problem("E-WARC", relpath, f"record {records + 1}: {why}")]
                records += 1
    except Exception as exc:  # warcio raises many types for truncated or garbled input
        return [problem("E-WARC", relpath, f"unreadable after {records} records: {load_failure(exc)}")]
    damaged = tail_problem(bag / relpath, last_offset if records else None)
    if damaged:
        return [problem("E-WARC", relpath, f"after {records} records: {damaged}")]
    return []


def content_checks(bag: Path, listing: PayloadListing) -> list[Callable[[], list[Problem]]]:
    """One callable per payload file that has a content check, in path order.

    Separate callables so that the validator can run them in parallel: zlib (inflating WARCs)
    and hashlib release the GIL, so WARC checks and payload hashing share the cores.
    """
    checks: list[Callable[[], list[Problem]]] = []
    for relpath in sorted(listing.sizes):
        if relpath.startswith(_METADATA_PREFIX) and relpath.endswith(".json"):
            checks.append(functools.partial(check_metadata, bag, relpath))
        elif relpath.startswith(_WARC_PREFIX) and relpath.endswith(WARC_SUFFIXES):
            checks.append(functools.partial(check_warc, bag, relpath))
    return checks


def check_content(bag: Path, listing: PayloadListing) -> list[Problem]:
    """Run every content check in turn."""
    return [found for check in content_checks(bag, listing) for found in check()]
