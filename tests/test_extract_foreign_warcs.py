"""`archiver extract` on WARC files written the way other tools write them (not by warcio's writer):
warcinfo/metadata/dns records, angle-bracketed target URIs (WARC 1.0 examples), chunked and gzip
content-encoded payloads, Heritrix-style server-not-modified revisits found by digest, and damage."""

from __future__ import annotations

import gzip
import json

import pytest
from extract_support import SITE, sha1_digest

ARTICLE = (SITE / "news" / "harvest-record.html").read_bytes()
URL = "http://other-tool.test/news/harvest-record.html"


def record(rtype: str, uri: str | None, block: bytes, date: str = "2024-10-01T08:00:00Z",
           **extra: str) -> bytes:
    headers = [f"WARC-Type: {rtype}", f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{len(block):012d}>",
               f"WARC-Date: {date}"]
    if uri:
        headers.append(f"WARC-Target-URI: {uri}")
    headers += [f"{k.replace('_', '-')}: {v}" for k, v in extra.items()]
    headers.append(f"Content-Length: {len(block)}")
    return ("WARC/1.0\r\n" + "\r\n".join(headers) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def chunked(data: bytes, size: int = 1000) -> bytes:
    pieces = [data[i:i + size] for i in range(0, len(data), size)]
    parts = [f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces]
    return b"".join(parts) + b"0\r\n\r\n"


def wget_like_records() -> list[bytes]:
    body = chunked(gzip.compress(ARTICLE))
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Encoding: gzip\r\n\r\n" + body)
    not_modified = b"HTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\n\r\n"
    return [
        record("warcinfo", None, b"software: Wget/1.21.3\r\nformat: WARC File Format 1.0\r\n",
               Content_Type="application/warc-fields"),
        record("dns", "dns:other-tool.test", b"20241001080000\nother-tool.test. 300 IN A 127.0.0.1\n",
               Content_Type="text/dns"),
        record("request", f"<{URL}>",
               b"GET /news/harvest-record.html HTTP/1.1\r\nHost: other-tool.test\r\n\r\n",
               Content_Type="application/http;msgtype=request"),
        record("response", f"<{URL}>", http, Content_Type="application/http;msgtype=response",
               WARC_Payload_Digest=sha1_digest(ARTICLE)),
        record("metadata", URL, b"outlinks: /images/harvest.jpg\r\n", Content_Type="application/warc-fields"),
        record("revisit", URL, not_modified, date="2024-10-08T08:00:00Z",
               Content_Type="application/http;msgtype=response", WARC_Payload_Digest=sha1_digest(ARTICLE),
               WARC_Profile="http://netpreserve.org/warc/1.0/revisit/server-not-modified",
               WARC_Refers_To_Target_URI=URL, WARC_Refers_To_Date="2024-10-01T08:00:00Z"),
    ]


@pytest.mark.parametrize("compress", [False, True], ids=["warc", "warc.gz"])
def test_wget_and_heritrix_style_records(invoke, tmp_path, compress):
    (tmp_path / "warc").mkdir()
    records = wget_like_records()
    data = b"".join(gzip.compress(r) for r in records) if compress else b"".join(records)
    (tmp_path / "warc" / ("crawl.warc.gz" if compress else "crawl.warc")).write_bytes(data)
    result = invoke("extract", tmp_path)
    assert result.exit_code == 0, result.output
    docs = [json.loads(p.read_text(encoding="utf-8"))
            for p in (tmp_path / "metadata" / "articles").glob("*.json")]
    assert len(docs) == 1
    doc = docs[0]
    assert doc["headline"] == "Gomel Oblast farmers bring in record grain harvest"
    assert doc["final_url"] == URL  # angle brackets of the WARC 1.0 form removed
    assert doc["provenance"]["charset_source"] == "http-header"
    # the later capture is a 304 revisit: its document takes the original's payload and status
    assert doc["provenance"]["capture_time"] == "2024-10-08T08:00:00Z"
    assert doc["provenance"]["http_status"] == 200
    assert doc["provenance"]["warc"]["revisit_of"] is not None
    assert doc["body"]["word_count"] == 130


def test_damaged_warc_is_an_error_and_nothing_is_changed(invoke, tmp_path):
    (tmp_path / "warc").mkdir()
    first = wget_like_records()[0]
    broken = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nabcde\r\n\r\n"  # no target URI
    (tmp_path / "warc" / "crawl.warc").write_bytes(first + broken)
    earlier = tmp_path / "metadata" / "articles" / "art-0123456789abcdef.json"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("{}")
    result = invoke("extract", tmp_path)
    assert result.exit_code == 2
    # (in a plain .warc, warcio counts a record without its closing CRLF CRLF, as CDXJ indexes do)
    assert f"crawl.warc: malformed WARC record after byte {len(first) - 4}" in result.stderr
    assert "Traceback" not in result.stderr
    assert earlier.exists()  # a failed rebuild removes nothing


def test_truncated_gzip_payload_gives_what_could_be_read(tmp_path):
    from archiver.extract import extract_collection

    (tmp_path / "warc").mkdir()
    bad_gzip = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                + gzip.compress(ARTICLE)[:-40] + b"garbage")
    (tmp_path / "warc" / "x.warc").write_bytes(record("response", URL, bad_gzip))
    result = extract_collection(tmp_path)
    assert result.failures == []
    assert [d["headline"] for d in result.articles] == ["Gomel Oblast farmers bring in record grain harvest"]
