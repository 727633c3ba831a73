"""Review 2: a plain WARC cut inside a record's WARC header is a one-line error from `catalogue build`,
not a traceback (warcio raises AttributeError when the cut falls before WARC-Target-URI)."""


from __future__ import annotations

import zlib
from pathlib import Path

import archiver.catalogue.records as records
from archiver.catalogue.gzmembers import NotOneRecordPerMember
from tests.catalogue_support import write_foreign_warc

PAGES = {f"http://news.test/{i}.html": (b"<html><body>" + b"text %d " % i * 50 + b"</body></html>")
         for i in range(2)}


def _gz(data: bytes) -> bytes:
    member = zlib.compressobj(6, zlib.DEFLATED, 31)
    return member.compress(data) + member.flush()


def _record(headers: bytes, block: bytes) -> bytes:
    return (b"WARC/1.1\r\n" + headers + b"Content-Length: %d\r\n\r\n" % len(block) + block + b"\r\n\r\n")


def _response(uri: bytes, http: bytes) -> bytes:
    return _record(b"WARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
                   b"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: " + uri + b"\r\n", http)


def _rows(path: Path, monkeypatch=None) -> list[dict]:
    if monkeypatch is not None:  # warcio only: the reference the fast reader must match
        def refuse(fh):
            raise NotOneRecordPerMember(fh.tell(), "warcio only, for the comparison")
            yield
        monkeypatch.setattr(records, "iter_members", refuse)
    return list(records.iter_warc_rows(path, "c"))


def test_a_plain_warc_cut_inside_a_warc_header_is_a_one_line_error(invoke, tmp_path):
    warc = tmp_path / "other.warc"
    write_foreign_warc(warc, gzip=False, pages=PAGES)
    data = warc.read_bytes()
    # cut inside the second response record's WARC header, before its WARC-Target-URI line
    second = data.index(b"WARC-Type: response", data.index(b"WARC-Type: response") + 1)
    cut = data.rindex(b"\r\n", 0, data.index(b"WARC-Target-URI", second)) - 3
    warc.write_bytes(data[:cut])
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx")
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output
    assert not list((tmp_path / "idx").rglob("*.parquet"))
