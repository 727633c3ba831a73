"""Reading tag files in the bag's declared encoding (RFC 8493 §2.1.1 Tag-File-Character-Encoding)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

EOL = re.compile(r"\r\n|\r|\n")


def iter_lines(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Yield (line number from 1, line without its ending) from a tag file, streaming.

    CR, LF and CRLF all end a line (RFC 8493 §2.1.1 allows each); a leading BOM is dropped
    (UTF-16 tag files carry one). Raises UnicodeDecodeError when the file does not decode.
    """
    # newline=None: universal newlines, which splits on exactly CR, LF and CRLF.
    with open(path, encoding=encoding, newline=None, errors="strict") as fh:
        for number, line in enumerate(fh, start=1):
            if number == 1 and line.startswith("\ufeff"):
                line = line[1:]
            yield number, line[:-1] if line.endswith("\n") else line
