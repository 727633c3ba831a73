"""Serve a folder as a small website on 127.0.0.1, for the demo and for tests.

It behaves like a plain static web server with two additions a news site needs for realism:
redirects listed in `_redirects` (lines `FROM_PATH TO_PATH [STATUS]`) and a real 404 for
missing pages. Files whose names start with `_` are never served. It listens only on the
loopback address, on an ephemeral port, and stops when the context manager exits.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from archiver.errors import ArchiverError

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_site() -> Path:
    """The sample news site: bundled in the wheel, or the checkout's samples/site/."""
    for candidate in (_PACKAGE_DIR / "_data" / "site", _PACKAGE_DIR.parent / "samples" / "site"):
        if (candidate / "index.html").is_file():
            return candidate
    raise ArchiverError("the bundled sample site (samples/site/) is missing from this installation")


def read_redirects(site: Path) -> dict[str, tuple[str, int]]:
    """Parse `_redirects`: one `FROM TO [STATUS]` a line, `#` comments, default status 301."""
    table: dict[str, tuple[str, int]] = {}
    path = site / "_redirects"
    if not path.is_file():
        return table
    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) not in (2, 3) or not parts[0].startswith("/"):
            raise ArchiverError(f"{path}:{line_no}: expected 'FROM_PATH TO_PATH [STATUS]'")
        status = int(parts[2]) if len(parts) == 3 else 301
        table[parts[0]] = (parts[1], status)
    return table


class _SiteHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "archiver-sample-site/1"
    redirects: dict[str, tuple[str, int]] = {}

    def send_head(self):
        path = urlsplit(self.path).path
        if path in self.redirects:
            target, status = self.redirects[path]
            self.send_response(status)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if any(part.startswith("_") for part in path.split("/")):
            self.send_error(404, "Not Found")
            return None
        return super().send_head()

    def list_directory(self, path):
        self.send_error(404, "Not Found")
        return None

    def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
        pass


@contextlib.contextmanager
def serve_site(site: Path) -> Iterator[str]:
    """Serve *site* on 127.0.0.1 (ephemeral port); yield its base URL like `http://127.0.0.1:PORT`."""
    site = Path(site)
    if not site.is_dir():
        raise ArchiverError(f"{site}: no such site folder")
    handler = type("SiteHandler", (_SiteHandler,), {"redirects": read_redirects(site)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="sample-site", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
