"""The crawl: frontier, per-host politeness, worker threads, retries, dedup and resume.

One `Crawl` is one run. Workers take URLs from per-host queues, never more than `per_host` in
flight for a host and never sooner than `delay` after the host's previous fetch. Every fetch is
written as request + response (or revisit) + metadata in one group, then logged.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from archiver import SOFTWARE
from archiver.capture.capturelog import (
    CaptureLog,
    CollectionState,
    Done,
    Stored,
    dedupable,
    rfc3339,
)
from archiver.capture.cookies import SessionCookies
from archiver.capture.digests import ALGORITHMS, digest_bytes, label, new_hasher
from archiver.capture.fetcher import (
    MAX_HEADER_BYTES,
    Fetcher,
    FetchError,
    Response,
    check_user_agent,
    head_end,
    parse_head,
)
from archiver.capture.links import Links, css_links, html_links
from archiver.capture.options import CaptureOptions, CaptureResult
from archiver.capture.repair import repair_directory
from archiver.capture.robots import PARSE_LIMIT, RobotsCache
from archiver.capture.scope import Scope
from archiver.capture.seeds import check_seeds
from archiver.capture.sitemaps import MAX_SITEMAP_BYTES, sitemap_entries
from archiver.capture.tls import DEFAULT_TLS_MIN_VERSION, trust_for
from archiver.capture.urls import header_text, resolve
from archiver.capture.warcwriter import (
    STORED,
    OnWritten,
    WarcFileWriter,
    WarcRecord,
    Written,
    is_precompressed,
    new_record_id,
    warc_date,
)
from archiver.collection import Collection
from archiver.errors import ArchiverError

MAX_REDIRECTS = 10
RETRY_STATUSES = {429, 500, 502, 503, 504}
REVISIT_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
HTML_TYPES = ("text/html", "application/xhtml+xml")
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


SITEMAP = "S"  # hops of a --sitemap (and "SS" of a sitemap its index lists)
NOT_REACHED = "not reached"  # the outcome of a URL queued but not (yet) captured or failed


@dataclass
class Item:
    """A URL in the frontier and why it is there."""

    url: str
    depth: int  # outlink hops from a seed
    hops: str  # Heritrix-style path from the seed: L outlink, E embed (requisite), R redirect
    via: str | None
    seed: str  # the seed this URL descends from
    fetched: bool = False  # did processing it touch the network (then the host's delay applies)
    chain: tuple[str, ...] = ()  # the URLs whose redirects led here, first one first

    @property
    def is_seed(self) -> bool:
        return self.hops == ""

    @property
    def is_requisite(self) -> bool:
        return "E" in self.hops


@dataclass
class Progress:
    """A snapshot given to the progress callback after each URL outcome."""

    pages: int
    requisites: int
    revisits: int
    failures: int
    skipped: int
    bytes: int
    queued: int
    elapsed: float
    last_url: str
    redirects: int = 0


class _HostState:
    """One host's frontier. Its requisites go before its pages: a page already captured is made
    whole (displayable on replay) before new pages start, so a run stopped at any moment
    (--max-time, Ctrl-C, kill) leaves as few pages as it can without their images and styles."""

    __slots__ = ("queue", "requisites", "in_flight", "next_time")

    def __init__(self) -> None:
        self.queue: deque[Item] = deque()
        self.requisites: deque[Item] = deque()
        self.in_flight = 0
        self.next_time = 0.0


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # delay-seconds = 1*DIGIT: ASCII ("²" is no number)
        return float(value)
    import email.utils  # imported when needed: most runs never see an HTTP-date Retry-After

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class StoredRecordMismatch(Exception):
    """The record a capture log line points at is not that URL's response (a hand-edited log,
    a rewritten WARC): what an earlier run stored cannot be read back, so the URL is fetched."""


@contextlib.contextmanager
def _stored_record(path: Path, offset: int, url: str, parse_http: bool = True):
    """*url*'s response or revisit record at *offset* of *path*, for resuming a crawl from what
    an earlier run stored; StoredRecordMismatch when the record there is another one."""
    from warcio.archiveiterator import ArchiveIterator  # only resumed runs read WARCs back

    with open(path, "rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh, no_record_parse=not parse_http):
            if (record.rec_type in ("response", "revisit")
                    and record.rec_headers.get_header("WARC-Target-URI") == url):
                yield record
                return
            break
    raise StoredRecordMismatch(f"no record of {url} at {path.name} offset {offset}")


def _read_stored(path: Path, offset: int, url: str, limit: int) -> tuple[object, bytes | None]:
    """(HTTP headers, decoded body or None past *limit* bytes) of *url*'s stored record."""
    with _stored_record(path, offset, url) as record:
        body = record.content_stream().read(limit + 1)
        return record.http_headers, (body if len(body) <= limit else None)


def _stored_location(path: Path, offset: int, url: str) -> str | None:
    """The Location of *url*'s stored redirect, read from the head's bytes as the fetcher read it
    when it came (urls.header_text): warcio's own reading of a header (UTF-8, else Latin-1) would
    make a rerun follow another URL than the first run did."""
    with _stored_record(path, offset, url, parse_http=False) as record:
        block = record.raw_stream.read(MAX_HEADER_BYTES)
    end = head_end(block)
    if end < 0:
        return None
    _, headers = parse_head(block[:end])
    location = next((v for k, v in headers if k.lower() == "location"), None)
    return header_text(location) if location else None


def _run_id_of(path: Path) -> str | None:
    """The archiver-run-id named in the warcinfo record that opens *path*."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            for line in record.content_stream().read(1 << 20).decode("utf-8", "replace").splitlines():
                if line.startswith("archiver-run-id:"):
                    return line.split(":", 1)[1].strip()
            return None
    return None


class Crawl:
    """One capture run into a collection."""

    def __init__(self, seeds: list[str], collection: Path, options: CaptureOptions,
                 progress: Callable[[Progress], None] | None = None, on_written: OnWritten | None = None):
        if options.digest not in ALGORITHMS:
            raise ArchiverError(f"unsupported digest {options.digest!r}; use one of {', '.join(ALGORITHMS)}")
        if options.workers < 1 or options.per_host < 1 or options.depth < 0:
            raise ArchiverError("--workers and per-host concurrency must be at least 1, --depth at least 0")
        self.seeds = check_seeds(seeds)
        self.sitemaps = check_seeds(options.sitemaps, "--sitemap")
        if not self.seeds and not self.sitemaps:
            raise ArchiverError("no seeds given: pass URLs, --seeds FILE or --sitemap URL")
        check_user_agent(options.user_agent)
        # a CA file that cannot be used is an error before the collection is touched
        trust = (trust_for(options.ca_certificate, options.check_certificate, options.tls_min_version)
                 if (options.ca_certificate is not None or not options.check_certificate
                     or options.tls_min_version != DEFAULT_TLS_MIN_VERSION) else None)
        self._ca_digest = trust.ca_sha256 if trust else None
        self.options = options
        # the sitemaps' own URLs do not widen the scope; the pages they list do (Scope.add_seed)
        self.scope = Scope(self.seeds, options.scope, options.include, options.exclude)
        self.collection = Collection(Path(collection)).create()
        self.progress = progress
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        self.result = CaptureResult(run_id=self.run_id)
        self.result.repaired = [r.path for r in repair_directory(self.collection.warc_dir) if not r.deleted]
        # runs cut short never stored their capture log; this run stores them (see _store_log)
        self._orphan_runs = sorted({run for path in self.result.repaired if (run := _run_id_of(path))})
        self.state = CollectionState.load(self.collection.logs_dir, self.collection.warc_dir)
        self.fetcher = Fetcher(user_agent=options.user_agent, timeout=options.timeout,
                               max_fetch_time=options.max_fetch_time,
                               max_size=options.max_size, digest=options.digest,
                               spool_dir=str(self.collection.warc_dir), trust=trust,
                               cookies=SessionCookies() if options.cookies else None)
        self.writer = WarcFileWriter(self.collection.warc_dir, prefix=options.prefix,
                                     max_size=options.warc_size, digest=options.digest,
                                     warcinfo=self._warcinfo, on_written=on_written)
        self.robots = None if options.ignore_robots else RobotsCache(options.user_agent, self._load_robots)
        self.log: CaptureLog | None = None
        self._hosts: dict[str, _HostState] = {}
        # every URL queued in this run -> its outcome: None captured, else why not (see _seed_result)
        self._seen: dict[str, str | None] = {}
        self._cond = threading.Condition()
        self._active = 0
        self._queued = 0
        self._stop = False
        self._time_up = False  # --max-time ran out: no more URLs handed out
        self._fatal: BaseException | None = None
        self._write_lock = threading.Lock()
        self._empty_digest = digest_bytes(options.digest, b"")  # a GET request's empty payload
        # Parsing links and compressing records is CPU work: as many workers do it at once as there
        # are cores, while the others wait on the network. More would only contend for the GIL (on
        # the capture benchmark, 8 workers ran 1.40 s against 1.19 s with two slots, medians of 6).
        self._cpu_slots = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
        # the URLs whose outcome the run reports (exit 1 if one was not captured), in order
        self._seed_urls: dict[str, None] = dict.fromkeys(self.seeds + self.sitemaps)
        self._given_seeds = frozenset(self.seeds)  # --recapture-seeds: not the pages sitemaps list
        self._pages_taken = len(self.seeds)  # pages taken, against --max-pages (the seeds given count)
        self._not_followed: set[str] = set()  # pages found past --max-pages, not taken
        # with --max-pages: URLs queued as pages that a page taken also needs (a requisite, a
        # redirect's target): fetched when their turn comes even past N, not counted
        self._needed: set[str] | None = set() if options.max_pages is not None else None
        self._started = time.monotonic()
        self._deadline = None if options.max_time is None else self._started + options.max_time

    # ---------------------------------------------------------------- warcinfo
    def _warcinfo(self, filename: str) -> bytes:
        """WARC 1.1 section 6.2: what made this file and how (warc-fields)."""
        settings = self.options.as_dict()
        if self._ca_digest:  # which CAs were trusted, where the path alone says nothing later
            settings["ca_certificate_sha256"] = self._ca_digest
        fields = [
            ("software", SOFTWARE), ("format", "WARC File Format 1.1"), ("conformsTo", CONFORMS_TO),
            ("isPartOf", self.collection.name), ("description", f"archiver capture run {self.run_id}"),
            ("robots", "ignore" if self.options.ignore_robots else "obey"),
            ("http-header-user-agent", self.options.user_agent),
            ("archiver-run-id", self.run_id),
            ("archiver-capture-settings", json.dumps(settings, sort_keys=True)),
        ]
        return "".join(f"{k}: {v}\r\n" for k, v in fields).encode("utf-8")

    # ---------------------------------------------------------------- frontier
    def _enqueue(self, item: Item, again: bool = False) -> bool:
        """Queue *item* unless its URL was queued before in this run (*again*: even so)."""
        with self._cond:
            if item.url in self._seen and not again:
                if self._needed is not None and item.hops[-1:] in ("E", "R"):
                    self._needed.add(item.url)  # queued as a page: fetched even if past --max-pages
                return False
            self._seen.setdefault(item.url, NOT_REACHED)
            host = self._hosts.setdefault(urlsplit(item.url).netloc, _HostState())
            (host.requisites if "E" in item.hops else host.queue).append(item)
            self._queued += 1
            self._cond.notify()
            return True

    def _next(self) -> Item | None:
        with self._cond:
            while True:
                if self._stop:
                    return None
                now = time.monotonic()
                if self._deadline is not None and now >= self._deadline:
                    self._time_up = self._stop = True  # what is in flight finishes; nothing new starts
                    self._cond.notify_all()
                    return None
                earliest = None
                for host in self._hosts.values():
                    if not (host.requisites or host.queue) or host.in_flight >= self.options.per_host:
                        continue
                    if host.next_time > now:
                        earliest = host.next_time if earliest is None else min(earliest, host.next_time)
                        continue
                    host.in_flight += 1
                    self._active += 1
                    self._queued -= 1
                    return (host.requisites or host.queue).popleft()
                if self._active == 0 and self._queued == 0:
                    self._stop = True
                    self._cond.notify_all()
                    return None
                if self._deadline is not None:
                    earliest = self._deadline if earliest is None else min(earliest, self._deadline)
                # at most threading.TIMEOUT_MAX: a max_time of centuries would overflow the timer
                wait = None if earliest is None else min(max(0.0, earliest - now), threading.TIMEOUT_MAX)
                self._cond.wait(wait)

    def _finish(self, item: Item) -> None:
        host_key = urlsplit(item.url).netloc
        delay = self.options.delay
        if self.robots is not None:
            crawl_delay = self.robots.crawl_delay(f"{urlsplit(item.url).scheme}://{host_key}")
            if crawl_delay is not None:
                delay = max(delay, min(crawl_delay, self.options.max_retry_wait))
        with self._cond:
            host = self._hosts[host_key]
            host.in_flight -= 1
            if item.fetched:  # skipped URLs (robots, already captured) cost the server nothing
                host.next_time = time.monotonic() + delay
            self._active -= 1
            # One fetch slot came free, so one waiting worker is woken (it rescans every host and
            # ends the run if nothing is left). Waking them all made every idle worker rescan
            # and sleep again after each fetch: 8 workers crawled slower than 2.
            self._cond.notify()

    # ---------------------------------------------------------------- run
    def run(self) -> CaptureResult:
        logs = self.collection.logs_dir
        self.result.log_path = logs / f"capture-{self.run_id}.jsonl"
        try:
            self.log = CaptureLog(self.result.log_path)
        except OSError as exc:
            raise ArchiverError(f"cannot write capture log in {logs}: {exc.strerror}") from exc
        for seed in self.seeds:
            self._enqueue(Item(seed, 0, "", None, seed))
        for sitemap in self.sitemaps:
            self._enqueue(Item(sitemap, 0, SITEMAP, None, sitemap))
        workers = [threading.Thread(target=self._work, name=f"capture-{i}", daemon=True)
                   for i in range(self.options.workers)]
        try:
            for t in workers:
                t.start()
            for t in workers:
                while t.is_alive():
                    t.join(0.2)
        except BaseException:
            with self._cond:
                self._stop = True
                self._cond.notify_all()
            for t in workers:
                t.join(5)
            self._close(store_log=True)
            raise
        self._close(store_log=self._fatal is None)
        if self._fatal is not None:
            raise self._fatal
        not_reached = NOT_REACHED
        if self._time_up:
            self.result.not_fetched = self._queued
            not_reached = f"not reached before --max-time ran out ({self.options.max_time:g} s)"
        outcome = {url: not_reached if (why := self._seen.get(url, NOT_REACHED)) == NOT_REACHED else why
                   for url in self._seed_urls}
        self.result.failed_seeds = [url for url, why in outcome.items() if why]
        self.result.not_followed = len(self._not_followed - self._seen.keys())  # not reached otherwise
        reported = {url for url, _ in self.result.failures}  # a set: a sitemap may list 50,000 seeds
        for seed in self.result.failed_seeds:
            if seed not in reported:
                self.result.failures.append((seed, outcome[seed] or ""))
        self.result.elapsed = time.monotonic() - self._started
        return self.result

    def _close(self, store_log: bool) -> None:
        self.fetcher.close()
        try:
            if self.log is not None:
                self.log.close()
                if store_log and self.writer.records_written:
                    for run_id in self._orphan_runs:
                        orphan = self.collection.logs_dir / f"capture-{run_id}.jsonl"
                        if orphan.is_file():
                            self._store_log(orphan, run_id)
                    self._store_log(self.result.log_path, self.run_id)
        finally:
            self.writer.close()
            self.result.records = self.writer.records_written
            self.result.bytes_written = self.writer.bytes_written
            self.result.warc_files = list(self.writer.files)

    def _store_log(self, path: Path, run_id: str) -> None:
        """A run's capture log as a resource record (the issue's provenance requirement)."""
        data_len = path.stat().st_size
        hasher = new_hasher(self.options.digest)
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                hasher.update(chunk)
        digest = label(self.options.digest, hasher)

        def chunks():
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    yield chunk

        record = WarcRecord("resource", [("WARC-Target-URI", f"urn:archiver:capture-log:{run_id}"),
                                         ("WARC-Date", warc_date())],
                            data_len, digest, chunks, "application/x-ndjson")
        self.writer.write([record])

    def _work(self) -> None:
        while (item := self._next()) is not None:
            try:
                self._process(item)
            except ArchiverError as exc:  # the disk or the collection failed: stop the run
                with self._cond:
                    self._fatal = self._fatal or exc
                    self._stop = True
                    self._cond.notify_all()
            except Exception as exc:  # noqa: BLE001 - one bad URL must not end the run
                self._fail(item, f"internal error: {type(exc).__name__}: {exc}", None)
            finally:
                self._finish(item)

    # ---------------------------------------------------------------- one URL
    def _origin(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _process(self, item: Item) -> None:
        if self._over_max_pages(item, take=False):
            return  # N pages were taken before its turn: its robots.txt is not even asked for
        if self.robots is not None:
            allowed, why, unreachable = self.robots.allowed(self._origin(item.url), item.url)
            if not allowed and unreachable:
                self._fail(item, why, None)  # the host is down: a failure, not a policy skip
                return
            if not allowed:
                with self._write_lock:
                    self.result.skipped += 1
                self._log(item, "skipped", error=why)
                self._seed_result(item, why)
                return
        if self._over_max_pages(item, take=True):
            return  # found before N pages were taken; by its turn, they were
        earlier = self.state.done.get(item.url)
        # a sitemap is fetched on every run: what it lists changes (a news sitemap, every hour)
        if earlier is not None and not self._fetch_again(item):
            try:
                location, links = self._read_back(item, earlier)
            except Exception:  # noqa: BLE001 - the stored record cannot be read back: fetch it again
                target = item.url
            else:
                target, nowhere = self._redirect_target(item.url, location) if location else (None, None)
            # target == item.url: an earlier run stopped at a redirect to the URL itself (a cookie
            # wall whose page then failed, or a run killed meanwhile): the page is not captured yet.
            if target != item.url:
                with self._write_lock:
                    self.result.skipped += 1
                self._log(item, "skipped", status=earlier.status,
                          error=f"already captured in {earlier.warc_filename}")
                self._resume(item, earlier, target, nowhere, links)
                return
        response = self._fetch_with_retries(item)
        if response is None:
            return
        try:
            with self._cpu_slots:
                self._record(item, response)
        finally:
            response.close()

    def _fetch_with_retries(self, item: Item) -> Response | None:
        item.fetched = True
        try:
            return self._fetch_retrying(item.url)
        except FetchError as exc:
            self._fail(item, str(exc), None)
            return None

    def _fetch_retrying(self, url: str) -> Response:
        """GET *url*, again after connection errors, timeouts, 429, 5xx and bodies cut short, with
        exponential backoff or what Retry-After says; the last answer is returned as it came.
        Raises FetchError when no answer came at all, or the run stopped meanwhile."""
        attempt = 0
        while True:
            wait = self.options.backoff * (2 ** attempt)
            try:
                response = self.fetcher.fetch(url)
            except FetchError as exc:
                if not exc.retryable or attempt >= self.options.retries or self._past_deadline(wait):
                    raise  # the last attempt's reason, also when --max-time leaves no time for another
            else:
                # a body cut by --max-fetch-time would be cut again: kept as it came, not retried
                retry = (response.status in RETRY_STATUSES or response.cut_short is not None) \
                    and not response.over_time
                if retry:
                    after = _retry_after(response.header("retry-after"))
                    wait = after if after is not None else wait
                if not retry or attempt >= self.options.retries or self._past_deadline(wait):
                    if self.fetcher.cookies is not None:
                        # only the answer that is recorded sets cookies, so that the WARC shows
                        # where each cookie a later request sends came from
                        self.fetcher.cookies.store(url, response.headers)
                    return response  # a body still cut short on the last attempt is kept as it came
                response.close()
            attempt += 1
            time.sleep(min(wait, self.options.max_retry_wait))
            if self._stop:
                raise FetchError("run stopped", retryable=False)

    def _past_deadline(self, wait: float) -> bool:
        """Would a retry after *wait* seconds start after --max-time runs out? Then the answer (or
        the error) already had is the last one, not a "run stopped"."""
        wait = min(wait, self.options.max_retry_wait)
        return self._deadline is not None and time.monotonic() + wait >= self._deadline

    def _load_robots(self, robots_url: str) -> tuple[int, bytes]:
        """Fetch robots.txt (following up to 5 redirects, RFC 9309 section 2.3.1.2) and record it."""
        url = robots_url
        for _ in range(6):
            item = Item(url, 0, "P", None, url)
            with self._cond:
                self._seen.setdefault(url, NOT_REACHED)
            # Retried like any fetch: one 503 must not close the host for the whole run. A
            # FetchError after the last attempt propagates: unreachable means disallow.
            response = self._fetch_retrying(url)
            try:
                self._record(item, response, follow=False)
                redirect = response.status in (301, 302, 303, 307, 308) and response.header("location")
                if response.cut_short and not redirect and not 400 <= response.status < 500:
                    # RFC 9309 section 2.3.1.4: a network error means complete disallow. A 4xx or a
                    # redirect whose status and headers arrived whole is still what it says
                    # (sections 2.3.1.3 and 2.3.1.2): its body does not matter.
                    raise FetchError(response.cut_short)
                if redirect:
                    url = resolve(url, header_text(response.header("location")))
                    if url is None:  # a redirect nowhere is as if robots.txt were not there: RFC 9309
                        return 404, b""  # section 2.3.1.2 lets an unfollowable redirect be "unavailable"
                    continue
                body = response.decoded_body(PARSE_LIMIT, truncate=True, whole=True)
                if body is None and 200 <= response.status < 300:
                    # rules that cannot be read are not "no rules": treated as unreachable
                    raise FetchError(f"robots.txt in a content coding that cannot be read "
                                     f"({response.header('content-encoding')})")
                return response.status, body or b""
            finally:
                response.close()
        return 500, b""

    # ---------------------------------------------------------------- write
    def _record(self, item: Item, response: Response, follow: bool = True) -> None:
        links, unreadable = self._links_of(item, response) if follow else (None, None)
        location = response.header("location")
        date = warc_date()
        exchange = [("WARC-Date", date), ("WARC-Target-URI", item.url), ("WARC-IP-Address", response.ip)]
        request_fields, common = exchange, exchange  # common: the response's (or revisit's) fields
        if response.tls:
            # WARC-Protocol and WARC-Cipher-Suite (IIPC WARC extensions, adopted), higher layer
            # first. Left out over plain http, where the URI and status line say it already.
            request_fields = exchange + [("WARC-Protocol", "http/1.1"), *response.tls]
            answered = [("WARC-Protocol", response.http_version)] if response.http_version else []
            common = exchange + answered + list(response.tls)
        digest = self.options.digest
        may_dedup = dedupable(response.status, response.payload_length, response.truncated)
        # The group is built and compressed before the write lock, so that workers compress in
        # parallel; the lock only decides revisit-or-response and appends the bytes. The main
        # record's id is fixed first: the request and metadata records name it either way.
        main_id = new_record_id()
        stored = self.state.stored(response.payload_digest) if may_dedup else None
        main = self._main_record(response, common, main_id, stored)
        request = WarcRecord.from_bytes(
            "request", request_fields + [("WARC-Concurrent-To", main_id),
                                         ("WARC-Payload-Digest", self._empty_digest)],
            response.request, "application/http;msgtype=request", digest)
        group: list[WarcRecord] = [request, main]
        if links is not None and (links.outlinks or links.requisites):
            group.append(self._metadata_record(item, response, links, main_id, date))
        prepared = self.writer.prepare(group)
        with self._write_lock:
            if may_dedup and stored is None:
                # WARC 1.1 section 6.7.2: a payload another worker stored meanwhile is a revisit
                stored = self.state.stored(response.payload_digest)
                if stored is not None:
                    prepared[1] = self._main_record(response, common, main_id, stored)
            written = self.writer.write(prepared)
            where: Written = written[1]
            cut_short = None
            if response.cut_short:  # the record is kept; the URL counts as not (fully) captured
                cut_short = (f"{response.cut_short} (partial response kept, "
                             f"WARC-Truncated: {response.truncated})")
                self.result.failures.append((item.url, cut_short))
            line = self._log(
                item, "revisit" if stored else "captured", status=response.status, error=cut_short,
                warc_filename=where.filename, record_id=where.record_id, time=date,
                warc_offset=where.offset, warc_date=date, payload_digest=response.payload_digest,
                payload_length=response.payload_length, content_type=response.content_type or None,
                truncated=bool(response.truncated),
                refers_to=stored.record_id if stored else None)
            if not stored:
                self.state.remember(line)
            if item.hops != "P":
                self.result.revisits += 1 if stored else 0
                if 300 <= response.status < 400 and location:
                    self.result.redirects += 1  # a hop on the way to a page, not a page of its own
                elif item.is_requisite:
                    self.result.requisites += 1
                else:
                    self.result.pages += 1
        if item.hops == "P":
            return
        if 300 <= response.status < 400 and location and item.hops.count("R") < MAX_REDIRECTS:
            target, nowhere = self._redirect_target(item.url, header_text(location))
            if target is None:  # the page the URL stands for is not coming: not captured, and why
                self._seed_result(item, nowhere)
                return
            # A redirect is part of fetching this URL: same depth, any host (Heritrix does the same).
            chain = (*item.chain, item.url)
            # A redirect back into its own chain that set a cookie is a cookie check (a consent
            # or bot wall): with the cookie, the page answers; without a new cookie, it loops.
            # "New" is judged by what a request would send now against what this one sent.
            again = target in chain and self._cookies_changed(target, response.cookie)
            hop = Item(target, item.depth, item.hops + "R", item.url, item.seed, chain=chain)
            if not self._enqueue(hop, again=again):
                if target in chain:  # back to where it started, and nothing changed: a loop
                    self._seed_result(item, f"redirect loop: back to {target}")
                else:
                    self._seed_result(item, None)  # the target is already being captured
            return
        problem = response.cut_short or (None if response.status < 400 else f"HTTP {response.status}")
        problem = problem or unreadable  # a sitemap fetched whole that lists nothing we can read
        if 300 <= response.status < 400 and location and item.hops.count("R") >= MAX_REDIRECTS:
            self._seed_result(item, f"redirect limit: still redirected after {MAX_REDIRECTS} hops")
            return  # the page never arrived
        self._seed_result(item, problem)
        if links is not None:
            self._follow(item, links)

    def _redirect_target(self, url: str, location: str) -> tuple[str | None, str | None]:
        """(where a redirect from *url* leads, None) or (None, why it leads nowhere this run may go):
        a Location that is not an http(s) URL, or one an --exclude matches."""
        target = resolve(url, location)
        if target is None:
            return None, f"redirected to {location.strip()!r}, not an http(s) URL"
        if self.scope.excluded(target):
            return None, f"redirected to {target}, which --exclude matches"
        return target, None

    def _cookies_changed(self, url: str, sent: str | None) -> bool:
        """Would a request for *url* now carry other cookies than the *sent* Cookie header?"""
        cookies = self.fetcher.cookies
        return cookies is not None and cookies.header_for(url) != sent

    def _main_record(self, response: Response, common: list[tuple[str, str]], record_id: str,
                     stored: Stored | None) -> WarcRecord:
        """The response record, or a revisit of the *stored* identical payload (WARC 1.1 section
        6.7.2, identical-payload-digest profile: the block is the HTTP headers only)."""
        digest = self.options.digest
        if stored is not None:
            return WarcRecord.from_bytes(
                "revisit", common + [
                    ("WARC-Payload-Digest", response.payload_digest), ("WARC-Profile", REVISIT_PROFILE),
                    ("WARC-Refers-To", stored.record_id), ("WARC-Refers-To-Target-URI", stored.url),
                    ("WARC-Refers-To-Date", stored.date)],
                self._head(response), "application/http;msgtype=response", digest, record_id=record_id)
        fields = common + [("WARC-Payload-Digest", response.payload_digest)]
        if response.truncated:
            fields.append(("WARC-Truncated", response.truncated))  # WARC 1.1 section 5.13
        stored_as_is = is_precompressed(response.payload_head, response.header("content-encoding"))
        return WarcRecord("response", fields, response.block_length, response.block_digest,
                          response.block_chunks, "application/http;msgtype=response",
                          record_id=record_id, level=STORED if stored_as_is else None)

    def _head(self, response: Response) -> bytes:
        response.block.seek(0)
        return response.block.read(response.header_length)

    def _metadata_record(self, item: Item, response: Response, links: Links, refers_to: str,
                         date: str) -> WarcRecord:
        """Outlinks and requisites of a page, Heritrix's warc-fields vocabulary (WARC 1.1 section 6.6)."""
        lines = []
        if item.via:
            lines.append(f"via: {item.via}")
        lines.append(f"hopsFromSeed: {item.hops}")
        lines.append(f"fetchTimeMs: {int(response.elapsed * 1000)}")
        lines += [f"outlink: {u} E {ctx}" for u, ctx in links.requisites.items()]
        lines += [f"outlink: {u} L {ctx}" for u, ctx in links.outlinks.items()]
        body = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        return WarcRecord.from_bytes("metadata", [("WARC-Date", date), ("WARC-Target-URI", item.url),
                                                  ("WARC-Refers-To", refers_to)],
                                     body, "application/warc-fields", self.options.digest)

    # ---------------------------------------------------------------- links
    def _links_of(self, item: Item, response: Response) -> tuple[Links, str | None]:
        """The links to follow from *response*, and for a sitemap why it could not be read."""
        if item.hops.startswith(SITEMAP) and 200 <= response.status < 300:
            if response.truncated:
                return Links(), f"sitemap cut short ({response.truncated})"
            return self._sitemap_links(item, response.decoded_body(MAX_SITEMAP_BYTES))
        if response.truncated or not (200 <= response.status < 300):
            return Links(), None
        kind = response.content_type
        if kind not in HTML_TYPES and kind != "text/css":
            return Links(), None
        body = response.decoded_body(self.options.max_parse_bytes)
        return self._parse(kind, body, item.url, response.header("content-type")), None

    def _sitemap_links(self, item: Item, body: bytes | None) -> tuple[Links, str | None]:
        """A sitemap's pages (outlinks `sitemap/loc`) and, in a sitemap index that a --sitemap
        named, its sitemaps (`sitemapindex/loc`); only URLs on the sitemap's own host, as the
        sitemaps.org protocol allows, and none an --exclude matches."""
        links = Links()
        entries = sitemap_entries(body) if body is not None else None
        if entries is None:  # over 50 MB, broken gzip, neither XML nor a URL list
            return links, "not a readable sitemap (sitemaps.org 0.9, at most 50 MB)"
        host = urlsplit(item.url).netloc
        nested = item.hops.replace("R", "") != SITEMAP  # a sitemap from an index: no index further
        for raws, context in ((entries.pages, "sitemap/loc"), ([] if nested else entries.sitemaps,
                                                               "sitemapindex/loc")):
            for raw in raws:
                url = resolve(item.url, raw)
                if url and urlsplit(url).netloc == host and not self.scope.excluded(url):
                    links.outlinks.setdefault(url, context)
        return links, None

    def _parse(self, kind: str | None, body: bytes | None, url: str, content_type: str | None) -> Links:
        if not body:
            return Links()
        if kind in HTML_TYPES:
            return html_links(body, url, content_type)
        if kind == "text/css":
            return css_links(body, url)
        return Links()

    def _fetch_again(self, item: Item) -> bool:
        """Is *item*, which an earlier run captured, fetched again all the same? With --recapture,
        everything; a sitemap, always (what it lists changes); with --recapture-seeds, the pages
        the run's own seeds stand for (the seed and its redirect hops: today's front page),
        while what they link to that is already captured is still skipped."""
        if self.options.recapture or item.hops.startswith(SITEMAP):
            return True
        return (self.options.recapture_seeds and item.seed in self._given_seeds
                and item.hops.count("R") == len(item.hops))

    def _read_back(self, item: Item, earlier: Done) -> tuple[str | None, Links | None]:
        """(a redirect's Location, the links of a page) that an earlier run stored for *item*,
        read back from its WARC record; StoredRecordMismatch (or warcio's error) when the log
        line points at no record of that URL."""
        status = earlier.status or 0
        if earlier.warc_offset is None:  # a log line edited by hand: nowhere to re-read it from
            return None, None
        if 300 <= status < 400:
            return _stored_location(self.collection.warc_dir / earlier.warc_filename,
                                    earlier.warc_offset, item.url), None
        kind = earlier.content_type
        if kind not in HTML_TYPES and kind != "text/css":
            return None, None
        source, url = earlier, item.url
        if earlier.outcome == "revisit" and earlier.payload_digest:
            stored = self.state.stored(earlier.payload_digest)
            if stored is not None:  # the page's bytes are in the record the revisit points at
                source, url = stored, stored.url
        headers, body = _read_stored(self.collection.warc_dir / source.warc_filename, source.warc_offset,
                                     url, self.options.max_parse_bytes)
        content_type = headers.get_header("Content-Type") if headers else None
        return None, self._parse(kind, body, item.url, content_type)

    def _resume(self, item: Item, earlier: Done, redirect: str | None, nowhere: str | None,
                links: Links | None) -> None:
        """Go on from a URL an earlier run captured, as if fetched: follow its redirect (to
        *redirect*, or *nowhere* this run may go: an --exclude added since is judged now) or its
        links."""
        status = earlier.status or 0
        self._seed_result(item, nowhere or (None if status < 400 else f"HTTP {status}"))
        if redirect:
            self._enqueue(Item(redirect, item.depth, item.hops + "R", item.url, item.seed,
                               chain=(*item.chain, item.url)))
        if links is not None:
            self._follow(item, links)

    def _follow(self, item: Item, links: Links) -> None:
        if item.hops.startswith(SITEMAP):
            for url, context in links.outlinks.items():
                sitemap = context == "sitemapindex/loc"
                self._add_seed(Item(url, 0, SITEMAP * 2 if sitemap else "", item.url, url))
            return
        if self.options.requisites:
            for url in links.requisites:
                if not self.scope.excluded(url):
                    self._enqueue(Item(url, item.depth, item.hops + "E", item.url, item.seed))
        if item.is_requisite or item.depth >= self.options.depth:
            return
        limited = self.options.max_pages is not None
        for url in links.outlinks:
            if not self.scope.in_scope(url):
                continue
            page = Item(url, item.depth + 1, item.hops + "L", item.url, item.seed)
            if limited:
                with self._cond:  # counted and queued at once
                    if self._take_page(url):
                        self._enqueue(page)
            else:
                self._enqueue(page)

    def _take_page(self, url: str) -> bool:
        """May the page *url* be queued under --max-pages? Not once N pages are taken (see
        _over_max_pages): none will be taken after. One already queued is turned away by
        _enqueue. Called holding self._cond."""
        if url not in self._seen and self._pages_taken >= self.options.max_pages:
            self._not_followed.add(url)
            return False
        return True

    def _over_max_pages(self, item: Item, take: bool) -> bool:
        """Is *item* a page past --max-pages? Pages are counted when their turn comes, after
        robots.txt let them through (*take*; a calendar trap is often what robots.txt disallows:
        counted when found, its pages would use up N without being fetched); one whose turn comes
        when N are already taken is dropped before its robots.txt is asked for. Counted: a link,
        or a page a sitemap lists; not the seeds given, requisites, redirect hops or sitemaps."""
        if self.options.max_pages is None or not (item.hops.endswith("L") or (
                item.hops == "" and item.url not in self._given_seeds)):
            return False
        with self._cond:
            if self._pages_taken >= self.options.max_pages:
                if item.url in self._needed:
                    return False  # what a page taken needs comes all the same (not counted)
                self._not_followed.add(item.url)
                self._seed_urls.pop(item.url, None)  # a listed page past N: not a seed of this run
                # not "seen": the same URL may still come as a requisite or a redirect's target
                # of a page taken (_take_page keeps turning it away as a page)
                self._seen.pop(item.url, None)
                return True
            if take:
                self._pages_taken += 1
            return False

    def _add_seed(self, item: Item) -> None:
        """A page (or sitemap) a sitemap lists: a seed of its own, whose outcome the run reports.
        One the run already queued another way (a link from a seed) is captured there, once; its
        outcome is the same URL's (see _seed_result)."""
        with self._cond:  # an RLock: _enqueue takes it again, so no other path queues it between
            if not item.hops and self.options.max_pages is not None and not self._take_page(item.url):
                return  # past --max-pages: not a seed of this run (a given seed is always one)
            self._seed_urls.setdefault(item.url)
            if item.url in self._seen:
                return
            if not item.hops:  # a page, not a sitemap an index lists
                self.scope.add_seed(item.url)
            self._enqueue(item)

    # ---------------------------------------------------------------- outcomes
    def _seed_result(self, item: Item, problem: str | None) -> None:
        """The outcome of *item*'s URL, and of every URL whose redirects led to it: the end of a
        redirect chain decides whether the URLs on it were captured (a seed's, or a page a
        sitemap lists that the run reached by a link first)."""
        for url in item.chain:
            self._seen[url] = problem
        self._seen[item.url] = problem

    def _fail(self, item: Item, reason: str, status: int | None) -> None:
        self._log(item, "failed", status=status, error=reason)
        self.result.failures.append((item.url, reason))
        self._seed_result(item, reason)

    def _log(self, item: Item, outcome: str, **fields) -> dict:
        line = self.log.write(url=item.url, seed=item.is_seed, outcome=outcome,
                              hops=item.hops, via=item.via, run_id=self.run_id, **fields)
        if self.progress is not None:
            self.progress(Progress(self.result.pages, self.result.requisites, self.result.revisits,
                                   len(self.result.failures), self.result.skipped,
                                   self.writer.bytes_written, self._queued,
                                   time.monotonic() - self._started, item.url, self.result.redirects))
        return line


def capture(seeds: list[str], collection: Path, options: CaptureOptions | None = None,
            progress: Callable[[Progress], None] | None = None,
            on_written: OnWritten | None = None) -> CaptureResult:
    """Capture *seeds* (and what the options reach from them) into the collection's WARC files.

    *on_written* is told of every record as it is written (see warcwriter.OnWritten); the CLI
    catalogues the run with it while the run goes on."""
    return Crawl(list(seeds), Path(collection), options or CaptureOptions(), progress, on_written).run()


__all__ = ["capture", "Crawl", "Progress", "rfc3339"]
