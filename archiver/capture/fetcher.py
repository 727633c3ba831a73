"""Raw HTTP/1.1 over sockets, so that a response is recorded exactly as the server sent it.

http.client and urllib remove chunked framing and hide the bytes of the status line and headers;
a WARC `response` block must hold them as received (WARC 1.1 section 6.3.3), Content-Encoding
and chunked transfer coding included. The fetcher therefore speaks HTTP/1.1 itself, spools the
raw bytes to an anonymous temporary file while hashing them once, and keeps where the chunk data
lies in the block so that the payload (the body with the transfer coding removed, content coding
kept: the IIPC convention for WARC-Payload-Digest) can be read back without a second copy.
"""

from __future__ import annotations

import re
import select
import socket
import ssl
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO
from urllib.parse import urlsplit

from archiver.capture.cookies import SessionCookies
from archiver.capture.digests import label, new_hasher
from archiver.capture.tls import (
    Trust,
    cipher_suite_names,
    may_be_old_server,
    protocol_fields,
    tls_failure_reason,
    trust_for,
)
from archiver.errors import ArchiverError

MAX_HEADER_BYTES = 256 * 1024
READ_SIZE = 256 * 1024
SPOOL_IN_MEMORY = 1024 * 1024
ACCEPT = "text/html,application/xhtml+xml,text/css,image/*,*/*;q=0.8"
MAX_INTERIM = 10  # 1xx responses read past before the final one
GRACE_WAIT = 0.2  # seconds past --max-fetch-time given to bytes (or a close) on their way
_HEX = re.compile(rb"[0-9A-Fa-f]+")  # RFC 9112 section 7.1: chunk-size = 1*HEXDIG (no sign, no 0x)


def _spool_write(spool, data: bytes, spool_dir: str | None) -> None:
    """Write to the response's spool file; a failure there is our disk's, not the server's."""
    try:
        spool.write(data)
    except OSError as exc:
        raise ArchiverError(f"cannot spool a response in {spool_dir or 'the temporary folder'}: "
                            f"{exc.strerror or exc}") from exc


class FetchError(Exception):
    """A fetch that produced no usable response; `str(exc)` is the reason for the log."""

    def __init__(self, reason: str, *, retryable: bool = True):
        super().__init__(reason)
        self.retryable = retryable


@dataclass
class Response:
    """One HTTP exchange: the request sent and the raw response block as received."""

    url: str
    ip: str
    request: bytes
    status: int
    headers: list[tuple[str, str]]
    block: IO[bytes]
    block_length: int
    block_digest: str
    payload_digest: str
    payload_length: int
    header_length: int
    segments: list[tuple[int, int]] | None = None  # chunk data (offset, length) in block if chunked
    truncated: str | None = None  # WARC-Truncated: "length" (--max-size), "disconnect" or "time"
    cut_short: str | None = None  # why the server's body did not all arrive (disconnect, time)
    over_time: bool = False  # cut by --max-fetch-time: another attempt would be cut the same way
    payload_head: bytes = b""  # the payload's first bytes (up to 16), to recognise its format
    elapsed: float = 0.0
    http_version: str = "http/1.1"  # WARC-Protocol id of the status line's version
    tls: tuple[tuple[str, str], ...] = ()  # WARC-Protocol and WARC-Cipher-Suite of an https fetch
    cookie: str | None = None  # the Cookie header the request carried
    _closed: bool = field(default=False, repr=False)

    def header(self, name: str) -> str | None:
        """The first header called *name* (case-insensitive), or None."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def block_chunks(self) -> Iterator[bytes]:
        """The raw block, streamed."""
        self.block.seek(0)
        while chunk := self.block.read(READ_SIZE):
            yield chunk

    def payload_chunks(self) -> Iterator[bytes]:
        """The body with transfer coding removed (content coding kept), streamed."""
        spans = self.segments if self.segments is not None else [
            (self.header_length, self.block_length - self.header_length)]
        for offset, length in spans:
            self.block.seek(offset)
            while length > 0:
                chunk = self.block.read(min(READ_SIZE, length))
                if not chunk:
                    return
                length -= len(chunk)
                yield chunk

    def decoded_body(self, limit: int, truncate: bool = False, whole: bool = False) -> bytes | None:
        """The body with content coding undone, for link extraction; None if over *limit* bytes,
        or with *truncate* its first *limit* bytes. A coded body that breaks off gives what was
        decoded before the break, or with *whole* None (robots.txt: half of the rules could allow
        what the rest disallows)."""
        encoding = (self.header("content-encoding") or "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(wbits=47)
        elif encoding == "deflate":
            # RFC 9110 section 8.4.1.2: "deflate" is zlib-wrapped, but some servers send raw
            # deflate (the RFC notes it); browsers take both, told apart by the zlib header
            head = self.payload_head
            wrapped = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
            decoder = zlib.decompressobj(wbits=15 if wrapped else -15)
        elif encoding == "identity":
            decoder = None
        else:
            return None
        out = bytearray()
        try:
            for chunk in self.payload_chunks():
                out += decoder.decompress(chunk, limit + 1 - len(out)) if decoder else chunk
                if len(out) > limit:
                    return bytes(out[:limit]) if truncate else None
        except zlib.error:
            if not out or whole:
                return None
        if whole and decoder is not None and not decoder.eof:
            return None  # the coded stream ended before its end: a part of the body is missing
        return bytes(out)

    def close(self) -> None:
        if not self._closed:
            self.block.close()
            self._closed = True


class _Connection:
    """A socket with a read buffer; reusable while the server keeps it alive."""

    def __init__(self, sock: socket.socket, ip: str, tls: tuple[tuple[str, str], ...] = ()):
        self.sock = sock
        self.ip = ip
        self.tls = tls
        self.buf = bytearray()
        self.used = False
        self.fills = 0  # reads from the socket so far (--max-fetch-time counts those past it)

    def _fill(self) -> bool:
        self.fills += 1
        data = self.sock.recv(READ_SIZE)
        if not data:
            return False
        self.buf += data
        return True

    def read_head(self, deadline: float) -> bytes:
        """Bytes up to and including the first empty line (see head_end), which ends the status
        line and headers; the bytes are kept as sent."""
        while True:
            end = head_end(self.buf)
            if end >= 0:
                break
            if len(self.buf) > MAX_HEADER_BYTES:
                raise FetchError("protocol: response headers too long", retryable=False)
            if time.monotonic() > deadline:
                raise FetchError("timeout: no complete response headers in time")
            if not self._fill():
                if self.buf:
                    raise FetchError("protocol: connection closed inside response headers")
                raise ConnectionResetError("connection closed before any response")
        head = bytes(self.buf[:end])
        del self.buf[:end]
        return head

    def readline(self) -> bytes:
        """One line with its LF; without the LF if the connection closed first."""
        while (i := self.buf.find(b"\n")) < 0:
            if len(self.buf) > 64 * 1024:
                raise FetchError("protocol: chunk header too long", retryable=False)
            if not self._fill():
                i = len(self.buf) - 1
                break
        line = bytes(self.buf[:i + 1])
        del self.buf[:i + 1]
        return line

    def read_some(self, n: int) -> bytes:
        """Up to *n* bytes; b"" only at end of stream."""
        if not self.buf and not self._fill():
            return b""
        piece = bytes(self.buf[:n])
        del self.buf[:len(piece)]
        return piece

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class _TooLong(Exception):
    """A body still arriving when --max-fetch-time is up."""


def _quiet(conn: _Connection, wait: float = 0.0) -> bool:
    """Has an idle kept-alive connection nothing to say? Bytes before a request is sent (the
    rest of a response that said it had no body, a server's close) would be read as the answer
    to the next URL; such a connection is not reused. *wait*: seconds to wait for a word."""
    if conn.buf or (isinstance(conn.sock, ssl.SSLSocket) and conn.sock.pending()):
        return False
    try:
        if _poll is not None:  # poll, not select: select() cannot watch a descriptor past 1023
            watch = _poll()
            watch.register(conn.sock, select.POLLIN)
            return not watch.poll(wait * 1000)
        readable, _, _ = select.select([conn.sock], [], [], wait)
    except (OSError, ValueError):
        return False
    return not readable


_poll = getattr(select, "poll", None)  # not on Windows


def check_user_agent(user_agent: str) -> None:
    """ArchiverError unless *user_agent* can be sent as a header value (RFC 9110 section 5.5:
    visible characters, spaces and tabs, bytes above 0x7F; no CR or LF, which would start a
    header of their own in every request)."""
    for c in user_agent:
        if (c < " " and c != "\t") or c == "\x7f":
            raise ArchiverError(f"--user-agent holds the control character {c!r}; give one line of text")
        if c > "\xff":
            raise ArchiverError(f"--user-agent holds {c!r}, which a header cannot carry; use ASCII")


def _http_version(head: bytes) -> str:
    """The WARC-Protocol id of the status line's HTTP version ("" for one it does not name)."""
    version = head[:9].lower()
    return "http/1.1" if version == b"http/1.1 " else "http/1.0" if version == b"http/1.0 " else ""


def head_end(data: bytes | bytearray) -> int:
    """Where the head of an HTTP response in *data* ends (after its first empty line), or -1.
    RFC 9112 section 2.2: a bare LF may end a line, and a CR before it is ignored, so the empty
    line is LF LF or LF CR LF (CRLF CRLF holds the latter)."""
    crlf = data.find(b"\n\r\n")
    # LF LF is looked for only before that: *data* may hold a whole body after the head
    lf = data.find(b"\n\n", 0, crlf + 1 if crlf >= 0 else len(data))
    if lf >= 0:
        return lf + 2
    return crlf + 3 if crlf >= 0 else -1


def parse_head(head: bytes) -> tuple[int, list[tuple[str, str]]]:
    """(status, headers) of a response head: headers as (name, value), each byte a Latin-1
    character (see urls.header_text), obs-fold unfolded."""
    lines = head.decode("latin-1").split("\n")  # RFC 9112 section 2.2: a bare LF ends a line too
    status_line = lines[0].rstrip("\r")
    parts = status_line.split(None, 2)
    # RFC 9112 section 4: status-code = 3DIGIT, ASCII digits ("²00" is no status)
    if (len(parts) < 2 or not parts[0].startswith("HTTP/") or len(parts[1]) != 3
            or not parts[1].isascii() or not parts[1].isdigit()):
        raise FetchError(f"protocol: bad status line {status_line[:80]!r}", retryable=False)
    headers: list[tuple[str, str]] = []
    for raw in lines[1:]:
        if raw[:1] in (" ", "\t") and headers and raw.strip():
            # RFC 9112 section 5.2: obs-fold, a line that continues the one before; a recipient
            # replaces it with SP before reading the value (a folded Location is still a redirect)
            key, value = headers[-1]
            headers[-1] = (key, f"{value} {raw.strip()}".strip())
            continue
        key, colon, value = raw.partition(":")
        if colon:
            headers.append((key.strip(), value.strip()))
    return int(parts[1]), headers


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    """The body length Content-Length gives, None without one. RFC 9112 section 6.3 rule 5: one
    that is not a number, or several that differ, make the framing unknowable (an error, not a
    guess: a wrong length would hand the rest of this body to the next URL); the same number
    repeated (`42, 42`) may be taken."""
    values = {v.strip() for k, value in headers if k.lower() == "content-length" for v in value.split(",")}
    if not values:
        return None
    if len(values) != 1 or not all(v.isascii() and v.isdigit() for v in values):
        raise FetchError("protocol: bad Content-Length", retryable=False)
    return int(values.pop())


def _transfer_codings(te: str) -> list[str]:
    """The transfer codings of a Transfer-Encoding value, without `identity` (RFC 2616's, which
    old servers still send beside a Content-Length; it means none). RFC 9112 section 6.3 rule 4:
    a body is chunked only when chunked is the last of them; with others, it runs to the close."""
    return [c for c in (c.strip() for c in te.lower().split(",")) if c and c != "identity"]


class Fetcher:
    """Fetches URLs with persistent connections per host; thread-safe."""

    def __init__(self, *, user_agent: str, timeout: float, max_size: int | None, digest: str,
                 spool_dir: str | None = None, trust: Trust | None = None,
                 cookies: SessionCookies | None = None, max_fetch_time: float | None = None):
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_fetch_time = max_fetch_time  # seconds a body may take to arrive, then it is cut
        self.max_size = max_size
        self.digest = digest
        self.spool_dir = spool_dir
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._lock = threading.Lock()
        self._trust = trust  # None: the system's (archiver.capture.tls.trust_for), made when needed
        self._cipher_names: dict[str, str] | None = None
        self.cookies = cookies  # None: no cookie is kept or sent

    @property
    def _tls(self) -> ssl.SSLContext:
        """The TLS context, made on the first https connection: loading the system's CA
        certificates costs about 50 ms, which a crawl of plain-http pages need not pay."""
        with self._lock:
            if self._trust is None:
                self._trust = trust_for()
            if self._cipher_names is None:
                self._cipher_names = cipher_suite_names(self._trust.context)
                if self._trust.legacy is not None:
                    self._cipher_names.update(cipher_suite_names(self._trust.legacy))
            return self._trust.context

    def request_bytes(self, url: str, cookie: str | None = None) -> bytes:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname or ""
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
        if ":" in host:
            host = f"[{host}]"
        if parts.port and parts.port != {"http": 80, "https": 443}[parts.scheme]:
            host = f"{host}:{parts.port}"
        lines = [f"GET {target} HTTP/1.1", f"Host: {host}", f"User-Agent: {self.user_agent}",
                 f"Accept: {ACCEPT}", "Accept-Encoding: gzip, deflate", "Connection: keep-alive"]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        # latin-1: a cookie goes back as the bytes it came in (headers are read as latin-1)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _connect(self, scheme: str, host: str, port: int) -> _Connection:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError(f"dns: cannot resolve {host}: {exc.strerror}") from None
        except UnicodeError:  # a label empty or over 63 characters (`a..b`): not a name DNS can hold
            raise FetchError(f"dns: cannot resolve {host}: not a valid host name", retryable=False) from None
        last: Exception | None = None
        for family, socktype, proto, _, addr in infos:
            try:
                sock = self._open(family, socktype, proto, addr, host, port)
            except FetchError as exc:
                last = exc
                continue
            if scheme == "https":
                return self._handshake(sock, (family, socktype, proto, addr), host, port)
            return _Connection(sock, addr[0])
        raise last or FetchError(f"connect: no address for {host}")

    def _open(self, family: int, socktype: int, proto: int, addr: tuple, host: str,
              port: int) -> socket.socket:
        sock = socket.socket(family, socktype, proto)
        sock.settimeout(self.timeout)
        try:
            sock.connect(addr)
        except TimeoutError:
            sock.close()
            raise FetchError(f"timeout: connecting to {host}:{port}") from None
        except OSError as exc:
            sock.close()
            raise FetchError(f"connect: {exc.strerror or exc} ({host}:{port})") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _handshake(self, sock: socket.socket, how: tuple, host: str, port: int) -> _Connection:
        """TLS over the connected *sock*. With a legacy context, a server that refuses the usual
        handshake is tried once more with it, over a new connection. That is decided again for
        every connection, not remembered: one refusal on the way (a glitch, a middlebox) must not
        give a modern server the legacy handshake for the rest of the run, and what made a server
        refuse (a version, the suites, SHA-1 signatures) cannot all be seen from here."""
        where, context = f"{host}:{port}", self._tls
        try:
            tls_sock = context.wrap_socket(sock, server_hostname=host)
        except (ssl.SSLError, OSError) as exc:
            sock.close()
            legacy = self._trust.legacy if self._trust is not None else None
            if legacy is None or not may_be_old_server(exc):
                reason, retryable = tls_failure_reason(exc, where)
                raise FetchError(f"tls: {reason}", retryable=retryable) from None
            sock = self._open(*how, host, port)
            try:
                tls_sock = legacy.wrap_socket(sock, server_hostname=host)
            except (ssl.SSLError, OSError) as exc:
                sock.close()
                reason, retryable = tls_failure_reason(exc, where, self._trust.legacy_version)
                raise FetchError(f"tls: {reason}", retryable=retryable) from None
        return _Connection(tls_sock, how[3][0], protocol_fields(tls_sock, self._cipher_names or {}))

    def _checkout(self, key: tuple[str, str, int]) -> _Connection:
        while True:
            with self._lock:
                pool = self._idle.get(key)
                conn = pool.pop() if pool else None
            if conn is None:
                return self._connect(*key)
            if _quiet(conn):
                return conn
            conn.close()

    def _checkin(self, key: tuple[str, str, int], conn: _Connection) -> None:
        conn.used = True
        with self._lock:
            self._idle.setdefault(key, []).append(conn)

    def close(self) -> None:
        with self._lock:
            for pool in self._idle.values():
                for conn in pool:
                    conn.close()
            self._idle.clear()

    def fetch(self, url: str) -> Response:
        """GET *url*; the caller must `close()` the response. Raises FetchError."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"unsupported URL {url!r}", retryable=False)
        key = (parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        cookie = self.cookies.header_for(url) if self.cookies is not None else None
        request = self.request_bytes(url, cookie)
        for attempt in (1, 2):
            conn = self._checkout(key)
            reused = conn.used
            try:
                response, keep = self._exchange(conn, url, request)
            except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError) as exc:
                conn.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle kept-alive connection: retry on a new one
                raise FetchError(f"connection: {exc.strerror or exc}") from None
            except TimeoutError:
                conn.close()
                raise FetchError(f"timeout: no data for {self.timeout:g} s") from None
            except (FetchError, ArchiverError):
                conn.close()
                raise
            except OSError as exc:
                conn.close()
                raise FetchError(f"connection: {exc.strerror or exc}") from None
            if keep:
                self._checkin(key, conn)
            else:
                conn.close()
            response.cookie = cookie
            return response
        raise FetchError("connection: closed")  # pragma: no cover - loop always returns or raises

    def _exchange(self, conn: _Connection, url: str, request: bytes) -> tuple[Response, bool]:
        started = time.monotonic()
        conn.sock.sendall(request)
        head = conn.read_head(started + self.timeout)
        status, headers = parse_head(head)
        for _ in range(MAX_INTERIM):
            if not 100 <= status < 200 or status == 101:
                break
            # RFC 9110 section 15.2: interim responses (100 Continue, 103 Early Hints) come before
            # the final one, which is what the record keeps (replay tools read its status line)
            head = conn.read_head(started + self.timeout)
            status, headers = parse_head(head)
        else:
            raise FetchError(f"protocol: more than {MAX_INTERIM} interim (1xx) responses", retryable=False)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=self.spool_dir)
        try:
            return self._read_body(conn, url, request, head, status, headers, spool, started)
        except BaseException:
            spool.close()
            raise

    def _read_body(self, conn, url, request, head, status, headers, spool, started):
        block_hash = new_hasher(self.digest)
        payload_hash = new_hasher(self.digest)
        _spool_write(spool, head, self.spool_dir)
        block_hash.update(head)
        lengths = {k.lower(): v for k, v in headers}
        budget = self.max_size if self.max_size is not None else -1
        truncated = None
        over_time = False
        segments: list[tuple[int, int]] | None = None
        offset = len(head)
        payload_length = 0
        payload_head = b""
        connection = lengths.get("connection", "").lower()
        # RFC 9112 section 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive"
        keep = "keep-alive" in connection if head.startswith(b"HTTP/1.0") else "close" not in connection

        # --timeout ends a body that goes quiet; this ends one that never stops (a live stream,
        # a server trickling bytes): Heritrix's timeoutSeconds, WARC 1.1 section 5.13 "time"
        cut_at = started + self.max_fetch_time if self.max_fetch_time is not None else None

        def emit(data: bytes, payload: bool) -> None:
            nonlocal offset, payload_length, payload_head
            _spool_write(spool, data, self.spool_dir)
            block_hash.update(data)
            if payload:
                if len(payload_head) < 16:
                    payload_head += data[:16 - len(payload_head)]
                payload_hash.update(data)
                payload_length += len(data)
                if segments is not None:
                    segments.append((offset, len(data)))
            offset += len(data)

        reads_allowed: int | None = None  # socket reads allowed past the limit, set at the first look

        def more() -> None:
            """Before reading more of the body: is --max-fetch-time up? Past it, the bytes that
            had come are still read, and one more read is allowed if bytes or the server's close
            are on their way (GRACE_WAIT), so a body whose end came in time is whole; any read
            of the socket beyond that cuts the body (a stream that goes on, however its packets
            fall: one that always stops inside a chunk line keeps the buffer from emptying)."""
            nonlocal reads_allowed
            if cut_at is None or time.monotonic() <= cut_at:
                return
            if reads_allowed is None:
                reads_allowed = conn.fills + (1 if not conn.buf and not _quiet(conn, GRACE_WAIT) else 0)
            if conn.fills > reads_allowed or (not conn.buf and conn.fills >= reads_allowed):
                raise _TooLong

        def take(n: int) -> int:
            """How many of *n* body bytes the --max-size budget still allows."""
            return n if budget < 0 else min(n, budget)

        codings = _transfer_codings(lengths.get("transfer-encoding", ""))
        cut_short = None
        whole = False  # a chunked body's last chunk has come: only the trailers may be missing
        try:
            if status in (204, 304) or 100 <= status < 200:
                keep = keep and status != 101  # RFC 9112 section 6.3 rule 1: no body (101: never asked for)
            elif codings and codings[-1] == "chunked":
                # RFC 9112 section 7.1: chunk-size [ext] CRLF data CRLF ... 0 CRLF trailers CRLF
                segments = []
                while truncated is None:
                    more()
                    line = conn.readline()
                    emit(line, False)
                    if not line.endswith(b"\n"):
                        truncated, cut_short = "disconnect", "connection closed inside chunked body"
                        break
                    digits = line.split(b";")[0].strip()
                    if not _HEX.fullmatch(digits):
                        raise FetchError("protocol: bad chunk size line", retryable=False)
                    size = int(digits, 16)
                    if size == 0:
                        whole = True
                        while True:
                            more()  # trailer lines without end are cut too
                            trailer = conn.readline()
                            if not trailer.strip():
                                break
                            emit(trailer, False)
                        emit(trailer, False)
                        if not trailer.endswith(b"\n"):
                            keep = False  # closed among the trailers: the payload is whole, the socket done
                        break
                    while size > 0:
                        allowed = take(size)
                        if allowed == 0:
                            truncated = "length"
                            break
                        more()
                        data = conn.read_some(allowed)
                        if not data:
                            truncated, cut_short = "disconnect", "connection closed inside chunked body"
                            break
                        emit(data, True)
                        size -= len(data)
                        if budget >= 0:
                            budget -= len(data)
                    if truncated is None:
                        emit(conn.readline(), False)
            elif not codings and (remaining := _content_length(headers)) is not None:
                while remaining > 0:
                    allowed = take(remaining)
                    if allowed == 0:
                        truncated = "length"
                        break
                    more()
                    data = conn.read_some(min(allowed, READ_SIZE))
                    if not data:
                        truncated = "disconnect"
                        cut_short = f"connection closed with {remaining} body bytes missing"
                        break
                    emit(data, True)
                    remaining -= len(data)
                    if budget >= 0:
                        budget -= len(data)
            else:
                keep = False  # RFC 9112 section 6.3 rule 8: the body runs until the server closes
                while True:
                    allowed = take(READ_SIZE)
                    if allowed == 0:
                        if conn.read_some(1):
                            truncated = "length"
                        break
                    more()
                    data = conn.read_some(allowed)
                    if not data:
                        break
                    emit(data, True)
                    if budget >= 0:
                        budget -= len(data)
        except _TooLong:  # what arrived is kept, marked; the connection is mid-body, so it is closed
            if whole:
                keep = False  # cut among the trailers: the payload is whole, the socket done
            else:
                truncated, over_time = "time", True
                cut_short = f"still arriving after {self.max_fetch_time:g} s (--max-fetch-time)"
        except OSError as exc:  # only the network can raise it here: spool failures are ArchiverError
            # The headers came, then the body stopped (closed, reset, TLS or network error, or no
            # data for --timeout): keep what arrived.
            if whole:
                keep = False  # stopped among the trailers: the payload is whole, the socket done
            elif budget == 0:
                truncated = "length"  # it failed past the --max-size cut: that cut is the reason
            elif isinstance(exc, TimeoutError):
                truncated, cut_short = "time", f"timeout: no data for {self.timeout:g} s inside the body"
            else:
                truncated, cut_short = "disconnect", f"connection: {exc.strerror or exc} inside the body"
        if truncated or conn.buf:
            keep = False  # bytes past the end the framing gives are no answer to the next request
        spool.flush()
        return Response(
            url=url, ip=conn.ip, request=request, status=status, headers=headers, block=spool,
            block_length=offset, block_digest=label(self.digest, block_hash),
            payload_digest=label(self.digest, payload_hash), payload_length=payload_length,
            header_length=len(head), segments=segments, truncated=truncated, cut_short=cut_short,
            payload_head=payload_head, elapsed=time.monotonic() - started, over_time=over_time,
            http_version=_http_version(head), tls=conn.tls), keep
