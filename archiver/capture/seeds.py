"""Seed lists: URLs from the command line and from a seeds file, checked before anything is fetched."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from archiver.capture.urls import normalize
from archiver.errors import ArchiverError


def read_seed_file(path: Path) -> list[str]:
    """One URL a line; blank lines and lines starting with `#` are ignored.

    Any other line that is not an absolute http(s) URL rejects the whole file, naming the line,
    so a typo never turns into a half-run capture.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArchiverError(f"{path}: seed file is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ArchiverError(f"{path}: cannot read seed file: {exc.strerror}") from exc
    seeds = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        url = normalize(line)
        if url is None or " " in line:
            raise ArchiverError(f"{path}:{number}: not an absolute http(s) URL: {line[:200]!r}")
        seeds.append(url)
    return seeds


def check_seeds(urls: Iterable[str], option: str | None = None) -> list[str]:
    """Normalise command-line seeds (order kept, repeats dropped); reject any non-http(s) URL
    (*option*: the option that gave them, for the error)."""
    out: list[str] = []
    for raw in urls:
        url = normalize(raw)
        if url is None or " " in raw.strip():
            where = f"{option} " if option else ""
            raise ArchiverError(f"{where}not an absolute http(s) URL: {raw[:200]!r}")
        if url not in out:
            out.append(url)
    return out
