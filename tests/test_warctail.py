"""A WARC cut short is an error everywhere archiver reads WARCs, never a smaller valid WARC.

warcio alone drops a truncated last gzip member and returns a truncated uncompressed block short;
these tests cut real files at several points and go through the commands a user runs.
"""

from __future__ import annotations

import zlib

import pytest
from catalogue_support import write_foreign_warc
from warcio.archiveiterator import ArchiveIterator

from archiver.warctail import tail_problem

PAGES = {f"http://news.test/{i}.html": (f"<html><body><h1>Story {i}</h1>" + "text " * 2000 + "</body></html>")
         .encode() for i in range(3)}


@pytest.fixture(params=[True, False], ids=["gzip", "plain"])
def warc(request, tmp_path):
    path = tmp_path / ("other.warc.gz" if request.param else "other.warc")
    write_foreign_warc(path, gzip=request.param, pages=PAGES)
    return path


def test_a_whole_warc_has_no_tail_problem(warc):
    from warcio.archiveiterator import ArchiveIterator

    with warc.open("rb") as fh:
        it = ArchiveIterator(fh)
        offsets = [it.get_record_offset() for _ in it]
    assert len(offsets) == 7
    assert tail_problem(warc, offsets[-1]) is None


@pytest.mark.parametrize("keep", [0.98, 0.8, 0.5])
def test_a_cut_warc_fails_catalogue_build_and_extract(invoke, warc, keep, tmp_path):
    data = warc.read_bytes()
    warc.write_bytes(data[: int(len(data) * keep)])
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx")
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output
    assert not list((tmp_path / "idx").rglob("*.parquet"))

    collection = tmp_path / "coll"
    (collection / "warc").mkdir(parents=True)
    warc.rename(collection / "warc" / warc.name)
    result = invoke("extract", collection)
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output


def test_a_plain_warc_with_bare_lf_headers_is_accepted(tmp_path):
    body = b"hello"
    record = (b"WARC/1.1\nWARC-Type: resource\nWARC-Record-ID: <urn:uuid:1>\nContent-Length: 5\n\n"
              + body + b"\r\n\r\n")
    path = tmp_path / "lf.warc"
    path.write_bytes(record)
    assert tail_problem(path, 0) is None
    path.write_bytes(record + b"WARC/1.1\nWARC-Ty")
    assert "not a whole record" in tail_problem(path, 0)


def test_trailing_garbage_after_gzip_members_is_damage(tmp_path):
    path = tmp_path / "x.warc.gz"
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    path.write_bytes(member.compress(b"WARC/1.1\r\n") + member.flush() + b"not gzip at all")
    assert "damaged" in tail_problem(path, 0)


def test_a_large_member_is_checked_in_bounded_steps(tmp_path):
    # 64 MiB of zeros compress to ~64 KiB: the check must inflate it chunk by chunk
    path = tmp_path / "big.warc.gz"
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    data = member.compress(b"\0" * (64 << 20)) + member.flush()
    path.write_bytes(data)
    assert tail_problem(path, 0) is None
    path.write_bytes(data[:-4])
    assert "has no end" in tail_problem(path, 0)


def test_a_whole_plain_warc_with_a_long_last_header_is_not_truncated(invoke, tmp_path):
    # the end of the last record's header is looked for past the first 64 KiB read
    warc = tmp_path / "long.warc"
    write_foreign_warc(warc, gzip=False, pages=PAGES)
    long_uri = b"http://a.test/" + b"x" * 70_000
    block = b"hello"
    with warc.open("ab") as fh:
        fh.write(b"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:9>\r\nWARC-Target-URI: "
                 + long_uri + b"\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(block)
                 + block + b"\r\n\r\n")
    with warc.open("rb") as fh:
        assert len(list(ArchiveIterator(fh))) == 8
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx")
    assert result.exit_code == 0, result.output
    warc.write_bytes(warc.read_bytes()[:-8])  # now it is cut short: still found
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx2")
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output


def test_a_plain_warc_cut_inside_a_warc_header_is_a_one_line_error(invoke, tmp_path):
    # warcio raises AttributeError when the cut falls before the record's WARC-Target-URI
    warc = tmp_path / "other.warc"
    write_foreign_warc(warc, gzip=False, pages=PAGES)
    data = warc.read_bytes()
    second = data.index(b"WARC-Type: response", data.index(b"WARC-Type: response") + 1)
    cut = data.rindex(b"\r\n", 0, data.index(b"WARC-Target-URI", second)) - 3
    warc.write_bytes(data[:cut])
    result = invoke("catalogue", "build", warc, "--out", tmp_path / "idx")
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output
    assert not list((tmp_path / "idx").rglob("*.parquet"))
