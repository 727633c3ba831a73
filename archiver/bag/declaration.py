"""bagit.txt, the bag declaration (RFC 8493 §2.1.1): exactly two lines, UTF-8, no BOM.

    BagIt-Version: M.N
    Tag-File-Character-Encoding: ENCODING
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from archiver.bag.codes import Problem, problem
from archiver.errors import ArchiverError

DECLARATION = "bagit.txt"
BAGIT_VERSION = "1.0"

_VERSION_LINE = re.compile(r"BagIt-Version: (\S*)")
_ENCODING_LINE = re.compile(r"Tag-File-Character-Encoding: (\S+)")
_VERSION = re.compile(r"\d+\.\d+")
_EOL = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Declaration:
    version: str
    encoding: str

    @property
    def version_tuple(self) -> tuple[int, int]:
        major, minor = self.version.split(".")
        return int(major), int(minor)

    def to_text(self) -> str:
        return f"BagIt-Version: {self.version}\nTag-File-Character-Encoding: {self.encoding}\n"


class BagError(ArchiverError):
    """A bag that cannot be read at all; carries the Problem that stopped reading."""

    def __init__(self, found: Problem):
        super().__init__(str(found))
        self.problem = found


def parse_declaration(raw: bytes) -> tuple[Declaration | None, list[Problem]]:
    """Parse bagit.txt's bytes strictly; return the declaration (None if unusable) and problems."""
    where = DECLARATION
    if raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # RFC 8493 §2.1.1: "MUST NOT contain a Byte Order Mark (BOM)".
        return None, [problem("E-DECL-BOM", where, "remove the byte-order mark at the start of bagit.txt")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [problem("E-DECL-ENCODING", where, f"not UTF-8 at byte {exc.start}")]
    found: list[Problem] = []
    lines = _EOL.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        found.append(problem("W-DECL-EOL", where, "add a line ending after the last line"))
    if len(lines) != 2:
        return None, found + [problem(
            "E-DECL-FORMAT", where, f"expected exactly 2 lines, found {len(lines)}: {lines!r}")]
    version_match = _VERSION_LINE.fullmatch(lines[0])
    encoding_match = _ENCODING_LINE.fullmatch(lines[1])
    if not version_match:
        found.append(problem("E-DECL-FORMAT", where,
                             f"line 1 must be 'BagIt-Version: M.N', found {lines[0]!r}"))
    if not encoding_match:
        found.append(problem("E-DECL-FORMAT", where,
                             f"line 2 must be 'Tag-File-Character-Encoding: ENCODING', found {lines[1]!r}"))
    if not (version_match and encoding_match):
        return None, found
    version, encoding = version_match.group(1), encoding_match.group(1)
    if not _VERSION.fullmatch(version):
        return None, found + [problem("E-DECL-VERSION", where, f"BagIt-Version {version!r} is not M.N")]
    try:
        codecs.lookup(encoding)
    except LookupError:
        return None, found + [problem("E-TAG-ENCODING", where, f"unknown encoding {encoding!r}")]
    return Declaration(version, encoding), found


def read_declaration(bag: Path) -> Declaration:
    """Read and check bag/bagit.txt; raise BagError (an ArchiverError) when it is unusable."""
    path = Path(bag) / DECLARATION
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BagError(problem("E-DECL-MISSING", DECLARATION, f"{bag} has no bagit.txt")) from None
    declaration, found = parse_declaration(raw)
    if declaration is None:
        raise BagError(next(p for p in found if p.severity == "error"))
    return declaration
