"""`archiver catalogue build|compact|merge`, `archiver query` and `archiver record`."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import click

from archiver.errors import ArchiverError

_PATH = click.Path(exists=True, path_type=Path)


@click.group()
def catalogue() -> None:
    """Build, compact and merge the Parquet catalogues of collections.

    \b
    Example:
      archiver catalogue build my-collection
      archiver catalogue merge coll-a bags/coll-b --out research-dataset
    """


@catalogue.command("build")
@click.argument("paths", nargs=-1, required=True, type=_PATH)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="With WARC files as PATHs: the folder to write the records catalogue parts into.")
@click.option("--part-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Rows per part file. Memory while building is bounded by it, whatever the number "
                   "of records; `catalogue compact` merges parts later.")
def build(paths: tuple[Path, ...], out: Path | None, part_rows: int) -> None:
    """(Re)build catalogues from WARC files, streaming.

    A collection PATH gets both of its catalogues rebuilt from its warc/ and
    metadata/articles/. WARC file PATHs (any tool's, .warc or .warc.gz) are catalogued
    as new records parts in --out (one per --part-rows rows), each sorted by
    url_surtkey then fetch_time; a WARC file already catalogued there is refused
    (its rows would be duplicated).

    \b
    Example:
      archiver catalogue build my-collection
      archiver catalogue build crawl/*.warc.gz --out records-index
    """
    from archiver.catalogue import build_collection_catalogues, catalogue_warc_files
    from archiver.collection import refuse_if_sealed

    warcs = [p for p in paths if p.is_file()]
    dirs = [p for p in paths if p.is_dir()]
    if warcs and out is None:
        raise ArchiverError("WARC files given: say where the catalogue goes with --out DIR")
    for directory in [*dirs, *([out] if warcs else [])]:
        refuse_if_sealed(directory)
    for directory in dirs:
        summary = build_collection_catalogues(directory, part_rows=part_rows)
        click.echo(f"{directory}: {summary.rows['records']} record rows, "
                   f"{summary.rows['articles']} article rows")
    if warcs:
        parts = catalogue_warc_files(warcs, out, part_rows=part_rows)
        click.echo(f"{out}: {len(parts)} new part(s) from {len(warcs)} WARC file(s)")


@catalogue.command("compact")
@click.argument("collection", type=click.Path(exists=True, file_okay=False, path_type=Path))
def compact_cmd(collection: Path) -> None:
    """Merge each catalogue's part files into one sorted file, streaming.

    COLLECTION is a collection, or a folder of records parts written by
    `catalogue build WARC... --out DIR`. Memory does not depend on the catalogue's size.

    \b
    Example:
      archiver catalogue compact my-collection
      archiver catalogue compact records-index
    """
    from archiver.catalogue import collection_root
    from archiver.catalogue.arrowschemas import ARTICLES_SCHEMA, RECORDS_SCHEMA
    from archiver.catalogue.parts import compact, list_parts
    from archiver.collection import refuse_if_sealed

    refuse_if_sealed(collection)
    if list_parts(collection) and not (collection / "warc").is_dir():  # a `build --out` folder
        folders = [("records", collection, RECORDS_SCHEMA)]
    else:
        root, _ = collection_root(collection)
        folders = [("records", root / "catalogue" / "records", RECORDS_SCHEMA),
                   ("articles", root / "catalogue" / "articles", ARTICLES_SCHEMA)]
    for kind, folder, schema in folders:
        replaced, part = compact(folder, schema)
        click.echo(f"{kind}: {replaced} parts merged into {part.name}" if replaced
                   else f"{kind}: nothing to compact")


@catalogue.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False,
                                                                     path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="New dataset folder (must not exist).")
def merge(sources: tuple[Path, ...], out: Path) -> None:
    """Merge collections' and bags' catalogues into one Hive-partitioned dataset.

    The dataset has records/ and articles/, each partitioned as collection=NAME/year=YYYY/,
    readable as one table by pyarrow.dataset, DuckDB, Polars and Spark.

    \b
    Example:
      archiver catalogue merge coll-a bags/coll-b --out research-dataset
    """
    from archiver.catalogue.dataset import merge_catalogues

    summary = merge_catalogues(list(sources), out)
    click.echo(f"{out}: {summary.rows['records']} record rows and {summary.rows['articles']} article "
               f"rows from {len(summary.sources)} source(s): {', '.join(summary.sources)}")


def _cell(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


@click.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def query(source: Path, sql: str, fmt: str) -> None:
    """Run SQL over catalogues: views `records` and `articles` (needs DuckDB).

    SOURCE is a collection, a bag, or a dataset made by `archiver catalogue merge`.

    \b
    Example:
      archiver query my-collection "SELECT publisher, published_month, count(*) AS articles,
        sum(word_count) AS words FROM articles GROUP BY ALL ORDER BY ALL"
    """
    from archiver.catalogue.query import run_query

    columns, rows = run_query(source, sql)
    rows = [tuple(_cell(v) for v in row) for row in rows]
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        text = [[("" if v is None else str(v)) for v in row] for row in rows]
        widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(columns)]
        click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
        click.echo("  ".join("-" * w for w in widths))
        for row in text:
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


@click.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("row_or_url")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this new file (atomically; must not exist) instead of standard output.")
@click.option("--body", is_flag=True, help="Only the payload, with transfer and content coding removed.")
def record(source: Path, row_or_url: str, out_path: Path | None, body: bool) -> None:
    """Extract a catalogued record's original HTTP response.

    ROW_OR_URL is a URL (its latest whole capture), a WARC-Record-ID, or a row number of the
    records catalogue. A revisit is followed to the record holding the payload. SOURCE is a
    collection or a bag.

    \b
    Example:
      archiver record my-collection https://example.org/news/story.html --body --out story.html
    """
    from archiver.atomic import atomic_write
    from archiver.catalogue.locate import copy_record, find_row
    from archiver.collection import refuse_if_sealed
    from archiver.warctail import body_cut_short

    if out_path is not None:
        refuse_if_sealed(out_path.parent)
    row = find_row(source, row_or_url)
    if body_cut_short(row.get("content_truncated")):
        # for a URL, find_row gives a cut-short capture only when there is no whole one
        which = f"{row['url']} was only captured" if "://" in row_or_url else "this record was"
        click.echo(f"archiver: note: {which} cut short (WARC-Truncated: {row['content_truncated']}); "
                   "this is what arrived", err=True)
    if out_path is None:
        copy_record(source, row, sys.stdout.buffer, body=body)
        sys.stdout.buffer.flush()
    else:
        with atomic_write(out_path, overwrite=False) as fh:
            record_id = copy_record(source, row, fh, body=body)
        click.echo(f"{out_path}: {record_id} ({row['url']})", err=True)
