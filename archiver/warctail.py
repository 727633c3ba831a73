"""Does a WARC file end with a whole record? warcio cannot tell us.

warcio's ArchiveIterator stops quietly when a file is cut short: a truncated last gzip member is
dropped, and the block of a truncated uncompressed record is returned short. A copy cut short by a
full disk or an interrupted transfer would then look like a smaller, valid WARC, and whatever is
built from it (catalogue, article documents) would silently lose records. Every reader of WARCs in
archiver calls `tail_problem` after its last record to turn that into an error.

Only the tail from the last record's offset is read again, in chunks, so the check costs one
record's worth of reading and bounded memory whatever the record's size.
"""

from __future__ import annotations

import os
import re
import zlib
from pathlib import Path

CHUNK = 1 << 20


def body_cut_short(warc_truncated: str | None) -> bool:
    """Whether a record with this WARC-Truncated value (WARC 1.1 section 5.13) holds a body that did
    not all arrive (disconnect, time, unspecified...), read in any case as other tools write it.
    "length" is a capture's own size limit: what it kept is read as it is. The records catalogue
    applies the same rule to its content_truncated column (catalogue.locate.find_row)."""
    return bool(warc_truncated) and warc_truncated.strip().lower() != "length"
HEADER_STEP = 1 << 16  # WARC header bytes read at a time while looking for the header's end
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d+)[ \t]*\r?$", re.I | re.M)
# warcio ends a header at its first line that is empty once str.rstrip() has stripped it: a line of
# nothing but ASCII whitespace, CRLF or bare LF (archiver.catalogue.gzmembers parses headers by it too)
BLANK_LINE = re.compile(rb"\n[ \t\r\x0b\x0c\x1c-\x1f]*\n")


def load_failure(exc: BaseException) -> str:
    """warcio's reason for refusing a file, on one line (some of its messages span a dozen lines)."""
    text = str(exc)
    if "non-chunked gzip" in text:
        return ("several records in one gzip member (a whole-file gzip); `warcio recompress` rewrites "
                "it as one member per record")
    return next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)


def tail_problem(path: Path, last_offset: int | None) -> str | None:
    """Why the WARC (or ARC) at *path* does not end with its last record whole, or None if it does.

    *last_offset* is where the last record a reader got lies (None when it got none).
    """
    path = Path(path)
    with path.open("rb") as fh:
        magic = fh.read(2)
    if not magic:
        return None  # an empty file holds no records; nothing is cut short
    start = last_offset or 0
    if magic == b"\x1f\x8b":
        return _gzip_tail_problem(path, start)
    if path.name.lower().endswith(".arc"):
        return None if last_offset is None else _arc_tail_problem(path, start)
    if last_offset is None:
        return "no complete WARC record"
    return _plain_tail_problem(path, start)


def _gzip_tail_problem(path: Path, offset: int) -> str | None:
    """Every gzip member from *offset* to the end of the file must be complete (RFC 1952)."""
    inflater = zlib.decompressobj(31)  # 31: expect a gzip wrapper
    member_start = offset
    consumed = offset
    with path.open("rb") as fh:
        fh.seek(offset)
        pending = b""
        while True:
            data = pending or fh.read(CHUNK)
            pending = b""
            if not data:
                break
            try:
                # max_length bounds what one call can inflate (a small member may expand greatly)
                inflater.decompress(data, CHUNK)
                while inflater.unconsumed_tail:
                    inflater.decompress(inflater.unconsumed_tail, CHUNK)
            except zlib.error as exc:
                return f"gzip member at byte {member_start} is damaged ({exc})"
            if inflater.eof:
                rest = inflater.unused_data
                consumed += len(data) - len(rest)
                member_start = consumed
                inflater = zlib.decompressobj(31)
                pending = rest
            else:
                consumed += len(data)
    if consumed != member_start:
        return f"truncated: the gzip member at byte {member_start} has no end"
    return None


def _plain_tail_problem(path: Path, offset: int) -> str | None:
    """The last record's block must hold Content-Length bytes (WARC 1.1 section 4), followed by
    the two CRLFs that end a record and nothing else."""
    size = os.path.getsize(path)
    # WARC 1.1 uses CRLF; some tools write bare LF, which warcio also accepts. The header is read
    # until its end, however long (warcio has just held all of it in memory as well).
    head = bytearray()
    blank = None
    with path.open("rb") as fh:
        fh.seek(offset)
        while blank is None and (chunk := fh.read(HEADER_STEP)):
            searched = max(0, head.rfind(b"\n"))  # a blank line across the step starts there
            head += chunk
            blank = BLANK_LINE.search(head, searched)
    if blank is None:
        return f"truncated: the record at byte {offset} has no end of headers"
    match = _CONTENT_LENGTH.search(head, 0, blank.start() + 1)
    if not match:
        return f"the record at byte {offset} has no Content-Length"
    return _block_end_problem(path, size, "record", offset, offset + blank.end(), int(match.group(1)))


def _arc_tail_problem(path: Path, offset: int) -> str | None:
    """The last ARC record's header line ends with its length (ARC 1.0: URL IP-address
    Archive-date Content-type Archive-length); that many bytes must follow the line."""
    size = os.path.getsize(path)
    with path.open("rb") as fh:
        fh.seek(offset)
        line = fh.readline(HEADER_STEP)
    fields = line.split()
    if not line.endswith(b"\n") or not fields or not fields[-1].isdigit():
        return f"truncated: the ARC record at byte {offset} has no whole header line"
    return _block_end_problem(path, size, "ARC record", offset, offset + len(line), int(fields[-1]))


def _block_end_problem(path: Path, size: int, kind: str, offset: int, block_start: int,
                       declared: int) -> str | None:
    """The last record's block (*declared* bytes from *block_start*) must be in the file, and only
    line ends may follow it."""
    block_end = block_start + declared
    if size < block_end:
        return (f"truncated: the {kind} at byte {offset} declares {declared} bytes "
                f"but the file ends {block_end - size} bytes short")
    with path.open("rb") as fh:
        fh.seek(block_end)
        trailer = fh.read(HEADER_STEP)
    if trailer.strip(b"\r\n"):
        return f"{size - block_end} bytes after the last {kind} at byte {offset} are not a whole record"
    return None
