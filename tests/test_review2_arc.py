"""Review 2: a plain .arc file cut short is an error, as a cut .warc is. An ARC record's header line
ends with its length (ARC 1.0: URL IP-address Archive-date Content-type Archive-length), and warcio
returns the cut last record short without a word."""

from __future__ import annotations

import pytest


def _arc() -> bytes:
    version = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [b"filedesc://test.arc 0.0.0.0 20240101000000 text/plain %d\n" % len(version) + version + b"\n"]
    for i in range(3):
        http = (b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>" + b"page %d " % i * 40
                + b"</body></html>")
        line = b"http://a.test/%d 1.2.3.4 20240101000000 text/html %d\n" % (i, len(http))
        records.append(line + http + b"\n")
    return b"".join(records)


def test_a_whole_arc_is_catalogued(invoke, tmp_path):
    arc = tmp_path / "old.arc"
    arc.write_bytes(_arc())
    result = invoke("catalogue", "build", arc, "--out", tmp_path / "idx")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("cut", [30, 200])
def test_a_cut_arc_fails_catalogue_build(invoke, tmp_path, cut):
    arc = tmp_path / "old.arc"
    arc.write_bytes(_arc()[:-cut])
    result = invoke("catalogue", "build", arc, "--out", tmp_path / "idx")
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output
    assert not list((tmp_path / "idx").rglob("*.parquet"))

