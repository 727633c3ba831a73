"""Review 2: a whole plain WARC whose last record has a WARC header over 64 KiB is not "truncated"."""


from __future__ import annotations

import zlib
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

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


def test_a_whole_plain_warc_with_a_long_last_header_is_not_truncated(invoke, tmp_path):
    warc = tmp_path / "long.warc"
    write_foreign_warc(warc, gzip=False, pages=PAGES)
    long_uri = b"http://a.test/" + b"x" * 70_000
    with warc.open("ab") as fh:
        fh.write(_record(b"WARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:9>\r\n"
                         b"WARC-Target-URI: " + long_uri + b"\r\nContent-Type: text/plain\r\n", b"hello"))
    with warc.open("rb") as fh:
        assert len(list(ArchiveIterator(fh))) == 6
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx")
    assert result.exit_code == 0, result.output
    warc.write_bytes(warc.read_bytes()[:-8])  # now it is cut short: still found
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx2")
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output
