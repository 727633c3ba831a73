"""Library-level capture tests against the local test site (tests/capture_support.py)."""

from __future__ import annotations

import base64
import errno
import gzip
import hashlib
import json
import os
import re
import socket
import struct
import time
from pathlib import Path

import pytest
from capture_support import Site, _send, assert_warcio_accepts, dechunk, records, serve, sha256_label

from archiver.capture import CaptureOptions, capture
from archiver.errors import ArchiverError

FAST = dict(delay=0, workers=4, timeout=5, retries=2, backoff=0.01)


def by_uri(result):
    """{(type, target URI): [(headers, block)]} over all WARC files of a result."""
    out: dict = {}
    for path in result.warc_files:
        for kind, headers, block in records(path):
            out.setdefault((kind, headers.get("WARC-Target-URI")), []).append((headers, block))
    return out


def log_lines(result):
    return [json.loads(line) for line in result.log_path.read_text().splitlines()]


@pytest.fixture(scope="module")
def site_capture(tmp_path_factory):
    """One depth-1 capture of the test site, shared by the fidelity checks below."""
    coll = tmp_path_factory.mktemp("coll")
    with serve() as (base, site):
        result = capture([base + "/"], coll, CaptureOptions(depth=1, **FAST))
    return base, site, coll, result


def test_warc_files_are_named_closed_and_pass_warcio(site_capture):
    base, site, coll, result = site_capture
    assert result.warc_files and not list((coll / "warc").glob("*.open"))
    for path in result.warc_files:
        assert re.fullmatch(r"archiver-\d{17}-\d{5}-[\w.]+\.warc\.gz", path.name)
    assert_warcio_accepts(result.warc_files)


def test_warcinfo_first_and_every_record_points_to_it(site_capture):
    _, _, coll, result = site_capture
    recs = records(result.warc_files[0])
    kind, info, block = recs[0]
    assert kind == "warcinfo"
    assert info["WARC-Filename"] == result.warc_files[0].name
    text = block.decode()
    for field in ("software: archiver/", "format: WARC File Format 1.1", "conformsTo: ",
                  f"isPartOf: {coll.name}", "robots: obey", "archiver-capture-settings: "):
        assert field in text
    assert all(h["WARC-Warcinfo-ID"] == info["WARC-Record-ID"] for _, h, _ in recs[1:])


def test_request_response_pairs(site_capture):
    base, _, _, result = site_capture
    recs = [r for p in result.warc_files for r in records(p)]
    responses = {h["WARC-Record-ID"]: h for k, h, _ in recs if k in ("response", "revisit")}
    requests = [h for k, h, _ in recs if k == "request"]
    assert len(requests) == len(responses) > 10
    for req in requests:
        resp = responses[req["WARC-Concurrent-To"]]
        assert req["WARC-Date"] == resp["WARC-Date"] and resp["WARC-Date"].endswith("Z")
        assert req["WARC-Target-URI"] == resp["WARC-Target-URI"]
        assert not resp["WARC-Target-URI"].startswith("<")
        assert resp["WARC-IP-Address"] == "127.0.0.1"
        assert resp["WARC-Block-Digest"].startswith("sha256:")
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", resp["WARC-Payload-Digest"])
        assert "WARC-Payload-Digest" in req


def test_requisites_from_html_and_css_are_captured(site_capture):
    base, _, _, result = site_capture
    got = {uri for (kind, uri) in by_uri(result) if kind in ("response", "revisit")}
    for path in ("/", "/style.css", "/print.css", "/img/bg.png", "/img/rule.png", "/img/hero.png",
                 "/img/hero2.png", "/favicon.png", "/news/one.html", "/news/two.html", "/img/red.png",
                 "/img/red-copy.png"):
        assert base + path in got, path
    assert not any("elsewhere.invalid" in u for u in got)  # out of host scope


def test_redirect_chain_each_hop_recorded(site_capture):
    base, _, _, result = site_capture
    recs = by_uri(result)
    first = recs[("response", base + "/moved")][0][1]
    second = recs[("response", base + "/moved2")][0][1]
    assert first.startswith(b"HTTP/1.1 301") and b"Location: /moved2" in first
    assert second.startswith(b"HTTP/1.1 302")
    assert ("response", base + "/final.html") in recs
    assert ("response", base + "/img/blue.png") in recs or ("revisit", base + "/img/blue.png") in recs


def test_404_is_recorded(site_capture):
    base, _, _, result = site_capture
    block = by_uri(result)[("response", base + "/news/gone.html")][0][1]
    assert block.startswith(b"HTTP/1.1 404")
    line = next(entry for entry in log_lines(result) if entry["url"] == base + "/news/gone.html")
    assert line["status"] == 404 and line["outcome"] == "captured"


def test_robots_disallow_is_obeyed_and_logged(site_capture):
    base, site, _, result = site_capture
    assert site.hits["/private/secret.html"] == 0
    assert ("response", base + "/robots.txt") in by_uri(result)
    line = next(entry for entry in log_lines(result) if entry["url"].endswith("/private/secret.html"))
    assert line["outcome"] == "skipped" and "robots" in line["error"]


def test_duplicate_image_is_a_revisit(site_capture):
    base, _, _, result = site_capture
    recs = by_uri(result)
    original = recs[("response", base + "/img/red.png")][0][0]
    headers, block = recs[("revisit", base + "/img/red-copy.png")][0]
    assert headers["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert headers["WARC-Refers-To"] == original["WARC-Record-ID"]
    assert headers["WARC-Refers-To-Target-URI"] == base + "/img/red.png"
    assert headers["WARC-Refers-To-Date"] == original["WARC-Date"]
    assert headers["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]
    assert block.startswith(b"HTTP/1.1 200") and block.endswith(b"\r\n\r\n")  # headers only


def test_metadata_record_lists_outlinks_and_requisites(site_capture):
    base, _, _, result = site_capture
    recs = by_uri(result)
    response = recs[("response", base + "/")][0][0]
    headers, block = recs[("metadata", base + "/")][0]
    assert headers["WARC-Refers-To"] == response["WARC-Record-ID"]
    text = block.decode()
    assert f"outlink: {base}/style.css E link/@href" in text
    assert f"outlink: {base}/img/hero2.png E source/@srcset" in text
    assert f"outlink: {base}/news/one.html L a/@href" in text


def test_capture_log_lines_and_resource_record(site_capture):
    base, _, _, result = site_capture
    lines = log_lines(result)
    keys = {"time", "url", "seed", "outcome", "status", "error", "warc_filename", "record_id"}
    assert all(keys <= set(line) for line in lines)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", line["time"]) for line in lines)
    seed = next(line for line in lines if line["seed"])
    assert seed["url"] == base + "/" and seed["outcome"] == "captured"
    assert {line["outcome"] for line in lines} == {"captured", "revisit", "skipped"}
    headers, block = by_uri(result)[("resource", f"urn:archiver:capture-log:{result.run_id}")][0]
    assert headers["Content-Type"] == "application/x-ndjson"
    assert block == result.log_path.read_bytes()
    # /moved redirects twice: two hops on the way to a page, counted apart from the 5 pages
    assert result.pages == 5 and result.redirects == 2 and result.requisites >= 8
    assert result.revisits >= 1 and not result.failed_seeds


def test_chunked_and_gzip_responses_kept_exactly(tmp_path):
    with serve() as (base, _):
        result = capture([base + p for p in ("/chunked", "/gzip", "/gzip-chunked")], tmp_path,
                         CaptureOptions(**FAST))
    recs = by_uri(result)
    for path in ("/chunked", "/gzip-chunked"):
        headers, block = recs[("response", base + path)][0]
        head, body = block.split(b"\r\n\r\n", 1)
        assert b"Transfer-Encoding: chunked" in head and re.match(rb"[0-9a-f]+\r\n", body)
        payload = dechunk(body)
        assert headers["WARC-Payload-Digest"] == sha256_label(payload)  # IIPC: transfer coding removed
        assert headers["WARC-Block-Digest"] == sha256_label(block)
    for path in ("/gzip", "/gzip-chunked"):
        block = recs[("response", base + path)][0][1]
        body = block.split(b"\r\n\r\n", 1)[1]
        payload = dechunk(body) if path.endswith("chunked") else body
        assert payload[:2] == b"\x1f\x8b"  # content coding kept
        assert b"<h1>" in gzip.decompress(payload)
    headers, block = recs[("response", base + "/gzip")][0]
    assert headers["WARC-Payload-Digest"] == sha256_label(block.split(b"\r\n\r\n", 1)[1])
    assert_warcio_accepts(result.warc_files)


def test_sha1_digests_are_base32(tmp_path):
    with serve() as (base, _):
        result = capture([base + "/gzip"], tmp_path, CaptureOptions(digest="sha1", **FAST))
    headers, block = by_uri(result)[("response", base + "/gzip")][0]
    body = block.split(b"\r\n\r\n", 1)[1]
    assert headers["WARC-Payload-Digest"] == "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
    assert_warcio_accepts(result.warc_files)


def test_slow_server_times_out_and_the_run_goes_on(tmp_path):
    site = Site()
    site.slow_seconds = 2.0
    with serve(site) as (base, _):
        result = capture([base + "/slow", base + "/news/one.html"], tmp_path,
                         CaptureOptions(**{**FAST, "timeout": 0.5, "retries": 0}))
    assert result.failed_seeds == [base + "/slow"]
    assert result.failures[0][0] == base + "/slow" and result.failures[0][1].startswith("timeout")
    line = next(entry for entry in log_lines(result) if entry["url"] == base + "/slow")
    assert line["outcome"] == "failed" and line["error"].startswith("timeout") and line["record_id"] is None
    assert ("response", base + "/news/one.html") in by_uri(result)


@pytest.mark.parametrize("path", ["/flaky", "/flaky-reset"])
def test_server_failing_twice_then_succeeding_is_retried(tmp_path, path):
    with serve() as (base, site):
        result = capture([base + path], tmp_path, CaptureOptions(**{**FAST, "retries": 3}))
        assert site.hits[path] == 3
    block = by_uri(result)[("response", base + path)][0][1]
    assert block.startswith(b"HTTP/1.1 200") and not result.failed_seeds


def test_retries_exhausted_is_a_failed_seed(tmp_path):
    with serve() as (base, site):
        result = capture([base + "/flaky"], tmp_path, CaptureOptions(**{**FAST, "retries": 1}))
        assert site.hits["/flaky"] == 2
        assert result.failed_seeds == [base + "/flaky"]
        assert "503" in dict(result.failures)[base + "/flaky"]
        rerun = capture([base + "/flaky"], tmp_path, CaptureOptions(**{**FAST, "retries": 1}))
        assert site.hits["/flaky"] == 3  # a 503 is not a finished capture: the rerun fetches it again
    assert not rerun.failed_seeds and rerun.pages == 1


def test_retry_after_is_honoured(tmp_path):
    with serve() as (base, site):
        result = capture([base + "/busy"], tmp_path, CaptureOptions(**{**FAST, "retries": 2}))
        assert site.hits["/busy"] == 2
    assert result.elapsed >= 1.0  # Retry-After: 1 beat the 0.01 s backoff
    assert not result.failed_seeds


def test_connection_refused_is_logged_with_its_reason(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = capture([f"http://127.0.0.1:{port}/"], tmp_path,
                     CaptureOptions(**{**FAST, "retries": 0, "ignore_robots": True}))
    assert result.failed_seeds == [f"http://127.0.0.1:{port}/"]
    assert "refused" in result.failures[0][1].lower()


def test_max_size_truncates_and_marks_the_record(tmp_path):
    with serve() as (base, _):
        result = capture([base + "/big"], tmp_path, CaptureOptions(max_size=100_000, **FAST))
    headers, block = by_uri(result)[("response", base + "/big")][0]
    assert headers["WARC-Truncated"] == "length"
    head, body = block.split(b"\r\n\r\n", 1)
    assert len(body) == 100_000 and b"Content-Length: 3000000" in head
    assert headers["WARC-Payload-Digest"] == sha256_label(body)
    assert_warcio_accepts(result.warc_files)


BODY = bytes(range(256)) * 40  # 10,240 bytes


def _answer(raw: bytes):
    """A handler that sends *raw* (status line, headers and whatever body) and closes."""
    def handler(h):
        h.close_connection = True
        h.wfile.write(raw)

    return handler


def _cut_short(kind: str, good_after: int = 10**9, good_until: int = 0, body: bytes = BODY,
               ctype: bytes = b"application/octet-stream"):
    """A handler that sends the headers and part of the body, then closes the connection
    ("close"), stalls ("stall") or breaks a chunk ("chunked"); up to attempt *good_until* and from
    attempt *good_after* on it sends the whole response."""
    attempts = [0]

    def handler(h):
        attempts[0] += 1
        if attempts[0] <= good_until or attempts[0] >= good_after:
            return _send(h, 200, body, ctype.decode())
        h.close_connection = True
        if kind == "chunked":
            h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n1000\r\n" + body[:4096] + b"\r\n1000\r\n"
                          + body[4096:6000])
        else:
            h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(body) + body[:4000])
        h.wfile.flush()
        if kind == "stall":
            time.sleep(1.0)

    return handler


@pytest.mark.parametrize("kind,truncated,kept,reason", [
    ("close", "disconnect", BODY[:4000], "connection closed with 6240 body bytes missing"),
    ("chunked", "disconnect", BODY[:6000], "connection closed inside chunked body"),
    ("stall", "time", BODY[:4000], "timeout: no data for 0.4 s inside the body"),
])
def test_a_body_cut_short_is_retried_then_kept_as_it_came_and_marked(tmp_path, kind, truncated, kept,
                                                                      reason):
    """WARC 1.1 section 5.13: the response is recorded as received, marked WARC-Truncated with the
    reason; the payload digest is over the bytes that came. The seed counts as not captured, and
    the next run fetches the URL again."""
    site = Site()
    site.extra["/cut"] = _cut_short(kind)
    options = CaptureOptions(**{**FAST, "retries": 1, "timeout": 0.4})
    with serve(site) as (base, _):
        result = capture([base + "/cut"], tmp_path, options)
        assert site.hits["/cut"] == 2  # retried once
        (headers, block), = by_uri(result)[("response", base + "/cut")]
        assert headers["WARC-Truncated"] == truncated
        assert headers["WARC-Payload-Digest"] == sha256_label(kept)
        assert headers["WARC-Block-Digest"] == sha256_label(block)
        sent = (b"1000\r\n" + BODY[:4096] + b"\r\n1000\r\n" + BODY[4096:6000]) if kind == "chunked" else kept
        assert block.split(b"\r\n\r\n", 1)[1] == sent  # exactly the bytes received, framing and all
        assert_warcio_accepts(result.warc_files)
        message = f"{reason} (partial response kept, WARC-Truncated: {truncated})"
        assert result.failed_seeds == [base + "/cut"] and result.failures == [(base + "/cut", message)]
        line = next(entry for entry in log_lines(result) if entry["url"] == base + "/cut")
        assert line["outcome"] == "captured" and line["error"] == message and line["truncated"]
        again = capture([base + "/cut"], tmp_path, options)  # resume: not counted as done
        assert site.hits["/cut"] == 4 and again.failed_seeds == [base + "/cut"]


def test_a_robots_txt_cut_short_means_complete_disallow(tmp_path):
    """RFC 9309 section 2.3.1.4: half a robots.txt could allow what the rest disallows."""
    site = Site()
    site.extra["/robots.txt"] = _cut_short("close")
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**FAST))
        assert site.hits["/news/one.html"] == 0
    assert result.failed_seeds == [base + "/news/one.html"]
    assert "robots.txt unreachable: connection closed with 6240 body bytes missing" in result.failures[-1][1]


def _reset_mid_body(h):
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY[:4000])
    h.wfile.flush()
    time.sleep(0.2)  # the client has read what came and waits for more
    _reset(h)


def _reset(h) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()  # SO_LINGER 0: the close is a TCP reset, not an orderly end
    h.close_connection = True


def test_a_connection_reset_inside_the_body_keeps_what_came(tmp_path):
    site = Site()
    site.extra["/reset"] = _reset_mid_body
    with serve(site) as (base, _):
        result = capture([base + "/reset"], tmp_path, CaptureOptions(**{**FAST, "retries": 0}))
    (headers, block), = by_uri(result)[("response", base + "/reset")]
    assert headers["WARC-Truncated"] == "disconnect" and block.endswith(BODY[:4000])
    assert result.failures[0][1].startswith("connection: Connection reset by peer inside the body")


def test_a_chunked_body_closed_among_its_trailers_is_whole(tmp_path):
    site = Site()
    site.extra["/trailers"] = _answer(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                                      b"Transfer-Encoding: chunked\r\n\r\n2800\r\n" + BODY
                                      + b"\r\n0\r\nX-Trailer: ab")
    with serve(site) as (base, _):
        result = capture([base + "/trailers"], tmp_path, CaptureOptions(**{**FAST, "retries": 0}))
    (headers, block), = by_uri(result)[("response", base + "/trailers")]
    assert "WARC-Truncated" not in headers and headers["WARC-Payload-Digest"] == sha256_label(BODY)
    assert block.endswith(b"0\r\nX-Trailer: ab") and not result.failures


@pytest.mark.parametrize("then", ["stalls", "resets"])
def test_a_max_size_cut_is_length_whatever_the_server_then_does(tmp_path, then):
    """Looking for a byte past the --max-size cut must not turn the user's cut into a failure."""
    site = Site()

    def handler(h):
        h.close_connection = True
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + BODY[:4000])
        h.wfile.flush()
        time.sleep(1.0 if then == "stalls" else 0.2)
        if then == "resets":
            _reset(h)

    site.extra["/cut"] = handler
    with serve(site) as (base, _):
        result = capture([base + "/cut"], tmp_path, CaptureOptions(**{**FAST, "retries": 0, "timeout": 0.4,
                                                                       "max_size": 4000}))
    (headers, _), = by_uri(result)[("response", base + "/cut")]
    assert headers["WARC-Truncated"] == "length" and not result.failures and not result.failed_seeds


def test_a_4xx_robots_txt_cut_short_still_means_no_rules(tmp_path):
    """RFC 9309 section 2.3.1.3: the status line arrived whole, and a 4xx allows everything."""
    site = Site()
    site.extra["/robots.txt"] = _answer(b"HTTP/1.1 404 Not Found\r\nContent-Length: 500\r\n\r\nnot here")
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        assert site.hits["/news/one.html"] == 1
    assert not result.failed_seeds


ARTICLE = (Path(__file__).parent.parent / "samples" / "site" / "news" / "lavrov-nato.html").read_bytes()


@pytest.mark.parametrize("whole_first", [False, True])
def test_an_article_cut_short_is_not_read_as_an_article(tmp_path, invoke, whole_first):
    """`archiver extract` writes no half article from a page whose body was cut short; when the
    page was also captured whole, the whole capture gives the document even if it is older."""
    site = Site()
    site.extra["/news/story.html"] = _cut_short("close", good_until=1 if whole_first else 0, body=ARTICLE,
                                                ctype=b"text/html; charset=utf-8")
    options = dict(FAST, retries=0, requisites=False)
    with serve(site) as (base, _):
        if whole_first:
            capture([base + "/news/story.html"], tmp_path, CaptureOptions(**options))
        result = capture([base + "/news/story.html"], tmp_path, CaptureOptions(**options, recapture=True))
    cut = [h for h, _ in by_uri(result)[("response", base + "/news/story.html")]
           if h.get("WARC-Truncated") == "disconnect"]
    assert len(cut) == 1 and len(ARTICLE) > 5000  # 4,000 bytes came: cut in the middle of the body
    out = invoke("extract", tmp_path)
    assert out.exit_code == 0 and "1 cut-short capture not read" in out.output
    documents = list((tmp_path / "metadata" / "articles").glob("*.json"))
    if not whole_first:
        assert documents == []
        assert invoke("catalogue", "build", tmp_path).exit_code == 0
        record = invoke("record", tmp_path, base + "/news/story.html", "--body")
        assert record.exit_code == 0 and record.stdout_bytes == ARTICLE[:4000]
        assert "was only captured cut short (WARC-Truncated: disconnect)" in record.stderr
    else:
        (document,) = [json.loads(p.read_text()) for p in documents]
        assert document["provenance"]["warc"]["record_id"] != cut[0]["WARC-Record-ID"]
        assert document["headline"].startswith("Lavrov")
        # asked for by its record id, the cut-short capture is given, noted as this record only:
        # a whole capture of the URL exists
        assert invoke("catalogue", "build", tmp_path).exit_code == 0
        record = invoke("record", tmp_path, cut[0]["WARC-Record-ID"], "--body")
        assert record.exit_code == 0 and record.stdout_bytes == ARTICLE[:4000]
        assert "note: this record was cut short (WARC-Truncated: disconnect)" in record.stderr


def test_the_latest_whole_capture_is_what_record_gives_and_its_image(tmp_path, invoke):
    """A recapture cut short is not what `archiver record URL` returns while a whole capture
    exists, and an image cut short is not an article image's capture location."""
    site = Site()
    image = b"\xff\xd8\xff" + BODY
    page = ARTICLE.replace(b"/images/lavrov.jpg", b"/img/lead.jpg")
    site.extra["/news/story.html"] = _cut_short("close", good_until=1, body=page, ctype=b"text/html")
    site.extra["/img/lead.jpg"] = _cut_short("close", good_after=2, body=image, ctype=b"image/jpeg")
    with serve(site) as (base, _):
        capture([base + "/news/story.html"], tmp_path, CaptureOptions(**{**FAST, "retries": 0}))
        # run 2: the page comes cut short (so its links are not followed); the image is a seed
        capture([base + "/news/story.html", base + "/img/lead.jpg"], tmp_path,
                CaptureOptions(**{**FAST, "retries": 0, "recapture": True}))
    assert invoke("catalogue", "build", tmp_path).exit_code == 0
    out = invoke("record", tmp_path, base + "/news/story.html", "--body")
    assert out.exit_code == 0 and out.stdout_bytes == page  # run 1's whole page, not run 2's 4,000 bytes
    assert invoke("extract", tmp_path).exit_code == 0
    (document,) = [json.loads(p.read_text()) for p in (tmp_path / "metadata" / "articles").glob("*.json")]
    (picture,) = [image for image in document["images"] if image["url"] == base + "/img/lead.jpg"]
    warcs = sorted((tmp_path / "warc").glob("*.warc.gz"))
    whole = [h["WARC-Record-ID"] for kind, h, _ in records(warcs[-1])
             if kind == "response" and h["WARC-Target-URI"] == base + "/img/lead.jpg"]
    assert picture["captured"] and [picture["capture"]["record_id"]] == whole  # run 2's whole image


def test_a_tls_error_inside_the_body_keeps_what_came(tmp_path, monkeypatch):
    import ssl

    from archiver.capture import fetcher

    real = fetcher._Connection.read_some
    calls = {"n": 0}

    def failing(self, n):
        calls["n"] += 1
        if calls["n"] == 3:  # robots.txt's body, then the page's first piece, then a TLS failure
            raise ssl.SSLError(1, "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed")
        return real(self, min(n, 4000))

    monkeypatch.setattr(fetcher._Connection, "read_some", failing)
    site = Site()
    site.extra["/tls"] = lambda h: _send(h, 200, BODY, "application/octet-stream")
    with serve(site) as (base, _):
        result = capture([base + "/tls"], tmp_path, CaptureOptions(**{**FAST, "retries": 0}))
    (headers, block), = by_uri(result)[("response", base + "/tls")]
    assert headers["WARC-Truncated"] == "disconnect" and block.endswith(BODY[:4000])
    assert "DECRYPTION_FAILED" in result.failures[0][1]


def test_a_full_disk_while_spooling_a_body_stops_the_run_with_one_line(tmp_path, invoke, monkeypatch):
    """Our disk failing is not the server's fault: no retry, no partial record, one error line."""
    import tempfile

    real = tempfile.SpooledTemporaryFile.write

    def full(self, data):
        if b"HTTP/1." not in data[:8] and len(data) > 1000:  # a body, not a head
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "write", full)
    site = Site()
    site.extra["/big"] = lambda h: _send(h, 200, BODY, "application/octet-stream")
    with serve(site) as (base, _):
        out = invoke("capture", base + "/big", "--collection", tmp_path / "c", "--delay", "0", "--quiet")
        assert site.hits["/big"] == 1
    assert out.exit_code == 2
    assert out.output.strip().splitlines() == [
        f"archiver: error: cannot spool a response in {tmp_path / 'c' / 'warc'}: No space left on device"]


def test_a_chunked_body_that_stalls_among_its_trailers_is_whole(tmp_path):
    site = Site()
    ports = []

    def handler(h):
        ports.append(h.client_address[1])
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n2800\r\n" + BODY + b"\r\n0\r\nX-Trailer: ab")
        h.wfile.flush()
        time.sleep(0.6)
        h.close_connection = True

    def after(h):
        ports.append(h.client_address[1])
        _send(h, 200, b"after", "text/plain")

    site.extra["/trailers"] = handler
    site.extra["/after"] = after
    with serve(site) as (base, _):
        result = capture([base + "/trailers", base + "/after"], tmp_path,
                         CaptureOptions(**{**FAST, "retries": 0, "timeout": 0.3, "workers": 1}))
    (headers, _), = by_uri(result)[("response", base + "/trailers")]
    assert "WARC-Truncated" not in headers and headers["WARC-Payload-Digest"] == sha256_label(BODY)
    assert not result.failures and ports[0] != ports[1]  # the stalled socket was not used again


# rules with ~190 KB of comments that do not compress away, so that a cut halfway through the
# gzip body leaves a first part that decodes (its Allow) and loses the Disallow at the end
_HALF_GZIP = gzip.compress(b"User-agent: *\nAllow: /\n" + b"".join(
    b"# %s\n" % hashlib.sha256(b"%d" % i).hexdigest().encode() for i in range(3000)) + b"Disallow: /news/\n")


@pytest.mark.parametrize("coding,body", [
    ("br", b"\x1b\x2a\x00\xf8"),
    ("gzip", b"not gzip at all"),
    # gzip that breaks off midway: the first half decodes, the Disallow at the end never does
    ("gzip", _HALF_GZIP[:len(_HALF_GZIP) // 2]),
    ("gzip", _HALF_GZIP[:len(_HALF_GZIP) // 2] + b"\x00garbage"),
], ids=["br", "not-gzip", "gzip-ends-early", "gzip-breaks"])
def test_a_robots_txt_that_cannot_be_decoded_means_complete_disallow(tmp_path, coding, body):
    """Rules that cannot be read, or be read whole, are not an empty robots.txt (which would
    allow everything) nor its first half (which could allow what the rest disallows)."""
    site = Site()
    site.extra["/robots.txt"] = lambda h: _send(h, 200, body, "text/plain", {"Content-Encoding": coding})
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "retries": 0}))
        assert site.hits["/news/one.html"] == 0
    assert result.failed_seeds == [base + "/news/one.html"]
    reason = result.failures[-1][1]
    assert "robots.txt unreachable: robots.txt in a content coding that cannot be read" in reason


def test_a_robots_txt_redirect_cut_short_is_still_followed(tmp_path):
    """RFC 9309 section 2.3.1.2: the redirect's status and Location arrived whole; its body does
    not matter."""
    site = Site()
    site.extra["/robots.txt"] = _answer(b"HTTP/1.1 301 Moved\r\nLocation: /robots2.txt\r\n"
                                        b"Content-Length: 500\r\n\r\nmoved")
    site.extra["/robots2.txt"] = lambda h: _send(h, 200, b"User-agent: *\nDisallow: /news/\n", "text/plain")
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html", base + "/"], tmp_path,
                         CaptureOptions(**{**FAST, "requisites": False}))
        assert site.hits["/robots2.txt"] == 1 and site.hits["/news/one.html"] == 0 and site.hits["/"] == 1
    assert result.failed_seeds == [base + "/news/one.html"]


def test_a_body_cut_short_once_is_captured_whole_on_the_retry(tmp_path):
    site = Site()
    site.extra["/cut"] = _cut_short("close", good_after=2)
    with serve(site) as (base, _):
        result = capture([base + "/cut"], tmp_path, CaptureOptions(**{**FAST, "retries": 2}))
    (headers, block), = by_uri(result)[("response", base + "/cut")]
    assert "WARC-Truncated" not in headers and block.endswith(BODY)
    assert not result.failed_seeds and not result.failures


def test_ignore_robots_fetches_disallowed_pages(tmp_path):
    with serve() as (base, site):
        result = capture([base + "/private/secret.html"], tmp_path,
                         CaptureOptions(ignore_robots=True, requisites=False, **FAST))
        assert site.hits["/private/secret.html"] == 1 and site.hits["/robots.txt"] == 0
    assert not result.failed_seeds


def test_robots_disallowed_seed_is_a_failed_seed(tmp_path):
    with serve() as (base, site):
        result = capture([base + "/private/secret.html"], tmp_path, CaptureOptions(**FAST))
        assert site.hits["/private/secret.html"] == 0
    assert result.failed_seeds == [base + "/private/secret.html"]


def test_depth_zero_fetches_requisites_but_no_outlinks(tmp_path):
    with serve() as (base, site):
        capture([base + "/"], tmp_path, CaptureOptions(**FAST))
        assert site.hits["/style.css"] == 1 and site.hits["/img/bg.png"] == 1
        assert site.hits["/news/one.html"] == 0


def test_no_requisites(tmp_path):
    with serve() as (base, site):
        capture([base + "/"], tmp_path, CaptureOptions(requisites=False, **FAST))
        assert site.hits["/style.css"] == 0


def test_include_and_exclude(tmp_path):
    with serve() as (base, site):
        capture([base + "/"], tmp_path, CaptureOptions(depth=1, include=(r"/news/",), exclude=(r"two",
                                                       r"\.css$"), **FAST))
        assert site.hits["/news/one.html"] == 1 and site.hits["/news/two.html"] == 0
        assert site.hits["/moved"] == 0 and site.hits["/style.css"] == 0
        assert site.hits["/img/red.png"] == 1  # requisites are not narrowed by --include


def test_scope_page_follows_no_outlinks(tmp_path):
    with serve() as (base, site):
        capture([base + "/"], tmp_path, CaptureOptions(depth=2, scope="page", **FAST))
        assert site.hits["/news/one.html"] == 0 and site.hits["/img/hero.png"] == 1


def test_scope_prefix(tmp_path):
    with serve() as (base, site):
        capture([base + "/news/one.html"], tmp_path, CaptureOptions(depth=1, scope="prefix", **FAST))
        assert site.hits["/"] == 0  # the Home link is outside /news/


def test_warc_files_roll_over_each_with_warcinfo(tmp_path):
    with serve() as (base, _):
        result = capture([base + "/"], tmp_path, CaptureOptions(depth=1, warc_size=5_000, **FAST))
    assert len(result.warc_files) > 2
    assert len({p.name.split("-")[2] for p in result.warc_files}) == len(result.warc_files)  # serials
    for path in result.warc_files:
        recs = records(path)
        assert recs[0][0] == "warcinfo"
        # members are compressed before the writer's lock; one whose file rolled over meanwhile
        # must still name the warcinfo of the file it is in (WARC 1.1 section 5.14)
        assert all(h["WARC-Warcinfo-ID"] == recs[0][1]["WARC-Record-ID"] for _, h, _ in recs[1:])
    assert_warcio_accepts(result.warc_files)


def test_rerun_resumes_and_recapture_dedups_against_earlier_run(tmp_path):
    with serve() as (base, site):
        first = capture([base + "/"], tmp_path, CaptureOptions(depth=1, **FAST))
        hits = dict(site.hits)
        second = capture([base + "/"], tmp_path, CaptureOptions(depth=1, **FAST))
        assert {k: v for k, v in site.hits.items() if k != "/robots.txt"} == \
            {k: v for k, v in hits.items() if k != "/robots.txt"}
        assert second.pages == 0 and second.skipped > 10 and not second.failed_seeds
        third = capture([base + "/"], tmp_path, CaptureOptions(depth=1, recapture=True, **FAST))
        assert site.hits["/news/one.html"] == 2
    # every 200 payload is unchanged, so stored once; the 404 and the two redirects are not deduplicated
    assert third.redirects == 2 and third.revisits == third.pages + third.requisites - 1
    first_ids = {h["WARC-Record-ID"] for p in first.warc_files for k, h, _ in records(p)}
    refs = [h["WARC-Refers-To"] for p in third.warc_files for k, h, _ in records(p) if k == "revisit"]
    assert refs and all(r in first_ids for r in refs)


def test_a_capture_log_edited_by_hand_does_not_stop_the_next_run(tmp_path):
    """Lines of the wrong shape in an earlier run's log (a null length, a missing record id, a
    list for a URL, a null offset) do not stop the next run; a line whose place is still whole
    still counts."""
    with serve() as (base, site):
        first = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        lines = log_lines(first)
        page = next(line for line in lines if line["url"] == base + "/news/one.html")
        broken = [{**page, "payload_length": None}, {k: v for k, v in page.items() if k != "record_id"},
                  {**page, "url": ["not", "a", "url"]}, {**page, "warc_filename": {"x": 1}},
                  {**page, "warc_offset": None}]  # last: the line that counts, with nowhere to re-read
        first.log_path.write_text("".join(json.dumps(line) + "\n" for line in broken))
        again = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        assert not again.failed_seeds and again.pages == 0 and again.skipped == 1


def test_log_lines_only_the_json_module_reads_still_count_and_a_torn_one_is_skipped(tmp_path):
    """A log edited by hand may hold bytes that are not UTF-8 or a NaN: orjson refuses such a
    line, the json module reads it, so it still counts; a torn last line is skipped."""
    with serve() as (base, site):
        first = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        page = next(line for line in log_lines(first) if line["url"] == base + "/news/one.html")
        edited = json.dumps({**page, "via": "VIA", "elapsed": "ELAPSED"}).encode()
        edited = edited.replace(b'"VIA"', b'"Caf\xe9 \xff"'.decode("unicode_escape").encode("latin-1"))
        edited = edited.replace(b'"ELAPSED"', b"NaN")
        first.log_path.write_bytes(edited + b"\n" + json.dumps(page).encode()[:40])
        again = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        assert site.hits["/news/one.html"] == 1
    assert again.pages == 0 and again.skipped == 1 and not again.failed_seeds


def test_a_log_line_orjson_cannot_write_is_still_written_and_catalogued(tmp_path, invoke):
    """A lone surrogate has no UTF-8 form: the line is written with the text of its escape, so the
    log reads back and the catalogue (which cannot hold a surrogate) is built from it. An integer
    past 64 bits is written by json, exactly."""
    from archiver.capture.capturelog import CaptureLog, read_logs

    (tmp_path / "logs").mkdir()
    (tmp_path / "warc").mkdir()
    log = CaptureLog(tmp_path / "logs" / "capture-20260101T000000Z-abcdef.jsonl")
    log.write(url="https://example.org/caf\udce9", seed=True, outcome="failed", error="odd \udce9")
    log.write(url="https://example.org/K\u00f6ln", seed=True, outcome="failed", error="y", n=2**70 + 1)
    log.close()
    odd, big = read_logs(tmp_path / "logs")
    assert odd["url"] == "https://example.org/caf\\udce9" and odd["error"] == "odd \\udce9"
    assert big["url"] == "https://example.org/K\u00f6ln" and b'"n":1180591620717411303425' in (
        tmp_path / "logs" / "capture-20260101T000000Z-abcdef.jsonl").read_bytes()
    result = invoke("catalogue", "build", tmp_path)
    assert result.exit_code == 0, result.output
    import pyarrow.parquet as pq

    rows = pq.read_table(tmp_path / "catalogue" / "records").to_pylist()
    assert sorted(row["fetch_error"] for row in rows) == ["odd \\udce9", "y"]


def test_a_seed_in_bytes_that_are_not_utf8_is_fetched_as_those_bytes(tmp_path):
    """A Latin-1 shell passes caf\xe9 undecodable (surrogate-escaped): it is requested as
    /caf%E9, the bytes typed, instead of failing with an internal error."""
    seed = os.fsdecode(b"/caf\xe9")
    with serve() as (base, site):
        result = capture([base + seed], tmp_path, CaptureOptions(**{**FAST, "requisites": False,
                                                                    "ignore_robots": True}))
        assert site.hits["/caf%E9"] == 1
    assert [line["url"] for line in log_lines(result)] == [base + "/caf%E9"]


def test_a_log_line_whose_status_is_not_a_number_proves_no_capture(tmp_path):
    """A hand-edited "503" (a string) is no status this tool writes: the URL is fetched again."""
    with serve() as (base, site):
        first = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        page = next(line for line in log_lines(first) if line["url"] == base + "/news/one.html")
        first.log_path.write_text(json.dumps({**page, "status": "503"}) + "\n")
        again = capture([base + "/news/one.html"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        assert site.hits["/news/one.html"] == 2
    assert again.pages == 1 and again.skipped == 0 and not again.failed_seeds


def test_a_stored_redirect_that_cannot_be_read_back_is_fetched_again(tmp_path):
    """A log line whose offset points inside a record (edited by hand, or a WARC rewritten) gives
    no Location to follow: the URL is fetched again instead of failing with an internal error."""
    with serve() as (base, site):
        first = capture([base + "/moved"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        hop = next(line for line in log_lines(first) if line["url"] == base + "/moved")
        first.log_path.write_text(json.dumps({**hop, "warc_offset": hop["warc_offset"] + 7}) + "\n")
        again = capture([base + "/moved"], tmp_path, CaptureOptions(**{**FAST, "requisites": False}))
        assert site.hits["/moved"] == 2
    assert not again.failed_seeds and not again.failures


@pytest.mark.parametrize("points_at", ["inside its record", "another URL's response"])
def test_a_stored_page_that_cannot_be_read_back_is_fetched_again_for_its_links(tmp_path, points_at):
    """Resuming deeper than an earlier run re-reads a captured page's links from its record. A log
    line whose offset points inside that record, or at another URL's response, gives no links of
    that page: it is fetched again, instead of an internal error or following another page's
    links (one.html links to no page, so its links would end the crawl here)."""
    with serve() as (base, site):
        opts = CaptureOptions(**{**FAST, "requisites": False})
        first = capture([base + "/", base + "/news/one.html"], tmp_path, opts)
        lines = log_lines(first)
        index = next(line for line in lines if line["url"] == base + "/")
        one = next(line for line in lines if line["url"] == base + "/news/one.html")
        offset = index["warc_offset"] + 7 if points_at == "inside its record" else one["warc_offset"]
        first.log_path.write_text("".join(json.dumps({**line, "warc_offset": offset}
                                                     if line is index else line) + "\n" for line in lines))
        again = capture([base + "/"], tmp_path, CaptureOptions(**{**FAST, "requisites": False, "depth": 1}))
        assert site.hits["/"] == 2 and site.hits["/news/two.html"] == 1
    assert not again.failed_seeds and again.pages > 2


def test_links_of_an_error_page_or_a_page_cut_at_max_size_are_not_followed(tmp_path):
    """Only a whole 2xx page is read for links: a 404's page of suggestions, or the first part of
    a page cut at --max-size (its links could be half a URL), leads nowhere."""
    linking = b'<html><body><a href="/news/two.html">Two</a>' + b"<p>filler</p>" * 500 + b"</body></html>"
    with serve() as (base, site):
        site.extra["/missing.html"] = lambda h: _send(h, 404, linking)
        site.extra["/long.html"] = lambda h: _send(h, 200, linking)
        capture([base + "/missing.html"], tmp_path / "a", CaptureOptions(depth=1, **FAST))
        capture([base + "/long.html"], tmp_path / "b", CaptureOptions(depth=1, max_size=2000, **FAST))
        assert site.hits["/missing.html"] == site.hits["/long.html"] == 1
        assert site.hits["/news/two.html"] == 0


def test_bad_seed_is_rejected_before_fetching(tmp_path):
    with pytest.raises(ArchiverError, match="not an absolute http"):
        capture(["ftp://example.org/"], tmp_path)
    assert not (tmp_path / "warc").exists()


def test_unreachable_host_is_failed_not_skipped_when_obeying_robots(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = capture([f"http://127.0.0.1:{port}/"], tmp_path, CaptureOptions(**{**FAST, "retries": 0}))
    (line,) = log_lines(result)
    assert line["outcome"] == "failed" and "refused" in line["error"].lower()
    assert result.failed_seeds == [f"http://127.0.0.1:{port}/"]


def _member_sizes(path):
    """{(type, target URI): (bytes stored in the file, block length)} from warcio's own offsets."""
    from warcio.archiveiterator import ArchiveIterator

    out = {}
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh)
        for rec in iterator:
            length = int(rec.rec_headers["Content-Length"])
            rec.raw_stream.read()
            out[(rec.rec_type, rec.rec_headers["WARC-Target-URI"])] = (iterator.get_record_length(), length)
    return out


def test_already_compressed_payloads_are_stored_and_text_is_deflated(tmp_path):
    """A JPEG or a gzip-encoded body is stored in its member as sent (deflating it again gains
    nothing); HTML is deflated. The fake JPEG is compressible on purpose, so that a writer that
    ignored the format would make its member far smaller than its block."""
    jpeg = b"\xff\xd8\xff\xe0" + b"compressible scan data " * 2000 + b"\xff\xd9"
    site = Site()
    site.extra["/photo.jpg"] = lambda h: _send(h, 200, jpeg, "image/jpeg")
    with serve(site) as (base, _):
        result = capture([base + p for p in ("/photo.jpg", "/gzip", "/news/one.html")], tmp_path,
                         CaptureOptions(requisites=False, **FAST))
    sizes = {}
    for path in result.warc_files:
        sizes.update(_member_sizes(path))
    stored, block = sizes[("response", base + "/photo.jpg")]
    assert stored > block  # stored blocks: the block's bytes plus gzip framing
    stored, block = sizes[("response", base + "/gzip")]
    assert stored > block
    stored, block = sizes[("response", base + "/news/one.html")]
    assert stored < block / 2
    assert by_uri(result)[("response", base + "/photo.jpg")][0][1].endswith(jpeg)
    assert_warcio_accepts(result.warc_files)


def test_identical_payloads_fetched_at_once_are_stored_once(tmp_path):
    """Eight URLs answer the same bytes at the same moment (a barrier holds the responses), so
    the workers find the payload unstored before the write lock: exactly one is a response and
    the other seven are revisits of it."""
    import threading

    same = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
    barrier = threading.Barrier(8, timeout=5)
    site = Site()

    def copy(h):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        _send(h, 200, same, "image/jpeg")

    links = "".join(f'<img src="/same/{i}.jpg">' for i in range(8))
    site.extra["/gallery.html"] = lambda h: _send(h, 200, f"<html><body>{links}</body></html>".encode())
    for i in range(8):
        site.extra[f"/same/{i}.jpg"] = copy
    with serve(site) as (base, _):
        result = capture([base + "/gallery.html"], tmp_path,
                         CaptureOptions(delay=0, workers=8, per_host=8, timeout=10, ignore_robots=True))
    recs = by_uri(result)
    copies = [(kind, h) for (kind, uri), hs in recs.items() if "/same/" in (uri or "") for h, _ in hs]
    responses = [h for kind, h in copies if kind == "response"]
    revisits = [h for kind, h in copies if kind == "revisit"]
    assert len(responses) == 1 and len(revisits) == 7 and result.revisits == 7
    assert {h["WARC-Refers-To"] for h in revisits} == {responses[0]["WARC-Record-ID"]}
    assert_warcio_accepts(result.warc_files)


def test_a_record_prepared_before_its_file_rolled_over_names_the_new_files_warcinfo(tmp_path):
    """Members are compressed ahead (WarcFileWriter.prepare) with the current file's
    WARC-Warcinfo-ID; if another group fills that file first, the record goes to the next file
    and must name that file's warcinfo (WARC 1.1 section 5.14), not the previous one."""
    from archiver.capture.warcwriter import WarcFileWriter, WarcRecord

    def record(n: int, size: int) -> WarcRecord:
        block = hashlib.shake_256(str(n).encode()).digest(size)  # incompressible: fills the file
        return WarcRecord.from_bytes("resource", [("WARC-Target-URI", f"urn:x:{n}")], block,
                                     "application/octet-stream", "sha256")

    writer = WarcFileWriter(tmp_path, max_size=1_000)
    ahead = writer.prepare([record(1, 10)])
    writer.write([record(2, 5_000)])  # fills the first file: it is closed, the next write opens one
    writer.write(ahead)
    writer.close()
    first, second = (records(p) for p in writer.files)
    assert [h["WARC-Target-URI"] for _, h, _ in second[1:]] == ["urn:x:1"]
    assert second[1][1]["WARC-Warcinfo-ID"] == second[0][1]["WARC-Record-ID"]
    assert first[1][1]["WARC-Warcinfo-ID"] == first[0][1]["WARC-Record-ID"]
    assert_warcio_accepts(writer.files)


def test_a_closed_writer_takes_no_more_records(tmp_path):
    """After an interrupted run closed the writer, a worker still finishing a fetch must not open
    a new NAME.warc.gz.open that nothing would ever close."""
    from archiver.capture.warcwriter import WarcFileWriter, WarcRecord

    writer = WarcFileWriter(tmp_path)
    writer.write([WarcRecord.from_bytes("resource", [("WARC-Target-URI", "urn:x:1")], b"x", None, "sha256")])
    writer.close()
    late = WarcRecord.from_bytes("resource", [("WARC-Target-URI", "urn:x:2")], b"y", None, "sha256")
    for attempt in (writer.prepare, writer.write):
        with pytest.raises(ArchiverError, match="closed"):
            attempt([late])
    assert [p.name for p in tmp_path.iterdir()] == [writer.files[0].name]


def _incompressible_records(count: int, size: int):
    from archiver.capture.warcwriter import STORED, WarcRecord

    for i in range(count):
        record = WarcRecord.from_bytes("resource", [("WARC-Target-URI", f"urn:x:{i}")], os.urandom(size),
                                       None, "sha256")
        record.level = STORED
        yield record


def test_the_open_warc_is_synced_to_disk_in_the_background_as_it_grows(tmp_path, monkeypatch):
    """Closing (or rolling over) a big file then syncs only its tail instead of stalling every
    worker on the whole file."""
    import archiver.capture.warcwriter as warcwriter

    synced: list[tuple[int, int]] = []  # (inode, size when synced)
    real = warcwriter._datasync
    monkeypatch.setattr(warcwriter, "SYNC_BEHIND", 64 * 1024)
    monkeypatch.setattr(warcwriter, "_datasync", lambda fd: (
        synced.append((os.fstat(fd).st_ino, os.fstat(fd).st_size)), real(fd)))
    writer = warcwriter.WarcFileWriter(tmp_path)
    for record in _incompressible_records(20, 16 * 1024):
        writer.write([record])
        if writer._syncer is not None:
            writer._syncer.join()  # one at a time, so that the count below is exact
    open_file = tmp_path / (writer.current_filename + warcwriter.OPEN_SUFFIX)
    inode = open_file.stat().st_ino
    writer.close()
    assert len(synced) >= 4 and {ino for ino, _ in synced} == {inode}
    assert all(b - a >= 64 * 1024 for (_, a), (_, b) in zip(synced, synced[1:], strict=False))
    assert_warcio_accepts(writer.files)


def _failing_sync(fd):
    raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize("rolls_over", [False, True])
def test_a_failed_background_sync_stops_the_writer_and_leaves_the_file_open(tmp_path, monkeypatch,
                                                                            rolls_over):
    """The next write fails, or the roll-over that follows the failed sync; either way no new
    file is started (a worker preparing its records meanwhile must not open one), the error
    names the file whose sync failed, and that file stays .open for the next run's repair."""
    import archiver.capture.warcwriter as warcwriter

    monkeypatch.setattr(warcwriter, "SYNC_BEHIND", 64 * 1024)
    monkeypatch.setattr(warcwriter, "_datasync", _failing_sync)
    writer = warcwriter.WarcFileWriter(tmp_path, max_size=150 * 1024 if rolls_over else 1 << 30)
    first = None
    with pytest.raises(ArchiverError, match=r"\.warc\.gz\.open: sync to disk failed: Input/output error"):
        for record in _incompressible_records(10, 40 * 1024):
            writer.write([record])
            first = first or writer.current_filename
            if writer._syncer is not None:
                writer._syncer.join()
    late = next(_incompressible_records(1, 10))
    for attempt in (writer.prepare, writer.write, lambda _: writer.close()):
        with pytest.raises(ArchiverError, match=re.escape(first) + r"\.open: sync to disk failed"):
            attempt([late])
    assert [p.name for p in tmp_path.iterdir()] == [first + ".open"] and not writer.files


def test_no_descriptor_or_thread_to_spare_only_skips_the_background_sync(tmp_path, monkeypatch):
    import threading

    import archiver.capture.warcwriter as warcwriter

    def no_descriptor(fd):
        raise OSError(errno.EMFILE, "Too many open files")

    def no_thread(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(warcwriter, "SYNC_BEHIND", 64 * 1024)
    writer = warcwriter.WarcFileWriter(tmp_path)
    records = _incompressible_records(7, 40 * 1024)
    writer.write([next(records)])  # the file is open, no sync is due yet
    before = len(os.listdir("/proc/self/fd"))
    with monkeypatch.context() as patch:
        patch.setattr(os, "dup", no_descriptor)
        for _ in range(3):
            writer.write([next(records)])
    with monkeypatch.context() as patch:
        patch.setattr(threading.Thread, "start", no_thread)
        for record in records:
            writer.write([record])
    assert len(os.listdir("/proc/self/fd")) == before and writer._syncer is None
    writer.close()
    assert writer.records_written == 8 and len(writer.files) == 1  # the warcinfo and 7
    assert_warcio_accepts(writer.files)


@pytest.mark.parametrize("head,encoding,stored", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", None, True),  # JPEG
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", None, True),  # WebP
    (b"\x00\x00\x00\x18ftypmp42", None, True),  # MP4
    (b"wOF2\x00\x01\x00\x00", None, True),  # WOFF2
    (b"PK\x03\x04\x14\x00", None, True),  # zip, docx, epub
    (b"\x1f\x8b\x08\x00", None, True),  # a gzip file
    (b"<!doctype html>", "gzip", True),  # any content coding on the wire
    (b"<!doctype html>", "identity", False),
    (b"<!doctype html>", None, False),
    (b"\x89PNG\r\n\x1a\n", None, False),  # deflate still saves ~10% on PNG
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None, False),  # RIFF, but not WebP
])
def test_which_payloads_are_stored_without_deflating_again(head, encoding, stored):
    from archiver.capture.warcwriter import is_precompressed

    assert is_precompressed(head, encoding) is stored
