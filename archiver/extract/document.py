"""Build one article document from one HTML page.

`extract_html` is what `archiver extract --html` and the collection extractor both call; it never
raises on bad content (malformed, empty, binary, broken JSON-LD): it records what it could, and the
schema check decides whether the result may be written.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from archiver import __version__
from archiver.extract.attribution import find_attributions
from archiver.extract.body import extract_paragraphs, fingerprint, word_count
from archiver.extract.charset import decode_html
from archiver.extract.dateline import find_dateline
from archiver.extract.dates import (
    date_in_text,
    first_valid,
    htmldate_fallback,
    later_or_same,
    parse_date,
    visible_date,
)
from archiver.extract.images import CaptureLookup, article_container, extract_images
from archiver.extract.reconcile import bcp47, choose_authors, choose_headline, clean, first, keywords_from
from archiver.extract.sources import PageSources, collect_sources, parse_tree
from archiver.urlsafe import join, split

SCHEMA_ID = "urn:archiver:schema:article:1.0.0"

# Without structured data saying "this is an article", a page needs this much body text
# (and an <article> element or a dateline) to count as one.
MIN_ARTICLE_WORDS = 50


def article_id(identifying_url: str) -> str:
    """'art-' + 16 hex digits of the SHA-256 of the URL: stable across captures of the same article."""
    return "art-" + hashlib.sha256(identifying_url.encode("utf-8")).hexdigest()[:16]


def identifying_url(canonical: str | None, final_url: str) -> str:
    """The URL an article is known by: its canonical URL, unless that is implausible for one article
    (another site, or a site's home page, a common misconfiguration), then the final URL."""
    if canonical:
        c, f = split(canonical), split(final_url)
        if c and f and c.hostname == f.hostname and c.path.strip("/") and c.path != "/index.html":
            return canonical
    return final_url


def _header(headers: dict | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _ld_url(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    return clean(value)


def _same_page(a: str, b: str) -> bool:
    sa, sb = split(a), split(b)
    if sa is None or sb is None:
        return a == b
    return (sa.hostname, sa.path.rstrip("/"), sa.query) == (sb.hostname, sb.path.rstrip("/"), sb.query)


# path segments of links to a person, a section or a tag, not to another story (a byline's
# '<a href="/author/maria-de-souza/">Maria de Souza</a>', 'Posted in <a href="/category/...">')
_NOT_STORY_SEGMENTS = {"author", "authors", "category", "categories", "tag", "tags", "topic", "topics",
                       "section", "sections", "profile", "profiles", "people", "staff", "contributor",
                       "contributors", "writer", "writers", "journalist", "journalists"}


def _story_link(a, url: str) -> tuple[str, str] | None:
    """(absolute URL, text) of a link that may lead to another story, else None."""
    href = a.get("href").strip()
    if href.startswith("#") or (a.get("rel") or "").lower() in ("author", "tag", "category"):
        return None
    link = join(url, href)
    if link is None:  # a malformed link ('http://[...') leads nowhere
        return None
    segments = split(link).path.lower().split("/")
    if _NOT_STORY_SEGMENTS.intersection(segments):
        return None
    return link, clean(a.text_content()) or ""


def _in_teaser(time_el, url: str) -> bool:
    """True for a <time> in a list item that links to another story (a link of three words or more)
    and not to this page: the date of another story ('More from this blog'), not of the page."""
    item = next(time_el.iterancestors("li"), None)
    if item is None:
        return False
    links = [found for a in item.xpath(".//a[@href]") if (found := _story_link(a, url))]
    if any(_same_page(link, url) for link, _ in links):
        return False
    return any(len(text.split()) >= 3 for _, text in links)


def _time_value(time_el) -> str | None:
    """A <time>'s datetime, unless the date it shows the reader is more than a day away from it
    ('<time datetime="(last edit)">Published 29 June 2019</time>'): then the day it shows."""
    value = time_el.get("datetime")
    parsed = parse_date(value)
    shown = date_in_text(" ".join(time_el.text_content().split()))
    if parsed is not None and shown is not None:
        day = parsed.date() if isinstance(parsed, datetime) else parsed
        if abs((day - shown).days) > 1:
            return shown.isoformat()
    return value


def _dates(src: PageSources, bound: datetime, url: str) -> tuple[Any, Any]:
    ld, md = src.article_jsonld or {}, src.article_microdata or {}
    tree = src.tree
    times = [t for t in tree.xpath("//article//time[@datetime]") or tree.xpath("//time[@datetime]")
             if not _in_teaser(t, url)]
    pub_el = next((t for t in times if t.get("itemprop") != "dateModified"), None)
    pub_time = _time_value(pub_el) if pub_el is not None else None
    published = first_valid([
        (clean(ld.get("datePublished")) or clean(ld.get("dateCreated")), "json-ld"),
        (clean(md.get("datePublished")) or clean(md.get("dateCreated")), "microdata"),
        (src.og("article:published_time") or src.og("og:published_time"), "opengraph"),
        (src.meta_first("article:published_time", "pubdate", "publishdate", "publish-date", "date",
                        "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created", "dcterms.issued",
                        "sailthru.date", "parsely-pub-date", "publication_date", "datepublished",
                        "citation_date"), "meta"),
        (pub_time, "html"),
    ], bound) or visible_date(article_container(tree), bound) or htmldate_fallback(tree, bound, url)
    mod_time = next((t.get("datetime") for t in times if t.get("itemprop") == "dateModified"), None)
    modified = first_valid([
        (clean(ld.get("dateModified")), "json-ld"),
        (clean(md.get("dateModified")), "microdata"),
        (src.og("article:modified_time") or src.og("og:updated_time"), "opengraph"),
        (src.meta_first("article:modified_time", "last-modified", "dc.date.modified", "dcterms.modified",
                        "datemodified"), "meta"),
        (mod_time, "html"),
    ], bound)
    if modified and published and not later_or_same(modified, published):
        modified = None  # contradicts the publication date: not trusted
    return published, modified


def analyse_html(html: bytes, url: str, *, final_url: str | None = None, headers: dict | None = None,
                 capture_time: datetime | None = None, http_status: int | None = None,
                 warc: dict | None = None, image_lookup: CaptureLookup | None = None) -> tuple[dict, bool]:
    """(article document, whether the page looks like an article)."""
    base = final_url or url
    content_type = _header(headers, "Content-Type")
    decoded = decode_html(html or b"", content_type)
    tree = parse_tree(decoded.text)
    src = collect_sources(tree, base)
    ld, md = src.article_jsonld or {}, src.article_microdata or {}
    sources: dict[str, str] = {}

    def put(field: str, value: Any, source: str | None) -> Any:
        if value not in (None, [], "") and source:
            sources[field] = source
        return value

    publisher = put("publisher", *first(
        (ld.get("publisher"), "json-ld"),
        ((md.get("publisher") or {}).get("properties", {}) if isinstance(md.get("publisher"), dict)
         else md.get("publisher"), "microdata"),
        (src.og("og:site_name"), "opengraph"),
        (src.meta_first("application-name", "publisher", "dc.publisher"), "meta")))
    headline, h_src, alternative, a_src = choose_headline(src, publisher)
    put("headline", headline, h_src)
    put("alternative_headline", alternative, a_src)
    description = put("description", *first(
        (ld.get("description"), "json-ld"), (md.get("description"), "microdata"),
        (src.og("og:description"), "opengraph"),
        (src.meta_first("description", "twitter:description", "dc.description"), "meta")))
    section = put("section", *first(
        (ld.get("articleSection"), "json-ld"), (md.get("articleSection"), "microdata"),
        (src.og("article:section"), "opengraph"), (src.meta_first("section", "article:section"), "meta")))
    keywords, k_src = [], None
    for value, source in ((ld.get("keywords"), "json-ld"), (md.get("keywords"), "microdata"),
                          (src.opengraph.get("article:tag"), "opengraph"),
                          (",".join(src.meta.get("keywords", []) + src.meta.get("news_keywords", [])),
                           "meta")):
        keywords = keywords_from(value)
        if keywords:
            k_src = source
            break
    put("keywords", keywords, k_src)
    lang_value, lang_source = None, None
    for value, source in ((clean(ld.get("inLanguage")), "json-ld"), (tree.get("lang"), "html"),
                          (src.og("og:locale"), "opengraph"),
                          (src.meta_first("language", "content-language", "http-equiv:content-language",
                                          "dc.language"), "meta"),
                          (_header(headers, "Content-Language"), "http-header")):
        lang_value = bcp47(value)
        if lang_value:
            lang_source = source
            break
    language = put("language", lang_value, lang_source)
    licence_links = tree.xpath('//link[@rel="license"]/@href | //a[@rel="license"]/@href')
    license_ = put("license", *first(
        (_ld_url(ld.get("license")), "json-ld"), (md.get("license"), "microdata"),
        (join(base, licence_links[0]) if licence_links else None, "html"),
        (src.meta_first("license", "dc.rights", "dcterms.license", "dcterms.rights"), "meta")))
    canon_links = tree.xpath('//link[@rel="canonical"]/@href')
    canonical, c_src = first(
        (canon_links[0] if canon_links else None, "html"), (src.og("og:url"), "opengraph"),
        (_ld_url(ld.get("mainEntityOfPage")) or _ld_url(ld.get("url")), "json-ld"))
    canonical = join(base, canonical) if canonical else None
    if canonical and not canonical.startswith(("http://", "https://")):
        canonical = None
    put("canonical_url", canonical, c_src)
    authors, au_src = choose_authors(src, base, publisher)
    put("authors", authors, au_src)

    paragraphs, b_src = extract_paragraphs(tree, headline)
    put("body", paragraphs, b_src)
    dateline = find_dateline(paragraphs[0]) if paragraphs else None
    put("dateline", dateline, "dateline")
    credited = put("credited_sources", find_attributions(paragraphs, dateline.agency if dateline else None),
                   "text-heuristic")
    bound = capture_time or datetime.now(UTC)
    published, modified = _dates(src, bound, base)
    put("date_published", published, published.source if published else None)
    put("date_modified", modified, modified.source if modified else None)
    images, i_src = extract_images(src, base, image_lookup)
    put("images", images, i_src)

    words_n = word_count(paragraphs)
    structured_article = bool(src.article_jsonld or src.article_microdata
                              or (src.og("og:type") or "").lower() == "article"
                              or src.og("article:published_time"))
    looks_like = bool(tree.xpath("//article")) or dateline is not None
    # Structured data saying "article" is believed even when other fields are missing (the schema
    # check then reports what is missing); otherwise the page must look like one.
    is_article = structured_article or (bool(headline) and looks_like and words_n >= MIN_ARTICLE_WORDS)

    document = {
        "$schema": SCHEMA_ID,
        "article_id": article_id(identifying_url(canonical, base)),
        "url": url,
        "final_url": base,
        "canonical_url": canonical,
        "headline": headline or "",
        "alternative_headline": alternative,
        "description": description,
        "section": section,
        "keywords": keywords,
        "language": language,
        "license": license_,
        "authors": authors,
        "publisher": publisher,
        "dateline": dateline.as_dict() if dateline else None,
        "credited_sources": credited,
        "date_published": published.rfc3339() if published else None,
        "date_modified": modified.rfc3339() if modified else None,
        "images": images,
        "body": {"paragraphs": paragraphs, "word_count": words_n, "fingerprint": fingerprint(paragraphs)},
        "provenance": {
            "capture_time": capture_time.astimezone(UTC).isoformat(timespec="seconds").replace(
                "+00:00", "Z") if capture_time else None,
            "http_status": http_status,
            "media_type": content_type.split(";")[0].strip().lower() if content_type else None,
            "charset": decoded.charset,
            "charset_source": decoded.source,
            "warc": warc,
            "tool": {"name": "archiver", "version": __version__},
            "field_sources": dict(sorted(sources.items())),
        },
    }
    return document, is_article


def extract_html(html: bytes, url: str, *, headers: dict | None = None,
                 capture_time: datetime | None = None) -> dict:
    """The article document for one HTML page (not validated; see archiver.schemas.validate_document)."""
    document, _ = analyse_html(html, url, headers=headers, capture_time=capture_time)
    return document
