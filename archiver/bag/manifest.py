"""Payload and tag manifests (RFC 8493 §2.1.3, §2.2.1): "CHECKSUM 1*WSP FILEPATH" per line.

Reading streams line by line (a manifest of a million files is never held whole); paths come
back percent-decoded, as bag-relative posix strings, with any leading "./" removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

from archiver.bag.codes import Problem, problem
from archiver.bag.paths import decode_path, encode_path, strip_dot_slash
from archiver.bag.tagfile import iter_lines

_MANIFEST_NAME = re.compile(r"manifest-([a-z0-9-]+)\.txt")
_TAG_MANIFEST_NAME = re.compile(r"tagmanifest-([a-z0-9-]+)\.txt")
_LINE = re.compile(r"([^ \t]+)([ \t]+)(.*)")


class ManifestEntry(NamedTuple):
    line_no: int
    path: str
    digest: str


def _list(bag: Path, pattern: re.Pattern[str]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    try:
        names = sorted(entry.name for entry in Path(bag).iterdir() if entry.is_file())
    except FileNotFoundError:
        return {}
    for name in names:
        match = pattern.fullmatch(name)
        if match:
            found[match.group(1)] = Path(bag) / name
    return found


def list_manifests(bag: Path) -> dict[str, Path]:
    """Payload manifests in the bag's base directory: {algorithm: path}, sorted by algorithm."""
    return _list(bag, _MANIFEST_NAME)


def list_tag_manifests(bag: Path) -> dict[str, Path]:
    """Tag manifests in the bag's base directory: {algorithm: path}, sorted by algorithm."""
    return _list(bag, _TAG_MANIFEST_NAME)


def parse_manifest_lines(lines: Iterable[tuple[int, str]], where: str = "",
                         problems: list[Problem] | None = None, percent_decode: bool = True
                         ) -> Iterator[ManifestEntry]:
    """Parse numbered manifest lines; malformed lines are reported (if *problems*) and skipped."""
    for number, line in lines:
        if not line.strip():
            continue
        match = _LINE.fullmatch(line)
        if not match or not match.group(3):
            if problems is not None:
                problems.append(problem("E-MANIFEST-LINE", where,
                                        f"line {number}: expected 'CHECKSUM FILEPATH', found {line!r}"))
            continue
        digest, separator, raw_path = match.groups()
        if raw_path.startswith("*") and separator == " ":
            # md5sum/sha*sum "binary mode" marker: not part of the name.
            raw_path = raw_path[1:]
            if problems is not None:
                problems.append(problem("W-MANIFEST-BINARY-MARKER", where,
                                        f"line {number}: '*' before {raw_path!r} ignored"))
        path = decode_path(raw_path) if percent_decode else raw_path
        path, had_dot_slash = strip_dot_slash(path)
        if had_dot_slash and problems is not None:
            problems.append(problem("W-PATH-DOT-SLASH", where, f"line {number}: {raw_path!r}"))
        yield ManifestEntry(number, path, digest.lower())


def read_manifest(path: Path, encoding: str = "utf-8", problems: list[Problem] | None = None,
                  percent_decode: bool = True) -> Iterator[ManifestEntry]:
    """Stream the entries of one manifest file.

    *encoding* is the bag's Tag-File-Character-Encoding (UTF-8 for every bag archiver makes).
    *percent_decode* should be False for bags older than BagIt 1.0, which had no escaping.
    Entry paths are not checked for safety here: use archiver.bag.paths.unsafe_reason before
    opening one (the validator does).
    """
    path = Path(path)
    yield from parse_manifest_lines(iter_lines(path, encoding), path.name, problems, percent_decode)


def manifest_line(digest: str, relpath: str) -> str:
    """One manifest line, path percent-encoded (RFC 8493 §2.1.3)."""
    return f"{digest}  {encode_path(relpath)}\n"


def write_manifest(fh: IO[str], entries: Iterable[tuple[str, str]]) -> None:
    """Write (relpath, digest) pairs, sorted by path for stable, diffable manifests."""
    for relpath, digest in sorted(entries):
        fh.write(manifest_line(digest, relpath))
