"""Politeness (one fetch in flight per host, --delay, Crawl-delay), progress display, file placement."""

from __future__ import annotations

import io
import json
import threading

import pytest
from capture_support import Site, records, serve

from archiver.capture import CaptureOptions, capture
from archiver.capture.progress import ProgressLine, summary


def _site(pages: int, page_delay: float) -> Site:
    site = Site()
    site.many = pages
    site.page_delay = page_delay
    return site


def test_one_fetch_in_flight_per_host_by_default(tmp_path):
    with serve(_site(12, 0.05)) as (base, site):
        capture([base + "/list.html"], tmp_path, CaptureOptions(depth=1, delay=0, workers=4,
                                                                 requisites=False))
        assert site.max_in_flight == 1 and site.hits["/p/11.html"] == 1


def test_per_host_concurrency_can_be_raised(tmp_path):
    with serve(_site(12, 0.1)) as (base, site):
        capture([base + "/list.html"], tmp_path, CaptureOptions(depth=1, delay=0, workers=4, per_host=4,
                                                                 requisites=False))
        assert site.max_in_flight > 1


def test_delay_spaces_fetches_from_one_host(tmp_path):
    with serve(_site(4, 0)) as (base, site):
        capture([base + "/list.html"], tmp_path, CaptureOptions(depth=1, delay=0.15, workers=4,
                                                                 requisites=False))
        gaps = [b - a for a, b in zip(site.starts[1:], site.starts[2:], strict=False)]
    # robots.txt, then list.html and 4 pages; robots.txt is fetched just before the host's first URL
    assert len(site.starts) == 6 and min(gaps) >= 0.14


def test_workers_share_hosts_fairly_and_the_run_ends(tmp_path):
    """Two hosts, one fetch in flight each and a delay, more workers than hosts: a worker that
    finishes wakes one waiting worker, which must still find the other host's next URL (no
    worker may sleep through work), keep each host's spacing, and the run must end."""
    done = threading.Event()
    with serve(_site(6, 0.02)) as (base_a, site_a), serve(_site(6, 0.02)) as (base_b, site_b):
        def run():
            capture([base_a + "/list.html", base_b + "/list.html"], tmp_path,
                    CaptureOptions(depth=1, delay=0.05, workers=6, requisites=False))
            done.set()

        threading.Thread(target=run, daemon=True).start()
        assert done.wait(60), "the capture did not end"  # a hang guard, not a speed measurement
    for site in (site_a, site_b):
        gaps = [b - a for a, b in zip(site.starts[1:], site.starts[2:], strict=False)]  # after robots.txt
        assert site.hits["/p/5.html"] == 1 and site.max_in_flight == 1 and min(gaps) >= 0.045
    # while one host waits out its delay the other is fetched: their fetches interleave
    a_span = (site_a.starts[1], site_a.starts[-1])
    assert sum(a_span[0] < t < a_span[1] for t in site_b.starts) >= 3


def test_robots_txt_is_read_to_500_kib_with_or_without_a_byte_order_mark(tmp_path):
    """RFC 9309 section 2.5: the first 500 KiB are parsed (up to the last whole line), whatever
    follows is ignored; a larger file is not treated as empty. A UTF-8 byte-order mark does not
    hide the first group."""
    site = Site()
    padding = b"# " + b"x" * 98 + b"\n"
    site.robots = (b"\xef\xbb\xbfUser-agent: *\nDisallow: /a\n" + padding * 5069
                   + b"Disallow: /c\nDisallow: /b\n")  # /c straddles byte 512,000; /b lies past it
    c = site.robots.index(b"Disallow: /c")
    assert c < 500 * 1024 < c + 12 < site.robots.index(b"Disallow: /b")
    for path in ("/a.html", "/b.html", "/c.html"):
        site.extra[path] = _ok
    with serve(site) as (base, _):
        result = capture([base + p for p in ("/a.html", "/b.html", "/c.html")], tmp_path,
                         CaptureOptions(delay=0, requisites=False))
    lines = [json.loads(line) for line in result.log_path.read_text().splitlines()]
    outcome = {line["url"][len(base):]: line["outcome"] for line in lines
               if not line["url"].endswith("/robots.txt")}
    assert outcome == {"/a.html": "skipped", "/b.html": "captured", "/c.html": "captured"}


@pytest.mark.parametrize("delay,pages", [("1", 1), ("0.4", 2)])  # fractional seconds too
def test_robots_crawl_delay_is_honoured(tmp_path, delay, pages):
    site = _site(pages, 0)
    site.robots = f"User-agent: archiver\nCrawl-delay: {delay}\nDisallow: /private/\n".encode()
    with serve(site) as (base, _):
        capture([base + "/list.html"], tmp_path, CaptureOptions(depth=1, delay=0, requisites=False))
        gaps = [b - a for a, b in zip(site.starts[1:], site.starts[2:], strict=False)]
    assert len(gaps) == pages and min(gaps) >= float(delay) - 0.02


def test_robots_rules_are_matched_as_rfc_9309_says(tmp_path):
    """The longest matching rule wins (an allow wins a tie), `*` matches any characters and `$`
    ends a path (RFC 9309 sections 2.2.2 and 2.2.3); the agent's own group replaces the * group."""
    site = Site()
    site.robots = (b"User-agent: *\nDisallow: /\n\n"
                   b"User-agent: Archiver\nDisallow: /news/\nAllow: /news/open\n"
                   b"Disallow: /*?session=\nDisallow: /*.pdf$\nAllow: /page\nDisallow: /*.bak\n")
    for path in ("/news/open.html", "/news/shut.html", "/a.html", "/a.pdf", "/a.pdf.html", "/page.bak"):
        site.extra[path] = _ok
    paths = ["/news/open.html", "/news/shut.html", "/a.html?session=9", "/a.html?lang=en", "/a.pdf",
             "/a.pdf.html", "/page.bak"]
    with serve(site) as (base, _):
        result = capture([base + p for p in paths], tmp_path, CaptureOptions(delay=0, requisites=False))
    lines = [json.loads(line) for line in result.log_path.read_text().splitlines()]
    outcome = {line["url"][len(base):]: line["outcome"] for line in lines
               if not line["url"].endswith("/robots.txt")}
    assert outcome == {"/news/open.html": "captured", "/news/shut.html": "skipped",
                       "/a.html?session=9": "skipped", "/a.html?lang=en": "captured", "/a.pdf": "skipped",
                       "/a.pdf.html": "captured", "/page.bak": "skipped"}


def _ok(handler) -> None:
    body = f"<html><body>{handler.path}</body></html>".encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_robots_rules_for_another_agent_do_not_apply(tmp_path):
    site = Site()
    site.robots = b"User-agent: otherbot\nDisallow: /\n"
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(delay=0, requisites=False))
    assert not result.failed_seeds and result.pages == 1


@pytest.mark.parametrize("robots", [
    b"User-agent: *\nDissallow: /news/\n",  # misspelt
    b"User-agent: *\nDisallow /news/\n",  # no colon
    b"User-agent: arch\nDisallow: /news/\n",  # a prefix of our product token
], ids=["misspelt", "no-colon", "prefix-agent"])
def test_robots_leniency_that_the_docs_promise(tmp_path, robots):
    """docs/capture.md: Protego is lenient where RFC 9309 is not, and these still disallow (a
    Protego upgrade that changed it would fail here rather than change captures quietly)."""
    site = Site()
    site.robots = robots
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(delay=0, requisites=False))
    assert site.hits["/news/one.html"] == 0 and result.skipped == 1


def test_robots_5xx_means_complete_disallow(tmp_path):
    site = Site()
    site.extra["/robots.txt"] = lambda h: (h.send_response(500), h.send_header("Content-Length", "0"),
                                           h.end_headers())
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(delay=0, retries=0))
        assert site.hits["/news/one.html"] == 0
    assert result.failed_seeds == [base + "/news/one.html"] and "500" in result.failures[0][1]


def test_a_robots_txt_redirected_nowhere_is_as_if_absent(tmp_path):
    """A robots.txt redirect whose Location is no URL (`http://[x`: urllib cannot split it) cannot
    be followed: RFC 9309 section 2.3.1.2 lets the crawler take robots.txt as unavailable, so no
    rules (it failed the seed with "internal error: ValueError")."""
    site = Site()
    site.extra["/robots.txt"] = lambda h: (h.send_response(302), h.send_header("Location", "http://[x"),
                                           h.send_header("Content-Length", "0"), h.end_headers())
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(delay=0, requisites=False))
        assert site.hits["/robots.txt"] == 1 and site.hits["/news/one.html"] == 1
    assert result.failed_seeds == [] and result.pages == 1


def test_a_robots_txt_failing_for_a_moment_is_retried(tmp_path):
    """A 503 (or a refused connection) for robots.txt is retried like any fetch before the host
    is given up as disallowed (RFC 9309 section 2.3.1.4); only the answer used is recorded."""
    site = Site()
    answers = iter([503, 503])

    def robots(h):
        status = next(answers, 200)
        body = b"User-agent: *\nDisallow: /private/\n" if status == 200 else b"busy"
        h.send_response(status)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    site.extra["/robots.txt"] = robots
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html", base + "/private/secret.html"], tmp_path,
                         CaptureOptions(delay=0, retries=2, backoff=0.01, requisites=False))
        assert site.hits["/robots.txt"] == 3 and site.hits["/private/secret.html"] == 0
    assert result.failed_seeds == [base + "/private/secret.html"] and result.pages == 1
    robots_records = [h for path in result.warc_files for kind, h, _ in records(path)
                      if kind == "response" and h["WARC-Target-URI"] == base + "/robots.txt"]
    assert len(robots_records) == 1


def test_progress_line_and_summary(tmp_path):
    stream = io.StringIO()
    line = ProgressLine(stream, interval=0)
    with serve() as (base, _):
        result = capture([base + "/"], tmp_path, CaptureOptions(depth=1, delay=0), progress=line)
    text = stream.getvalue()
    assert text.startswith("\rpages ") and "requisites" in text and "pages/s" in text
    last = text.rsplit("\r", 1)[1]  # the site's /moved redirects twice
    assert f"pages {result.pages} " in last and "redirects 2 " in last, last
    line.clear()
    assert stream.getvalue().endswith("\r")
    report = summary(result)
    assert report.startswith(f"captured {result.pages} pages and {result.requisites} requisites")
    assert str(result.log_path) in report


def test_prefix_cannot_escape_the_collection(tmp_path):
    coll = tmp_path / "coll"
    with serve() as (base, _):
        result = capture([base + "/gzip"], coll, CaptureOptions(delay=0, prefix="../../evil"))
    assert all(p.parent == coll / "warc" for p in result.warc_files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coll"]
    assert not [p for p in (coll / "warc").iterdir() if not p.name.endswith(".warc.gz")]  # no spool left
