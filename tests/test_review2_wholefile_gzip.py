"""Review 2: a whole-file gzip WARC (several records in one gzip member, as `gzip file.warc` makes)
is refused on one line that says what it is, by `catalogue build` and by `extract` (warcio's
message spans a dozen lines, and extract printed an empty reason)."""

from __future__ import annotations

import gzip

from catalogue_support import write_foreign_warc

PAGES = {f"http://news.test/{i}.html": b"<html><body>" + b"text %d " % i * 50 + b"</body></html>"
         for i in range(2)}


def test_a_whole_file_gzip_warc_is_refused_on_one_line(invoke, tmp_path):
    plain = tmp_path / "crawl.warc"
    write_foreign_warc(plain, gzip=False, pages=PAGES)
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(gzip.compress(plain.read_bytes()))
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx")
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "several records in one gzip member" in result.output

    collection = tmp_path / "coll"
    (collection / "warc").mkdir(parents=True)
    warc.rename(collection / "warc" / warc.name)
    result = invoke("extract", collection)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "several records in one gzip member" in result.output
