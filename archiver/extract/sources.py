"""Metadata embedded in a page: schema.org JSON-LD and microdata, OpenGraph, <meta> tags, <head> links.

extruct does the parsing of each syntax. We call its extractors one script / one syntax at a time,
so that one broken JSON-LD block (common in the wild) loses only that block, not the page's
OpenGraph or microdata.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from extruct.jsonld import JsonLdExtractor
from extruct.opengraph import OpenGraphExtractor
from extruct.w3cmicrodata import MicrodataExtractor
from lxml import html as lxml_html

log = logging.getLogger(__name__)

# schema.org types that describe an article (CreativeWork > Article and its news-like subtypes).
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
    "scholarlyarticle", "techarticle", "report", "posting",
})


def _types(item: dict[str, Any]) -> set[str]:
    raw = item.get("@type") or item.get("type") or []
    if isinstance(raw, str):
        raw = [raw]
    out = set()
    for t in raw:
        if isinstance(t, str):
            out.add(t.rsplit("/", 1)[-1].lower())
    return out


def is_article_item(item: dict[str, Any]) -> bool:
    return bool(_types(item) & ARTICLE_TYPES)


@dataclass
class PageSources:
    """Everything the page states about itself, grouped by the syntax that stated it."""

    tree: Any
    jsonld: list[dict[str, Any]] = field(default_factory=list)       # article-typed items first
    microdata: list[dict[str, Any]] = field(default_factory=list)    # article-typed items (properties)
    opengraph: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    meta: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    jsonld_errors: int = 0

    def og(self, prop: str) -> str | None:
        values = self.opengraph.get(prop)
        return values[0].strip() if values and values[0].strip() else None

    def meta_first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, []):
                if value.strip():
                    return value.strip()
        return None

    @property
    def article_jsonld(self) -> dict[str, Any] | None:
        return next((i for i in self.jsonld if is_article_item(i)), None)

    @property
    def article_microdata(self) -> dict[str, Any] | None:
        return self.microdata[0] if self.microdata else None


def _flatten_jsonld(data: Any) -> list[dict[str, Any]]:
    """Top-level items and the members of any @graph."""
    out: list[dict[str, Any]] = []
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        if isinstance(graph, list):
            out.extend(g for g in graph if isinstance(g, dict))
        else:
            out.append(item)
    return out


def parse_tree(text: str):
    """An lxml tree for *text*, tolerant of anything (empty text gives an empty document)."""
    cleaned = text.replace("\x00", "")
    if cleaned.lstrip().startswith("<?xml"):
        cleaned = cleaned.split("?>", 1)[-1]
    if not cleaned.strip():
        cleaned = "<html><head></head><body></body></html>"
    try:
        return lxml_html.document_fromstring(cleaned)
    except (ValueError, lxml_html.etree.ParserError):
        return lxml_html.document_fromstring("<html><head></head><body></body></html>")


def collect_sources(tree, base_url: str) -> PageSources:
    """Read all embedded metadata from an lxml tree."""
    src = PageSources(tree=tree)
    extractor = JsonLdExtractor()
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            items = extractor.extract_items(script)
        except Exception as exc:  # invalid JSON in one block: skip only that block
            log.debug("invalid JSON-LD block skipped: %s", exc)
            src.jsonld_errors += 1
            continue
        src.jsonld.extend(_flatten_jsonld(items))
    src.jsonld.sort(key=lambda i: not is_article_item(i))
    try:
        micro = MicrodataExtractor().extract_items(tree, base_url)
    except Exception as exc:
        log.debug("microdata skipped: %s", exc)
        micro = []
    src.microdata = [m.get("properties", {}) for m in micro if isinstance(m, dict) and is_article_item(m)]
    try:
        for og in OpenGraphExtractor().extract_items(tree, base_url):
            for prop, value in og.get("properties", []):
                src.opengraph[prop.lower()].append(value)
    except Exception as exc:
        log.debug("OpenGraph skipped: %s", exc)
    for el in tree.xpath("//meta[@name and @content]"):
        src.meta[el.get("name").strip().lower()].append(el.get("content"))
    for el in tree.xpath("//meta[@http-equiv and @content]"):
        src.meta["http-equiv:" + el.get("http-equiv").strip().lower()].append(el.get("content"))
    # Some sites put og:/article: in name= rather than property=; treat them as OpenGraph too.
    for name, values in list(src.meta.items()):
        if name.startswith(("og:", "article:")) and name not in src.opengraph:
            src.opengraph[name].extend(values)
    return src
