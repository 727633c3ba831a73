"""Gzip-per-record WARC 1.1 writer with `.open` files, rollover and crash-safe appends.

Each record is its own gzip member (WARC 1.1 annex D.2). Members are made by zlib-ng (the
`zlib-ng` package, the same deflate format) at level 4: on news HTML it is within 1% of warcio's
zlib level 9 in size and about three times faster, so compression does not cap capture; without
zlib-ng, stdlib zlib at level 6. Block digests are computed by the caller while the bytes arrive
(one pass), never by re-reading the block here.

Blocks whose payload is already compressed (a JPEG, WebP, MP4 or WOFF2 file, or any body sent
with a Content-Encoding) are stored in their member without deflate (level 0): deflating them again
gains nothing and costs most of the writer's time (see `is_precompressed`).

A file is written as NAME.warc.gz.open and renamed to NAME.warc.gz when closed. Records are
flushed to the operating system one group at a time (a request/response/metadata triple), so after
a `kill -9` every complete group is readable; `repair.py` trims a partial last member.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archiver.atomic import fsync_dir
from archiver.capture.digests import digest_bytes
from archiver.errors import ArchiverError

try:  # zlib-ng: the same gzip format, much faster than zlib at the same ratio
    from zlib_ng import zlib_ng as _deflate

    DEFAULT_LEVEL = 4
except ImportError:  # pragma: no cover - zlib-ng is a dependency; stdlib zlib keeps us working without it
    _deflate = zlib
    DEFAULT_LEVEL = 6

HEAD_KEEP = 8 << 10  # uncompressed bytes of each member given to `on_written` (headers, payload start)
PREPARE_LIMIT = 4 << 20  # largest block compressed ahead into memory; larger ones stream at write
SYNC_BEHIND = 8 << 20  # bytes written to the open file between two background syncs of it
_datasync = getattr(os, "fdatasync", os.fsync)  # data only, where the platform has it (not macOS)
STORED = 0  # deflate level of a member whose block is stored, not compressed
OPEN_SUFFIX = ".open"
WARC_VERSION = b"WARC/1.1\r\n"


# Payloads that are entropy-coded already. On the 2,008 JPEG files of this machine (20.9 MB)
# deflate at level 4 saves 0.5% at 84 MB/s; storing them costs nothing. PNG and GIF are not
# listed: deflate still saved 10% and 6% on theirs, so they go through the compressor.
_COMPRESSED_MAGIC = (
    b"\xff\xd8\xff",  # JPEG
    b"wOF2",  # WOFF2 (Brotli inside)
    b"\x1f\x8b",  # gzip
    b"PK\x03\x04",  # zip and its offspring (docx, epub, jar)
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
    b"(\xb5/\xfd",  # zstd
    b"\x1aE\xdf\xa3",  # WebM / Matroska
    b"ID3",  # MP3
)


def is_precompressed(payload_head: bytes, content_encoding: str | None = None) -> bool:
    """True if a payload beginning with *payload_head* (sent with *content_encoding*) is already
    compressed, so that its record is best stored in its gzip member rather than deflated again."""
    if content_encoding and content_encoding.strip().lower() not in ("identity", ""):
        return True  # gzip, br, deflate, zstd: the body on the wire is compressed (RFC 9110 8.4)
    if payload_head.startswith(_COMPRESSED_MAGIC):
        return True
    if payload_head[:4] == b"RIFF" and payload_head[8:12] == b"WEBP":
        return True
    return payload_head[4:8] == b"ftyp"  # ISO media: MP4, MOV, AVIF, HEIC


_ids = random.Random(os.urandom(32))  # record ids need uniqueness, not secrecy: no syscall per id


_UUID_KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID_V4 = (0x4000 << 64) | (0x8000 << 48)  # RFC 9562 section 5.4: version 4, variant 10


def new_record_id() -> str:
    """A WARC-Record-ID (WARC 1.1 section 5.2): a random UUID URN, formatted without uuid.UUID."""
    h = f"{(_ids.getrandbits(128) & _UUID_KEEP) | _UUID_V4:032x}"
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


def warc_date(moment: datetime | None = None) -> str:
    """WARC-Date: UTC, W3C-ISO8601 with microseconds (WARC 1.1 section 5.4 allows sub-seconds)."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:26] + "Z"  # C, not strftime


@dataclass
class WarcRecord:
    """A record to write: its named fields and a re-iterable source of its block."""

    type: str
    fields: list[tuple[str, str]]
    length: int
    block_digest: str | None
    chunks: Callable[[], Iterable[bytes]]
    content_type: str | None = None
    record_id: str = field(default_factory=new_record_id)
    level: int | None = None  # deflate level for this record's member; None: the writer's own

    @classmethod
    def from_bytes(cls, type: str, fields: list[tuple[str, str]], block: bytes, content_type: str | None,
                   digest: str, record_id: str | None = None) -> WarcRecord:
        return cls(type=type, fields=fields, length=len(block), block_digest=digest_bytes(digest, block),
                   chunks=lambda: (block,), content_type=content_type,
                   record_id=record_id or new_record_id())


@dataclass(frozen=True)
class Written:
    """Where a record landed: final file name (without .open), byte offset and member length."""

    record_id: str
    filename: str
    offset: int
    length: int


def _header_bytes(record: WarcRecord, warcinfo_id: str | None) -> bytes:
    lines = [f"WARC-Type: {record.type}", f"WARC-Record-ID: {record.record_id}"]
    lines += [f"{k}: {v}" for k, v in record.fields]
    if warcinfo_id and record.type != "warcinfo":
        lines.append(f"WARC-Warcinfo-ID: {warcinfo_id}")
    if record.content_type:
        lines.append(f"Content-Type: {record.content_type}")
    if record.block_digest:
        lines.append(f"WARC-Block-Digest: {record.block_digest}")
    lines.append(f"Content-Length: {record.length}")
    return WARC_VERSION + ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


@dataclass
class Prepared:
    """A record compressed ahead of its write (see `WarcFileWriter.prepare`)."""

    record: WarcRecord
    warcinfo_id: str | None  # the WARC-Warcinfo-ID written into *member*
    member: bytes | None  # the whole gzip member; None when the block was too large to hold
    head: bytes = b""  # the member's first HEAD_KEEP bytes uncompressed, for `on_written`


def compress_record(record: WarcRecord, warcinfo_id: str | None, write: Callable[[bytes], object],
                    level: int = DEFAULT_LEVEL, head: bytearray | None = None) -> int:
    """Write *record* as one gzip member through *write*; returns the compressed length. When
    *head* is given, the member's first HEAD_KEEP uncompressed bytes are appended to it."""
    if record.level is not None:
        level = record.level
    comp = _deflate.compressobj(level, _deflate.DEFLATED, 31)  # wbits 31: a gzip member
    total = 0
    header = _header_bytes(record, warcinfo_id)
    if head is not None:
        head += header[:HEAD_KEEP]
    out = comp.compress(header)
    seen = 0
    for chunk in record.chunks():
        seen += len(chunk)
        if head is not None and len(head) < HEAD_KEEP:
            head += chunk[:HEAD_KEEP - len(head)]
        out += comp.compress(chunk)
        if len(out) >= 65536:
            write(out)
            total += len(out)
            out = b""
    if seen != record.length:
        raise ValueError(f"record block is {seen} bytes, expected {record.length}")
    out += comp.compress(b"\r\n\r\n")
    out += comp.flush()
    write(out)
    return total + len(out)


def _safe_token(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._" else "_" for c in text) or "x"


# Told of each record once its member is flushed to the file: where it landed, and the member's first
# HEAD_KEEP bytes uncompressed (WARC header, then the block's start), so that a catalogue can be built
# as the file is written instead of reading it back. Called with the writer's lock held, in file order.
OnWritten = Callable[[Written, bytes], None]


class WarcFileWriter:
    """Writes record groups into rolling `PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz` files; thread-safe."""

    def __init__(self, directory: Path, *, prefix: str = "archiver", max_size: int = 1_000_000_000,
                 digest: str = "sha256", warcinfo: Callable[[str], bytes] | None = None,
                 level: int = DEFAULT_LEVEL, on_written: OnWritten | None = None):
        self.directory = Path(directory)
        self.on_written = on_written
        self.prefix = _safe_token(prefix)
        self.max_size = max_size
        self.digest = digest
        self.level = level
        self.warcinfo = warcinfo or (lambda filename: b"")
        self.host = _safe_token(socket.gethostname().split(".")[0])
        self.files: list[Path] = []
        self.bytes_written = 0
        self.records_written = 0
        self._lock = threading.Lock()
        self._fh = None
        self._name = ""
        self._serial = 0
        self._pos = 0
        self._warcinfo_id: str | None = None
        self._closed = False
        self._synced = 0  # offset of the open file up to which a sync has been started
        self._syncer: threading.Thread | None = None
        self._sync_error: tuple[str, OSError] | None = None  # (file name, what its sync raised)

    @property
    def current_filename(self) -> str:
        return self._name

    def _ready(self) -> None:
        """Called with the lock held before records are taken: refuse them after `close()` or a
        failed sync (no new file is started then), and open a file if none is open."""
        self._refuse_if_closed()
        self._raise_sync_error()
        if self._fh is None:
            self._open_new()

    def _open_new(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
        while True:
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.host}.warc.gz"
            self._serial += 1
            path = self.directory / name
            if not path.exists() and not Path(str(path) + OPEN_SUFFIX).exists():
                break
        try:
            self._fh = open(str(path) + OPEN_SUFFIX, "xb")
        except OSError as exc:
            raise ArchiverError(f"cannot create WARC file in {self.directory}: {exc.strerror}") from exc
        self._name = name
        self._pos = self._synced = 0
        info = WarcRecord.from_bytes("warcinfo", [("WARC-Date", warc_date()), ("WARC-Filename", name)],
                                     self.warcinfo(name), "application/warc-fields", self.digest)
        self._warcinfo_id = info.record_id
        self._write_members([info])

    def prepare(self, records: Iterable[WarcRecord]) -> list[Prepared]:
        """Compress *records* now, before `write` takes the writer's lock, so that workers compress
        in parallel (zlib releases the GIL) and the lock is held only to append bytes. A block over
        PREPARE_LIMIT is left to `write`, which streams it; so is every record whose file rolls
        over in between (its WARC-Warcinfo-ID would name the previous file's warcinfo)."""
        with self._lock:
            self._ready()
            warcinfo_id = self._warcinfo_id
        prepared = []
        for record in records:
            if record.length <= PREPARE_LIMIT:
                parts: list[bytes] = []
                head = bytearray() if self.on_written is not None else None
                compress_record(record, warcinfo_id, parts.append, self.level, head)
                prepared.append(Prepared(record, warcinfo_id, b"".join(parts), bytes(head or b"")))
            else:
                prepared.append(Prepared(record, warcinfo_id, None))
        return prepared

    def _write_members(self, records: list[WarcRecord | Prepared]) -> list[Written]:
        fh = self._fh
        start = offset = self._pos  # tracked here: tell() on every record costs a system call
        written = []
        heads = []
        keep = self.on_written is not None
        try:
            for item in records:
                if isinstance(item, Prepared) and item.member is not None \
                        and item.warcinfo_id == self._warcinfo_id:
                    record = item.record
                    fh.write(item.member)
                    length = len(item.member)
                    heads.append(item.head)
                else:
                    record = item.record if isinstance(item, Prepared) else item
                    head = bytearray() if keep else None
                    length = compress_record(record, self._warcinfo_id, fh.write, self.level, head)
                    heads.append(bytes(head or b""))
                written.append(Written(record.record_id, self._name, offset, length))
                offset += length
            fh.flush()
        except OSError as exc:
            # Bad input or a full disk must not leave a torn record: cut back to the group's start.
            try:
                fh.seek(start)
                fh.truncate(start)
                fh.flush()
            except OSError:
                pass
            raise ArchiverError(f"cannot write WARC file {self._name}{OPEN_SUFFIX}: "
                                f"{exc.strerror or exc}") from exc
        self._pos = offset
        self.bytes_written += offset - start
        self.records_written += len(records)
        if keep:
            for where, head in zip(written, heads, strict=True):
                self.on_written(where, head)
        return written

    def write(self, records: list[WarcRecord | Prepared]) -> list[Written]:
        """Write *records* (or their `prepare`d members) as a group into one file (a
        request/response pair is never split)."""
        with self._lock:
            self._ready()
            written = self._write_members(records)
            if self._pos >= self.max_size:
                self._close_current()
            elif self._pos - self._synced >= SYNC_BEHIND:
                self._sync_behind()
            return written

    def _sync_behind(self) -> None:
        """Start writing the open file's data to disk in the background (its bytes are flushed to
        the kernel already). Closing a file then syncs only what came after the last of these, so
        a roll-over does not stall every worker on a whole gigabyte, and a power cut loses less."""
        if self._syncer is not None and self._syncer.is_alive():
            return  # the previous one is still running; a later write starts the next
        try:
            fd = os.dup(self._fh.fileno())  # its own descriptor: the file may be closed meanwhile
        except OSError:
            return  # no descriptor to spare: the sync at close still covers the whole file
        syncer = threading.Thread(target=self._sync_fd, args=(fd, self._name), name="warc-sync",
                                  daemon=True)
        try:
            syncer.start()
        except RuntimeError:  # no thread to spare: as above
            os.close(fd)
            return
        self._syncer, self._synced = syncer, self._pos

    def _sync_fd(self, fd: int, name: str) -> None:
        try:
            _datasync(fd)
        except OSError as exc:
            self._sync_error = (name, exc)
        finally:
            os.close(fd)

    def _raise_sync_error(self) -> None:
        # A file whose data the disk did not take stays NAME.warc.gz.open: the next run checks it.
        if self._sync_error is not None:
            name, exc = self._sync_error
            raise ArchiverError(f"cannot write WARC file {name}{OPEN_SUFFIX}: "
                                f"sync to disk failed: {exc.strerror or exc}")

    def _close_current(self) -> None:
        if self._syncer is not None:
            self._syncer.join()
        fh, self._fh = self._fh, None
        if self._sync_error is not None:
            with contextlib.suppress(OSError):
                fh.close()
            self._raise_sync_error()
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        final = self.directory / self._name
        os.rename(str(final) + OPEN_SUFFIX, final)
        fsync_dir(self.directory)
        self.files.append(final)

    def _refuse_if_closed(self) -> None:
        # A worker still running after an interrupted run closed the writer must not open a new
        # file that nothing would close (it would stay NAME.warc.gz.open).
        if self._closed:
            raise ArchiverError("the WARC writer is closed: the run has ended")

    def close(self) -> None:
        """Close the current file: fsync and rename NAME.warc.gz.open to NAME.warc.gz. The writer
        takes no records after this."""
        with self._lock:
            self._closed = True
            if self._fh is not None:
                self._close_current()
