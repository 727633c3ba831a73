"""SQL over catalogues with DuckDB (the optional 'query' extra).

Two views are defined over the catalogue's Parquet files without loading them: `records` and
`articles`. The source may be a collection, a bag (its data/), or a dataset from
`archiver catalogue merge` (read with Hive partitioning, so `collection` and `year` are columns).
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError


def _globs(source: Path) -> dict[str, tuple[str, bool]]:
    """view name -> (parquet glob, hive partitioned?) for a collection, bag or merged dataset."""
    source = Path(source)
    if (source / "records").is_dir() or (source / "articles").is_dir():
        return {kind: (str(source / kind / "**" / "*.parquet"), True) for kind in ("records", "articles")}
    from archiver.catalogue import collection_root

    root, _ = collection_root(source)
    return {kind: (str(root / "catalogue" / kind / "part-*.parquet"), False)
            for kind in ("records", "articles")}


def _check_read_only(duckdb, sql: str) -> None:
    """Refuse statements other than SELECT/EXPLAIN: a query must never write (COPY TO could
    overwrite a file inside a sealed bag) nor change the session's settings."""
    allowed = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
    for statement in duckdb.extract_statements(sql):
        if statement.type not in allowed:
            kind = statement.type.name
            raise ArchiverError(f"archiver query runs only SELECT statements, not {kind} "
                                "(save results with --format csv > FILE)")


def run_query(source: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run *sql* with views `records` and `articles` defined; return (column names, rows)."""
    try:
        import duckdb
    except ImportError:
        raise ArchiverError("archiver query needs DuckDB: pip install 'archiver[query]'") from None
    from archiver.catalogue.arrowschemas import ARTICLES_SCHEMA, RECORDS_SCHEMA

    con = duckdb.connect()
    for kind, (pattern, hive) in _globs(source).items():
        if glob.glob(pattern, recursive=True):
            quoted = "'" + pattern.replace("'", "''") + "'"
            con.execute(f"CREATE VIEW {kind} AS SELECT * FROM read_parquet({quoted}, "
                        f"hive_partitioning={str(hive).lower()}, union_by_name=true)")
        else:  # an empty catalogue is still a table with the right columns
            schema = RECORDS_SCHEMA if kind == "records" else ARTICLES_SCHEMA
            con.register(f"_{kind}_empty", schema.empty_table())
            con.execute(f"CREATE VIEW {kind} AS SELECT * FROM _{kind}_empty")
    try:
        _check_read_only(duckdb, sql)
        cursor = con.execute(sql)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise ArchiverError(f"query failed: {first}") from None
    if cursor.description is None:
        return [], []
    return [d[0] for d in cursor.description], cursor.fetchall()
