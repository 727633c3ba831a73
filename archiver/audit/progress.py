"""A one-line progress display on a terminal: bags, files, bytes, rate, time left.

It is drawn on stderr, at most a few times a second, only when stderr is a terminal; cron and
pipes see nothing of it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Counts what an audit has done; subclasses show it. This base class shows nothing."""

    def __init__(self) -> None:
        self.bags_total = 0
        self.bytes_total = 0
        self.files_total = 0
        self.bags_done = 0
        self.files_done = 0
        self.bytes_done = 0
        self.started = time.monotonic()

    def start(self, bags: int, files: int, nbytes: int) -> None:
        self.bags_total, self.files_total, self.bytes_total = bags, files, nbytes
        self.started = time.monotonic()

    def file_done(self, size: int) -> None:
        self.files_done += 1
        self.bytes_done += size
        self.draw()

    def bag_done(self) -> None:
        self.bags_done += 1
        self.draw(force=True)

    def draw(self, force: bool = False) -> None:
        pass

    def close(self) -> None:
        pass


class TerminalProgress(Progress):
    """Redraws one status line on a terminal."""

    def __init__(self, stream: TextIO | None = None, interval: float = 0.25) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.interval = interval
        self._last = 0.0
        self._width = 0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.bytes_done / elapsed
        left = ""
        if rate > 0 and self.bytes_total > self.bytes_done:
            left = f", {_clock((self.bytes_total - self.bytes_done) / rate)} left"
        return (f"audit: bags {self.bags_done}/{self.bags_total}, "
                f"files {self.files_done}/{self.files_total}, "
                f"{human_bytes(self.bytes_done)}/{human_bytes(self.bytes_total)}, "
                f"{human_bytes(rate)}/s{left}")

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        text = self.line()
        pad = max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
