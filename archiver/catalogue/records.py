"""WARC records -> records-catalogue rows, streaming one record at a time.

Works on any WARC (gzip per record or uncompressed, from any tool). Offsets and lengths are
those of the record as stored (the gzip member in a .warc.gz), so that reading
`warc_record_length` bytes at `warc_record_offset` gives warcio exactly one record.
Failed fetches, which have no record of their own, come from archiver's capture log (stored in
the WARC as a resource record) and become rows with warc_type 'failed'.
"""

from __future__ import annotations

import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.catalogue.gzmembers import FastRecord, NotOneRecordPerMember, iter_members, record_from_head
from archiver.catalogue.surt import surt_key
from archiver.domains import registered_domain
from archiver.errors import ArchiverError
from archiver.urlsafe import join
from archiver.warctail import load_failure, tail_problem

CAPTURE_LOG_URI_PREFIX = "urn:archiver:capture-log:"
NOT_CAPTURED = ("failed", "skipped")
SNIFF_BYTES = 2048
_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def parse_warc_date(value: str | None) -> datetime | None:
    """WARC-Date (W3C-ISO8601, any precision) -> aware UTC datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def url_columns(url: str) -> dict[str, Any]:
    """The url_* columns of a URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        parts, host, port = None, None, None
    return {
        "url_surtkey": surt_key(url),
        "url": url,
        "url_host_name": host,
        "url_host_registered_domain": registered_domain(host),
        "url_protocol": parts.scheme.lower() if parts and parts.scheme else None,
        "url_port": port,
        "url_path": parts.path if parts else None,
        "url_query": parts.query or None if parts else None,
    }


def detect_mime(head: bytes) -> str | None:
    """Media type from the payload's first bytes (a few formats news pages use)."""
    stripped = head.lstrip()[:256].lower()
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:]
    if stripped.startswith((b"<!doctype html", b"<html")) or b"<head" in stripped or b"<body" in stripped:
        return "text/html"
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in head[:1024]):
        return "image/svg+xml"
    if stripped.startswith(b"<?xml"):
        return "application/xml"
    if stripped[:1] in (b"{", b"["):
        return "application/json"
    return None


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    main, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.strip().lower() == "charset" and val:
            charset = val.strip().strip("\"'").lower()
    return main.strip().lower() or None, charset


def _record_row(record, collection: str, warc_filename: str) -> tuple[dict[str, Any], bytes]:
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or ""
    url = url.strip("<>")
    row = url_columns(url) if url else {k: None for k in url_columns("x")}
    warc_type = record.rec_type
    row.update(
        fetch_time=parse_warc_date(headers.get_header("WARC-Date")),
        fetch_status=None, fetch_redirect=None, fetch_error=None,
        content_digest=headers.get_header("WARC-Payload-Digest"),
        content_mime_type=None, content_mime_detected=None, content_charset=None,
        content_languages=None,
        content_truncated=headers.get_header("WARC-Truncated"),
        warc_filename=warc_filename,
        warc_record_id=headers.get_header("WARC-Record-ID"),
        warc_type=warc_type,
        warc_ip_address=headers.get_header("WARC-IP-Address"),
        warc_refers_to=headers.get_header("WARC-Refers-To"),
        collection=collection,
    )
    http = record.http_headers
    if http is not None and warc_type in ("response", "revisit"):
        try:
            row["fetch_status"] = int(http.get_statuscode())
        except (TypeError, ValueError):
            row["fetch_status"] = None
        if row["fetch_status"] is not None and not -32768 <= row["fetch_status"] <= 32767:
            row["fetch_status"] = None
        location = http.get_header("Location")
        if location:
            # as the server sent it when urllib cannot split it (`//[x`: a bracket never closed)
            row["fetch_redirect"] = join(url, location.strip()) or location.strip()
        row["content_mime_type"], row["content_charset"] = _content_type(http.get_header("Content-Type"))
        row["content_languages"] = http.get_header("Content-Language")
    elif warc_type in ("resource", "metadata", "warcinfo"):
        row["content_mime_type"], row["content_charset"] = _content_type(
            headers.get_header("Content-Type"))
    head = b""
    if warc_type in ("response", "resource"):
        try:
            head = record.content_stream().read(SNIFF_BYTES)
        except Exception:  # noqa: BLE001 - a damaged body must not stop the index
            head = b""
        row["content_mime_detected"] = detect_mime(head)
        if row["content_mime_detected"] == "text/html" or row["content_mime_type"] == "text/html":
            if not row["content_languages"] and (m := _LANG.search(head)):
                row["content_languages"] = m.group(1).decode("ascii").lower()
            if not row["content_charset"] and (m := _META_CHARSET.search(head)):
                row["content_charset"] = m.group(1).decode("ascii").lower()
    return row, head


def failure_rows(log_lines: Iterable[bytes], collection: str) -> Iterator[dict[str, Any]]:
    """Rows for the URLs a capture log (JSON Lines) says were not captured: outcome 'failed'
    (the fetch failed) or 'skipped' (robots.txt, scope or size rules), with the reason."""
    for raw in log_lines:
        try:
            entry = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            continue
        if (not isinstance(entry, dict) or entry.get("outcome") not in NOT_CAPTURED
                or not entry.get("url")):
            continue
        row = url_columns(str(entry["url"]))
        status = entry.get("status")
        row.update(
            fetch_time=parse_warc_date(entry.get("time")),
            fetch_status=status if isinstance(status, int) and -32768 <= status <= 32767 else None,
            fetch_redirect=None, fetch_error=str(entry.get("error") or entry["outcome"]),
            content_digest=None, content_mime_type=None, content_mime_detected=None,
            content_charset=None, content_languages=None, content_truncated=None,
            warc_filename=None, warc_record_offset=None, warc_record_length=None,
            warc_record_id=None, warc_type=entry["outcome"], warc_ip_address=None, warc_refers_to=None,
            collection=collection,
        )
        yield row


Locate = Callable[[], tuple[int, int]]


def _needs_whole_member(fast) -> bool:
    """A FastRecord that warcio must read from its member: one gzmembers cannot describe exactly
    as warcio would, or a capture log, whose whole content becomes rows."""
    uri = fast.rec_headers.get_header("WARC-Target-URI") or ""
    return fast.needs_warcio or uri.startswith(CAPTURE_LOG_URI_PREFIX)


def _member_record(fh: BinaryIO, offset: int, length: int):
    """The record of the gzip member of *length* bytes at *offset*, parsed by warcio alone."""
    member = os.pread(fh.fileno(), length, offset)
    return next(iter(ArchiveIterator(io.BytesIO(member))))


def _log_failure_rows(record, sniffed: bytes, collection: str, logs_seen: set[str] | None
                      ) -> list[dict[str, Any]]:
    """The not-captured rows of *record* if it is a capture log (*sniffed*: its content's first
    bytes, already read), else none; its URI is added to *logs_seen*."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type != "resource" or not uri.startswith(CAPTURE_LOG_URI_PREFIX):
        return []
    if logs_seen is not None:
        logs_seen.add(uri)
    log = sniffed + record.content_stream().read()  # capture logs are small
    return list(failure_rows(iter(log.splitlines()), collection))


def _records(fh: BinaryIO, is_arc: bool, include_requests: bool,
             ended_whole: list[bool]) -> Iterator[tuple[Any, Locate]]:
    """(record, locate) for each record of the open WARC *fh*: locate() -> (offset, length) as
    stored, to be called once the record's content has been read as far as wanted.

    A .warc.gz is read by gzmembers while it holds one record per gzip member, and by warcio from
    the first member that does not (and for any other file); both give the same records. A member
    gzmembers cannot describe exactly as warcio would is parsed by warcio from its own bytes.
    When gzmembers has inflated every member to the end of the file (it raises on one cut short),
    True is appended to *ended_whole*: the file needs no second look at its tail."""
    if not is_arc and fh.read(2) == b"\x1f\x8b":
        fh.seek(0)
        try:
            for fast in iter_members(fh):
                where = (fast.offset, fast.length)
                if fast.rec_type == "request" and not include_requests:
                    yield fast, lambda where=where: where  # skipped: nothing more to read
                elif _needs_whole_member(fast):
                    yield _member_record(fh, fast.offset, fast.length), lambda where=where: where
                else:
                    yield fast, lambda where=where: where
            ended_whole.append(True)
            return
        except NotOneRecordPerMember as stop:
            fh.seek(stop.offset)
    else:
        fh.seek(0)
    iterator = ArchiveIterator(fh, arc2warc=is_arc)
    for record in iterator:
        yield record, lambda: (iterator.get_record_offset(), iterator.get_record_length())


def iter_warc_rows(warc: Path, collection: str, *, include_requests: bool = False,
                   logs_seen: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """Yield one row per record of *warc* (requests only if asked), then the URLs its capture
    logs say were not captured. The URIs of the capture logs found are added to *logs_seen*."""
    warc = Path(warc)
    failures: list[dict[str, Any]] = []
    last_offset = None
    ended_whole: list[bool] = []
    try:
        with warc.open("rb") as fh:
            is_arc = warc.name.endswith((".arc", ".arc.gz"))
            for record, locate in _records(fh, is_arc, include_requests, ended_whole):
                if record.format != "warc" and not is_arc:
                    # warcio reads any first line as an ARC header; only .arc files are ARC.
                    raise ArchiveLoadFailed("no WARC/1.x version line")
                if record.rec_type == "request" and not include_requests:
                    last_offset = locate()[0]  # (warcio reads to the record's end)
                    continue
                row, head = _record_row(record, collection, warc.name)
                failures.extend(_log_failure_rows(record, head, collection, logs_seen))
                row["warc_record_offset"], row["warc_record_length"] = locate()
                last_offset = row["warc_record_offset"]
                yield row
    except ArchiveLoadFailed as exc:
        raise ArchiverError(f"{warc}: not a readable WARC file ({load_failure(exc)})") from None
    except FileNotFoundError:
        raise ArchiverError(f"{warc}: no such file") from None
    except (EOFError, OSError) as exc:
        raise ArchiverError(f"{warc}: damaged or truncated WARC ({exc})") from None
    except (ValueError, AttributeError, zlib.error) as exc:
        # warcio raises many kinds of error on malformed or truncated records (AttributeError for
        # a plain WARC cut inside a response's WARC header, before its WARC-Target-URI)
        raise ArchiverError(f"{warc}: damaged or truncated WARC ({type(exc).__name__}: {exc})") from None
    if not ended_whole and (problem := tail_problem(warc, last_offset)) is not None:
        raise ArchiverError(f"{warc}: damaged or truncated WARC ({problem})")
    yield from failures


# A record as its writer reported it (archiver.capture.warcwriter.OnWritten): the WARC file's final
# name, the member's offset and length, and the member's first bytes uncompressed.
WrittenMember = tuple[str, int, int, bytes]


def _read_member(warc_dir: Path, filename: str, offset: int, length: int):
    """The record of one gzip member, read by warcio from the file (still NAME.open while written)."""
    final = warc_dir / filename
    for path in (final, warc_dir / (filename + ".open"), final):  # the rename may fall in between
        try:
            with open(path, "rb") as fh:
                return _member_record(fh, offset, length)
        except FileNotFoundError:
            continue
    raise ArchiverError(f"{final}: no such WARC file")


def iter_written_rows(members: Iterable[WrittenMember], warc_dir: Path, collection: str,
                      logs_seen: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """The rows iter_warc_rows gives for the same records, from what their writer reported, without
    reading the WARC back. A member whose head does not describe its record as warcio would (content
    or transfer coding, long headers: gzmembers' rules), and a capture log, whose whole content is
    needed, are read by warcio from their own member."""
    for filename, offset, length, head in members:
        try:
            record = record_from_head(offset, length, head)
        except NotOneRecordPerMember:  # a WARC header longer than the head kept
            record = _read_member(warc_dir, filename, offset, length)
        if record.rec_type == "request":
            continue  # not catalogued (as in iter_warc_rows), so never read back
        if isinstance(record, FastRecord) and _needs_whole_member(record):
            record = _read_member(warc_dir, filename, offset, length)
        row, sniffed = _record_row(record, collection, filename)
        row["warc_record_offset"], row["warc_record_length"] = offset, length
        yield row
        yield from _log_failure_rows(record, sniffed, collection, logs_seen)


def iter_log_file_rows(log: Path, collection: str) -> Iterator[dict[str, Any]]:
    """Not-captured rows from a capture log file in logs/ (for runs whose log is in no WARC,
    such as a run that could fetch nothing at all)."""
    with Path(log).open("rb") as fh:
        yield from failure_rows(fh, collection)


def log_uri(log: Path) -> str:
    """The WARC-Target-URI under which the capture log file *log* is stored in a WARC."""
    run_id = Path(log).name.removeprefix("capture-").removesuffix(".jsonl")
    return CAPTURE_LOG_URI_PREFIX + run_id
