"""Durations and sizes as people type them on a command line (`--budget 2h`, `--max-time 45m`,
`--max-bytes 500G`), for every command: a module of its own, so that using one costs no import
of the command that first had it."""

from __future__ import annotations

import math
import re

from archiver.errors import ArchiverError

MAX_DURATION = 100 * 366 * 86400  # a century: longer is a typo
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
    if not math.isfinite(value):  # float() takes "nan" and "inf"
        raise ArchiverError(f"bad duration {text!r}: use e.g. 90s, 30m, 2h or 1h30m")
    if value <= 0:
        raise ArchiverError(f"bad duration {text!r}: must be more than zero")
    if value > MAX_DURATION:  # "100000000000000000000h" is a typo, and overflows timers
        raise ArchiverError(f"bad duration {text!r}: at most {MAX_DURATION // 86400:.0f}d")
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
