"""What a capture is asked to do (CaptureOptions) and what it did (CaptureResult)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from archiver import __version__

DEFAULT_USER_AGENT = f"archiver/{__version__} (+https://example.org/archiver; digital preservation crawler)"


@dataclass
class CaptureOptions:
    """Settings of one capture run; the CLI options map one to one onto these fields."""

    depth: int = 0  # hops of outlinks followed from the seeds
    scope: str = "host"  # page | host | domain | prefix
    include: tuple[str, ...] = ()  # when given, outlinks must match one of these regexes
    exclude: tuple[str, ...] = ()  # nothing matching these is fetched
    requisites: bool = True  # fetch what pages need to render (images, CSS, scripts...)
    ignore_robots: bool = False
    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0  # minimum seconds between two fetches from one host
    workers: int = 4  # concurrent fetches in total
    per_host: int = 1  # concurrent fetches per host
    timeout: float = 30.0  # seconds without data before a fetch fails
    max_fetch_time: float | None = 1200.0  # seconds a response may take; then kept cut (WARC-Truncated: time)
    retries: int = 3  # further attempts after a connection error, timeout, 429 or 5xx
    backoff: float = 1.0  # first retry waits this long, doubling each time
    max_retry_wait: float = 120.0  # cap on backoff and on a server's Retry-After
    max_size: int | None = None  # bytes of body kept per response (WARC-Truncated: length beyond)
    warc_size: int = 1_000_000_000  # roll over to a new WARC file at this size
    digest: str = "sha256"  # sha256 | sha1
    recapture: bool = False  # fetch again URLs already captured in this collection
    recapture_seeds: bool = False  # fetch the seeds (and their redirects) again, even if captured
    max_time: float | None = None  # seconds after which no new fetch starts (what is in flight finishes)
    max_pages: int | None = None  # pages a run takes, the seeds given included; none followed past it
    prefix: str = "archiver"  # WARC file name prefix
    max_parse_bytes: int = 20_000_000  # larger HTML/CSS is stored but not scanned for links
    ca_certificate: str | None = None  # PEM file of CA certificates trusted besides the system's
    check_certificate: bool = True  # False: https servers' certificates are not verified
    tls_min_version: str = "1.2"  # oldest TLS version accepted (1.0, 1.1, 1.2, 1.3)
    sitemaps: tuple[str, ...] = ()  # sitemaps whose pages are seeds too (fetched on every run)
    cookies: bool = True  # keep the cookies servers set during the run and send them back

    def as_dict(self) -> dict:
        d = asdict(self)
        for name in ("include", "exclude", "sitemaps"):
            d[name] = list(d[name])
        return d


@dataclass
class CaptureResult:
    """Counts and outcomes of one run (the CLI prints this; --json prints `as_dict()`)."""

    run_id: str = ""
    pages: int = 0
    requisites: int = 0
    redirects: int = 0  # redirect answers recorded (each hop of a chain), counted in neither of the above
    revisits: int = 0
    records: int = 0
    bytes_written: int = 0
    warc_files: list[Path] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    failed_seeds: list[str] = field(default_factory=list)
    skipped: int = 0
    not_followed: int = 0  # pages found past --max-pages, not taken
    not_fetched: int = 0  # URLs still queued when --max-time ran out
    repaired: list[Path] = field(default_factory=list)
    log_path: Path | None = None
    elapsed: float = 0.0

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id, "pages": self.pages, "requisites": self.requisites,
            "redirects": self.redirects, "revisits": self.revisits, "records": self.records,
            "bytes_written": self.bytes_written,
            "warc_files": [str(p) for p in self.warc_files],
            "failures": [{"url": u, "reason": r} for u, r in self.failures],
            "failed_seeds": self.failed_seeds, "skipped": self.skipped, "not_followed": self.not_followed,
            "not_fetched": self.not_fetched,
            "repaired": [str(p) for p in self.repaired],
            "log": str(self.log_path) if self.log_path else None, "elapsed_s": round(self.elapsed, 3),
        }
