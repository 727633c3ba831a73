"""HTML responses from any WARC file: ours or other tools' (wget, Heritrix, browsertrix-crawler,
warcio), gzipped per record or uncompressed, with revisit records resolved to their original payload.

Two passes, both streaming: `scan` reads every record's headers once (never keeping payloads) and
notes where each record lies; `read_payload` then seeks to one record and reads its HTTP payload.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.errors import ArchiverError
from archiver.urlsafe import join
from archiver.warctail import body_cut_short, load_failure, tail_problem

HTML_TYPES = ("text/html", "application/xhtml+xml")
# An HTML page larger than this is not an article page; we read no more of it (protects memory).
MAX_HTML_BYTES = 20 * 1024 * 1024


@dataclass
class RecordRef:
    """Where one WARC record lies and what its headers say (no payload)."""

    path: Path
    file: str  # name relative to the collection's warc/ folder
    offset: int
    length: int
    record_type: str
    record_id: str
    target_uri: str
    date: datetime | None
    payload_digest: str | None
    refers_to: str | None = None  # WARC-Refers-To record id (revisits)
    refers_to_uri: str | None = None
    status: int | None = None
    content_type: str | None = None
    location: str | None = None
    http_headers: dict[str, str] | None = None
    truncated: str | None = None  # WARC-Truncated (WARC 1.1 section 5.13)

    @property
    def cut_short(self) -> bool:
        """The server's body did not all arrive (disconnect, time...): not a copy of the page.
        A "length" cut is the capture's own --max-size limit, and is read as it is."""
        return body_cut_short(self.truncated)

    def location_dict(self) -> dict:
        return {"file": self.file, "offset": self.offset, "record_id": self.record_id}

    @property
    def media_type(self) -> str:
        return (self.content_type or "").split(";")[0].strip().lower()


def _clean_uri(uri: str | None) -> str:
    # WARC 1.0 examples (and wget) wrap the target URI in angle brackets.
    return (uri or "").strip().removeprefix("<").removesuffix(">")


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def scan(path: Path, name: str) -> Iterator[RecordRef]:
    """Every response, revisit and resource record of one WARC file, in file order."""
    good_end = 0  # where the last well-formed record ended, for the error message
    last_offset = None
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for record in it:
                rtype = record.rec_type
                if rtype not in ("response", "revisit", "resource"):
                    it.read_to_end(record)
                    last_offset = it.get_record_offset()
                    good_end = last_offset + it.get_record_length()
                    continue
                h = record.rec_headers
                ref = RecordRef(
                    path=path, file=name, offset=it.get_record_offset(), length=0, record_type=rtype,
                    record_id=h.get_header("WARC-Record-ID") or "", target_uri=_clean_uri(h.get_header(
                        "WARC-Target-URI")), date=_warc_date(h.get_header("WARC-Date")),
                    payload_digest=h.get_header("WARC-Payload-Digest"),
                    refers_to=h.get_header("WARC-Refers-To"),
                    refers_to_uri=_clean_uri(h.get_header("WARC-Refers-To-Target-URI")) or None,
                    truncated=(h.get_header("WARC-Truncated") or "").strip().lower() or None)
                if record.http_headers is not None:
                    code = (record.http_headers.get_statuscode() or "").strip()
                    ref.status = int(code) if code.isdigit() else None
                    ref.content_type = record.http_headers.get_header("Content-Type")
                    ref.location = record.http_headers.get_header("Location")
                    ref.http_headers = dict(record.http_headers.headers)
                elif rtype == "resource":
                    ref.content_type = h.get_header("Content-Type")
                it.read_to_end(record)
                ref.length = it.get_record_length()
                last_offset, good_end = ref.offset, ref.offset + ref.length
                yield ref
    except ArchiveLoadFailed as exc:
        raise ArchiverError(f"{name}: not a readable WARC file ({load_failure(exc)})") from None
    except (ValueError, AttributeError, EOFError, OSError, zlib.error) as exc:
        # warcio raises many kinds of error on malformed or truncated records
        raise ArchiverError(f"{name}: malformed WARC record after byte {good_end} "
                            f"({type(exc).__name__}: {exc})") from None
    if (problem := tail_problem(path, last_offset)) is not None:
        raise ArchiverError(f"{name}: damaged or truncated WARC ({problem})")


def read_payload(ref: RecordRef, limit: int = MAX_HTML_BYTES) -> bytes:
    """The HTTP payload (de-chunked, content-decoded) of the record at *ref*, at most *limit* bytes."""
    with open(ref.path, "rb") as fh:
        fh.seek(ref.offset)
        for record in ArchiveIterator(fh):
            return record.content_stream().read(limit)
    return b""


class WarcIndex:
    """What a set of WARC files holds: payload-bearing records by URI and by digest, and redirects."""

    def __init__(self) -> None:
        self.records: list[RecordRef] = []
        self.by_id: dict[str, RecordRef] = {}
        self.by_digest: dict[str, list[RecordRef]] = {}
        self.redirects: dict[str, str] = {}
        self.captured: dict[str, RecordRef] = {}

    def add_file(self, path: Path, name: str) -> None:
        for ref in scan(path, name):
            self.records.append(ref)
            self.by_id[ref.record_id] = ref
            if ref.record_type != "revisit" and ref.payload_digest:
                self.by_digest.setdefault(ref.payload_digest, []).append(ref)
            if ref.status and 300 <= ref.status < 400 and ref.location and (
                    target := join(ref.target_uri, ref.location)):
                self.redirects[ref.target_uri] = target
            elif ref.cut_short:
                continue  # an image cut short is not where the image is; a whole capture may follow
            elif ref.record_type == "resource" or (ref.status and 200 <= ref.status < 300) or (
                    ref.record_type == "revisit"):
                self.captured.setdefault(ref.target_uri, ref)

    def cut_short_pages(self) -> list[str]:
        """Target URIs of the HTML captures that `html_pages` leaves out because their body was
        cut short (a page may also have a whole capture, which is read)."""
        return [ref.target_uri for ref in self.records if ref.cut_short
                and 200 <= (ref.status or (200 if ref.record_type == "resource" else 0)) < 300
                and (ref.content_type or "").split(";")[0].strip().lower() in (*HTML_TYPES, "")]

    def original_of(self, revisit: RecordRef) -> RecordRef | None:
        """The record whose payload a revisit stands for (WARC 1.1 §6.7: by Refers-To, else by digest)."""
        if revisit.refers_to and revisit.refers_to in self.by_id:
            return self.by_id[revisit.refers_to]
        candidates = self.by_digest.get(revisit.payload_digest or "", [])
        same_uri = [c for c in candidates if c.target_uri == (revisit.refers_to_uri or revisit.target_uri)]
        return (same_uri or candidates or [None])[0]

    def requested_url(self, final: str) -> str:
        """The first URL of a redirect chain captured in these WARCs that ends at *final*."""
        reverse = {to: frm for frm, to in self.redirects.items()}
        url, seen = final, {final}
        while url in reverse and reverse[url] not in seen:
            url = reverse[url]
            seen.add(url)
        return url

    def image_location(self, url: str) -> dict | None:
        ref = self.captured.get(url)
        if ref is None:
            return None
        if ref.record_type == "revisit":
            original = self.original_of(ref)
            return original.location_dict() if original else None
        return ref.location_dict()

    def html_pages(self) -> Iterator[tuple[RecordRef, RecordRef]]:
        """(record, record holding the payload) for each successful HTML response or resolved revisit
        (see `cut_short_pages` for those whose body did not all arrive)."""
        for ref in self.records:
            if ref.cut_short:
                continue
            payload_ref = ref
            status, ctype = ref.status, ref.content_type
            if ref.record_type == "revisit":
                original = self.original_of(ref)
                if original is None:
                    continue
                payload_ref = original
                if not status or status == 304:  # server-not-modified profile: headers from the original
                    status, ctype = original.status, original.content_type
            if ref.record_type == "resource":
                status = status or 200
            media = (ctype or "").split(";")[0].strip().lower()
            if status and 200 <= status < 300 and (media in HTML_TYPES or not media):
                if ref.record_type == "revisit" and ctype != ref.content_type:
                    ref.content_type = ctype
                ref.status = status
                yield ref, payload_ref
