"""`archiver capture` catalogues its run as it writes (archiver.runcatalogue.py): the part
it leaves must be the part made by reading the finished WARCs back, whether the rows were made by
the helper process or by the run itself, and an interrupted run must leave no part at all."""

from __future__ import annotations

import sys

import pyarrow.parquet as pq
import pytest
from capture_support import serve

from archiver import runcatalogue as rc
from archiver.catalogue import RECORDS_SCHEMA, append_capture_run
from archiver.collection import Collection

SEEDS = ("/", "/gzip", "/chunked", "/gzip-chunked", "/moved", "/private/secret.html", "/missing.html")


def _rows(table):
    return sorted(table.to_pylist(), key=lambda r: (r["warc_filename"] or "", r["warc_record_offset"] or -1,
                                                    r["warc_type"], r["url"] or ""))


def _capture(invoke, coll, *extra):
    with serve() as (base, _):
        result = invoke("capture", *[base + s for s in SEEDS], "--collection", coll, "--depth", "1",
                        "--delay", "0", "--workers", "4", "--timeout", "5", "--quiet", *extra)
    return result


def _rebuilt_from_warcs(coll, tmp_path):
    """The part append_capture_run writes for the same run, from its WARCs and log alone."""
    from archiver.capture.options import CaptureResult

    col = Collection(coll)
    (log,) = col.logs_dir.glob("capture-*.jsonl")
    again = tmp_path / "again"
    (again / "warc").mkdir(parents=True)
    (again / "logs").mkdir()
    for warc in col.warc_files():
        (again / "warc" / warc.name).hardlink_to(warc)
    (again / "logs" / log.name).hardlink_to(log)
    result = CaptureResult(run_id="x", log_path=again / "logs" / log.name,
                           warc_files=list(Collection(again).warc_files()))
    part = append_capture_run(again, result)
    assert part is not None
    # the collection's name is a column: compare under the same name
    return [dict(r, collection=coll.name) for r in _rows(pq.read_table(part, schema=RECORDS_SCHEMA))]


@pytest.mark.parametrize("helper_after,max_held", [(0, 10**9), (10**9, 10**9), (10**9, 5)],
                         ids=["helper-process", "in-run", "in-run-over-memory-bound"])
def test_the_part_made_while_capturing_equals_the_part_read_back_from_the_warcs(
        invoke, tmp_path, monkeypatch, helper_after, max_held):
    monkeypatch.setattr(rc, "HELPER_AFTER", helper_after)
    monkeypatch.setattr(rc, "MAX_HELD", max_held)  # past it, the run re-reads its WARCs at the end
    used = []
    real_finish = rc.RunCatalogue.finish
    monkeypatch.setattr(rc.RunCatalogue, "finish",
                        lambda self, result: (used.append(self.used_helper), real_finish(self, result))[1])
    from archiver.catalogue import records

    read_back = []
    real_read = records._read_member
    monkeypatch.setattr(records, "_read_member",
                        lambda *a: read_back.append(real_read(*a)) or read_back[-1])
    coll = tmp_path / "coll"
    result = _capture(invoke, coll)
    assert result.exit_code == 1  # /missing.html is a seed that could not be captured (a 404)
    assert used == [helper_after == 0]
    # only what the head cannot describe is read back (never a request: requests are not rows)
    assert "request" not in {r.rec_type for r in read_back}
    (part,) = Collection(coll).records_catalogue_dir.glob("part-*.parquet")
    made = _rows(pq.read_table(part, schema=RECORDS_SCHEMA))
    assert made == _rebuilt_from_warcs(coll, tmp_path)
    kinds = {r["warc_type"] for r in made}
    assert {"warcinfo", "response", "revisit", "metadata", "resource", "skipped"} <= kinds
    zipped = next(r for r in made if (r["url"] or "").endswith("/gzip") and r["warc_type"] == "response")
    assert zipped["content_mime_detected"] == "text/html"  # read through warcio: gzip content coding


_READ_ALL = "import pickle, sys\nwhile pickle.load(sys.stdin.buffer)[0] != 'finish': pass\n"
FAILING_HELPERS = {  # name: (helper program, RunCatalogue settings, must the run kill it)
    "dies": ("import sys; sys.stdin.buffer.read(10); sys.exit(3)", {}, False),
    "answers-an-error": (_READ_ALL + "pickle.dump(('error', 'boom'), sys.stdout.buffer); sys.stdout.flush()",
                         {}, False),
    # reads nothing: the outbox (one batch of one record) fills, the run gives the helper up
    "falls-behind": ("import time; time.sleep(30)",
                     {"OUTBOX_BATCHES": 1, "SEND_BATCH": 1, "HELPER_EXIT_WAIT": 0.5}, True),
    "never-answers": (_READ_ALL + "import time; time.sleep(30)",
                      {"HELPER_REPLY_WAIT": 0.5, "HELPER_EXIT_WAIT": 0.5}, True),
}


@pytest.mark.parametrize("helper", FAILING_HELPERS)
def test_a_failing_helper_leaves_the_run_catalogued_from_its_warcs(invoke, tmp_path, monkeypatch, helper):
    program, settings, killed = FAILING_HELPERS[helper]
    monkeypatch.setattr(rc, "HELPER_AFTER", 0)
    for name, value in settings.items():
        monkeypatch.setattr(rc, name, value)
    real_popen = rc.subprocess.Popen
    started = []

    def failing_helper(args, **kwargs):
        started.append(real_popen([sys.executable, "-c", program], **kwargs))
        return started[-1]

    monkeypatch.setattr(rc.subprocess, "Popen", failing_helper)
    coll = tmp_path / "coll"
    assert _capture(invoke, coll).exit_code == 1
    (part,) = Collection(coll).records_catalogue_dir.glob("part-*.parquet")
    assert _rows(pq.read_table(part, schema=RECORDS_SCHEMA)) == _rebuilt_from_warcs(coll, tmp_path)
    (process,) = started
    assert process.returncode is not None  # not left running
    if killed:  # did not wait out the helper's 30 s
        assert process.returncode == -9


def test_a_member_that_cannot_be_read_back_leaves_the_run_catalogued_from_its_warcs(
        invoke, tmp_path, monkeypatch):
    """The run making its own rows falls back as the helper does: one member it cannot read back
    (here: every one) costs the fast path, not the part or a traceback."""
    from archiver.catalogue import records

    monkeypatch.setattr(rc, "HELPER_AFTER", 10**9)

    def unreadable(*args):
        raise ValueError("cannot read this member back")

    monkeypatch.setattr(records, "_read_member", unreadable)
    coll = tmp_path / "coll"
    assert _capture(invoke, coll).exit_code == 1
    (part,) = Collection(coll).records_catalogue_dir.glob("part-*.parquet")
    assert _rows(pq.read_table(part, schema=RECORDS_SCHEMA)) == _rebuilt_from_warcs(coll, tmp_path)


def test_an_interrupted_run_leaves_no_part_and_no_helper(tmp_path, monkeypatch):
    """Leaving the RunCatalogue on an error (Ctrl-C, a full disk) stops the helper before it
    writes: the records catalogue is as it was."""
    from archiver.capture import CaptureOptions, capture

    monkeypatch.setattr(rc, "HELPER_AFTER", 0)
    coll = tmp_path / "coll"
    helpers = []
    with serve() as (base, _):
        with pytest.raises(KeyboardInterrupt):
            with rc.RunCatalogue(coll) as run_catalogue:
                capture([base + "/"], coll, CaptureOptions(depth=1, delay=0, timeout=5),
                        on_written=run_catalogue.add)
                helpers.append(run_catalogue._helper)
                raise KeyboardInterrupt
    assert helpers[0] is not None and helpers[0].returncode is not None  # started, and gone
    assert not list(Collection(coll).records_catalogue_dir.glob("*"))
