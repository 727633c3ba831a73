"""Politeness (one fetch in flight per host, --delay, Crawl-delay), progress display, file placement."""

from __future__ import annotations

import io

from capture_support import Site, serve

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


def test_robots_crawl_delay_is_honoured(tmp_path):
    site = _site(1, 0)
    site.robots = b"User-agent: archiver\nCrawl-delay: 1\nDisallow: /private/\n"  # whole seconds only
    with serve(site) as (base, _):
        capture([base + "/list.html"], tmp_path, CaptureOptions(depth=1, delay=0, requisites=False))
        gaps = [b - a for a, b in zip(site.starts[1:], site.starts[2:], strict=False)]
    assert len(gaps) == 1 and gaps[0] >= 0.95


def test_robots_rules_for_another_agent_do_not_apply(tmp_path):
    site = Site()
    site.robots = b"User-agent: otherbot\nDisallow: /\n"
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(delay=0, requisites=False))
    assert not result.failed_seeds and result.pages == 1


def test_robots_5xx_means_complete_disallow(tmp_path):
    site = Site()
    site.extra["/robots.txt"] = lambda h: (h.send_response(500), h.send_header("Content-Length", "0"),
                                           h.end_headers())
    with serve(site) as (base, _):
        result = capture([base + "/news/one.html"], tmp_path, CaptureOptions(delay=0, retries=0))
        assert site.hits["/news/one.html"] == 0
    assert result.failed_seeds == [base + "/news/one.html"] and "500" in result.failures[0][1]


def test_progress_line_and_summary(tmp_path):
    stream = io.StringIO()
    line = ProgressLine(stream, interval=0)
    with serve() as (base, _):
        result = capture([base + "/"], tmp_path, CaptureOptions(depth=1, delay=0), progress=line)
    text = stream.getvalue()
    assert text.startswith("\rpages ") and "requisites" in text and "pages/s" in text
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
