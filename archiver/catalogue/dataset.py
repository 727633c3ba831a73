"""Merge the catalogues of many collections and bags into one Hive-partitioned dataset.

    DATASET/records/collection=<name>/year=<yyyy>/part-*.parquet
    DATASET/articles/collection=<name>/year=<yyyy>/part-*.parquet

pyarrow.dataset, DuckDB (`hive_partitioning=true`), Polars (`hive_partitioning=True`) and Spark
read each folder as one table, with `collection` and `year` as columns. The dataset is built
beside --out and renamed into place, so it appears whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from archiver.atomic import atomic_directory
from archiver.catalogue.arrowschemas import ARTICLES_SCHEMA, RECORDS_SCHEMA
from archiver.catalogue.parts import ROW_GROUP_SIZE, list_parts, sort_table
from archiver.collection import ARTICLES_CATALOGUE_DIR, RECORDS_CATALOGUE_DIR
from archiver.errors import ArchiverError

PARTITIONING = pa.schema([("collection", pa.string()), ("year", pa.int16())])


@dataclass
class MergeSummary:
    out: Path
    sources: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: {"records": 0, "articles": 0})


def _year(table: pa.Table, column: str) -> pa.Array:
    years = pc.year(table.column(column))
    return pc.cast(years, pa.int16())


def merge_catalogues(sources: list[Path], out: Path) -> MergeSummary:
    """Write one partitioned dataset at *out* from the catalogues of *sources*."""
    from archiver.catalogue import collection_root

    roots = []
    names: dict[str, Path] = {}
    for source in sources:
        if Path(out).resolve().is_relative_to(Path(source).resolve()):
            # A dataset written into a collection would be bagged with it; into a bag, break its seal.
            raise ArchiverError(f"{out}: the dataset cannot go inside its source {source}")
        root, name = collection_root(source)
        if name in names:
            raise ArchiverError(f"two sources are both named {name!r} ({names[name]} and {source}); "
                                "rename one: the name is the collection partition")
        names[name] = Path(source)
        roots.append((root, name))
    summary = MergeSummary(out=Path(out), sources=[n for _, n in roots])
    with atomic_directory(Path(out)) as tmp:
        for kind, subdir, schema, time_column in (
            ("records", RECORDS_CATALOGUE_DIR, RECORDS_SCHEMA, "fetch_time"),
            ("articles", ARTICLES_CATALOGUE_DIR, ARTICLES_SCHEMA, "published_time"),
        ):
            for root, name in roots:
                for index, part in enumerate(list_parts(root / subdir)):
                    table = ds.dataset(part, schema=schema, format="parquet").to_table()
                    year = _year(table, time_column)
                    if kind == "articles":  # articles with no date fall back to their capture year
                        year = pc.coalesce(year, _year(table, "fetch_time"))
                    table = (table.drop_columns(["collection"]).append_column("year", year)
                             .append_column("collection", pa.array([name] * table.num_rows)))
                    table = sort_table(table)
                    ds.write_dataset(
                        table, tmp / kind, format="parquet",
                        partitioning=ds.partitioning(PARTITIONING, flavor="hive"),
                        basename_template=f"part-{name}-{index}-{{i}}.parquet",
                        existing_data_behavior="overwrite_or_ignore",
                        file_options=ds.ParquetFileFormat().make_write_options(compression="zstd"),
                        max_rows_per_group=ROW_GROUP_SIZE, preserve_order=True,
                    )
                    summary.rows[kind] += table.num_rows
            (tmp / kind).mkdir(exist_ok=True)
    return summary
