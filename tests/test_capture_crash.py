"""Crash safety: SIGKILL mid-run, torn records, resume; full disk and unwritable collections."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from capture_support import Site, assert_warcio_accepts, records, serve
from warcio.archiveiterator import ArchiveIterator

from archiver.capture.repair import repair_directory
from archiver.capture.warcwriter import WarcFileWriter, WarcRecord
from archiver.errors import ArchiverError

REPO = Path(__file__).resolve().parents[1]


def _lines(coll: Path) -> list[dict]:
    out = []
    for path in sorted((coll / "logs").glob("capture-*.jsonl")):
        for raw in path.read_text().splitlines():
            try:
                out.append(json.loads(raw))
            except json.JSONDecodeError:
                pass
    return out


def test_sigkill_mid_run_then_rerun_repairs_and_resumes(tmp_path, invoke):
    coll = tmp_path / "coll"
    site = Site()
    site.many = 80
    site.page_delay = 0.03
    with serve(site) as (base, _):
        args = ["capture", base + "/list.html", "--collection", str(coll), "--depth", "1",
                "--delay", "0", "--workers", "2", "--per-host", "2", "--quiet"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-m", "archiver", *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if sum(1 for line in _lines(coll) if line["url"].startswith(base + "/p/")) >= 20:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL
        open_files = list((coll / "warc").glob("*.warc.gz.open"))
        assert len(open_files) == 1 and not list((coll / "warc").glob("*.warc.gz"))
        # every complete record written before the kill is readable as it is
        with open(open_files[0], "rb") as fh:
            it = ArchiveIterator(fh)
            complete = []
            try:
                for rec in it:
                    complete.append(rec.rec_headers.get_header("WARC-Record-ID"))
            except Exception:  # noqa: BLE001 - only the torn tail may fail
                pass
        assert len(complete) > 40
        # make sure a torn record is there to repair, whatever moment the kill hit
        with open(open_files[0], "ab") as fh:
            fh.write(records_tail())
        before = {k: v for k, v in site.hits.items() if k.startswith("/p/")}

        result = invoke(*args)
        assert result.exit_code == 0, result.output
        refetched = [k for k, v in site.hits.items() if k.startswith("/p/") and v > 1]
        assert len(refetched) <= 4  # at most what was in flight or not yet logged at the kill
        assert len(before) >= 20 and sum(1 for k in site.hits if k.startswith("/p/")) == 80
    assert not list((coll / "warc").glob("*.open"))
    warcs = sorted((coll / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2
    assert_warcio_accepts(warcs)
    ids = [h["WARC-Record-ID"] for p in warcs for _, h, _ in records(p)]
    assert set(complete) <= set(ids)
    captured = {line["url"] for line in _lines(coll) if line["outcome"] in ("captured", "revisit")}
    assert {f"{base}/p/{i}.html" for i in range(80)} <= captured
    # both runs' logs end up in the WARCs: the killed run's is stored by the run that repaired it
    logs = {h["WARC-Target-URI"] for p in warcs for k, h, _ in records(p) if k == "resource"}
    assert logs == {f"urn:archiver:capture-log:{p.stem[len('capture-'):]}"
                    for p in (coll / "logs").glob("capture-*.jsonl")}


def records_tail() -> bytes:
    """The first half of a real gzip member: what a write cut by SIGKILL or power loss leaves."""
    import zlib

    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    member = comp.compress(b"WARC/1.1\r\nWARC-Type: resource\r\n" + os.urandom(4000)) + comp.flush()
    return member[: len(member) // 2]


def _writer(directory: Path) -> WarcFileWriter:
    return WarcFileWriter(directory, warcinfo=lambda name: b"software: test\r\n")


def _record(n: int) -> WarcRecord:
    return WarcRecord.from_bytes("resource", [("WARC-Target-URI", f"urn:test:{n}"),
                                              ("WARC-Date", "2026-01-01T00:00:00Z")],
                                 os.urandom(3000), "application/octet-stream", "sha256")


@pytest.mark.parametrize("cut", [1, 10, 100, 0.5, -30, -1])
def test_repair_cuts_a_torn_last_record(tmp_path, cut):
    writer = _writer(tmp_path)
    for n in range(5):
        writer.write([_record(n)])
    path = tmp_path / (writer.current_filename + ".open")
    data = path.read_bytes()
    writer._fh.close()
    members = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for _ in it:
            members.append(it.get_record_offset())
    start = members[-1]
    size = len(data) - start
    keep = start + (int(size * cut) if isinstance(cut, float) else (cut if cut > 0 else size + cut))
    path.write_bytes(data[:keep])
    (repaired,) = repair_directory(tmp_path)
    assert repaired.members == 5 and repaired.path.name == writer.current_filename
    assert [k for k, _, _ in records(repaired.path)] == ["warcinfo"] + ["resource"] * 4
    assert_warcio_accepts([repaired.path])


def test_repair_removes_a_file_with_no_complete_record(tmp_path):
    (tmp_path / "x.warc.gz.open").write_bytes(records_tail())
    (repaired,) = repair_directory(tmp_path)
    assert repaired.deleted and not list(tmp_path.iterdir())


def test_full_disk_is_a_clear_error_and_leaves_no_torn_record(tmp_path):
    writer = _writer(tmp_path)
    writer.write([_record(0)])
    size = writer._fh.tell()
    real_write = writer._fh.write
    calls = {"n": 0}

    class Full:
        def __getattr__(self, name):
            return getattr(real_fh, name)

        def write(self, data):
            calls["n"] += 1
            if calls["n"] > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(data)

    real_fh = writer._fh
    writer._fh = Full()
    with pytest.raises(ArchiverError, match="No space left on device"):
        writer.write([_record(1), _record(2)])
    writer._fh = real_fh
    assert real_fh.tell() == size
    writer.close()
    assert [k for k, _, _ in records(writer.files[0])] == ["warcinfo", "resource"]


def test_unusable_collection_path_is_exit_2(tmp_path, invoke):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = invoke("capture", "http://127.0.0.1:9/", "--collection", str(blocker / "coll"))
    assert result.exit_code == 2
    assert "archiver: error: cannot create collection" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_collection_is_exit_2(tmp_path, invoke):
    coll = tmp_path / "coll"
    (coll / "warc").mkdir(parents=True)
    (coll / "warc").chmod(0o500)
    try:
        result = invoke("capture", "http://127.0.0.1:9/", "--collection", str(coll))
    finally:
        (coll / "warc").chmod(0o700)
    assert result.exit_code == 2 and "archiver: error:" in result.output
