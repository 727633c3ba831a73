"""Article documents (schemas/article.schema.json) -> articles-catalogue rows.

Lists stay lists (authors, images, keywords, credited sources) so that a researcher can unnest
them in SQL; the page's WARC locator is flattened into the same columns the records catalogue
uses, so an article row joins to its record row on (warc_filename, warc_record_offset).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from archiver.catalogue.records import parse_warc_date
from archiver.catalogue.surt import surt_key
from archiver.domains import registered_domain


def _published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:  # a full-date: midnight UTC of that day
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _int16(value: Any) -> int | None:
    return value if isinstance(value, int) and -32768 <= value <= 32767 else None


def article_row(doc: dict[str, Any], collection: str) -> dict[str, Any]:
    """One catalogue row for one article document."""
    from urllib.parse import urlsplit

    prov = doc.get("provenance") or {}
    warc = prov.get("warc") or {}
    body = doc.get("body") or {}
    final_url = doc.get("final_url") or doc.get("url") or ""
    try:
        host = urlsplit(final_url).hostname
    except ValueError:
        host = None
    published = _published(doc.get("date_published"))
    # The published day is the one the page states, not the UTC day of the instant.
    published_day = (doc.get("date_published") or "")[:10] or None
    images = []
    for image in doc.get("images") or []:
        where = image.get("capture") or {}
        images.append({
            "url": image.get("url"), "caption": image.get("caption"), "credit": image.get("credit"),
            "alt": image.get("alt"), "captured": image.get("captured"),
            "warc_filename": where.get("file"), "warc_record_offset": where.get("offset"),
            "warc_record_id": where.get("record_id"),
        })
    return {
        "url_surtkey": surt_key(doc.get("url") or final_url),
        "article_id": doc.get("article_id"),
        "url": doc.get("url"),
        "final_url": doc.get("final_url"),
        "canonical_url": doc.get("canonical_url"),
        "url_host_registered_domain": registered_domain(host),
        "headline": doc.get("headline"),
        "alternative_headline": doc.get("alternative_headline"),
        "description": doc.get("description"),
        "section": doc.get("section"),
        "keywords": list(doc.get("keywords") or []),
        "language": doc.get("language"),
        "license": doc.get("license"),
        "authors": [{"name": a.get("name"), "url": a.get("url")} for a in doc.get("authors") or []],
        "publisher": doc.get("publisher"),
        "dateline": doc.get("dateline"),
        "credited_sources": [{"name": c.get("name"), "phrase": c.get("phrase")}
                             for c in doc.get("credited_sources") or []],
        "date_published": doc.get("date_published"),
        "date_modified": doc.get("date_modified"),
        "published_time": published,
        "published_year": int(published_day[:4]) if published_day and published_day[:4].isdigit() else None,
        "published_month": published_day[:7] if published_day and len(published_day) >= 7 else None,
        "images": images,
        "body_text": "\n\n".join(body.get("paragraphs") or []),
        "word_count": body.get("word_count"),
        "content_fingerprint": body.get("fingerprint"),
        "fetch_time": parse_warc_date(prov.get("capture_time")),
        "fetch_status": _int16(prov.get("http_status")),
        "content_mime_type": prov.get("media_type"),
        "content_charset": prov.get("charset"),
        "warc_filename": warc.get("file"),
        "warc_record_offset": warc.get("offset"),
        "warc_record_length": warc.get("length"),
        "warc_record_id": warc.get("record_id"),
        "content_digest": warc.get("payload_digest"),
        "field_sources": sorted((prov.get("field_sources") or {}).items()),
        "tool_version": (prov.get("tool") or {}).get("version"),
        "collection": collection,
    }
