"""A fast reader for the common .warc.gz: one record per gzip member (WARC 1.1 annex D.2).

Indexing needs a record's headers, the first bytes of its payload, and where its member starts
and ends. Each member is inflated by zlib in C (zlib-ng when installed) and only its head is kept;
the headers are parsed once, as warcio parses them. What this reader does not handle itself it
hands back to warcio:

- a member whose record it cannot describe exactly as warcio would (content or transfer coding,
  folded or non-ASCII header lines, a request, a capture log whose whole content is needed...)
  is re-read by warcio from that member's own bytes (`FastRecord.needs_warcio`);
- a file that is not one whole record per member from some point on (several records in one
  member, a whole-file gzip, something that is not gzip) raises NotOneRecordPerMember at that
  member's offset, and the caller continues from there with warcio;
- a member cut short by the end of the file, or whose compressed data is damaged, raises
  EOFError, worded as archiver.warctail words it: the file is damaged or truncated (warcio would
  stop there without a word).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from archiver.warctail import BLANK_LINE

try:  # zlib-ng inflates the same streams about a quarter faster than the system zlib
    from zlib_ng import zlib_ng as zlib
except ImportError:  # pragma: no cover - zlib-ng is a declared dependency
    import zlib

READ_BYTES = 1 << 16   # compressed bytes fed to zlib at a time
HEAD_BYTES = 1 << 16   # decompressed bytes kept per record: headers and the payload's start
INFLATE_BYTES = 1 << 20  # most decompressed bytes one zlib call may return (bounds memory)
WARC_VERSIONS = (b"WARC/1.1", b"WARC/1.0", b"WARC/0.17", b"WARC/0.18")
HTTP_VERSIONS = (b"HTTP/1.0", b"HTTP/1.1")
HTTP_RECORDS = ("response", "request", "revisit")


class NotOneRecordPerMember(Exception):
    """The member at `offset` is not one whole WARC record: read from there with warcio."""

    def __init__(self, offset: int, why: str):
        super().__init__(f"offset {offset}: {why}")
        self.offset = offset


class Fields:
    """Header fields with warcio's get_header(): case-insensitive name, first occurrence wins."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, str]):
        self.fields = fields

    def get_header(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name.lower(), default)


class HttpHeaders(Fields):
    __slots__ = ("status",)

    def __init__(self, fields: dict[str, str], status: str):
        super().__init__(fields)
        self.status = status

    def get_statuscode(self) -> str:
        return self.status


def parse_fields(data: bytes) -> dict[str, str] | None:
    """'Name: value' lines, as warcio's StatusAndHeadersParser reads them -> {lower name: value};
    None when warcio must read them (line folding, bytes outside ASCII)."""
    if not data.isascii():
        return None
    fields: dict[str, str] = {}
    for line in data.decode("ascii").split("\n"):
        line = line.rstrip()
        if not line:
            continue
        if line[0] in " \t":
            return None
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.rstrip(" \t").lower(), value.lstrip())
    return fields


class FastRecord:
    """One record as found in its gzip member, with the parts of warcio's record interface that
    archiver.catalogue.records uses (format, rec_type, rec_headers, http_headers, content_stream)."""

    __slots__ = ("offset", "length", "rec_headers", "rec_type", "http_headers", "payload_head",
                 "needs_warcio")
    format = "warc"

    def __init__(self, offset: int, length: int, head: bytes, header_length: int, content_length: int,
                 fields: dict[str, str]):
        self.offset, self.length = offset, length
        self.rec_headers = Fields(fields)
        self.rec_type = fields.get("warc-type")
        self.http_headers = None
        self.needs_warcio = False
        block = head[header_length:header_length + content_length]
        self.payload_head = block
        if len(block) < min(content_length, 1 << 12):
            self.needs_warcio = True  # a WARC header so long that too little of the block was kept
            return
        uri = fields.get("warc-target-uri") or ""
        if " " in uri:  # warcio rewrites the header with %20 for each space
            self.needs_warcio = True
            return
        if uri.startswith("<") and uri.endswith(">"):  # as warcio reads wget 1.19's <URI>
            uri = uri[1:-1]
        if self.rec_type in HTTP_RECORDS and content_length and uri.startswith(("http:", "https:")):
            self._parse_http(block, content_length)

    def _parse_http(self, block: bytes, content_length: int) -> None:
        if self.rec_type == "request":  # not catalogued by default: warcio reads it when asked
            self.needs_warcio = True
            return
        blank = BLANK_LINE.search(block)
        if blank is None or not block[:8].upper().startswith(HTTP_VERSIONS):
            self.needs_warcio = True  # headers beyond the bytes kept, HTTP/0.9, not HTTP at all...
            return
        status_line, _, rest = block[:blank.start()].partition(b"\n")
        fields = parse_fields(rest)
        if fields is None or not status_line.isascii() or "content-encoding" in fields \
                or "transfer-encoding" in fields:
            self.needs_warcio = True
            return
        # the status code as warcio's parser (verify_http=False) splits the line
        _, _, status = status_line.decode("ascii").rstrip().partition(" ")
        self.http_headers = HttpHeaders(fields, status.strip().split(" ", 1)[0])
        body = block[blank.end():]
        if len(body) < min(content_length - blank.end(), 1 << 12):
            self.needs_warcio = True  # fewer payload bytes kept than a sniff may read
            return
        self.payload_head = body

    def content_stream(self) -> io.BytesIO:
        """The payload's first bytes (at least 4 KiB of it, or all of it when shorter)."""
        return io.BytesIO(self.payload_head)


def _split_record(head: bytes, offset: int) -> tuple[dict[str, str], int, int]:
    """WARC header -> (fields, header length including the blank line, Content-Length)."""
    if not head.startswith(WARC_VERSIONS):
        raise NotOneRecordPerMember(offset, "no WARC version line")
    blank = BLANK_LINE.search(head)
    if blank is None:
        raise NotOneRecordPerMember(offset, "WARC header longer than the bytes kept")
    first = head.find(b"\n")
    fields = parse_fields(head[first + 1:blank.start()])
    if fields is None:
        raise NotOneRecordPerMember(offset, "WARC header warcio must read")
    try:
        content_length = int(fields.get("content-length", ""))
    except ValueError:
        raise NotOneRecordPerMember(offset, "no numeric Content-Length") from None
    return fields, blank.end(), content_length


def record_from_head(offset: int, length: int, head: bytes) -> FastRecord:
    """The record of a member known without reading it back: its *offset* and *length* in the
    file, and its first uncompressed bytes *head* as the writer kept them. Raises
    NotOneRecordPerMember when *head* does not hold a WARC header warcio would read the same."""
    fields, header_length, content_length = _split_record(head, offset)
    return FastRecord(offset, length, head, header_length, content_length, fields)


def iter_members(fh: BinaryIO) -> Iterator[FastRecord]:
    """Yield each member's record from the current position of *fh* (a .warc.gz, binary)."""
    offset = fh.tell()
    pending = fh.read(READ_BYTES)
    while pending:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        consumed = 0
        head = bytearray()
        total = 0
        while True:
            data = pending
            while data:  # at most INFLATE_BYTES out per call: a small member may expand greatly
                try:
                    out = inflater.decompress(data, INFLATE_BYTES)
                except zlib.error as exc:
                    if total == 0 and consumed == 0 and not pending.startswith(b"\x1f\x8b"):
                        raise NotOneRecordPerMember(offset, f"not gzip ({exc})") from None
                    raise EOFError(f"gzip member at byte {offset} is damaged ({exc})") from None
                total += len(out)
                if len(head) < HEAD_BYTES:
                    head += out[:HEAD_BYTES - len(head)]
                data = inflater.unconsumed_tail
            if inflater.eof:
                consumed += len(pending) - len(inflater.unused_data)
                pending = inflater.unused_data or fh.read(READ_BYTES)
                break
            consumed += len(pending)
            pending = fh.read(READ_BYTES)
            if not pending:
                raise EOFError(f"truncated: the gzip member at byte {offset} has no end")
        head = bytes(head)
        fields, header_length, content_length = _split_record(head, offset)
        # one record per member: version line and header, block, then CRLF CRLF (WARC 1.1 section 4)
        if total != header_length + content_length + 4:
            raise NotOneRecordPerMember(offset, "member does not hold exactly one record")
        yield FastRecord(offset, consumed, head, header_length, content_length, fields)
        offset += consumed
