"""Parquet catalogues of a collection: one of WARC records, one of article documents.

    append_records(collection, warc_files)     a capture run's records, as one new part
    append_capture_run(collection, result)     the same, from archiver.capture's CaptureResult
    append_articles(collection, documents)     article documents, as one new part
    build_collection_catalogues(collection)    rebuild both from the WARCs and metadata/articles/
    catalogue_warc_files(warcs, out)           any tool's WARC files, as new parts in *out*
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.catalogue.arrowschemas import ARTICLES_SCHEMA, RECORDS_SCHEMA
from archiver.catalogue.articles import article_row
from archiver.catalogue.parts import ROWS_PER_PART, list_parts, open_part, replace_parts, write_rows
from archiver.catalogue.records import iter_log_file_rows, iter_warc_rows, log_uri
from archiver.collection import Collection
from archiver.errors import ArchiverError

if TYPE_CHECKING:
    from archiver.capture.options import CaptureResult

__all__ = [
    "CatalogueSummary", "append_articles", "append_capture_run", "append_records",
    "build_collection_catalogues", "catalogue_warc_files", "catalogued_warc_names", "collection_root",
    "RECORDS_SCHEMA", "ARTICLES_SCHEMA",
]


@dataclass
class CatalogueSummary:
    """Rows written per catalogue, and the part files now making each up."""

    rows: dict[str, int] = field(default_factory=dict)
    parts: dict[str, list[Path]] = field(default_factory=dict)


def collection_root(path: Path) -> tuple[Path, str]:
    """A collection directory, or a bag whose data/ is one -> (collection root, collection name)."""
    path = Path(path)
    if (path / "bagit.txt").is_file() and (path / "data").is_dir():
        return path / "data", path.resolve().name
    Collection.open(path)
    return path, path.resolve().name


def _record_rows(warc_files: Iterable[Path], name: str, logs: Iterable[Path] = ()
                 ) -> Iterator[dict[str, Any]]:
    """Rows of *warc_files*, then of the capture *logs* that no WARC among them holds."""
    seen: set[str] = set()
    for warc in warc_files:
        yield from iter_warc_rows(warc, name, logs_seen=seen)
    for log in logs:
        if log_uri(log) not in seen and log.is_file():
            yield from iter_log_file_rows(log, name)


def append_records(collection: Path, warc_files: list[Path], logs: list[Path] = ()) -> Path | None:
    """Catalogue *warc_files* (a capture run's) as a new records part; None if there is no row.

    *logs* are the run's capture-log files, read only when none of *warc_files* holds them
    (a run that fetched nothing still has its failures catalogued)."""
    root, name = collection_root(collection)
    parts = write_rows(Collection(root).records_catalogue_dir, _record_rows(warc_files, name, logs),
                       RECORDS_SCHEMA)
    return parts[-1] if parts else None


def append_capture_run(collection: Path, result: CaptureResult) -> Path | None:
    """Catalogue one capture run as a new records part: the WARCs it wrote or repaired, and the
    failures its log names (issue 5: each run appends; no part is rewritten)."""
    warcs = list(dict.fromkeys([*result.repaired, *result.warc_files]))
    return append_records(collection, warcs, [result.log_path] if result.log_path else [])


def append_articles(collection: Path, documents: list[dict[str, Any]]) -> Path | None:
    """Catalogue article *documents* as a new articles part; None if there are none."""
    root, name = collection_root(collection)
    parts = write_rows(Collection(root).articles_catalogue_dir,
                       (article_row(d, name) for d in documents), ARTICLES_SCHEMA)
    return parts[-1] if parts else None


def _documents(articles_dir: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(articles_dir.glob("*.json")):
        try:
            with path.open(encoding="utf-8") as fh:
                yield json.load(fh)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ArchiverError(f"{path}: not a readable article document ({exc})") from None


class _Counter:
    def __init__(self, rows: Iterable[dict[str, Any]]):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def build_collection_catalogues(collection: Path, part_rows: int = ROWS_PER_PART) -> CatalogueSummary:
    """Rebuild both catalogues of *collection* from its WARCs and article documents.

    The new parts are complete on disk before the old ones are removed.
    """
    root, name = collection_root(collection)
    col = Collection(root)
    summary = CatalogueSummary()
    logs = sorted(col.logs_dir.glob("capture-*.jsonl")) if col.logs_dir.is_dir() else []
    records = _Counter(_record_rows(col.warc_files(), name, logs))
    summary.parts["records"] = replace_parts(col.records_catalogue_dir, records, RECORDS_SCHEMA,
                                              part_rows)
    summary.rows["records"] = records.count
    articles = _Counter(article_row(d, name) for d in _documents(col.articles_dir))
    summary.parts["articles"] = replace_parts(col.articles_catalogue_dir, articles, ARTICLES_SCHEMA,
                                               part_rows)
    summary.rows["articles"] = articles.count
    for kind, directory in (("records", col.records_catalogue_dir),
                            ("articles", col.articles_catalogue_dir)):
        summary.parts[kind] = list_parts(directory)
    return summary


def catalogued_warc_names(directory: Path) -> set[str]:
    """The WARC file names that the parts in *directory* already hold rows of (one column read)."""
    names: set[str] = set()
    for part in list_parts(Path(directory)):
        column = open_part(part).read(columns=["warc_filename"]).column("warc_filename")
        names.update(v for v in column.unique().to_pylist() if v)
    return names


def catalogue_warc_files(warc_files: list[Path], out: Path, part_rows: int = ROWS_PER_PART) -> list[Path]:
    """Catalogue WARC files (any tool's) as new records parts in *out* (one per *part_rows* rows);
    the new parts.

    Rows name a WARC by its file name, so a name given twice, or one that *out* already holds,
    is refused before anything is read: appending it again would duplicate its rows.
    """
    out = Path(out)
    seen: dict[str, Path] = {}
    for warc in warc_files:
        if warc.name in seen:
            raise ArchiverError(f"{warc}: a WARC named {warc.name} is already given ({seen[warc.name]})")
        seen[warc.name] = warc
    already = sorted(catalogued_warc_names(out) & set(seen))
    if already:
        more = f" and {len(already) - 1} more" if len(already) > 1 else ""
        raise ArchiverError(f"{out}: already catalogues {already[0]}{more}; "
                            "build into a new --out folder to catalogue it again")
    return write_rows(out, _record_rows(warc_files, out.resolve().name), RECORDS_SCHEMA, part_rows)
