"""Review 2: the fast .warc.gz reader gives warcio's row values where warcio's header parsing differs
from a search for CRLF CRLF (HTTP headers ending in bare LFs with CRLFs later in the body, a
whitespace-only line ending the headers) and for a WARC-Target-URI with a space (warcio writes %20)."""


from __future__ import annotations

import zlib
from pathlib import Path

import pytest

import archiver.catalogue.records as records
from archiver.catalogue.gzmembers import NotOneRecordPerMember

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


HTML = b"<html lang='fr'><head><meta charset='iso-8859-1'></head>\r\n\r\n<body>x</body></html>"


@pytest.mark.parametrize("uri, http", [
    (b"http://a.test/x", b"HTTP/1.1 200 OK\nContent-Type: text/html\n\n" + HTML),
    (b"http://a.test/x", b"HTTP/1.1 200 OK\nContent-Type: text/plain\n\n<html lang='de'>\r\n\r\n" + HTML),
    (b"http://a.test/x", b"HTTP/1.1 200 OK\r\nX-A: 1\r\n \r\nContent-Type: text/plain\r\n\r\n" + HTML),
    (b"http://a.test/a b", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + HTML),
], ids=["lf-headers", "lf-headers-crlf-body", "whitespace-line", "space-in-uri"])
def test_fast_reader_rows_equal_warcios(tmp_path, monkeypatch, uri, http):
    warc = tmp_path / "odd.warc.gz"
    warc.write_bytes(_gz(_response(uri, http)))
    fast = _rows(warc)
    assert fast == _rows(warc, monkeypatch)
