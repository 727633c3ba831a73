"""Requisite and outlink extraction from HTML and CSS, URL normalisation, seed files."""

from __future__ import annotations

import socket

import pytest
from capture_support import serve

from archiver.capture import CaptureOptions, capture
from archiver.capture.links import css_links, html_links
from archiver.capture.seeds import read_seed_file
from archiver.capture.urls import normalize
from archiver.errors import ArchiverError

PAGE = b"""<!doctype html><html><head><base href="https://news.example/world/">
<link rel="stylesheet" href="/s.css"><link rel="icon" href="fav.ico"><link rel="preload" href="font.woff2">
<link rel="canonical" href="https://news.example/world/story"><script src="app.js"></script>
<style>@import url("print.css"); .hero { background: url(hero.jpg) }</style></head>
<body style="background-image: url('bg.png')">
<img src="a.jpg" srcset="a-2x.jpg 2x, a-3x.jpg 3x">
<picture><source srcset="b.webp 1x, b-2x.webp 2x" type="image/webp"><img src="b.jpg"></picture>
<video poster="v.jpg" src="v.mp4"><source src="v.webm"><track src="v.vtt"></video>
<audio src="a.mp3"></audio><a href="next.html#part2">next</a><a href="mailto:x@y">mail</a>
<a href="javascript:void(0)">js</a><img src="data:image/png;base64,AAAA"><iframe src="/embed"></iframe>
<area href="map.html"></body></html>"""


def test_html_requisites_and_outlinks():
    links = html_links(PAGE, "https://news.example/world/story")
    base = "https://news.example/world/"
    assert set(links.requisites) == {
        "https://news.example/s.css", base + "fav.ico", base + "font.woff2", base + "app.js",
        base + "print.css", base + "hero.jpg", base + "bg.png", base + "a.jpg", base + "a-2x.jpg",
        base + "a-3x.jpg", base + "b.webp", base + "b-2x.webp", base + "b.jpg", base + "v.jpg",
        base + "v.mp4", base + "v.webm", base + "v.vtt", base + "a.mp3"}
    assert set(links.outlinks) == {base + "story", base + "next.html", "https://news.example/embed",
                                   base + "map.html"}
    assert links.requisites[base + "a-2x.jpg"] == "img/@srcset"
    assert links.requisites[base + "bg.png"] == "@style"


def test_css_url_and_import():
    css = b"""@import "a.css"; @import url(b.css); @import 'c.css' screen;
    .x { background: url( "d.png" ) } .y { src: url(e.woff2) format("woff2"), url('f.woff') }
    .z { background: url(data:image/gif;base64,R0lGOD) }"""
    links = css_links(css, "http://h.example/css/main.css")
    assert set(links.requisites) == {f"http://h.example/css/{n}" for n in
                                     ("a.css", "b.css", "c.css", "d.png", "e.woff2", "f.woff")}
    assert not links.outlinks


@pytest.mark.parametrize("raw,expected", [
    ("HTTP://News.Example:80/a b?q=1#frag", "http://news.example/a%20b?q=1"),
    ("https://news.example:443", "https://news.example/"),
    ("https://news.example:8443/x", "https://news.example:8443/x"),
    ("https://bücher.example/ü", "https://xn--bcher-kva.example/%C3%BC"),
    ("ftp://news.example/", None), ("/relative", None), ("http://", None),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_seed_file_comments_blank_lines_and_errors(tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# comment\n\n  https://a.example/  \nhttps://b.example/x\n")
    assert read_seed_file(seeds) == ["https://a.example/", "https://b.example/x"]
    seeds.write_text("https://a.example/\nhttps://b.example/ with space\n")
    with pytest.raises(ArchiverError, match=r"seeds.txt:2: not an absolute"):
        read_seed_file(seeds)
    with pytest.raises(ArchiverError, match="cannot read seed file"):
        read_seed_file(tmp_path / "missing.txt")


def test_tls_failure_is_logged_with_its_reason(tmp_path):
    with serve() as (base, _):  # a plain-HTTP server cannot complete a TLS handshake
        url = base.replace("http://", "https://") + "/"
        result = capture([url], tmp_path, CaptureOptions(delay=0, retries=0, ignore_robots=True))
    assert result.failed_seeds == [url] and result.failures[0][1].startswith("tls:")


def test_dns_failure_is_logged_with_its_reason(tmp_path, monkeypatch):
    def no_such_host(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    result = capture(["http://no-such-host.invalid/"], tmp_path,
                     CaptureOptions(delay=0, retries=0, ignore_robots=True))
    assert result.failures == [("http://no-such-host.invalid/",
                                "dns: cannot resolve no-such-host.invalid: Name or service not known")]


def test_css_comments_hold_no_links():
    from archiver.capture.links import css_links

    css = b"/* background set with url(...) below */ body { background: url(/img/a.png) }"
    links = css_links(css, "http://127.0.0.1:8000/style.css")
    assert list(links.requisites) == ["http://127.0.0.1:8000/img/a.png"]


def test_cached_link_resolution_is_per_page_and_per_origin():
    """The same link text on different pages resolves by each page: relative links by the page's
    path, root-relative ones by its origin, whatever an earlier page left in the cache."""
    page = b'<a href="x.html"> <a href="/y.html"> <a href=" https://other.example/z "> <a href="#top">'
    for _ in range(2):  # the second round is served from the cache
        a = html_links(page, "https://news.example/world/story")
        b = html_links(page, "https://news.example/sport/match")
        c = html_links(page, "http://mirror.example:8080/world/story")
        assert list(a.outlinks) == ["https://news.example/world/x.html", "https://news.example/y.html",
                                    "https://other.example/z"]
        assert list(b.outlinks)[0] == "https://news.example/sport/x.html"
        assert list(c.outlinks)[:2] == ["http://mirror.example:8080/world/x.html",
                                        "http://mirror.example:8080/y.html"]


def test_a_url_keeps_the_context_it_was_first_found_by():
    page = (b'<a href="/story">s</a><area href="/story"><area href="/map">'
            b'<img src="/p.jpg"><img srcset="/p.jpg 1x, /p2.jpg 2x">')
    links = html_links(page, "https://news.example/")
    assert list(links.outlinks.items()) == [("https://news.example/story", "a/@href"),
                                            ("https://news.example/map", "area/@href")]
    assert list(links.requisites.items()) == [("https://news.example/p.jpg", "img/@src"),
                                              ("https://news.example/p2.jpg", "img/@srcset")]


def test_the_link_cache_stays_bounded_even_within_one_page(monkeypatch):
    from archiver.capture import links as module

    monkeypatch.setattr(module, "_CACHED_MAX", 1000)
    monkeypatch.setattr(module, "_cached", 0)
    monkeypatch.setattr(module, "_BY_ORIGIN", {})
    monkeypatch.setattr(module, "_RESOLVED", {})
    for host in ("a", "b", "c"):
        page = "".join(f'<a href="/{i}"><a href="rel/{i}">' for i in range(3000)).encode()
        links = html_links(page, f"https://{host}.example/dir/page")
        assert len(links.outlinks) == 6000 and list(links.outlinks)[:2] == [
            f"https://{host}.example/0", f"https://{host}.example/dir/rel/0"]
        held = sum(map(len, module._BY_ORIGIN.values())) + len(module._RESOLVED)
        assert held <= 1000


def test_domain_scope_follows_the_registered_domain_by_the_public_suffix_list():
    from archiver.capture.scope import Scope

    scope = Scope(["https://news.example.co.uk/", "http://127.0.0.1:8080/"], "domain")
    assert scope.in_scope("https://sport.example.co.uk/match.html")  # same registered domain
    assert scope.in_scope("http://example.co.uk/")
    assert not scope.in_scope("https://other.co.uk/")  # co.uk is a public suffix, not a domain
    assert scope.in_scope("http://127.0.0.1:9999/x")  # an address is its own domain
    assert not scope.in_scope("http://127.0.0.2/")
