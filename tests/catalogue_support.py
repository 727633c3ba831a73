"""Collections for the catalogue tests: a real capture of the sample site, and foreign WARCs."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def capture_sample_site(collection: Path) -> Path:
    """Capture the bundled sample site into *collection*, extract its articles; return it."""
    from archiver.capture import CaptureOptions, capture
    from archiver.extract import extract_collection
    from archiver.sampleserver import bundled_site, serve_site

    with serve_site(bundled_site()) as base:
        capture([base + "/"], collection, CaptureOptions(depth=1, delay=0.0, workers=2))
    extract_collection(collection)
    return collection


def write_foreign_warc(path: Path, *, gzip: bool, pages: dict[str, bytes]) -> None:
    """A WARC as another tool (plain warcio) writes it: warcinfo, then request/response pairs."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "other-tool/1.0"}))
        for url, body in pages.items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                               ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            response = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                 http_headers=http)
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [], is_http_request=True))
            writer.write_request_response_pair(request, response)
