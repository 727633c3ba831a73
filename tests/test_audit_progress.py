"""The terminal progress line: bags, files, bytes, rate and time left; nothing off a terminal."""

from __future__ import annotations

import io
import re

from audit_support import COLLECTION_FILES, make_store

from archiver.audit import audit_paths
from archiver.audit.progress import TerminalProgress


def test_progress_line_counts_bags_files_bytes_rate_and_time_left(tmp_path):
    make_store(tmp_path, ["b1", "b2"])
    out = io.StringIO()
    progress = TerminalProgress(stream=out, interval=0)
    run = audit_paths([tmp_path / "store"], log=tmp_path / "log", progress=progress, workers=1)
    assert run.ok
    lines = [x for x in out.getvalue().split("\r") if x.strip()]
    kib = 2 * sum(COLLECTION_FILES.values()) / 1024
    assert lines[-1].startswith(f"audit: bags 2/2, files 14/14, {kib:.1f} KiB/{kib:.1f} KiB, ")
    first = r"audit: bags 0/2, files 1/14, [\d.]+ KiB/[\d.]+ KiB, [\d.]+ (B|KiB|MiB|GiB)/s, 0:00:\d\d left"
    assert re.fullmatch(first, lines[0])
    assert out.getvalue().endswith("\r")   # the line is cleared at the end


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path, invoke):
    make_store(tmp_path, ["b1"])
    result = invoke("audit", tmp_path / "store", "--log", tmp_path / "log")
    assert "audit: bags" not in result.output
    assert result.output.startswith("audited 1 bag(s)")


def test_one_worker_or_four_give_the_same_result(tmp_path):
    bags = make_store(tmp_path, ["b1"])
    (bags["b1"] / "data/logs/capture.log").write_text("changed\n")
    results = []
    for workers in (1, 4):
        run = audit_paths([tmp_path / "store"], log=tmp_path / "log", workers=workers)
        results.append([(f.kind, f.file) for f in run.bags[0].findings])
    assert results[0] == results[1] != []
