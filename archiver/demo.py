"""The main job: run the whole pipeline on the bundled sample news site.

serve the site on 127.0.0.1 -> capture (WARC) -> extract (article JSON) -> catalogues (Parquet)
-> package (BagIt bag) -> audit (fixity, history log). Each stage is the same library call the
stage's own command makes; the demo adds no logic of its own beyond wiring and the summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archiver.errors import ArchiverError
from archiver.sampleserver import bundled_site, serve_site

COLLECTION_NAME = "collection"
BAG_NAME = "bag"
AUDIT_LOG_NAME = "audit-log"


@dataclass
class DemoSummary:
    """What the demo did, stage by stage, for the printed summary and for tests."""

    out: Path
    site_url: str = ""
    pages: int = 0
    requisites: int = 0
    redirects: int = 0
    records: int = 0
    bytes_written: int = 0
    warc_files: list[Path] = field(default_factory=list)
    capture_failures: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0
    extract_failures: list[tuple[str, str]] = field(default_factory=list)
    catalogue_rows: dict[str, int] = field(default_factory=dict)
    bag: Path | None = None
    bag_files: int = 0
    bag_bytes: int = 0
    audit_ok: bool = False
    audit_log: Path | None = None

    @property
    def collection(self) -> Path:
        return self.out / COLLECTION_NAME

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.extract_failures and self.articles > 0


def run_demo(out: Path, site: Path | None = None,
             say: Callable[[str], None] = lambda line: None) -> DemoSummary:
    """Run every stage into *out* (which must not already hold a demo run)."""
    from archiver.audit import audit_paths
    from archiver.bag import package
    from archiver.capture import CaptureOptions, capture
    from archiver.catalogue import build_collection_catalogues
    from archiver.extract import extract_collection

    out = Path(out)
    site = Path(site) if site else bundled_site()
    summary = DemoSummary(out=out)
    for name in (COLLECTION_NAME, BAG_NAME):
        if (out / name).exists():
            raise ArchiverError(f"{out / name} already exists: remove it or choose another --out")
    if not (site / "index.html").is_file():
        raise ArchiverError(f"{site}: no index.html (the demo captures the site from its index.html)")
    out.mkdir(parents=True, exist_ok=True)

    with serve_site(site) as base:
        summary.site_url = base + "/"
        say(f"serving    {site} at {summary.site_url}")
        options = CaptureOptions(depth=1, scope="host", delay=0.0, workers=4)
        result = capture([summary.site_url], summary.collection, options)
    summary.pages = result.pages
    summary.requisites = result.requisites
    summary.redirects = result.redirects
    summary.records = result.records
    summary.bytes_written = result.bytes_written
    summary.warc_files = list(result.warc_files)
    summary.capture_failures = list(result.failures)
    say(f"captured   {result.pages} pages, {result.requisites} requisites and {result.redirects} "
        f"redirects: {result.records} WARC records, {_mb(result.bytes_written)} in "
        f"{len(result.warc_files)} WARC file(s); {len(result.failures)} failed fetch(es)")

    extracted = extract_collection(summary.collection)
    summary.articles = len(extracted.documents)
    summary.extract_failures = list(extracted.failures)
    say(f"described  {summary.articles} articles in {summary.collection / 'metadata' / 'articles'}"
        + (f"; {len(extracted.failures)} failed validation" if extracted.failures else ""))

    catalogues = build_collection_catalogues(summary.collection)
    summary.catalogue_rows = dict(catalogues.rows)
    say(f"catalogued {summary.catalogue_rows['records']} WARC records and "
        f"{summary.catalogue_rows['articles']} articles in {summary.collection / 'catalogue'}")

    summary.bag = package(summary.collection, out / BAG_NAME, info=[
        ("Source-Organization", "archiver demo"),
        ("External-Description", f"The bundled sample news site, captured from {summary.site_url} "
                                 "by 'archiver demo'."),
    ])
    summary.bag_files, summary.bag_bytes = _payload_size(summary.bag)
    say(f"sealed     {summary.bag} ({summary.bag_files} payload files, {_mb(summary.bag_bytes)}, "
        "sha256+sha512 manifests)")

    summary.audit_log = out / AUDIT_LOG_NAME
    run = audit_paths([summary.bag], log=summary.audit_log)
    summary.audit_ok = run.ok
    checked = sum(b.files_checked for b in run.bags)
    say(f"audited    {summary.bag}: {'verified' if run.ok else 'FAILED'} ({checked} files checked; "
        f"history in {summary.audit_log})")
    return summary


def _payload_size(bag: Path) -> tuple[int, int]:
    files = [p for p in (bag / "data").rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB"
