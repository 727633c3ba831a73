"""Rebuild a collection's article documents from its WARC files alone."""

from __future__ import annotations

import json
import logging
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from archiver.atomic import atomic_write
from archiver.collection import Collection
from archiver.extract.document import analyse_html, article_id
from archiver.extract.warcsource import RecordRef, WarcIndex, read_payload
from archiver.schemas import validate_document

log = logging.getLogger(__name__)


@dataclass
class ExtractResult:
    """What a run produced: written documents, their contents, and pages whose document failed."""

    documents: list[Path] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, "pointer: rule: message")
    pages: int = 0          # HTML pages looked at
    not_articles: list[str] = field(default_factory=list)  # URLs judged not to be articles
    removed: list[Path] = field(default_factory=list)      # stale documents removed
    cut_short: list[str] = field(default_factory=list)     # HTML captures whose body did not all arrive


def _warc_block(ref: RecordRef, payload_ref: RecordRef) -> dict:
    return {"file": ref.file, "offset": ref.offset, "length": ref.length, "record_id": ref.record_id,
            "payload_digest": ref.payload_digest,
            "revisit_of": payload_ref.location_dict() if payload_ref is not ref else None}


def write_document(document: dict, directory: Path) -> Path:
    """Write one (already validated) document atomically as <article_id>.json."""
    target = directory / f"{document['article_id']}.json"
    with atomic_write(target, "w") as fh:
        json.dump(document, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return target


def extract_collection(collection: Path) -> ExtractResult:
    """Rebuild metadata/articles/*.json from the collection's WARCs.

    Only pages judged to be articles get documents. When one article was captured several times,
    the latest capture's document is kept. Every document is validated before it is written; one that
    fails is reported in `failures` and not written (its previous version, if any, stays).
    Documents left from earlier runs for articles no longer found are removed.
    """
    coll = Collection.open(Path(collection))
    index = WarcIndex()
    for path in coll.warc_files():
        index.add_file(path, path.relative_to(coll.warc_dir).as_posix())
    result = ExtractResult(cut_short=index.cut_short_pages())
    chosen: dict[str, tuple[dict, str]] = {}
    for ref, payload_ref in index.html_pages():
        result.pages += 1
        try:
            html = read_payload(payload_ref)
        except (ValueError, EOFError, OSError, zlib.error) as exc:  # bad chunking or content-encoding
            result.failures.append((ref.target_uri, f"payload unreadable: {type(exc).__name__}: {exc}"))
            continue
        headers = dict(ref.http_headers or payload_ref.http_headers or {})
        if ref.content_type:
            headers["Content-Type"] = ref.content_type
        document, is_article = analyse_html(
            html, index.requested_url(ref.target_uri), final_url=ref.target_uri, headers=headers,
            capture_time=ref.date, http_status=ref.status, warc=_warc_block(ref, payload_ref),
            image_lookup=index.image_location)
        if not is_article:
            result.not_articles.append(ref.target_uri)
            continue
        previous = chosen.get(document["article_id"])
        if previous is not None and previous[0]["final_url"] != document["final_url"] and (
                previous[0]["body"]["fingerprint"] != document["body"]["fingerprint"]):
            # Two different articles claim one canonical URL: key this one by its own URL instead.
            document["article_id"] = article_id(document["final_url"])
            previous = chosen.get(document["article_id"])
        if previous is None or (document["provenance"]["capture_time"] or "") >= (
                previous[0]["provenance"]["capture_time"] or ""):
            chosen[document["article_id"]] = (document, ref.target_uri)
    coll.articles_dir.mkdir(parents=True, exist_ok=True)
    for key in sorted(chosen):
        document, url = chosen[key]
        violations = validate_document(document)
        if violations:
            result.failures.extend((url, str(v)) for v in violations)
            continue
        result.documents.append(write_document(document, coll.articles_dir))
        result.articles.append(document)
    for old in sorted(coll.articles_dir.glob("art-*.json")):
        if old.stem not in chosen:
            old.unlink()
            result.removed.append(old)
    return result
