"""Catalogue building and compaction stream with bounded memory: parts of at most --part-rows rows,
each sorted; compaction a k-way merge that keeps every row and writes one sorted file."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from catalogue_support import capture_sample_site, write_foreign_warc

from archiver.catalogue import parts
from archiver.catalogue.arrowschemas import RECORDS_SCHEMA
from archiver.catalogue.parts import SORT_KEYS, list_parts, merged_tables


@pytest.fixture(scope="module")
def captured(tmp_path_factory) -> Path:
    return capture_sample_site(tmp_path_factory.mktemp("stream") / "news")


def _sorted(table: pa.Table) -> bool:
    return table.equals(table.take(pc.sort_indices(table, sort_keys=SORT_KEYS)))


def _row_set(tables) -> list:
    rows = [tuple(sorted((k, str(v)) for k, v in row.items())) for t in tables for row in t.to_pylist()]
    return sorted(rows)


def test_build_writes_bounded_sorted_parts_and_compact_merges_them_streaming(captured, tmp_path, invoke,
                                                                             monkeypatch):
    collection = tmp_path / "c"
    shutil.copytree(captured, collection)
    result = invoke("catalogue", "build", collection, "--part-rows", "7")
    assert result.exit_code == 0, result.output
    folder = collection / "catalogue" / "records"
    before = [pq.read_table(p, schema=RECORDS_SCHEMA) for p in list_parts(folder)]
    assert len(before) > 3
    assert all(t.num_rows <= 7 for t in before) and all(_sorted(t) for t in before)
    articles_before = list_parts(collection / "catalogue" / "articles")

    # merge in rounds of 3 parts, reading 2 rows of each at a time: every path of the k-way merge
    monkeypatch.setattr(parts, "MERGE_FANIN", 3)
    monkeypatch.setattr(parts, "MERGE_BATCH_ROWS", 2)
    monkeypatch.setattr(parts, "ROW_GROUP_SIZE", 5)
    result = invoke("catalogue", "compact", collection)
    assert result.exit_code == 0, result.output
    assert f"records: {len(before)} parts merged into" in result.output
    [merged] = list_parts(folder)
    table = pq.read_table(merged, schema=RECORDS_SCHEMA)
    assert _sorted(table)
    assert _row_set([table]) == _row_set(before)  # every row kept, none doubled
    assert pq.ParquetFile(merged).metadata.num_row_groups == -(-table.num_rows // 5)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no scratch left behind
    if len(articles_before) > 1:
        assert len(list_parts(collection / "catalogue" / "articles")) == 1


def test_a_build_out_folder_is_compacted_too(tmp_path, invoke):
    pages = {f"https://site{i % 4}.example/p{i}.html": f"<html lang='fr'><p>{i}</p></html>".encode()
             for i in range(30)}
    write_foreign_warc(tmp_path / "other.warc.gz", gzip=True, pages=pages)
    result = invoke("catalogue", "build", tmp_path / "other.warc.gz", "--out", tmp_path / "idx",
                    "--part-rows", "10")
    assert result.exit_code == 0, result.output
    assert "4 new part(s)" in result.output  # warcinfo + 30 responses, 10 rows a part
    before = [pq.read_table(p, schema=RECORDS_SCHEMA) for p in list_parts(tmp_path / "idx")]
    result = invoke("catalogue", "compact", tmp_path / "idx")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"records: 4 parts merged into {list_parts(tmp_path / 'idx')[0].name}"
    table = pq.read_table(tmp_path / "idx", schema=RECORDS_SCHEMA)
    assert table.num_rows == 31 and _sorted(table) and _row_set([table]) == _row_set(before)


def test_rows_become_parts_while_they_are_still_coming(tmp_path):
    """write_rows holds at most part_rows rows: the first part exists before the 11th row is made."""
    seen = []

    def rows():
        for i in range(25):
            seen.append(len(list_parts(tmp_path / "out")))
            yield {"url_surtkey": f"k{i % 7}", "url": f"u{i}", "collection": "c"}

    written = parts.write_rows(tmp_path / "out", rows(), RECORDS_SCHEMA, part_rows=10)
    assert [pq.read_metadata(p).num_rows for p in written] == [10, 10, 5]
    assert seen[10] == 1 and seen[20] == 2


def test_a_failing_build_leaves_no_parts_of_its_own(tmp_path):
    def rows():
        for i in range(25):
            yield {"url_surtkey": f"k{i}", "collection": "c"}
        raise OSError("disk gone")

    with pytest.raises(OSError):
        parts.write_rows(tmp_path / "out", rows(), RECORDS_SCHEMA, part_rows=10)
    assert list_parts(tmp_path / "out") == []


def test_merge_of_sorted_parts_equals_one_sort_nulls_and_ties_included(tmp_path):
    rng = random.Random(5)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    paths = []
    for n in range(7):
        rows = [{"url_surtkey": rng.choice([None, "a", "b", "b", "c", f"d{rng.randint(0, 9)}"]),
                 "fetch_time": rng.choice([None, start + timedelta(seconds=rng.randint(0, 5))]),
                 "url": f"{n}-{i}", "collection": "c"} for i in range(rng.randint(0, 40))]
        table = pa.Table.from_pylist(rows, schema=RECORDS_SCHEMA)
        paths.append(tmp_path / f"p{n}.parquet")
        pq.write_table(table.take(pc.sort_indices(table, sort_keys=SORT_KEYS)), paths[-1])
    merged = pa.concat_tables(merged_tables(paths, RECORDS_SCHEMA, batch_rows=3))
    everything = pa.concat_tables([pq.read_table(p, schema=RECORDS_SCHEMA) for p in paths])
    expected = everything.take(pc.sort_indices(everything, sort_keys=SORT_KEYS))
    key = ["url_surtkey", "fetch_time"]
    assert merged.select(key).equals(expected.select(key))
    assert sorted(merged.column("url").to_pylist()) == sorted(expected.column("url").to_pylist())


def test_a_damaged_part_is_one_line_and_nothing_is_changed(tmp_path, invoke):
    for name in ("a", "b"):
        write_foreign_warc(tmp_path / f"{name}.warc.gz", gzip=True,
                           pages={f"http://x.test/{name}": b"<p>x</p>"})
    out = tmp_path / "idx"
    assert invoke("catalogue", "build", tmp_path / "a.warc.gz", "--out", out).exit_code == 0
    damaged = out / "part-00000000T000000000000Z-00000000.parquet"
    damaged.write_bytes(b"not parquet")
    before = sorted(p.name for p in out.iterdir())
    for args in (["catalogue", "build", tmp_path / "b.warc.gz", "--out", out], ["catalogue", "compact", out]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"archiver: error: {damaged}: not a readable catalogue part ("), line
        assert sorted(p.name for p in out.iterdir()) == before


def test_the_scratch_of_a_killed_compact_is_swept_by_the_next_write(tmp_path, invoke):
    write_foreign_warc(tmp_path / "a.warc.gz", gzip=True, pages={"http://x.test/a": b"<p>x</p>"})
    out = tmp_path / "idx"
    out.mkdir()
    scratch = out / ".compact-deadbeef"
    scratch.mkdir()
    (scratch / "round1-0.parquet").write_bytes(b"left by a compact killed mid-merge")
    assert invoke("catalogue", "build", tmp_path / "a.warc.gz", "--out", out).exit_code == 0
    assert not scratch.exists()
