"""The fast .warc.gz reader (archiver/catalogue/gzmembers.py) gives exactly warcio's rows, hands
warcio what it does not handle, and reports a truncated or damaged gzip member instead of stopping."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from catalogue_support import capture_sample_site, write_foreign_warc
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import archiver.catalogue.records as records
from archiver.catalogue.gzmembers import NotOneRecordPerMember, iter_members
from archiver.catalogue.parts import list_parts


@pytest.fixture(scope="module")
def captured(tmp_path_factory) -> Path:
    return capture_sample_site(tmp_path_factory.mktemp("fast") / "news")



def _warcio_only(monkeypatch):
    def refuse(fh):
        raise NotOneRecordPerMember(fh.tell(), "warcio only, for the comparison")
        yield

    monkeypatch.setattr(records, "iter_members", refuse)


def _rows(path: Path, include_requests: bool = False) -> list[dict]:
    return list(records.iter_warc_rows(path, "c", include_requests=include_requests))


def _odd_warc(path: Path) -> None:
    """One record per member, with what the fast reader hands to warcio: content and transfer
    codings, a folded header line, non-ASCII header bytes, a 0.9-style response, a dns: record."""
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        body = b"<html lang='nl'><head><meta charset='iso-8859-1'></head><p>hallo</p></html>"
        coded = gzip.compress(body)
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        for url, payload, headers in [
            ("https://a.example/gz", coded, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]),
            ("https://a.example/ch", chunked, [("Content-Type", "text/html"),
                                               ("Transfer-Encoding", "chunked")]),
            ("https://a.example/plain", body, [("Content-Type", "text/html; charset=UTF-8"),
                                               ("Location", "/x"), ("Content-Language", "nl")]),
        ]:
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                http_headers=http))
        w.write_record(w.create_warc_record("dns:a.example", "resource", payload=io.BytesIO(b"1.2.3.4"),
                                            warc_content_type="text/dns"))
        w.write_record(w.create_warc_record("https://a.example/img", "resource",
                                            payload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(5000)),
                                            warc_content_type="image/png"))
        raw = (b"HTTP/1.1 301 Moved\r\nlocation:  /b \r\nX-Folded: one\r\n two\r\n\r\n",
               b"HTTP/1.0 404 Nicht gefunden \xc3\xa4\r\nContent-Type: text/plain\r\n\r\nweg",
               b"<html>no status line</html>")
        for n, block in enumerate(raw):  # written by hand: warcio would re-encode these headers
            head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://b.example/{n}\r\n"
                    f"WARC-Date: 2024-05-0{n + 1}T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{n:08d}>\r\n"
                    f"Content-Type: application/http; msgtype=response\r\n"
                    f"Content-Length: {len(block)}\r\n\r\n").encode()
            fh.write(gzip.compress(head + block + b"\r\n\r\n"))


@pytest.mark.parametrize("include_requests", [False, True])
def test_fast_reader_rows_equal_warcio_rows(captured, tmp_path, monkeypatch, include_requests):
    pages = {f"https://example.org/p{i}.html": f"<html lang='de'><p>{i}</p></html>".encode()
             for i in range(5)}
    write_foreign_warc(tmp_path / "other.warc.gz", gzip=True, pages=pages)
    _odd_warc(tmp_path / "odd.warc.gz")
    files = [*sorted((captured / "warc").glob("*.warc.gz")), tmp_path / "other.warc.gz",
             tmp_path / "odd.warc.gz"]
    fast = [_rows(f, include_requests) for f in files]
    _warcio_only(monkeypatch)
    assert fast == [_rows(f, include_requests) for f in files]
    assert sum(len(rows) for rows in fast) > 20


def test_not_one_record_per_member_continues_with_warcio(tmp_path, monkeypatch):
    """Members holding several records from some point on, and whole-file gzip: warcio's rows."""
    pages = {f"https://example.org/p{i}.html": b"<html><p>x</p></html>" for i in range(4)}
    write_foreign_warc(tmp_path / "plain.warc", gzip=False, pages=pages)
    write_foreign_warc(tmp_path / "members.warc.gz", gzip=True, pages=pages)
    plain = (tmp_path / "plain.warc").read_bytes()
    (tmp_path / "whole.warc.gz").write_bytes(gzip.compress(plain))
    members = (tmp_path / "members.warc.gz").read_bytes()
    (tmp_path / "mixed.warc.gz").write_bytes(members + gzip.compress(plain))  # tail: one member, many records
    outcomes = {}
    for name in ("whole.warc.gz", "mixed.warc.gz"):
        try:
            outcomes[name] = _rows(tmp_path / name)
        except Exception as exc:  # noqa: BLE001 - compared with warcio's own outcome below
            outcomes[name] = repr(exc)
    _warcio_only(monkeypatch)
    for name, fast in outcomes.items():
        try:
            expected = _rows(tmp_path / name)
        except Exception as exc:  # noqa: BLE001
            expected = repr(exc)
        assert fast == expected, name


def test_truncated_last_member_is_an_error_not_a_short_catalogue(captured, tmp_path, invoke):
    [warc] = sorted((captured / "warc").glob("*.warc.gz"))[:1]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(warc.read_bytes()[:-100])  # inside the last member
    result = invoke("catalogue", "build", cut, "--out", tmp_path / "idx")
    assert result.exit_code == 2
    last = max(r["warc_record_offset"] for r in _rows(warc, include_requests=True))
    assert result.output.strip() == (f"archiver: error: {cut}: damaged or truncated WARC "
                                     f"(truncated: the gzip member at byte {last} has no end)")
    assert list_parts(tmp_path / "idx") == []
    with cut.open("rb") as fh, pytest.raises(EOFError, match=f"gzip member at byte {last} has no end"):
        list(iter_members(fh))  # the fast reader itself sees it, not only archiver.warctail afterwards


def test_damaged_member_is_an_error(captured, tmp_path, invoke):
    [warc] = sorted((captured / "warc").glob("*.warc.gz"))[:1]
    rows = _rows(warc)
    middle = max(rows, key=lambda r: r["warc_record_length"] or 0)
    data = bytearray(warc.read_bytes())
    at = middle["warc_record_offset"] + middle["warc_record_length"] // 2
    data[at:at + 64] = bytes(64)  # zeros over compressed data
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(bytes(data))
    result = invoke("catalogue", "build", bad, "--out", tmp_path / "idx")
    assert result.exit_code == 2
    assert result.output.startswith(
        f"archiver: error: {bad}: damaged or truncated WARC "
        f"(gzip member at byte {middle['warc_record_offset']} is damaged (")
    with bad.open("rb") as fh, pytest.raises(EOFError, match="is damaged"):
        list(iter_members(fh))


def test_a_file_the_fast_reader_read_to_its_end_is_not_read_again_for_its_tail(tmp_path, monkeypatch):
    # gzmembers inflates every member and raises on one cut short: a second look is wasted reading.
    # A file warcio reads still gets the tail check.
    looked: list[Path] = []
    real = records.tail_problem
    monkeypatch.setattr(records, "tail_problem",
                        lambda path, offset: looked.append(path) or real(path, offset))
    one_per_member = tmp_path / "a.warc.gz"
    write_foreign_warc(one_per_member, gzip=True, pages={"http://a.test/": b"<p>a</p>"})
    assert _rows(one_per_member) and looked == []
    plain = tmp_path / "c.warc"
    write_foreign_warc(plain, gzip=False, pages={"http://a.test/": b"<p>a</p>"})
    assert _rows(plain) and looked == [plain]


HTML = b"<html lang='fr'><head><meta charset='iso-8859-1'></head>\r\n\r\n<body>x</body></html>"


def _response_member(uri: bytes, http: bytes) -> bytes:
    """One response record, written by hand (warcio would rewrite these headers), as one gzip member."""
    head = (b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
            b"WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: " + uri + b"\r\n"
            b"Content-Length: %d\r\n\r\n" % len(http))
    return gzip.compress(head + http + b"\r\n\r\n")


@pytest.mark.parametrize("uri, http", [
    (b"http://a.test/x", b"HTTP/1.1 200 OK\nContent-Type: text/html\n\n" + HTML),
    (b"http://a.test/x", b"HTTP/1.1 200 OK\nContent-Type: text/plain\n\n<html lang='de'>\r\n\r\n" + HTML),
    (b"http://a.test/x", b"HTTP/1.1 200 OK\r\nX-A: 1\r\n \r\nContent-Type: text/plain\r\n\r\n" + HTML),
    (b"http://a.test/a b", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + HTML),
], ids=["lf-headers", "lf-headers-crlf-body", "whitespace-line", "space-in-uri"])
def test_headers_end_where_warcio_ends_them(tmp_path, monkeypatch, uri, http):
    # HTTP headers ending in bare LFs with CRLFs later in the body, a whitespace-only line ending
    # them, a WARC-Target-URI with a space (warcio writes %20): the rows are still warcio's.
    warc = tmp_path / "odd.warc.gz"
    warc.write_bytes(_response_member(uri, http))
    fast = _rows(warc)
    _warcio_only(monkeypatch)
    assert fast == _rows(warc)


def test_a_highly_compressed_record_is_inflated_in_bounded_steps(tmp_path, monkeypatch):
    # 64 MiB of zeros in one record compress to ~64 KiB, one read of compressed bytes: each zlib
    # call must still return at most INFLATE_BYTES, and the row is warcio's.
    from archiver.catalogue import gzmembers

    block = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + bytes(64 << 20)
    warc = tmp_path / "zeros.warc.gz"
    warc.write_bytes(_response_member(b"http://a.test/zeros", block))
    largest = []
    real = gzmembers.zlib.decompressobj

    class Watched:
        def __init__(self, *args):
            self.inner = real(*args)

        def decompress(self, *args):
            out = self.inner.decompress(*args)
            largest.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(gzmembers.zlib, "decompressobj", Watched)
    fast = _rows(warc)
    assert max(largest) <= gzmembers.INFLATE_BYTES
    monkeypatch.undo()
    _warcio_only(monkeypatch)
    assert fast == _rows(warc)
