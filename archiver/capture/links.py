"""Find a page's requisites (what it needs to render) and outlinks (where it leads).

HTML: img src/srcset, picture/source srcset, link rel=stylesheet/icon/preload, script src,
video/audio poster and sources, inline <style> and style="" attributes; outlinks from a/area href
and iframe src. CSS: url(...) and @import, so stylesheets are followed recursively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from archiver.capture.urls import join, normalize

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
        if not raw or raw.startswith(("data:", "javascript:", "mailto:", "tel:", "#", "about:")):
            return
        url = normalize(join(base, raw))
        if url is None:
            return
        target = self.requisites if kind == "E" else self.outlinks
        target.setdefault(url, context)


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
    for el in doc.iter(*_TAGS):  # only the elements that can carry links, walked in C
        tag = el.tag
        if tag == "img":
            links.add("E", base, el.get("src"), "img/@src")
            for u in _srcset(el.get("srcset")):
                links.add("E", base, u, "img/@srcset")
        elif tag == "source":
            links.add("E", base, el.get("src"), "source/@src")
            for u in _srcset(el.get("srcset")):
                links.add("E", base, u, "source/@srcset")
        elif tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            if rels & REQUISITE_RELS:
                links.add("E", base, el.get("href"), "link/@href")
            elif rels & {"alternate", "canonical", "next", "prev", "amphtml"}:
                links.add("L", base, el.get("href"), "link/@href")
        elif tag == "script":
            links.add("E", base, el.get("src"), "script/@src")
        elif tag in ("video", "audio"):
            links.add("E", base, el.get("poster"), f"{tag}/@poster")
            links.add("E", base, el.get("src"), f"{tag}/@src")
        elif tag == "track":
            links.add("E", base, el.get("src"), "track/@src")
        elif tag in ("a", "area"):
            links.add("L", base, el.get("href"), f"{tag}/@href")
        elif tag in ("iframe", "frame"):
            links.add("L", base, el.get("src"), f"{tag}/@src")
        elif tag == "style" and el.text:
            css_links(el.text.encode("utf-8"), base, links, "style")
    for el in _STYLED(doc):
        style = el.get("style")
        if "url(" in style:
            css_links(style.encode("utf-8"), base, links, "@style")
    return links
