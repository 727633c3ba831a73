"""Seeds from sitemaps (sitemaps.org 0.9): `archiver capture --sitemap URL` captures the pages a
sitemap, a sitemap index or a gzipped sitemap lists, and fetches the sitemap again on every run."""

from __future__ import annotations

import gzip
import json

import pytest
from capture_support import Site, _send, assert_warcio_accepts, records, serve

FAST = ("--delay", "0", "--timeout", "5")

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>/sitemap-news.xml.gz</loc></sitemap>
  <sitemap><loc>https://elsewhere.invalid/sitemap.xml</loc></sitemap>
  <sitemap><loc>/sitemap-index-2.xml</loc></sitemap>
</sitemapindex>"""

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>BASE/news/one.html</loc>
    <news:news><news:title>One</news:title></news:news></url>
  <url><loc> BASE/news/two.html </loc></url>
  <url><loc>BASE/news/gone.html</loc></url>
  <url><loc>https://elsewhere.invalid/x.html</loc></url>
</urlset>"""


def _sitemaps(site, base):
    site.extra["/sitemap-index.xml"] = lambda h: _send(h, 200, INDEX, "application/xml")
    # an index that an index lists is read for pages only (sitemaps.org: indexes do not nest)
    deeper = INDEX.replace(b"/sitemap-news.xml.gz", b"/sitemap-deeper.xml")
    site.extra["/sitemap-index-2.xml"] = lambda h: _send(h, 200, deeper, "application/xml")
    news = gzip.compress(NEWS.replace(b"BASE", base.encode()))
    site.extra["/sitemap-news.xml.gz"] = lambda h: _send(h, 200, news, "application/gzip")
    return news


def test_a_sitemap_index_and_its_gzipped_sitemap_give_the_seeds(tmp_path, invoke):
    coll = tmp_path / "coll"
    with serve() as (base, site):
        news = _sitemaps(site, base)
        result = invoke("capture", "--sitemap", f"{base}/sitemap-index.xml", "--collection", coll,
                        "--json", *FAST)
        hits = site.hits.copy()
    summary = json.loads(result.stdout)
    # every listed page on the sitemap's host is a seed: the 404 is one not captured
    assert result.exit_code == 1
    assert summary["failed_seeds"] == [f"{base}/news/gone.html"]
    assert hits["/sitemap-index.xml"] == hits["/sitemap-news.xml.gz"] == hits["/sitemap-index-2.xml"] == 1
    assert hits["/sitemap-deeper.xml"] == 0
    assert hits["/news/one.html"] == hits["/news/two.html"] == hits["/news/gone.html"] == 1
    assert hits["/img/red.png"] == 1  # the pages' requisites come too
    assert "/" not in hits  # nothing else: no link of the pages is followed at --depth 0
    got = {(kind, h.get("WARC-Target-URI")): block for w in coll.rglob("*.warc.gz")
           for kind, h, block in records(w)}
    # the WARC keeps the sitemaps as served, and says where each page came from
    assert got["response", f"{base}/sitemap-news.xml.gz"].endswith(news)
    listed = got["metadata", f"{base}/sitemap-news.xml.gz"].decode()
    assert f"outlink: {base}/news/one.html L sitemap/loc" in listed
    assert "elsewhere.invalid" not in listed  # another host: not this sitemap's to list
    assert f"outlink: {base}/sitemap-news.xml.gz L sitemapindex/loc" in \
        got["metadata", f"{base}/sitemap-index.xml"].decode()
    assert_warcio_accepts(sorted(coll.rglob("*.warc.gz")))


@pytest.mark.parametrize("extra", [(), ("--recapture-seeds",)])
def test_the_next_run_fetches_the_sitemaps_again_and_only_what_is_new(tmp_path, invoke, extra):
    """--recapture-seeds fetches again the seeds given, not the pages a sitemap lists."""
    coll = tmp_path / "coll"
    with serve() as (base, site):
        _sitemaps(site, base)
        invoke("capture", "--sitemap", f"{base}/sitemap-index.xml", "--collection", coll, *FAST)
        NEWER = NEWS.replace(b"</urlset>", b"<url><loc>BASE/news/three.html</loc></url></urlset>")
        newer = gzip.compress(NEWER.replace(b"BASE", base.encode()))
        site.extra["/sitemap-news.xml.gz"] = lambda h: _send(h, 200, newer, "application/gzip")
        site.extra["/news/three.html"] = lambda h: _send(h, 200, b"<html><body>Three</body></html>")
        again = invoke("capture", "--sitemap", f"{base}/sitemap-index.xml", "--collection", coll,
                       "--json", *FAST, *extra)
        assert site.hits["/sitemap-index.xml"] == site.hits["/sitemap-news.xml.gz"] == 2
        assert site.hits["/news/one.html"] == 1 and site.hits["/news/three.html"] == 1
    summary = json.loads(again.stdout)
    assert summary["failed_seeds"] == [f"{base}/news/gone.html"]  # still a 404
    assert summary["pages"] == 4  # the three sitemaps (two unchanged: revisits) and three.html


def test_a_text_sitemap_with_depth_follows_the_pages_links(tmp_path, invoke):
    coll = tmp_path / "coll"
    with serve() as (base, site):
        text = f"{base}/\n# not a URL\n\n".encode()
        site.extra["/sitemap.txt"] = lambda h: _send(h, 200, text, "text/plain")
        result = invoke("capture", "--sitemap", f"{base}/sitemap.txt", "--collection", coll,
                        "--depth", "1", "--no-requisites", "--json", *FAST)
        assert site.hits["/"] == 1 and site.hits["/news/one.html"] == 1  # linked from the listed page
        assert site.hits["/private/secret.html"] == 0  # robots.txt still rules
    assert result.exit_code == 0, result.output


def test_a_sitemap_that_is_no_url_is_one_error_line(tmp_path, invoke):
    result = invoke("capture", "--sitemap", "ftp://example.org/sitemap.xml", "--collection", tmp_path / "c")
    assert result.exit_code == 2
    assert "--sitemap not an absolute http(s) URL: 'ftp://example.org/sitemap.xml'" in result.stderr
    assert not (tmp_path / "c").exists()


def test_a_sitemap_with_a_byte_order_mark_is_read_and_one_that_is_no_sitemap_fails(tmp_path, invoke):
    """A UTF-8 BOM before the XML (as Windows editors write it) is still a sitemap; a page that
    is not one (an HTML error page answered 200) fails its --sitemap instead of capturing nothing
    and exiting 0."""
    coll = tmp_path / "coll"
    with serve() as (base, site):
        bom = b"\xef\xbb\xbf" + NEWS.replace(b"BASE", base.encode())
        site.extra["/bom.xml"] = lambda h: _send(h, 200, bom, "application/xml")
        site.extra["/html.xml"] = lambda h: _send(h, 200, b"<html><body>Not found</body></html>")
        result = invoke("capture", "--sitemap", f"{base}/bom.xml", "--sitemap", f"{base}/html.xml",
                        "--collection", coll, "--no-requisites", "--json", *FAST)
        assert site.hits["/news/one.html"] == site.hits["/news/two.html"] == 1
    summary = json.loads(result.stdout)
    assert summary["failed_seeds"] == [f"{base}/html.xml", f"{base}/news/gone.html"]
    assert (f"{base}/html.xml", "not a readable sitemap (sitemaps.org 0.9, at most 50 MB)") in [
        (f["url"], f["reason"]) for f in summary["failures"]]


def test_a_sitemap_does_not_widen_the_scope_of_the_seeds(tmp_path, invoke):
    """--scope prefix from /news/one.html: a sitemap at the site's root does not put the whole
    site in scope (only the pages it lists are seeds)."""
    with serve() as (base, site):
        site.extra["/sitemap.txt"] = lambda h: _send(h, 200, b"", "text/plain")
        links = b'<a href="/">home</a><a href="/news/two.html">2</a>'
        site.extra["/news/one.html"] = lambda h: _send(h, 200, links)
        result = invoke("capture", f"{base}/news/one.html", "--sitemap", f"{base}/sitemap.txt",
                        "--collection", tmp_path / "coll", "--scope", "prefix", "--depth", "1",
                        "--no-requisites", *FAST)
        assert site.hits["/"] == 0 and site.hits["/news/two.html"] == 1
    assert result.exit_code == 0, result.output


def test_a_listed_page_first_reached_by_a_link_is_still_reported_as_a_seed(tmp_path, invoke):
    """The front page (a seed) links to gone.html and to /moved before the sitemap lists them:
    each is captured once, under the link, and still reported as a seed: gone.html a 404 not
    captured, /moved captured at the end of its redirects."""
    with serve() as (base, site):
        listed = f"{base}/news/gone.html\n{base}/moved\n".encode()
        site.extra["/sitemap.txt"] = lambda h: _send(h, 200, listed, "text/plain")
        result = invoke("capture", f"{base}/", "--sitemap", f"{base}/sitemap.txt", "--collection",
                        tmp_path / "coll", "--depth", "1", "--no-requisites", "--workers", "1",
                        "--json", *FAST)
        assert site.hits["/news/gone.html"] == 1 and site.hits["/moved"] == 1
    summary = json.loads(result.stdout)
    assert summary["failed_seeds"] == [f"{base}/news/gone.html"]
    assert result.exit_code == 1


def test_a_listed_page_first_reached_by_a_link_is_judged_at_the_end_of_its_redirects(tmp_path, invoke):
    with serve() as (base, site):
        site.extra["/front.html"] = lambda h: _send(h, 200, b'<a href="/old-story">story</a>')
        site.extra["/old-story"] = lambda h: _send(h, 301, b"", headers={"Location": "/missing"})
        listed = f"{base}/old-story\n".encode()
        site.extra["/sitemap.txt"] = lambda h: _send(h, 200, listed, "text/plain")
        result = invoke("capture", f"{base}/front.html", "--sitemap", f"{base}/sitemap.txt",
                        "--collection", tmp_path / "coll", "--depth", "1", "--no-requisites",
                        "--workers", "1", "--json", *FAST)
    summary = json.loads(result.stdout)
    assert summary["failed_seeds"] == [f"{base}/old-story"]  # it led to a 404
    assert {"url": f"{base}/old-story", "reason": "HTTP 404"} in summary["failures"]


def test_a_listed_page_first_reached_by_a_link_whose_redirects_loop_is_not_captured(tmp_path, invoke):
    with serve() as (base, site):
        site.extra["/front.html"] = lambda h: _send(h, 200, b'<a href="/loop-a">story</a>')
        site.extra["/loop-a"] = lambda h: _send(h, 302, b"", headers={"Location": "/loop-b"})
        site.extra["/loop-b"] = lambda h: _send(h, 302, b"", headers={"Location": "/loop-a"})
        listed = f"{base}/loop-a\n".encode()
        site.extra["/sitemap.txt"] = lambda h: _send(h, 200, listed, "text/plain")
        result = invoke("capture", f"{base}/front.html", "--sitemap", f"{base}/sitemap.txt",
                        "--collection", tmp_path / "coll", "--depth", "1", "--no-requisites",
                        "--no-cookies", "--workers", "1", "--json", *FAST)
    summary = json.loads(result.stdout)
    assert summary["failed_seeds"] == [f"{base}/loop-a"]
    assert {"url": f"{base}/loop-a", "reason": f"redirect loop: back to {base}/loop-a"} in summary["failures"]


def test_a_news_feed_is_taken_as_a_sitemap(tmp_path, invoke):
    """sitemaps.org takes RSS 2.0 and Atom feeds too: their items' links are the pages."""
    with serve() as (base, site):
        rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><link>{base}/</link>'
               f"<item><title>One</title><link>{base}/news/one.html</link></item>"
               f"<item><title>Two</title><link>{base}/news/two.html</link></item></channel></rss>").encode()
        atom = (f'<feed xmlns="http://www.w3.org/2005/Atom"><link href="{base}/"/>'
                f'<entry><link href="{base}/news/one.html"/><link rel="edit" href="{base}/edit"/></entry>'
                f"</feed>").encode()
        site.extra["/feed.rss"] = lambda h: _send(h, 200, rss, "application/rss+xml")
        site.extra["/feed.atom"] = lambda h: _send(h, 200, atom, "application/atom+xml")
        result = invoke("capture", "--sitemap", f"{base}/feed.rss", "--sitemap", f"{base}/feed.atom",
                        "--collection", tmp_path / "coll", "--no-requisites", *FAST)
        assert site.hits["/news/one.html"] == site.hits["/news/two.html"] == 1
        assert site.hits["/"] == 0 and site.hits["/edit"] == 0  # the channel's link is no item
    assert result.exit_code == 0, result.output


def test_a_sitemap_cut_at_max_size_fails_instead_of_giving_half_its_pages(tmp_path, invoke):
    with serve() as (base, site):
        listed = "".join(f"{base}/news/p{i}.html\n" for i in range(200)).encode()
        site.extra["/sitemap.txt"] = lambda h: _send(h, 200, listed, "text/plain")
        result = invoke("capture", "--sitemap", f"{base}/sitemap.txt", "--collection", tmp_path / "c",
                        "--max-size", "1000", "--json", *FAST)
        assert site.hits["/news/p0.html"] == 0
    summary = json.loads(result.stdout)
    assert summary["failed_seeds"] == [f"{base}/sitemap.txt"]
    assert {"url": f"{base}/sitemap.txt", "reason": "sitemap cut short (length)"} in summary["failures"]


def test_the_protocols_limits_and_no_entities():
    """docs/capture.md: at most 50,000 URLs and 50 MB per sitemap; entities are not resolved."""
    from archiver.capture.sitemaps import MAX_SITEMAP_BYTES, MAX_SITEMAP_URLS, sitemap_entries

    many = "".join(f"https://a.example/{i}\n" for i in range(MAX_SITEMAP_URLS + 5)).encode()
    assert len(sitemap_entries(many).pages) == MAX_SITEMAP_URLS
    bomb = gzip.compress(b"https://a.example/x\n" + b" " * MAX_SITEMAP_BYTES, compresslevel=1)
    assert len(bomb) < MAX_SITEMAP_BYTES // 100 and sitemap_entries(bomb) is None
    xxe = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
           b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;</loc></url>'
           b"<url><loc>https://a.example/ok</loc></url></urlset>")
    assert sitemap_entries(xxe).pages == ["https://a.example/ok"]


def test_max_pages_bounds_the_pages_a_sitemap_lists_without_failing_the_rest(tmp_path, invoke):
    """--max-pages 2 with a seed given and a sitemap of three pages (one a 404): the seed and the
    first listed page are captured; the other two are not seeds of this run (not reported as
    failed: the 404 is never fetched), so the run exits 0."""
    with serve() as (base, site):
        site.extra["/sitemap.xml"] = lambda h: _send(h, 200, NEWS.replace(b"BASE", base.encode()),
                                                     "application/xml")
        result = invoke("capture", f"{base}/final.html", "--sitemap", f"{base}/sitemap.xml", "--collection",
                        tmp_path, "--max-pages", "2", "--no-requisites", "--json", *FAST)
        assert site.hits["/news/one.html"] == 1
        assert site.hits["/news/two.html"] == site.hits["/news/gone.html"] == 0
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    # pages: the seed, one.html and the sitemap itself
    assert (summary["pages"], summary["not_followed"], summary["failed_seeds"]) == (3, 2, [])


def test_exclude_and_robots_txt_apply_to_sitemaps_and_what_they_list(tmp_path, invoke):
    """docs/capture.md: a listed page an --exclude matches is not taken (not fetched, not a seed
    of the run), and robots.txt rules the sitemaps themselves: one it disallows is not fetched
    and fails as a seed would."""
    site = Site()
    site.robots = b"User-agent: *\nDisallow: /private/\n"
    with serve(site) as (base, s):
        listing = NEWS.replace(b"BASE", base.encode())
        for path in ("/sitemap.xml", "/private/sitemap.xml"):
            s.extra[path] = lambda h: _send(h, 200, listing, "application/xml")
        result = invoke("capture", "--sitemap", f"{base}/sitemap.xml", "--sitemap",
                        f"{base}/private/sitemap.xml", "--collection", tmp_path, "--exclude", "two",
                        "--no-requisites", "--json", *FAST)
        assert s.hits["/news/two.html"] == 0 and s.hits["/private/sitemap.xml"] == 0
        assert s.hits["/news/one.html"] == 1
    summary = json.loads(result.stdout)
    assert result.exit_code == 1
    assert f"{base}/news/two.html" not in summary["failed_seeds"]
    assert f"{base}/private/sitemap.xml" in summary["failed_seeds"]
