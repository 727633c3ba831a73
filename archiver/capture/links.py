"""Find a page's requisites (what it needs to render) and outlinks (where it leads).

HTML: img src/srcset, picture/source srcset, link rel=stylesheet/icon/preload, script src,
video/audio poster and sources, inline <style> and style="" attributes; outlinks from a/area href
and iframe src. CSS: url(...) and @import, so stylesheets are followed recursively.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat

from lxml import etree

from archiver.capture.urls import ORIGIN, resolve
from archiver.charsets import declared_charset, decodes

CSS_COMMENT = re.compile(rb"/\*.*?\*/", re.S)
CSS_URL = re.compile(rb"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(rb"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_STYLES_WITH_URLS = etree.XPath("//@style[contains(., 'url(')]", smart_strings=False)
REQUISITE_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
                  "manifest", "mask-icon"}


@dataclass
class Links:
    """Discovered URLs with how they were found (Heritrix-style hop context, e.g. `img/@src`)."""

    requisites: dict[str, str] = field(default_factory=dict)
    outlinks: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, base: str, raw: str | None, context: str) -> None:
        if raw:
            self.add_all(kind, base, (raw,), context)

    def add_all(self, kind: str, base: str, raws: Iterable[str], context: str) -> None:
        """Add each of *raws* (link values as written on a page at *base*) found by *context*.

        A news site repeats the same navigation links on every page, so resolved links are
        cached. An absolute or root-relative link resolves the same on every page of an origin:
        those are looked up for a whole page at once, in one dict per origin, with no Python step
        per link. Other relative links depend on the page and take the per-link path."""
        target = self.requisites if kind == "E" else self.outlinks
        origin = _origin(base) or base
        known = _BY_ORIGIN.get(origin)
        if known is None:
            known = _BY_ORIGIN[origin] = {}
        raws = raws if isinstance(raws, list) else list(raws)
        urls = list(map(known.get, raws, repeat(_MISSING)))
        if _MISSING in urls or _RELATIVE in urls:
            for i, url in enumerate(urls):
                if url is _MISSING or url is _RELATIVE:
                    urls[i] = _resolve(known, origin, base, raws[i])
        fresh = dict.fromkeys(urls, context)
        fresh.pop(None, None)
        if target:
            for url in target.keys() & fresh.keys():
                del fresh[url]  # the first context a URL was found by is the one it keeps
        target.update(fresh)


_NOT_LINKS = ("data:", "javascript:", "mailto:", "tel:", "#", "about:")
_BY_ORIGIN: dict[str, dict[str, object]] = {}  # origin -> {link as written: normal URL, None or _RELATIVE}
_RESOLVED: dict[tuple[str, str], str | None] = {}  # (page URL, relative link) -> normal URL
_CACHED_MAX = 1 << 17  # entries in both caches together (~30 MB); past that they start again empty
_cached = 0  # entries added since the caches were last emptied (approximate across threads)
_MISSING = object()
_RELATIVE = object()  # in an origin's cache: a link that resolves against its page, not the origin


def _resolve(known: dict, origin: str, base: str, raw: str) -> str | None:
    """The normal URL of one link *raw* (None: not a link), remembering in *known* (the origin's
    cache, keyed by the link as written) what only depends on the origin."""
    global _cached
    if _cached >= _CACHED_MAX:  # bounded memory, checked per entry: a page may hold 100k links
        _BY_ORIGIN.clear()
        _RESOLVED.clear()
        known.clear()
        _BY_ORIGIN[origin] = known
        _cached = 0
    _cached += 1
    link = raw.strip()
    if not link or link.startswith(_NOT_LINKS):
        known[raw] = None
        return None
    if link.startswith(("http://", "https://")) or (link[0] == "/" and link[1:2] != "/"):
        url = known[raw] = resolve(base, link)
        return url
    known[raw] = _RELATIVE
    key = (base, link)
    url = _RESOLVED.get(key, _MISSING)
    if url is _MISSING:
        _cached += 1
        url = _RESOLVED[key] = resolve(base, link)
    return url


@functools.lru_cache(maxsize=1024)
def _origin(base: str) -> str | None:
    """scheme://authority of *base* (cached: every link on a page asks for the same one)."""
    match = ORIGIN.match(base)
    return match.group(0) if match else None


_SPACE = " \t\n\r\f"


def _srcset(value: str | None) -> list[str]:
    """The URLs of a srcset, as HTML's "parse a srcset attribute" finds them: a URL runs to the
    next space (so `/w_400,h_300/a.jpg 400w`, a resizing CDN's URL, keeps its commas) and loses
    trailing commas; its descriptors run to a comma outside parentheses."""
    if not value:
        return []
    urls, pos, end = [], 0, len(value)
    while pos < end:
        while pos < end and (value[pos] in _SPACE or value[pos] == ","):
            pos += 1
        start = pos
        while pos < end and value[pos] not in _SPACE:
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while pos < end and not (value[pos] == "," and depth == 0):
                depth += (value[pos] == "(") - (value[pos] == ")" and depth > 0)
                pos += 1
        if url:
            urls.append(url)
    return urls


def css_links(css: bytes, base: str, links: Links | None = None, context: str = "css/url") -> Links:
    """url(...) and @import targets in a stylesheet (all are requisites)."""
    links = links or Links()
    css = CSS_COMMENT.sub(b" ", css)  # CSS 2.1 §4.1.9: comments are not tokens; a url() in one is no link
    for match in CSS_IMPORT.finditer(css):
        links.add("E", base, (match.group(1) or match.group(2)).decode("utf-8", "replace"), "css/@import")
    for match in CSS_URL.finditer(css):
        raw = next(g for g in match.groups() if g is not None)
        links.add("E", base, raw.decode("utf-8", "replace"), context)
    return links


# The attributes that hold most of a page's links, read by XPath in C as plain strings: no element
# object is made for them (on a news page, hundreds of <a href> are most of the cost of parsing).
_A_HREFS = etree.XPath("//a/@href", smart_strings=False)
_AREA_HREFS = etree.XPath("//area/@href", smart_strings=False)
_IMG_SRCS = etree.XPath("//img/@src", smart_strings=False)
_BASE_HREF = etree.XPath("(//base[@href])[1]/@href", smart_strings=False)
# Elements whose links need a look at more than one attribute (srcset, rel, inline CSS), rare per page.
_OTHER_TAGS = ("img", "source", "link", "script", "video", "audio", "track", "iframe", "frame", "style")
_OUTLINK_RELS = {"alternate", "canonical", "next", "prev", "amphtml"}
_parsers = threading.local()


def _as_utf8(html: bytes, content_type: str | None) -> bytes:
    """*html* in UTF-8, decoded as it declares (archiver.charsets: a BOM, the Content-Type's
    charset, a <meta>, as extraction reads it), else as UTF-8 if it is, else windows-1252. lxml
    left to itself reads a page declared UTF-8 only by its server as Latin-1 (`/café` became
    `/caf%C3%83%C2%A9`, a 404), and stops at the first byte its encoding cannot decode."""
    declared = declared_charset(html, content_type)
    if declared is None:
        return html if decodes(html, "utf-8") else html.decode("windows-1252", "replace").encode("utf-8")
    charset, source, bom = declared
    if charset == "utf-8" and source != "bom":
        return html  # most pages: declared_charset has decoded them once already, not copied
    return html[bom:].decode(charset, "replace").encode("utf-8")


def _parse_html(html: bytes, content_type: str | None = None):
    """The document's root element, or None. One parser per thread: lxml then parses without
    holding the GIL (a shared parser would serialise the workers). huge_tree lifts libxml2's
    limits, which otherwise end a page's links silently after 256 nested elements (unclosed
    <div>s) or a 10 MB text node (an inline data: image); what is parsed is already bounded
    (CaptureOptions.max_parse_bytes, 20 MB)."""
    parser = getattr(_parsers, "html", None)
    if parser is None:
        parser = _parsers.html = etree.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        return etree.fromstring(_as_utf8(html, content_type), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def html_links(html: bytes, base: str, content_type: str | None = None) -> Links:
    """Requisites and outlinks of an HTML document fetched from *base* (read in the charset its
    *content_type* header names, or its own)."""
    links = Links()
    doc = _parse_html(html, content_type)
    if doc is None:
        return links
    for href in _BASE_HREF(doc):  # HTML: the first <base href> sets the base URL of the document
        # one that is no http(s) URL (`javascript:`, a bad port) leaves the document's own
        # (HTML, "frozen base URL": on failure, the fallback base URL)
        base = resolve(base, href) or base
    links.add_all("L", base, _A_HREFS(doc), "a/@href")
    links.add_all("L", base, _AREA_HREFS(doc), "area/@href")
    links.add_all("E", base, _IMG_SRCS(doc), "img/@src")
    add = links.add
    for el in doc.iter(*_OTHER_TAGS):
        tag = el.tag
        if tag == "img":
            for u in _srcset(el.get("srcset")):
                add("E", base, u, "img/@srcset")
        elif tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            if rels & REQUISITE_RELS:
                add("E", base, el.get("href"), "link/@href")
            elif rels & _OUTLINK_RELS:
                add("L", base, el.get("href"), "link/@href")
        elif tag == "script":
            add("E", base, el.get("src"), "script/@src")
        elif tag == "source":
            add("E", base, el.get("src"), "source/@src")
            for u in _srcset(el.get("srcset")):
                add("E", base, u, "source/@srcset")
        elif tag in ("video", "audio"):
            add("E", base, el.get("poster"), f"{tag}/@poster")
            add("E", base, el.get("src"), f"{tag}/@src")
        elif tag == "track":
            add("E", base, el.get("src"), "track/@src")
        elif tag in ("iframe", "frame"):
            add("L", base, el.get("src"), f"{tag}/@src")
        elif tag == "style" and el.text:
            css_links(el.text.encode("utf-8"), base, links, "style")
    for style in _STYLES_WITH_URLS(doc):
        css_links(style.encode("utf-8"), base, links, "@style")
    return links
