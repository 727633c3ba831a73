"""The progress line shown on a terminal while a capture runs, and the final summary text."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from archiver.capture.crawler import Progress
from archiver.capture.options import CaptureResult


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"  # pragma: no cover


class ProgressLine:
    """Redraws one status line on *stream* at most every `interval` seconds (a terminal only)."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.2):
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = 0.0
        self._lock = threading.Lock()
        self._width = 0

    def __call__(self, p: Progress) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.interval:
                return
            self._last = now
            rate = p.pages / p.elapsed if p.elapsed > 0 else 0.0
            text = (f"pages {p.pages}  requisites {p.requisites}  redirects {p.redirects}  "
                    f"revisits {p.revisits}  {human_bytes(p.bytes)}  errors {p.failures}  "
                    f"queued {p.queued}  {rate:.1f} pages/s")
            self._width = max(self._width, len(text))
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()

    def clear(self) -> None:
        with self._lock:
            if self._width:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()


def summary(result: CaptureResult) -> str:
    """The human summary printed at the end of a run."""
    lines = [
        f"captured {result.pages} pages and {result.requisites} requisites "
        f"({result.redirects} redirects, {result.revisits} revisits, {result.skipped} skipped) "
        f"in {result.elapsed:.1f} s",
        f"wrote {result.records} records, {human_bytes(result.bytes_written)} "
        f"to {len(result.warc_files)} WARC file(s)",
    ]
    lines += [f"  {p}" for p in result.warc_files]
    if result.repaired:
        lines.append(f"repaired {len(result.repaired)} WARC file(s) left open by an interrupted run")
    if result.not_fetched:
        lines.append(f"--max-time ran out: {result.not_fetched} queued URL(s) not fetched "
                     f"(the same command again goes on from here)")
    if result.not_followed:
        lines.append(f"--max-pages reached: {result.not_followed} more page(s) found, not followed")
    if result.failures:
        lines.append(f"{len(result.failures)} failed:")
        lines += [f"  {url}: {reason}" for url, reason in result.failures]
    lines.append(f"log: {result.log_path}")
    return "\n".join(lines)
