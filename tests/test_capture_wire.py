"""What broken or unusual servers send on the wire, through `archiver capture` (the CLI).

Each case was found by an adversarial review: before, each one lost a page, stored one URL's bytes
as another's, or failed a URL as "internal error". One worker and one connection per host, so a
connection left out of step would hand its leftovers to the next URL.
"""

from __future__ import annotations

import gzip
import json

import pytest
from capture_support import Site, article, drip, live_stream, records, serve

ONE_AT_A_TIME = ("--delay", "0", "--workers", "1", "--retries", "0", "--timeout", "3")


def _raw(data: bytes, close: bool = False):
    """A handler that writes *data* as it is and keeps the connection (unless *close*)."""
    def handler(h):
        h.close_connection = close
        h.wfile.write(data)
        h.wfile.flush()

    return handler


def _bodies(coll) -> dict[str, tuple[str, bytes]]:
    """URL path -> (status line, HTTP body as stored) of every response record."""
    out = {}
    for path in sorted((coll / "warc").glob("*.warc.gz")):
        for kind, headers, block in records(path):
            if kind == "response":
                head, _, body = block.partition(b"\r\n\r\n")
                url = headers["WARC-Target-URI"]
                out[url[url.index("/", 8):]] = (head.split(b"\r\n")[0].decode(), body)
    return out


def _capture(invoke, coll, base, *paths, extra=("--no-requisites",)):
    result = invoke("capture", *(base + p for p in paths), "--collection", coll, *ONE_AT_A_TIME, "--json",
                    *extra)
    return result, json.loads(result.stdout)


X = b"<html><body>this is X</body></html>"


@pytest.mark.parametrize("interim", [b"HTTP/1.1 100 Continue\r\n\r\n",
                                     b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                                     b"HTTP/1.1 103 Early Hints\r\nLink: </app.js>; rel=preload\r\n\r\n"])
def test_interim_responses_are_read_past_to_the_final_one(tmp_path, invoke, interim):
    """RFC 9110 section 15.2: a client must take any 1xx before the final response. The 1xx was
    stored as the page and the real answer was handed to the next URL (/news/one.html stored
    "this is X")."""
    site = Site()
    site.extra["/x"] = _raw(interim + b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                            + str(len(X)).encode() + b"\r\n\r\n" + X)
    with serve(site) as (base, _):
        result, summary = _capture(invoke, tmp_path, base, "/x", "/news/one.html", "/news/two.html")
    assert result.exit_code == 0, result.output
    stored = _bodies(tmp_path)
    assert stored["/x"] == ("HTTP/1.1 200 OK", X)
    assert stored["/news/one.html"][1] == article("One", "red.png")
    assert stored["/news/two.html"][1] == article("Two", "red-copy.png")
    assert summary["pages"] == 3


@pytest.mark.parametrize(("path", "raw", "why"), [
    # RFC 9112 section 6.3 rule 1: a 304 (or 204) ends at its headers; the body is the next answer
    ("/stale", b"HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\n\r\n<html>stale</html>", None),
    ("/minus", b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n" + X, "protocol: bad Content-Length"),
    ("/two-lengths", b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 35\r\n\r\n" + X,
     "protocol: bad Content-Length"),
    ("/signed-chunk", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-10\r\n" + X + b"\r\n0\r\n\r\n",
     "protocol: bad chunk size line"),
    ("/ext-status", "HTTP/1.1 ²00 OK\r\nContent-Length: 0\r\n\r\n".encode("latin-1"),
     "protocol: bad status line"),
    ("/four-digits", b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", "protocol: bad status line"),
])
def test_framing_that_cannot_be_trusted_never_reaches_the_next_url(tmp_path, invoke, path, raw, why):
    """A response whose end the framing does not give (or gives wrongly) fails cleanly with a
    protocol reason, and nothing it leaves on the connection is read as the next URL's answer."""
    site = Site()
    site.extra[path] = _raw(raw)
    with serve(site) as (base, _):
        result, summary = _capture(invoke, tmp_path, base, path, "/news/one.html")
    stored = _bodies(tmp_path)
    assert stored["/news/one.html"] == ("HTTP/1.0 200 OK", article("One", "red.png")) or \
        stored["/news/one.html"] == ("HTTP/1.1 200 OK", article("One", "red.png"))
    failures = {f["url"][len(base):]: f["reason"] for f in summary["failures"]}
    if why is None:
        assert result.exit_code == 0 and path not in failures and stored[path][1] == b""
    else:
        assert result.exit_code == 1 and failures[path].startswith(why), failures
        assert "internal error" not in result.output


def test_the_same_content_length_repeated_is_taken(tmp_path, invoke):
    """RFC 9112 section 6.3 rule 5 lets a recipient take `42, 42` (a proxy joined two headers)."""
    site = Site()
    n = str(len(X)).encode()
    site.extra["/twice"] = _raw(b"HTTP/1.1 200 OK\r\nContent-Length: " + n + b", " + n + b"\r\n\r\n" + X)
    with serve(site) as (base, _):
        result, _ = _capture(invoke, tmp_path, base, "/twice", "/news/one.html")
    assert result.exit_code == 0, result.output
    assert _bodies(tmp_path)["/twice"][1] == X


def test_transfer_codings_identity_and_not_last_chunked(tmp_path, invoke):
    """`Transfer-Encoding: identity` (RFC 2616's "none", still sent by old servers beside a
    Content-Length) is framed by the length, on a connection kept open; one whose last coding
    is not chunked (`xchunked`) runs to the close (RFC 9112 section 6.3 rule 4)."""
    site = Site()
    n = str(len(X)).encode()
    site.extra["/identity"] = _raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: " + n
                                   + b"\r\n\r\n" + X)
    y = X.replace(b"X", b"Y")  # another payload: the same one would be stored as a revisit
    site.extra["/xchunked"] = _raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n" + y, close=True)
    with serve(site) as (base, _):
        result, _ = _capture(invoke, tmp_path, base, "/identity", "/xchunked", "/news/one.html")
    assert result.exit_code == 0, result.output
    stored = _bodies(tmp_path)
    assert (stored["/identity"][1], stored["/xchunked"][1]) == (X, y)


LINKING = b"<html>\r\n\r\n<a href='/news/one.html'>1</a>"  # a body that holds CRLF CRLF


@pytest.mark.parametrize("end", [b"\n\n", b"\n\r\n"])
def test_the_head_ends_at_the_first_empty_line_whatever_its_line_ends(tmp_path, invoke, end):
    """Bare-LF headers (the body was taken for headers, up to its own CRLF CRLF), and headers
    ending LF CR LF (RFC 9112 section 2.2: a CR before a LF is ignored; the page timed out)."""
    site = Site()
    site.extra["/lf"] = _raw(b"HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: "
                             + str(len(LINKING)).encode() + end + LINKING)
    with serve(site) as (base, s):
        result, summary = _capture(invoke, tmp_path, base, "/lf", extra=("--depth", "1", "--no-requisites"))
        assert s.hits["/news/one.html"] == 1  # its link was read from the body
    assert result.exit_code == 0, result.output
    assert summary["failures"] == []


def test_a_folded_and_a_utf8_location_are_followed_as_browsers_do(tmp_path, invoke):
    """RFC 9112 section 5.2: obs-fold is replaced by a space before the value is used (the 302
    counted as a captured page, its target never fetched). A raw UTF-8 Location is read as UTF-8
    (`/café` was requested as `/caf%C3%83%C2%A9`), as browsers, and warcio on resume, read it."""
    site = Site()
    site.extra["/folded"] = _raw(b"HTTP/1.1 302 Found\r\nLocation:\r\n /news/one.html\r\n"
                                 b"Content-Length: 0\r\n\r\n")
    site.extra["/accented"] = _raw("HTTP/1.1 302 Found\r\nLocation: /café\r\nContent-Length: 0\r\n\r\n"
                                   .encode())
    site.extra["/caf%C3%A9"] = _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    with serve(site) as (base, s):
        result, summary = _capture(invoke, tmp_path, base, "/folded", "/accented")
        assert s.hits["/news/one.html"] == 1 and s.hits["/caf%C3%A9"] == 1
    assert result.exit_code == 0, result.output
    assert summary["redirects"] == 2


def test_links_are_read_in_the_charset_the_server_names(tmp_path, invoke):
    """A UTF-8 page that says so only in its Content-Type: HTML's encoding sniffing puts the
    transport's charset first, so `/café.html` and `/記事` are the UTF-8 URLs (both were read as
    Latin-1 and fetched as 404s)."""
    site = Site()
    page = '<html><body><a href="/café.html">c</a><a href="/記事">k</a></body></html>'.encode()
    site.extra["/utf8"] = _raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n"
                               b"Content-Length: " + str(len(page)).encode() + b"\r\n\r\n" + page)
    for target in ("/caf%C3%A9.html", "/%E8%A8%98%E4%BA%8B"):
        site.extra[target] = _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    with serve(site) as (base, s):
        result, _ = _capture(invoke, tmp_path, base, "/utf8", extra=("--depth", "1", "--no-requisites"))
        assert s.hits["/caf%C3%A9.html"] == s.hits["/%E8%A8%98%E4%BA%8B"] == 1, dict(s.hits)
    assert result.exit_code == 0, result.output


def test_deep_nesting_big_inline_data_and_odd_srcset_and_base(tmp_path, invoke):
    """Links after 300 unclosed <div>s or an 11 MB inline data: image are still found (libxml2
    stopped there without huge_tree); a srcset URL keeps its commas (`/w_400,h_300/a.jpg 400w`,
    a resizing CDN's); a <base href="javascript:..."> leaves the page's own URL as the base."""
    site = Site()
    pages = {
        "/deep": b"<html><body>" + b"<div>" * 300 + b'<a href="/news/one.html">1</a></body></html>',
        "/inline": b'<html><body><img src="data:image/png;base64,' + b"A" * 11_000_000
                   + b'"><a href="/news/two.html">2</a></body></html>',
        "/srcset": b'<html><body><img srcset="/img/w_400,h_300,c_fill/a.jpg 400w, /img/b.jpg 2x">'
                   b"</body></html>",
        "/based": b'<html><head><base href="javascript:void(0)"></head><body><a href="final.html">f</a>'
                  b"</body></html>",
    }
    for path, body in pages.items():
        site.extra[path] = _raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                + str(len(body)).encode() + b"\r\n\r\n" + body)
    with serve(site) as (base, s):
        result, _ = _capture(invoke, tmp_path, base, *pages, extra=("--depth", "1"))
        assert s.hits["/news/one.html"] == s.hits["/news/two.html"] == s.hits["/final.html"] == 1
        assert s.hits["/img/w_400,h_300,c_fill/a.jpg"] == s.hits["/img/b.jpg"] == 1
        assert s.hits["/img/w_400"] == s.hits["/h_300"] == 0
    assert result.exit_code == 0, result.output


def test_host_names_dns_cannot_hold_fail_as_dns_not_internal_errors(tmp_path, invoke):
    """`a..b` or a 64-character label passes normalize but makes getaddrinfo raise UnicodeError:
    it was "internal error: UnicodeError"; it is a DNS failure of that URL, and port 0 is no port
    at all (it was fetched from port 80)."""
    site = Site()
    page = (b'<html><body><img src="http://a..b/x.png"><img src="http://' + b"x" * 64 + b'.example/y.png">'
            b'<img src="http://127.0.0.1:0/z.png"></body></html>')
    site.extra["/odd-hosts"] = _raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                    + str(len(page)).encode() + b"\r\n\r\n" + page)
    with serve(site) as (base, _):
        result = invoke("capture", base + "/odd-hosts", "--collection", tmp_path, "--delay", "0", "--retries",
                        "0", "--ignore-robots", "--json")
    assert result.exit_code == 0, result.output
    reasons = {f["url"]: f["reason"] for f in json.loads(result.stdout)["failures"]}
    assert reasons["http://a..b/x.png"] == "dns: cannot resolve a..b: not a valid host name"
    assert reasons[f"http://{'x' * 64}.example/y.png"].startswith("dns: cannot resolve")
    assert len(reasons) == 2  # the port-0 URL is no URL: not fetched


def test_a_retry_after_in_other_digits_is_ignored_not_an_internal_error(tmp_path, invoke):
    """Retry-After: "²" (str.isdigit says yes, float says no) made the 503 an internal error and
    lost its record; delay-seconds are ASCII digits (RFC 9110 section 10.2.3), so it is ignored."""
    site = Site()
    site.extra["/busy"] = _raw("HTTP/1.1 503 Busy\r\nRetry-After: ²\r\nContent-Length: 4\r\n\r\nbusy"
                               .encode("latin-1"))
    with serve(site) as (base, _):
        result, summary = _capture(invoke, tmp_path, base, "/busy", extra=("--retries", "1"))
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert _bodies(tmp_path)["/busy"] == ("HTTP/1.1 503 Busy", b"busy")
    assert summary["failures"] == [{"url": base + "/busy", "reason": "HTTP 503"}]


def test_a_gzipped_sitemap_cut_short_fails_instead_of_giving_part_of_its_list(tmp_path, invoke):
    """The gzip stream's end never came (a proxy cut it): a shorter list is not the list."""
    from capture_support import _send

    listing = b"".join(b"http://x.invalid/%d.html\n" % i for i in range(5000))
    cut = gzip.compress(listing)[:-200]
    site = Site()
    site.extra["/sitemap.txt.gz"] = lambda h: _send(h, 200, cut, "application/gzip")
    with serve(site) as (base, _):
        result = invoke("capture", "--sitemap", base + "/sitemap.txt.gz", "--collection", tmp_path,
                        "--delay", "0")
    assert result.exit_code == 1
    assert f"{base}/sitemap.txt.gz: not a readable sitemap" in result.output


def test_a_kept_alive_connection_the_server_spoke_on_is_not_reused(tmp_path, invoke):
    """Bytes a server sends on an idle connection (here a stray response, 0.1 s after a complete
    one) would be read as the answer to the next request sent on it: such a connection is put
    aside, and the next URL, fetched after --delay, gets its own answer on a new one."""

    site = Site()

    site.extra["/stray"] = lambda h: drip(h, [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                                              b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG"], 0.1)
    with serve(site) as (base, s):
        result = invoke("capture", base + "/stray", base + "/news/one.html", "--collection", tmp_path,
                        "--delay", "0.4", "--workers", "1", "--ignore-robots", "--no-requisites")
        assert s.connections == 2
    assert result.exit_code == 0, result.output
    assert _bodies(tmp_path)["/news/one.html"][1] == article("One", "red.png")


def test_a_body_that_never_ends_is_cut_at_max_fetch_time_and_kept_marked(tmp_path, invoke):
    """A live stream (here 1 KB every 0.05 s, no length) never goes quiet, so --timeout never
    fires: the run hung. --max-fetch-time (default 20m) cuts it; what came is kept, marked
    `WARC-Truncated: time` (WARC 1.1 section 5.13), and the URL is reported not (fully) captured."""
    import time

    site = Site()
    site.extra["/live.mp3"] = live_stream(400)  # 20 s at most
    with serve(site) as (base, s):
        started = time.monotonic()
        result = invoke("capture", base + "/live.mp3", "--collection", tmp_path, "--delay", "0", "--json",
                        "--max-fetch-time", "1s")  # the default --retries: a cut this way is not retried
        summary = json.loads(result.stdout)
        assert time.monotonic() - started < 10 and s.hits["/live.mp3"] == 1
    assert result.exit_code == 1
    assert summary["failures"][0]["reason"].startswith("still arriving after 1 s (--max-fetch-time)")
    warc = next((tmp_path / "warc").glob("*.warc.gz"))
    (response,) = [h for kind, h, _ in records(warc)
                   if kind == "response" and h["WARC-Target-URI"].endswith("/live.mp3")]
    assert response["WARC-Truncated"] == "time"


@pytest.mark.parametrize("wbits", [15, -15])
def test_deflate_bodies_zlib_wrapped_or_raw_give_their_links(tmp_path, invoke, wbits):
    """`Content-Encoding: deflate` is zlib-wrapped (RFC 9110 section 8.4.1.2), but servers that
    send raw deflate exist and browsers read them: the links of both are followed (the raw one's
    were lost); the stored body stays as sent."""
    import zlib

    site = Site()
    packer = zlib.compressobj(wbits=wbits)
    body = packer.compress(b'<html><body><a href="/news/one.html">1</a></body></html>') + packer.flush()
    site.extra["/deflated"] = _raw(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                   b"Content-Encoding: deflate\r\nContent-Length: " + str(len(body)).encode()
                                   + b"\r\n\r\n" + body)
    with serve(site) as (base, s):
        result, _ = _capture(invoke, tmp_path, base, "/deflated", extra=("--depth", "1", "--no-requisites"))
        assert s.hits["/news/one.html"] == 1
    assert result.exit_code == 0, result.output
    assert _bodies(tmp_path)["/deflated"][1] == body


def test_a_body_whose_last_byte_comes_in_time_is_whole(tmp_path, invoke):
    """--max-fetch-time is looked at before a read, not after: a body that began in time and whose
    last bytes came after the limit, with nothing more to read, is whole, not WARC-Truncated."""

    site = Site()

    site.extra["/slow-end"] = lambda h: drip(h, [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello",
                                                  b"world"], 1.3)
    with serve(site) as (base, _):
        result, summary = _capture(invoke, tmp_path, base, "/slow-end", extra=("--max-fetch-time", "1s"))
    assert result.exit_code == 0, result.output
    assert summary["failures"] == [] and _bodies(tmp_path)["/slow-end"][1] == b"helloworld"
    warc = next((tmp_path / "warc").glob("*.warc.gz"))
    assert all("WARC-Truncated" not in h for _, h, _ in records(warc))


def test_max_time_keeps_the_last_answer_rather_than_a_retry_it_has_no_time_for(tmp_path, invoke):
    """A 503 asking to come back in 30 s, --max-time 2s: the retry would start after the limit,
    so the 503 is the last answer, kept and reported as such (it was thrown away as "run
    stopped", and nothing was written)."""
    site = Site()
    site.extra["/busy"] = _raw(b"HTTP/1.1 503 Busy\r\nRetry-After: 30\r\nContent-Length: 4\r\n\r\nbusy")
    with serve(site) as (base, s):
        result = invoke("capture", base + "/busy", "--collection", tmp_path, "--delay", "0", "--json",
                        "--max-time", "2s")
        assert s.hits["/busy"] == 1
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failures"] == [{"url": base + "/busy", "reason": "HTTP 503"}]
    assert _bodies(tmp_path)["/busy"] == ("HTTP/1.1 503 Busy", b"busy")


def test_connections_are_reused_when_descriptors_run_past_1023(tmp_path, invoke):
    """select() cannot watch a descriptor past 1023 (FD_SETSIZE), so an idle-connection check
    through it put every connection aside once a crawl held that many files and sockets."""
    import os
    import resource

    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 1300:
        pytest.skip("needs 1300 open files")
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        with serve() as (base, site):
            result, _ = _capture(invoke, tmp_path, base, "/news/one.html", "/news/two.html", "/final.html")
            assert site.connections == 1
    finally:
        for fd in held:
            os.close(fd)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("content_type", "body"), [
    # us-ascii is windows-1252 on the web (WHATWG Encoding); the page is really UTF-8 text
    ("text/html; charset=us-ascii", '<p>Café</p><a href="/café.html">c</a>'.encode()),
    # a label libxml2 does not know (the usual Korean one): no link was found at all
    ("text/html; charset=ks_c_5601-1987", b'<a href="/caf%C3%A9.html">c</a>'),
    # a byte order mark wins over the Content-Type (HTML's encoding sniffing)
    ("text/html; charset=utf-8", "\ufeff<a href='/café.html'>c</a>".encode("utf-16-le")),
    ("text/html; charset=iso-8859-1", "\ufeff<a href='/café.html'>c</a>".encode("utf-8")),
])
def test_a_page_is_read_in_the_encoding_html_says_it_is_in(tmp_path, invoke, content_type, body):
    """Link extraction decides a page's encoding as extraction does (archiver.charsets): a BOM,
    the Content-Type's charset if it decodes the bytes (with the WHATWG meaning of its label),
    a <meta>, else UTF-8; lxml decoding a label itself dropped links past the first byte it
    could not decode, or all of them for a label it does not know."""
    site = Site()
    page = b"<html><body>" + body + b"</body></html>" if not body.startswith(b"\xff\xfe") else body
    site.extra["/page"] = _raw(b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type.encode()
                               + b"\r\nContent-Length: " + str(len(page)).encode() + b"\r\n\r\n" + page)
    site.extra["/caf%C3%A9.html"] = _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    with serve(site) as (base, s):
        result, _ = _capture(invoke, tmp_path, base, "/page", extra=("--depth", "1", "--no-requisites"))
        assert s.hits["/caf%C3%A9.html"] == 1, dict(s.hits)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("raw_location", ["/café".encode(), "/café".encode("latin-1")])
def test_a_rerun_follows_a_stored_redirect_where_the_first_run_went(tmp_path, invoke, raw_location):
    """A resumed run reads a stored redirect's Location from the record's bytes, as the fetcher
    read it live: with warcio's reading (UTF-8, else Latin-1) a Latin-1 `/café` was `/caf%E9` the
    first time and `/caf%C3%A9` the next (a 404), so the rerun failed a seed the first run had."""
    site = Site()
    site.extra["/r"] = _raw(b"HTTP/1.1 302 Found\r\nLocation: " + raw_location
                            + b"\r\nContent-Length: 0\r\n\r\n")
    target = "/caf%C3%A9" if raw_location == "/café".encode() else "/caf%E9"
    site.extra[target] = _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    with serve(site) as (base, s):
        first, _ = _capture(invoke, tmp_path, base, "/r")
        again, summary = _capture(invoke, tmp_path, base, "/r")
        assert s.hits["/r"] == 1 and s.hits[target] == 1 and len(s.hits) == 3, dict(s.hits)  # and robots.txt
    assert first.exit_code == again.exit_code == 0, again.output
    assert summary["skipped"] == 2 and summary["failed_seeds"] == []


@pytest.mark.parametrize("kind", ["chunked", "until-close"])
def test_a_body_whose_rest_came_in_one_piece_after_the_limit_is_whole(tmp_path, invoke, kind):
    """The rest of a body (a last chunk and its end, or the rest before the close) arrives in one
    piece after --max-fetch-time: it is in the buffer, not still arriving, so the body is whole
    (the limit was looked at with those bytes waiting, and the chunked body was cut to 'hello')."""
    import time

    site = Site()

    def late(h):
        h.close_connection = True
        if kind == "chunked":
            h.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            rest = b"5\r\nworld\r\n0\r\n\r\n"
        else:
            h.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello")
            rest = b"world"
        h.wfile.flush()
        time.sleep(1.3)
        h.wfile.write(rest)

    site.extra["/late"] = late
    with serve(site) as (base, _):
        result, summary = _capture(invoke, tmp_path, base, "/late", extra=("--max-fetch-time", "1s"))
    assert result.exit_code == 0, result.output
    warc = next((tmp_path / "warc").glob("*.warc.gz"))
    (headers,) = [h for k, h, _ in records(warc)
                  if k == "response" and h["WARC-Target-URI"].endswith("/late")]
    assert "WARC-Truncated" not in headers


def test_trailer_lines_without_end_are_cut_at_max_fetch_time(tmp_path, invoke):
    """A chunked body whose trailers never end (a line every 0.1 s) is cut at --max-fetch-time
    (the trailer loop was not looked at: 6 s and counting); its payload is whole."""
    import time

    site = Site()

    def trailers(h):
        h.close_connection = True
        h.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n")
        drip(h, (b"X-Trailer-%d: y\r\n" % i for i in range(100)), 0.1)

    site.extra["/trailers"] = trailers
    with serve(site) as (base, _):
        started = time.monotonic()
        result, summary = _capture(invoke, tmp_path, base, "/trailers", extra=("--max-fetch-time", "1s"))
        assert time.monotonic() - started < 5
    assert result.exit_code == 0, result.output
    assert summary["failures"] == []


def test_a_chunked_stream_whose_packets_end_inside_a_line_is_cut_all_the_same(tmp_path, invoke):
    """Each packet stops inside a chunk-size line, so the receive buffer is never empty when the
    limit is looked at: only the bytes that had come by then (and one read for what is on its
    way) are read past --max-fetch-time (the stream ran until the server hung up)."""
    import time

    site = Site()

    def stream(h):
        h.close_connection = True
        h.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1")
        drip(h, (b"\r\nX\r\n1" for _ in range(200)), 0.05)  # 10 s at most

    site.extra["/drip"] = stream
    with serve(site) as (base, _):
        started = time.monotonic()
        result, summary = _capture(invoke, tmp_path, base, "/drip", extra=("--max-fetch-time", "1s"))
        assert time.monotonic() - started < 5
    assert summary["failures"][0]["reason"].startswith("still arriving after 1 s (--max-fetch-time)")
