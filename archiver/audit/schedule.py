"""Scheduling for large stores: who goes first, when to stop, and which files a sample checks.

Repeated runs with a budget cover the whole store in rotation because each run starts with the
bags whose last complete audit is oldest (never-audited bags first), as APTrust and Merritt do.
Sampling follows ACE: N files per bag, or the square root of the bag's file count.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from archiver.errors import ArchiverError

T = TypeVar("T")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_SIZE_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4,
               "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}


def parse_duration(text: str) -> float:
    """Seconds in '90', '90s', '30m', '2h', '1h30m' or '1d'."""
    s = text.strip().lower()
    try:
        value = float(s)
    except ValueError:
        parts = _DURATION.findall(s)
        if not parts or "".join(n + u for n, u in parts) != s:
            raise ArchiverError(f"bad duration {text!r}: use e.g. 90s, 30m, 2h or 1h30m") from None
        value = sum(float(n) * _UNITS[u] for n, u in parts)
    if value <= 0:
        raise ArchiverError(f"bad duration {text!r}: must be more than zero")
    return value


def parse_size(text: str) -> int:
    """Bytes in '5000000', '500M', '2G', '1GiB' (k/M/G/T are powers of 1000, KiB/MiB/GiB/TiB of 1024)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*?)b?\s*", text.strip().lower())
    unit = m.group(2) if m else None
    if m and unit in ("ki", "mi", "gi", "ti"):
        unit += "b"
    if not m or unit not in _SIZE_UNITS:
        raise ArchiverError(f"bad size {text!r}: use e.g. 500M, 2G or 1GiB")
    value = int(float(m.group(1)) * _SIZE_UNITS[unit])
    if value <= 0:
        raise ArchiverError(f"bad size {text!r}: must be more than zero")
    return value


def rotation_order(bags: Sequence[Path], last_audit: dict[str, datetime]) -> list[Path]:
    """Bags never audited first (in the order given), then the least recently audited first."""
    position = {bag: i for i, bag in enumerate(bags)}
    floor = datetime.min.replace(tzinfo=None)

    def key(bag: Path):
        when = last_audit.get(str(bag))
        return (when is not None, when.replace(tzinfo=None) if when else floor, position[bag])

    return sorted(bags, key=key)


class Budget:
    """How much a run may still spend: wall-clock time and/or bytes read.

    `take(size)` is asked before each file is read; it refuses once time is up or when the file
    would go past --max-bytes (but a run always gets at least its first file, so that a run with
    a small byte budget still makes progress through the rotation).
    """

    def __init__(self, seconds: float | None = None, max_bytes: int | None = None, clock=None) -> None:
        self._clock = clock or time.monotonic
        self.deadline = self._clock() + seconds if seconds is not None else None
        self.max_bytes = max_bytes
        self.bytes_taken = 0
        self.spent_by: str | None = None

    def time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - self._clock()

    def exhausted(self) -> bool:
        """True (and remembers why) once the budget is spent."""
        if self.spent_by is None and self.deadline is not None and self._clock() >= self.deadline:
            self.spent_by = "budget"
        return self.spent_by is not None

    def take(self, size: int) -> bool:
        if self.exhausted():
            return False
        if self.max_bytes is not None and self.bytes_taken and self.bytes_taken + size > self.max_bytes:
            self.spent_by = "max-bytes"
            return False
        self.bytes_taken += size
        return True


def sample_size(n_files: int, sample: int | str) -> int:
    """How many files a sampled audit checks: N (at most all of them), or ceil(sqrt(n)) for 'sqrt'."""
    if sample == "sqrt":
        return min(n_files, math.ceil(math.sqrt(n_files)))
    if isinstance(sample, int) and sample > 0:
        return min(n_files, sample)
    raise ArchiverError(f"bad sample {sample!r}: give a number of files or 'sqrt'")


def parse_sample(text: str | int | None) -> int | str | None:
    if text is None or isinstance(text, int):
        return text
    if text.strip().lower() == "sqrt":
        return "sqrt"
    try:
        value = int(text)
    except ValueError:
        raise ArchiverError(f"bad --sample {text!r}: give a number of files or 'sqrt'") from None
    if value <= 0:
        raise ArchiverError(f"bad --sample {text!r}: must be at least 1")
    return value


def choose_sample(items: Sequence[T], k: int, seed: int) -> list[T]:
    """A reproducible random sample of *k* items (the seed is recorded in the event)."""
    return random.Random(seed).sample(list(items), k)
