"""Parquet catalogues: every row leads back to its bytes; researchers' tools load them;
appends are atomic; compaction, merge, query and record work through the CLI."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from catalogue_support import capture_sample_site, write_foreign_warc
from warcio.archiveiterator import ArchiveIterator

from archiver.catalogue import ARTICLES_SCHEMA, RECORDS_SCHEMA, append_records, build_collection_catalogues
from archiver.catalogue.arrowschemas import description
from archiver.catalogue.parts import list_parts
from archiver.collection import Collection
from archiver.sampleserver import bundled_site

REPO = Path(__file__).resolve().parents[1]
RESEARCH_QUERY = ("SELECT publisher, published_month, count(*) AS articles, sum(word_count) AS words "
                  "FROM articles GROUP BY ALL ORDER BY ALL")


@pytest.fixture(scope="module")
def site_collection(tmp_path_factory) -> Path:
    collection = capture_sample_site(tmp_path_factory.mktemp("cat") / "news")
    build_collection_catalogues(collection)
    return collection


def _records(collection: Path) -> pa.Table:
    return pq.read_table(collection / "catalogue" / "records", schema=RECORDS_SCHEMA)


def test_every_row_leads_to_its_record_with_warcio_alone(site_collection):
    table = _records(site_collection)
    rows = [r for r in table.to_pylist() if r["warc_type"] != "failed"]
    assert len(rows) > 20
    for row in rows:
        with (site_collection / "warc" / row["warc_filename"]).open("rb") as fh:
            fh.seek(row["warc_record_offset"])
            chunk = fh.read(row["warc_record_length"])
        assert len(chunk) == row["warc_record_length"]
        record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
        assert record.rec_headers.get_header("WARC-Record-ID") == row["warc_record_id"]
        uri = record.rec_headers.get_header("WARC-Target-URI")
        if row["warc_type"] != "warcinfo":
            assert uri == row["url"]


def test_records_columns_rows_and_sort_order(site_collection):
    table = _records(site_collection)
    assert table.schema.field("warc_record_offset").type == pa.int64()
    assert table.schema.field("fetch_status").type == pa.int16()
    keys = list(zip(table.column("url_surtkey").to_pylist(), table.column("fetch_time").to_pylist(),
                    strict=True))
    with_url = [k for k in keys if k[0] is not None]
    assert with_url == sorted(with_url) and keys[:len(with_url)] == with_url  # warcinfo (no URL) last
    by_url = {(r["url"].split("/", 3)[-1], r["warc_type"]): r for r in table.to_pylist() if r["url"]}
    article = by_url[("news/lavrov-nato.html", "response")]
    assert article["fetch_status"] == 200 and article["content_mime_type"] == "text/html"
    assert article["content_mime_detected"] == "text/html" and article["content_languages"] == "en"
    assert article["url_surtkey"].startswith("1,0,0,127:") and article["url_port"]
    assert article["content_digest"].startswith("sha256:")
    metro = by_url[("news/minsk-metro.html", "response")]
    assert metro["content_charset"] == "windows-1251"
    redirect = by_url[("news/old-lavrov.html", "response")]
    assert redirect["fetch_status"] == 301
    assert redirect["fetch_redirect"].endswith("/news/lavrov-nato.html")
    assert by_url[("images/lavrov.jpg", "response")]["content_mime_detected"] == "image/jpeg"
    assert by_url[("news/no-such-story.html", "response")]["fetch_status"] == 404
    meta = pq.read_metadata(list_parts(site_collection / "catalogue" / "records")[0]).metadata
    assert meta[b"archiver.catalogue"] == b"records"
    assert meta[b"archiver.catalogue.version"] == b"1.0.0"


def test_published_schema_descriptions_match_the_code():
    for name in ("records", "articles"):
        published = json.loads((REPO / "schemas" / f"{name}-catalogue.json").read_text())
        assert published == description(name), f"schemas/{name}-catalogue.json is stale"


def test_articles_catalogue_has_one_row_per_document_and_locates_it(site_collection):
    docs = sorted((site_collection / "metadata" / "articles").glob("*.json"))
    table = pq.read_table(site_collection / "catalogue" / "articles", schema=ARTICLES_SCHEMA)
    assert table.num_rows == len(docs) == 6
    rows = {r["article_id"]: r for r in table.to_pylist()}
    for path in docs:
        doc = json.loads(path.read_text(encoding="utf-8"))
        row = rows[doc["article_id"]]
        assert row["headline"] == doc["headline"]
        assert row["warc_record_offset"] == doc["provenance"]["warc"]["offset"]
    lavrov = next(r for r in rows.values() if r["publisher"] == "BelTA")
    assert lavrov["dateline"]["place"] == "MINSK" and lavrov["dateline"]["agency"] == "BelTA"
    assert lavrov["credited_sources"][0]["name"] == "TASS"
    assert lavrov["published_month"] == "2024-01" and lavrov["word_count"] == 339
    assert lavrov["images"][0]["captured"] is True and lavrov["images"][0]["warc_record_offset"] >= 0


def test_research_query_with_pandas_pyarrow_dataset_duckdb_and_polars(site_collection):
    import duckdb
    import pandas as pd
    import polars as pl

    articles_dir = site_collection / "catalogue" / "articles"
    frame = pd.read_parquet(articles_dir)
    by_pandas = frame.groupby(["publisher", "published_month"])["word_count"].sum().to_dict()
    assert by_pandas[("BelTA", "2024-01")] == 339
    table = ds.dataset(articles_dir, format="parquet").to_table(columns=["publisher", "word_count"])
    assert table.num_rows == 6
    con = duckdb.connect()
    rows = con.execute(f"SELECT publisher, published_month, count(*), sum(word_count) FROM "
                       f"read_parquet('{articles_dir}/*.parquet') GROUP BY ALL ORDER BY ALL").fetchall()
    assert ("BelTA", "2024-01", 1, 339) in rows
    polars_sum = (pl.read_parquet(articles_dir / "*.parquet")
                  .filter(pl.col("publisher") == "BelTA")["word_count"].sum())
    assert polars_sum == 339


def test_query_command_runs_the_research_query(site_collection, invoke):
    result = invoke("query", site_collection, RESEARCH_QUERY, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {"publisher": "BelTA", "published_month": "2024-01", "articles": 1, "words": 339} in rows
    result = invoke("query", site_collection, "SELECT count(*) AS n FROM records")
    assert result.exit_code == 0 and "(1 row)" in result.output
    result = invoke("query", site_collection, "SELECT no_such_column FROM records")
    assert result.exit_code == 2 and "query failed" in result.output


def test_record_command_gives_back_the_original_response(site_collection, invoke, tmp_path):
    url = next(r["url"] for r in _records(site_collection).to_pylist()
               if r["url"].endswith("/images/lavrov.jpg") and r["warc_type"] == "response")
    out = tmp_path / "lavrov.jpg"
    result = invoke("record", site_collection, url, "--body", "--out", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (bundled_site() / "images" / "lavrov.jpg").read_bytes()
    raw = tmp_path / "raw.http"
    assert invoke("record", site_collection, url, "--out", raw).exit_code == 0
    assert raw.read_bytes().startswith(b"HTTP/1.1 200")
    assert raw.read_bytes().endswith(out.read_bytes())
    result = invoke("record", site_collection, "http://nowhere.invalid/")
    assert result.exit_code == 2 and "no catalogued record" in result.output


def test_record_follows_a_revisit_to_the_stored_payload(site_collection, tmp_path, invoke):
    revisit = next((r for r in _records(site_collection).to_pylist() if r["warc_type"] == "revisit"),
                   None)
    assert revisit is not None, "the sample site has a duplicate payload (/ and /index.html)"
    out = tmp_path / "page.html"
    assert invoke("record", site_collection, revisit["warc_record_id"], "--body", "--out", out
                  ).exit_code == 0
    assert out.read_bytes() == (bundled_site() / "index.html").read_bytes()


def test_failed_fetches_are_rows(tmp_path):
    from archiver.capture import CaptureOptions, capture

    collection = tmp_path / "c"
    # Port 9 on loopback: nothing listens, so the connection is refused.
    capture(["http://127.0.0.1:9/gone.html"], collection,
            CaptureOptions(retries=0, timeout=2, ignore_robots=True))
    build_collection_catalogues(collection)
    failed = [r for r in _records(collection).to_pylist() if r["warc_type"] == "failed"]
    assert [r["url"] for r in failed] == ["http://127.0.0.1:9/gone.html"]
    assert "refused" in failed[0]["fetch_error"] and failed[0]["warc_record_offset"] is None
    # A URL that robots.txt disallows is skipped: a row too, with the reason.
    from archiver.sampleserver import serve_site

    site = tmp_path / "site"
    (site / "private").mkdir(parents=True)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    (site / "private" / "a.html").write_text("<p>secret</p>")
    collection = tmp_path / "robots"
    with serve_site(site) as base:
        capture([base + "/private/a.html"], collection, CaptureOptions(retries=0, delay=0))
    build_collection_catalogues(collection)
    skipped = [r for r in _records(collection).to_pylist() if r["warc_type"] == "skipped"]
    assert [r["url"] for r in skipped] == [base + "/private/a.html"]
    assert "robots" in skipped[0]["fetch_error"]


def test_append_adds_parts_and_a_crash_mid_write_leaves_no_partial_file(site_collection, tmp_path,
                                                                       monkeypatch):
    collection = tmp_path / "c"
    shutil.copytree(site_collection, collection)
    warcs = Collection(collection).warc_files()
    before = list_parts(collection / "catalogue" / "records")
    rows_before = _records(collection).num_rows

    real_write = pq.ParquetWriter.write_table

    def crash(writer, table, *args, **kwargs):
        real_write(writer, table.slice(0, 1))  # half a file on disk, under its temporary name
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", crash)
    with pytest.raises(OSError):
        append_records(collection, warcs)
    monkeypatch.undo()
    assert list_parts(collection / "catalogue" / "records") == before
    assert _records(collection).num_rows == rows_before  # still readable, unchanged
    assert not [p for p in (collection / "catalogue" / "records").iterdir() if p.name.startswith(".")]

    part = append_records(collection, warcs)
    assert part is not None and part not in before
    assert all(p.exists() for p in before)  # existing parts are never rewritten
    assert _records(collection).num_rows == 2 * rows_before


def test_compact_merges_parts_sorted(site_collection, tmp_path, invoke):
    collection = tmp_path / "c"
    shutil.copytree(site_collection, collection)
    append_records(collection, Collection(collection).warc_files())
    assert len(list_parts(collection / "catalogue" / "records")) == 2
    result = invoke("catalogue", "compact", collection)
    assert result.exit_code == 0, result.output
    parts = list_parts(collection / "catalogue" / "records")
    assert len(parts) == 1
    table = pq.read_table(parts[0])
    keys = [k for k in table.column("url_surtkey").to_pylist() if k is not None]
    assert keys == sorted(keys) and table.num_rows == 2 * _records(site_collection).num_rows


def test_empty_collection_gives_empty_catalogues(tmp_path, invoke):
    collection = Collection(tmp_path / "empty").create().root
    result = invoke("catalogue", "build", collection)
    assert result.exit_code == 0, result.output
    assert "0 record rows, 0 article rows" in result.output
    result = invoke("query", collection, "SELECT count(*) AS n FROM records")
    assert result.exit_code == 0 and "0" in result.output


def test_warcs_from_another_tool_gz_and_plain(tmp_path, invoke):
    pages = {f"https://example.org/p{i}.html": f"<html lang='de'><p>{i}</p></html>".encode()
             for i in range(3)}
    write_foreign_warc(tmp_path / "other.warc.gz", gzip=True, pages=pages)
    write_foreign_warc(tmp_path / "other.warc", gzip=False, pages=pages)
    out = tmp_path / "index"
    result = invoke("catalogue", "build", tmp_path / "other.warc.gz", tmp_path / "other.warc",
                    "--out", out)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    responses = [r for r in table.to_pylist() if r["warc_type"] == "response"]
    assert len(responses) == 6
    assert {r["url_host_registered_domain"] for r in responses} == {"example.org"}
    assert {r["content_languages"] for r in responses} == {"de"}
    for row in responses:
        with (tmp_path / row["warc_filename"]).open("rb") as fh:
            fh.seek(row["warc_record_offset"])
            record = next(iter(ArchiveIterator(io.BytesIO(fh.read(row["warc_record_length"])))))
        assert record.rec_headers.get_header("WARC-Target-URI") == row["url"]


def test_build_rejects_bad_input_with_one_line(tmp_path, invoke):
    (tmp_path / "junk.warc.gz").write_bytes(b"this is not a warc")
    result = invoke("catalogue", "build", tmp_path / "junk.warc.gz", "--out", tmp_path / "idx")
    assert result.exit_code == 2 and "not a readable WARC" in result.output
    assert not list_parts(tmp_path / "idx")
    result = invoke("catalogue", "build", tmp_path / "junk.warc.gz")
    assert result.exit_code == 2 and "--out" in result.output
    result = invoke("catalogue", "build", tmp_path)
    assert result.exit_code == 2 and "not a collection" in result.output


def test_merge_writes_a_hive_dataset_all_readers_see_as_one_table(site_collection, tmp_path, invoke):
    import duckdb
    import polars as pl

    other = tmp_path / "second"
    shutil.copytree(site_collection, other)
    out = tmp_path / "dataset"
    result = invoke("catalogue", "merge", site_collection, other, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "articles" / "collection=second" / "year=2024").is_dir()
    table = ds.dataset(out / "articles", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 12
    assert set(table.column("collection").to_pylist()) == {site_collection.name, "second"}
    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out}/records/**/*.parquet', "
                   "hive_partitioning=true) WHERE collection = 'second'").fetchone()[0]
    assert n == _records(site_collection).num_rows
    frame = pl.scan_parquet(out / "articles" / "**" / "*.parquet", hive_partitioning=True).collect()
    assert frame.height == 12
    result = invoke("query", out, "SELECT collection, count(*) AS n FROM articles GROUP BY ALL")
    assert result.exit_code == 0 and "second" in result.output
    result = invoke("catalogue", "merge", site_collection, "--out", out)
    assert result.exit_code == 2 and "already exists" in result.output


def test_extract_command_rebuilds_lost_catalogues(site_collection, tmp_path, invoke):
    collection = tmp_path / "c"
    shutil.copytree(site_collection, collection)
    shutil.rmtree(collection / "catalogue")
    result = invoke("extract", collection)
    assert result.exit_code == 0, result.output
    assert "catalogues rebuilt" in result.output
    assert _records(collection).num_rows == _records(site_collection).num_rows
    assert pq.read_table(collection / "catalogue" / "articles").num_rows == 6


def test_each_capture_run_appends_one_records_part(tmp_path, invoke):
    from archiver.sampleserver import serve_site

    collection = tmp_path / "c"
    with serve_site(bundled_site()) as base:
        first = invoke("capture", base + "/news/lavrov-nato.html", "--collection", collection,
                       "--delay", "0", "--quiet")
        assert first.exit_code == 0, first.output
        parts = list_parts(collection / "catalogue" / "records")
        assert len(parts) == 1
        urls = set(pq.read_table(parts[0]).column("url").to_pylist())
        assert base + "/news/lavrov-nato.html" in urls and base + "/images/lavrov.jpg" in urls
        second = invoke("capture", base + "/about.html", "--collection", collection, "--delay", "0",
                        "--quiet")
        assert second.exit_code == 0, second.output
    parts_after = list_parts(collection / "catalogue" / "records")
    assert len(parts_after) == 2 and parts[0] in parts_after
    assert base + "/about.html" in set(_records(collection).column("url").to_pylist())


def test_building_the_same_warc_into_the_same_folder_twice_is_refused(tmp_path, invoke):
    write_foreign_warc(tmp_path / "other.warc.gz", gzip=True, pages={"https://example.org/": b"<p>x</p>"})
    write_foreign_warc(tmp_path / "second.warc.gz", gzip=True, pages={"https://example.org/2": b"<p>y</p>"})
    out = tmp_path / "index"
    assert invoke("catalogue", "build", tmp_path / "other.warc.gz", "--out", out).exit_code == 0
    before = list_parts(out)
    result = invoke("catalogue", "build", tmp_path / "second.warc.gz", tmp_path / "other.warc.gz",
                    "--out", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"archiver: error: {out}: already catalogues other.warc.gz; "
        "build into a new --out folder to catalogue it again"]
    assert list_parts(out) == before
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "second.warc.gz").write_bytes((tmp_path / "second.warc.gz").read_bytes())
    result = invoke("catalogue", "build", tmp_path / "second.warc.gz", tmp_path / "again" / "second.warc.gz",
                    "--out", out)
    assert result.exit_code == 2 and "is already given" in result.output
    assert invoke("catalogue", "build", tmp_path / "second.warc.gz", "--out", out).exit_code == 0
    assert pq.read_table(out).num_rows == 4  # warcinfo and response of each WARC, once


def test_surt_keys_do_not_load_tldextract_or_requests():
    """surt imports tldextract (and requests) for an option we never use; they are not loaded
    for SURT keys, and a module that does use them still reaches the real ones."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from archiver.catalogue.surt import surt_key\n"
            "assert surt_key('https://www.Example.com:8080/a?b=2&a=1') == 'com,example:8080)/a?a=1&b=2'\n"
            "assert 'tldextract' not in sys.modules and 'requests' not in sys.modules, 'loaded'\n"
            "handyurl_module = sys.modules['surt.handyurl']\n"
            "import tldextract\n"
            "assert handyurl_module.tldextract.TLDExtract is tldextract.TLDExtract\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("mark,wins", [("Disconnect", "older"), ("Length", "newer")])
def test_record_prefers_a_whole_capture_to_one_cut_short_whatever_the_case_of_the_header(
        tmp_path, invoke, mark, wins):
    """`archiver record URL` on a WARC from another tool: a newer capture whose body was cut short
    (`WARC-Truncated: Disconnect`) loses to an older whole one; one cut by a size limit
    (`Length`, in any case) is still the latest capture, as extract reads it too."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    Collection(tmp_path).create()
    url = "https://news.example/story.html"
    bodies = {"older": b"<html>whole story</html>", "newer": b"<html>who"}
    with open(tmp_path / "warc" / "other-tool.warc.gz", "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for date, body, extra in (("2024-01-18T10:00:00Z", bodies["older"], {}),
                                  ("2024-01-19T10:00:00Z", bodies["newer"], {"WARC-Truncated": mark})):
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"),
                                               ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": date, **extra}))
    assert invoke("catalogue", "build", tmp_path).exit_code == 0
    out = invoke("record", tmp_path, url, "--body")
    assert out.exit_code == 0 and out.stdout_bytes == bodies[wins]
    assert "note:" not in out.stderr  # what it gave is whole (a Length cut is the capture's own)
