"""URLs listed by a sitemap (sitemaps.org protocol 0.9): the pages a news site says it has.

News sites publish sitemaps of their articles (Google News sitemaps list the last two days), so a
daily capture can start from one instead of crawling the front page. A sitemap is an XML
`urlset` of `<url><loc>` entries, a `sitemapindex` of `<sitemap><loc>` entries naming further
sitemaps, an RSS 2.0 or Atom feed, or a plain text file of one URL a line; any of them may be
gzipped (`.xml.gz`, sent without a Content-Encoding).
"""

from __future__ import annotations

import zlib
from typing import NamedTuple

from lxml import etree

# sitemaps.org: a sitemap holds at most 50,000 URLs and 50 MB uncompressed
MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


class SitemapEntries(NamedTuple):
    pages: list[str]  # <url><loc> (or the lines of a text sitemap)
    sitemaps: list[str]  # <sitemap><loc> of a sitemap index


def gunzip_if_gzipped(body: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes | None:
    """*body*, or its gzip-decoded content when it is gzip (magic bytes); None past *limit* or
    when the gzip is broken or cut short (its end never came: a shorter list is not the list)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    decoder = zlib.decompressobj(wbits=31)
    try:
        out = decoder.decompress(body, limit + 1)
    except zlib.error:
        return None
    if len(out) > limit or not decoder.eof:
        return None
    return out


_UTF16 = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


def sitemap_entries(body: bytes) -> SitemapEntries | None:
    """The URLs a sitemap lists, as written (the caller resolves and scopes them); None for a
    body that is none of the three forms (or broken gzip, or over 50 MB). Entities are not
    resolved and nothing is fetched: a sitemap is data from the server, not instructions to
    the parser."""
    data = gunzip_if_gzipped(body)
    if data is None:
        return None
    xml = data.startswith(_UTF16) or data.removeprefix(_UTF8_BOM).lstrip()[:1] == b"<"
    if not xml:
        text = data.removeprefix(_UTF8_BOM).decode("utf-8", "replace")
        lines = [line.strip() for line in text.splitlines()]
        pages = [line for line in lines if line[:8].lower().startswith(("http://", "https://"))]
        if not pages and any(lines):
            return None  # text, but no URL in it: not a sitemap
        return SitemapEntries(pages[:MAX_SITEMAP_URLS], [])
    pages: list[str] = []
    sitemaps: list[str] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)  # lxml reads the BOM and the encoding declaration
    except (etree.XMLSyntaxError, ValueError):
        return None
    kind = etree.QName(root).localname if root is not None else None
    if kind in ("rss", "feed"):
        return SitemapEntries(_feed_links(root, kind)[:MAX_SITEMAP_URLS], [])
    if kind not in ("urlset", "sitemapindex"):
        return None
    target = sitemaps if kind == "sitemapindex" else pages
    entry = "sitemap" if kind == "sitemapindex" else "url"
    for element in root.iter("{*}loc"):
        parent = element.getparent()
        if parent is None or etree.QName(parent).localname != entry or not element.text:
            continue
        target.append(element.text.strip())
        if len(target) >= MAX_SITEMAP_URLS:
            break
    return SitemapEntries(pages, sitemaps)


def _feed_links(root, kind: str) -> list[str]:
    """The pages of a news feed, which sitemaps.org also takes as a sitemap: each RSS 2.0
    `<item><link>`, or each Atom `<entry>`'s `<link href>` (rel alternate, the default)."""
    if kind == "rss":
        return [link.text.strip() for link in root.iter("link")
                if link.text and link.getparent() is not None and link.getparent().tag == "item"]
    links = []
    for link in root.iter("{http://www.w3.org/2005/Atom}link"):
        parent = link.getparent()
        if (parent is not None and etree.QName(parent).localname == "entry" and link.get("href")
                and link.get("rel", "alternate") == "alternate"):
            links.append(link.get("href").strip())
    return links
