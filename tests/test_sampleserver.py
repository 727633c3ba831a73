import urllib.error
import urllib.request

import pytest

from archiver.errors import ArchiverError
from archiver.sampleserver import read_redirects, serve_site


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=5) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_serves_files_redirects_and_404s(tmp_path):
    (tmp_path / "index.html").write_text("<h1>Home</h1>")
    (tmp_path / "_redirects").write_text("# moved\n/old.html /index.html 301\n")
    with serve_site(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        status, headers, body = _get(base + "/index.html")
        assert (status, body) == (200, b"<h1>Home</h1>")
        assert headers["Content-Type"].startswith("text/html")
        status, headers, _ = _get(base + "/old.html")
        assert status == 301 and headers["Location"] == "/index.html"
        assert _get(base + "/missing.html")[0] == 404
        assert _get(base + "/_redirects")[0] == 404


def test_bad_redirect_line_names_the_line(tmp_path):
    (tmp_path / "_redirects").write_text("/a /b 301\nnonsense\n")
    with pytest.raises(ArchiverError, match=r"_redirects:2"):
        read_redirects(tmp_path)


def test_bundled_site_serves_its_redirect_and_its_404():
    from archiver.sampleserver import bundled_site

    with serve_site(bundled_site()) as base:
        status, headers, _ = _get(base + "/news/old-lavrov.html")
        assert status == 301 and headers["Location"] == "/news/lavrov-nato.html"
        assert _get(base + "/news/lavrov-nato.html")[0] == 200
        assert _get(base + "/news/no-such-story.html")[0] == 404
        status, headers, body = _get(base + "/images/lavrov.jpg")
        assert status == 200 and body[:3] == b"\xff\xd8\xff"
