"""Find a page's requisites (what it needs to render) and outlinks (where it leads).

HTML: img src/srcset, picture/source srcset, link rel=stylesheet/icon/preload, script src,
video/audio poster and sources, inline <style> and style="" attributes; outlinks from a/area href
and iframe src. CSS: url(...) and @import, so stylesheets are followed recursively.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from archiver.capture.urls import ORIGIN, join, normalize

CSS_COMMENT = re.compile(rb"/\*.*?\*/", re.S)
CSS_URL = re.compile(rb"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(rb"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_TAGS = ("img", "source", "link", "script", "video", "audio", "track", "a", "area", "iframe", "frame",
         "style")
_STYLED = etree.XPath("//*[@style]")
REQUISITE_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload",
                  "manifest", "mask-icon"}


@dataclass
class Links:
    """Discovered URLs with how they were found (Heritrix-style hop context, e.g. `img/@src`)."""

    requisites: dict[str, str] = field(default_factory=dict)
    outlinks: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, base: str, raw: str | None, context: str) -> None:
        if not raw:
            return
        raw = raw.strip()
        if not raw or raw.startswith(_NOT_LINKS):
            return
        url = _resolve(base, raw)
        if url is None:
            return
        target = self.requisites if kind == "E" else self.outlinks
        if url not in target:
            target[url] = context


_NOT_LINKS = ("data:", "javascript:", "mailto:", "tel:", "#", "about:")


@functools.lru_cache(maxsize=1 << 15)
def _resolve_cached(base: str, raw: str) -> str | None:
    return normalize(join(base, raw))


def _resolve(base: str, raw: str) -> str | None:
    """The normal form of link *raw* on a page at *base*. A news site repeats the same navigation
    links on every page, so results are cached; an absolute link does not depend on the page and a
    root-relative one only on its origin, which lets their cache entries serve every page."""
    if raw.startswith(("http://", "https://")):
        return _resolve_cached("", raw)
    if raw[0] == "/" and raw[1:2] != "/" and (origin := _origin(base)):
        return _resolve_cached(origin, raw)
    return _resolve_cached(base, raw)


@functools.lru_cache(maxsize=1024)
def _origin(base: str) -> str | None:
    """scheme://authority of *base* (cached: every link on a page asks for the same one)."""
    match = ORIGIN.match(base)
    return match.group(0) if match else None


def _srcset(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


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


def html_links(html: bytes, base: str) -> Links:
    """Requisites and outlinks of an HTML document fetched from *base*."""
    links = Links()
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return links
    for el in doc.iter("base"):
        if el.get("href"):
            base = join(base, el.get("href").strip())
            break
    add = links.add
    for el in doc.iter(*_TAGS):  # only the elements that can carry links, walked in C
        tag = el.tag
        if tag == "a" or tag == "area":  # most links on a news page: tested first
            add("L", base, el.get("href"), f"{tag}/@href")
        elif tag == "img":
            add("E", base, el.get("src"), "img/@src")
            for u in _srcset(el.get("srcset")):
                add("E", base, u, "img/@srcset")
        elif tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            if rels & REQUISITE_RELS:
                add("E", base, el.get("href"), "link/@href")
            elif rels & {"alternate", "canonical", "next", "prev", "amphtml"}:
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
    for el in _STYLED(doc):
        style = el.get("style")
        if "url(" in style:
            css_links(style.encode("utf-8"), base, links, "@style")
    return links
