"""Scheduling for large stores: who goes first, when to stop, and which files a sample checks.

Repeated runs with a budget cover the whole store in rotation because each run starts with the
bags whose last complete audit is oldest (never-audited bags first), as APTrust and Merritt do.
Sampling follows ACE: N files per bag, or the square root of the bag's file count.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from archiver.errors import ArchiverError
from archiver.units import parse_duration, parse_size  # noqa: F401 - part of this module's API

T = TypeVar("T")

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
