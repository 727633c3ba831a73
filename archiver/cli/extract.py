"""`archiver extract`: rebuild article documents from a collection's WARCs, or describe one HTML file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from archiver.cli._common import exit_with
from archiver.errors import ArchiverError


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ArchiverError(f"--capture-time {value!r} is not an ISO 8601 date-time") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@click.command("extract")
@click.argument("collection", required=False, type=click.Path(path_type=Path))
@click.option("--html", "html_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Describe one HTML file instead of a collection; prints its article document.")
@click.option("--url", help="The URL the HTML file was fetched from (with --html).")
@click.option("--content-type", default=None,
              help="Its Content-Type header, e.g. 'text/html; charset=windows-1251' (with --html).")
@click.option("--capture-time", default=None,
              help="When it was fetched, ISO 8601 (with --html; default now). Dates after it are rejected.")
def extract(collection: Path | None, html_file: Path | None, url: str | None, content_type: str | None,
            capture_time: str | None) -> None:
    """Rebuild COLLECTION's article documents and catalogues from its WARC files.

    Every HTML page in the WARCs (gzipped or not, from any tool, revisits resolved) that is an
    article gets one JSON document, validated against schemas/article.schema.json before it is
    written. Documents that fail validation are reported (page, JSON pointer, rule) and not written;
    the others are, and the command exits 1. Then both Parquet catalogues (catalogue/records,
    catalogue/articles) are rebuilt from the WARCs and the documents.

    \b
    Example:
      archiver extract my-collection
      archiver extract --html page.html --url https://www.belta.by/politics/view/lavrov-123/
    """
    from archiver.schemas import validate_document

    if html_file is not None:
        if collection is not None:
            raise ArchiverError("give either a COLLECTION or --html FILE, not both")
        if not url:
            raise ArchiverError("--html needs --url (the address the page was fetched from)")
        from archiver.capture.urls import normalize

        if normalize(url) is None or " " in url.strip():
            raise ArchiverError(f"--url {url!r} is not an absolute http(s) URL")
        from archiver.extract import extract_html

        data = html_file.read_bytes()
        headers = {"Content-Type": content_type} if content_type else None
        document = extract_html(data, url, headers=headers, capture_time=_parse_time(capture_time))
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        violations = validate_document(document)
        for v in violations:
            click.echo(f"invalid: {html_file}: {v}", err=True)
        if violations:
            exit_with(1)
        return
    if collection is None:
        raise ArchiverError("give a COLLECTION directory, or --html FILE --url URL (see --help)")
    if url or content_type or capture_time:
        raise ArchiverError("--url, --content-type and --capture-time go with --html")
    from archiver.collection import refuse_if_sealed
    from archiver.extract import extract_collection

    refuse_if_sealed(collection)
    result = extract_collection(collection)
    for url_, message in result.failures:
        click.echo(f"invalid: {url_}: {message}", err=True)
    click.echo(f"{len(result.documents)} article documents written to {collection / 'metadata' / 'articles'} "
               f"({result.pages} HTML pages read, {len(result.not_articles)} not articles, "
               f"{len({u for u, _ in result.failures})} failed validation"
               + (f", {len(result.removed)} stale removed" if result.removed else "")
               + (f", {len(result.cut_short)} cut-short capture{'s' if len(result.cut_short) > 1 else ''}"
                  " not read" if result.cut_short else "")
               + ")")
    from archiver.catalogue import build_collection_catalogues

    catalogues = build_collection_catalogues(collection)
    click.echo(f"catalogues rebuilt: {catalogues.rows['records']} record rows, "
               f"{catalogues.rows['articles']} article rows")
    if result.failures:
        exit_with(1)
