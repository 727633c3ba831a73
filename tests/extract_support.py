"""Test helpers for extraction: WARC files made with warcio around the sample site.

Until the capture code lands, these stand in for captures: request/response pairs for every file,
a 301 for the _redirects rule, a 404, a later revisit of one article, written gzipped per record or
uncompressed.
"""

from __future__ import annotations

import hashlib
import io
from base64 import b32encode
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "samples" / "site"
EXPECTED = REPO / "tests" / "expected"
BASE = "http://belarus-news.test"
CAPTURE_TIME = datetime(2024, 11, 5, 9, 30, 0, tzinfo=UTC)

ARTICLE_PAGES = ("news/lavrov-nato.html", "news/harvest-record.html", "news/rail-bridge.html",
                 "news/museum-night.html", "news/minsk-metro.html", "news/chess-olympiad.html")
OTHER_PAGES = ("index.html", "about.html")

_TYPES = {".html": "text/html", ".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg"}


def site_files() -> list[str]:
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*")
                  if p.is_file() and p.suffix in _TYPES)


def redirects() -> list[tuple[str, str, int]]:
    rules = []
    for line in (SITE / "_redirects").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            frm, to, status = line.split()
            rules.append((frm, to, int(status)))
    return rules


def sha1_digest(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


class WarcBuilder:
    """Write request/response pairs (and revisits) into one WARC file."""

    def __init__(self, path: Path, gzip: bool = True):
        self.path = path
        self.fh = open(path, "wb")
        self.writer = WARCWriter(self.fh, gzip=gzip)
        self.ids: dict[str, str] = {}

    def _date(self, when: datetime) -> str:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def response(self, url: str, status: int, payload: bytes, content_type: str | None,
                 when: datetime = CAPTURE_TIME, extra: list[tuple[str, str]] = ()) -> str:
        reason = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}.get(status, "OK")
        headers = [("Content-Length", str(len(payload)))] + list(extra)
        if content_type:
            headers.insert(0, ("Content-Type", content_type))
        http = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        path = "/" + url.split("/", 3)[-1]
        request = f"GET {path} HTTP/1.1\r\nHost: belarus-news.test\r\n\r\n".encode()
        req = self.writer.create_warc_record(url, "request", payload=io.BytesIO(request),
                                             warc_headers_dict={"WARC-Date": self._date(when)})
        rec = self.writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http,
                                             warc_headers_dict={"WARC-Date": self._date(when)})
        self.writer.write_record(rec)
        self.writer.write_record(req)
        self.ids[url] = rec.rec_headers.get_header("WARC-Record-ID")
        return self.ids[url]

    def revisit(self, url: str, original_payload: bytes, when: datetime) -> str:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        rec = self.writer.create_revisit_record(url, sha1_digest(original_payload),
                                                self.ids.get(url, url), self._date(CAPTURE_TIME),
                                                http_headers=http)
        rec.rec_headers.replace_header("WARC-Date", self._date(when))
        self.writer.write_record(rec)
        return rec.rec_headers.get_header("WARC-Record-ID")

    def close(self) -> None:
        self.fh.close()


def write_site_warc(path: Path, gzip: bool = True, revisit: str | None = None) -> WarcBuilder:
    """Capture the whole sample site (as the capture stage would) into one WARC file."""
    builder = WarcBuilder(path, gzip=gzip)
    for rel in site_files():
        data = (SITE / rel).read_bytes()
        builder.response(f"{BASE}/{rel}", 200, data, _TYPES[Path(rel).suffix])
    for frm, to, status in redirects():
        builder.response(f"{BASE}{frm}", status, b"", "text/html", extra=[("Location", to)])
    builder.response(f"{BASE}/news/no-such-story.html", 404, b"<html><body><h1>Not found</h1></body></html>",
                     "text/html")
    if revisit:
        builder.revisit(f"{BASE}/{revisit}", (SITE / revisit).read_bytes(), CAPTURE_TIME + timedelta(days=1))
    builder.close()
    return builder


def make_collection(root: Path, gzip: bool = True, revisit: str | None = None) -> Path:
    """A collection directory whose warc/ holds a capture of the sample site."""
    (root / "warc").mkdir(parents=True)
    name = "sample-00000.warc.gz" if gzip else "sample-00000.warc"
    write_site_warc(root / "warc" / name, gzip=gzip, revisit=revisit)
    return root
