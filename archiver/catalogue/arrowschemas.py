"""The two catalogues' Arrow schemas: explicit, versioned, and described column by column.

Column names and types follow Common Crawl's columnar index wherever a column exists there,
so queries written for it carry over. Each Parquet file carries its catalogue name, version and
this description in its key-value metadata; `schemas/<name>-catalogue.json` publishes the same
description (a test keeps the two equal).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

RECORDS_VERSION = "1.0.0"
ARTICLES_VERSION = "1.0.0"

_TS = pa.timestamp("ms", tz="UTC")

_RECORD_COLUMNS: list[tuple[str, pa.DataType, str]] = [
    ("url_surtkey", pa.string(), "SURT form of the URL (host reversed, www. and default port dropped)"),
    ("url", pa.string(), "WARC-Target-URI of the record, or the URL of a failed fetch"),
    ("url_host_name", pa.string(), "host name, lower case"),
    ("url_host_registered_domain", pa.string(), "registrable domain by the bundled public-suffix list"),
    ("url_protocol", pa.string(), "URL scheme (http, https, urn, ...)"),
    ("url_port", pa.int32(), "port named in the URL; null when the URL names none"),
    ("url_path", pa.string(), "URL path"),
    ("url_query", pa.string(), "URL query string without '?', or null"),
    ("fetch_time", _TS, "WARC-Date of the record (UTC), or the time of a failed fetch"),
    ("fetch_status", pa.int16(), "HTTP status code of a response or revisit; null otherwise"),
    ("fetch_redirect", pa.string(), "Location header of a redirect response, resolved against the URL"),
    ("fetch_error", pa.string(), "why the fetch failed (rows with warc_type 'failed')"),
    ("content_digest", pa.string(), "WARC-Payload-Digest as written (e.g. sha256:<hex>, sha1:<base32>)"),
    ("content_mime_type", pa.string(), "media type declared by the server (Content-Type without parameters)"),
    ("content_mime_detected", pa.string(), "media type detected from the payload's first bytes"),
    ("content_charset", pa.string(), "charset declared in Content-Type, or in the HTML's meta, lower case"),
    ("content_languages", pa.string(), "languages from Content-Language or <html lang>"),
    ("content_truncated", pa.string(), "WARC-Truncated reason (length, time, ...) or null"),
    ("warc_filename", pa.string(), "WARC file name, relative to the collection's warc/ folder"),
    ("warc_record_offset", pa.int64(), "byte offset of the record (its gzip member in a .warc.gz)"),
    ("warc_record_length", pa.int64(), "length of the record as stored (gzip member or plain record)"),
    ("warc_record_id", pa.string(), "WARC-Record-ID with angle brackets"),
    ("warc_type", pa.string(), "WARC-Type, or 'failed' for a fetch that failed"),
    ("warc_ip_address", pa.string(), "WARC-IP-Address the response came from"),
    ("warc_refers_to", pa.string(), "WARC-Refers-To (a revisit's or metadata record's original)"),
    ("collection", pa.string(), "name of the collection the record belongs to"),
]

_AUTHOR = pa.struct([("name", pa.string()), ("url", pa.string())])
_DATELINE = pa.struct([("text", pa.string()), ("place", pa.string()), ("date_text", pa.string()),
                       ("agency", pa.string())])
_CREDIT = pa.struct([("name", pa.string()), ("phrase", pa.string())])
_IMAGE = pa.struct([("url", pa.string()), ("caption", pa.string()), ("credit", pa.string()),
                    ("alt", pa.string()), ("captured", pa.bool_()), ("warc_filename", pa.string()),
                    ("warc_record_offset", pa.int64()), ("warc_record_id", pa.string())])

_ARTICLE_COLUMNS: list[tuple[str, pa.DataType, str]] = [
    ("url_surtkey", pa.string(), "SURT form of the requested URL; rows sort by it"),
    ("article_id", pa.string(), "stable article id (as in the article document)"),
    ("url", pa.string(), "URL requested"),
    ("final_url", pa.string(), "URL after redirects"),
    ("canonical_url", pa.string(), "canonical URL the page declares"),
    ("url_host_registered_domain", pa.string(), "registrable domain of final_url"),
    ("headline", pa.string(), "headline"),
    ("alternative_headline", pa.string(), "other headline when the page's sources disagree"),
    ("description", pa.string(), "description or summary"),
    ("section", pa.string(), "section of the site"),
    ("keywords", pa.list_(pa.string()), "keywords and tags"),
    ("language", pa.string(), "language, BCP 47"),
    ("license", pa.string(), "licence, where stated"),
    ("authors", pa.list_(_AUTHOR), "authors in the page's order"),
    ("publisher", pa.string(), "publisher or site name"),
    ("dateline", _DATELINE, "dateline: text, place, date as written, agency named in it"),
    ("credited_sources", pa.list_(_CREDIT), "other agencies or outlets the text credits"),
    ("date_published", pa.string(), "publication date-time as in the document (RFC 3339, or a full-date)"),
    ("date_modified", pa.string(), "modification date-time as in the document"),
    ("published_time", _TS, "date_published as a UTC timestamp (midnight UTC for a date-only value)"),
    ("published_year", pa.int16(), "year of publication, for partitioning and grouping"),
    ("published_month", pa.string(), "YYYY-MM of publication, for grouping"),
    ("images", pa.list_(_IMAGE), "images with caption, credit, alt text and where the image was captured"),
    ("body_text", pa.string(), "body text, paragraphs separated by blank lines"),
    ("word_count", pa.int32(), "words in the body text"),
    ("content_fingerprint", pa.string(), "fingerprint of the body text"),
    ("fetch_time", _TS, "capture time of the page (UTC)"),
    ("fetch_status", pa.int16(), "HTTP status of the captured page"),
    ("content_mime_type", pa.string(), "media type of the page"),
    ("content_charset", pa.string(), "charset the page was decoded with"),
    ("warc_filename", pa.string(), "WARC file of the page's response, relative to warc/"),
    ("warc_record_offset", pa.int64(), "offset of the page's response record"),
    ("warc_record_length", pa.int64(), "length of the page's response record as stored"),
    ("warc_record_id", pa.string(), "WARC-Record-ID of the page's response record"),
    ("content_digest", pa.string(), "payload digest of the page's response record"),
    ("field_sources", pa.map_(pa.string(), pa.string()), "which source gave each extracted field"),
    ("tool_version", pa.string(), "archiver version that wrote the article document"),
    ("collection", pa.string(), "name of the collection"),
]

CATALOGUES = {
    "records": (RECORDS_VERSION, _RECORD_COLUMNS,
                "One row per WARC record (and per failed fetch) of a collection."),
    "articles": (ARTICLES_VERSION, _ARTICLE_COLUMNS,
                 "One row per article document, with the locator of its WARC response record."),
}


def _describe_type(t: pa.DataType) -> Any:
    if pa.types.is_struct(t):
        return {"struct": [{"name": f.name, "type": _describe_type(f.type)} for f in t]}
    if pa.types.is_map(t):
        return {"map": [_describe_type(t.key_type), _describe_type(t.item_type)]}
    if pa.types.is_list(t):
        return {"list": _describe_type(t.value_type)}
    return str(t)


def description(name: str) -> dict[str, Any]:
    """The JSON description of catalogue *name*, as published in schemas/."""
    version, columns, summary = CATALOGUES[name]
    return {
        "catalogue": name,
        "version": version,
        "description": summary,
        "sort_order": ["url_surtkey", "fetch_time"],
        "columns": [{"name": n, "type": _describe_type(t), "description": d} for n, t, d in columns],
    }


def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of catalogue *name*, its description in the key-value metadata."""
    version, columns, _ = CATALOGUES[name]
    return pa.schema(
        [pa.field(n, t) for n, t, _ in columns],
        metadata={
            b"archiver.catalogue": name.encode(),
            b"archiver.catalogue.version": version.encode(),
            b"archiver.catalogue.description": json.dumps(description(name)).encode(),
        },
    )


RECORDS_SCHEMA = arrow_schema("records")
ARTICLES_SCHEMA = arrow_schema("articles")
