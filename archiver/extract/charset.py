"""Decode an HTML payload to text, whatever its charset.

Order (WHATWG HTML "determining the character encoding", simplified): a byte order mark wins;
then the charset parameter of the HTTP Content-Type header; then a <meta charset> or
<meta http-equiv="Content-Type"> in the first bytes; then statistical detection (charset-normalizer);
UTF-8 by default. A declared charset that cannot decode the bytes is treated as wrong, and so is a
declared single-byte legacy charset on bytes that are valid, non-ASCII UTF-8 (a very common mistake).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# HTML spec 13.2.3.2: the prescan looks at the first 1024 bytes; real pages put long <head>s first,
# so we look a little further.
PRESCAN_BYTES = 4096

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# WHATWG Encoding: these labels mean windows-1252, not their literal selves.
_ALIASES = {"iso-8859-1": "windows-1252", "latin-1": "windows-1252", "latin1": "windows-1252",
            "us-ascii": "windows-1252", "ascii": "windows-1252", "cp1251": "windows-1251",
            "cp1252": "windows-1252", "utf8": "utf-8", "x-user-defined": "windows-1252"}


@dataclass(frozen=True)
class Decoded:
    """Text of a page and how its encoding was decided."""

    text: str
    charset: str
    source: str  # bom | http-header | meta | detected | default


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # Present the usual IANA-style names rather than Python's internal ones.
    return {"utf_8": "utf-8", "cp1251": "windows-1251", "cp1252": "windows-1252"}.get(name, name)


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalise_charset(m.group(1)) if m else None


def meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:PRESCAN_BYTES])
    return normalise_charset(m.group(1).decode("ascii", "replace")) if m else None


def _decodes(data: bytes, charset: str) -> bool:
    try:
        data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _is_utf8_with_non_ascii(data: bytes) -> bool:
    return not data.isascii() and _decodes(data, "utf-8")


def _acceptable(data: bytes, charset: str) -> bool:
    if not _decodes(data, charset):
        return False
    # A single-byte charset decodes anything; reject it when the bytes are plainly UTF-8.
    single_byte = codecs.lookup(charset).name.startswith(("cp", "iso8859", "koi8", "mac"))
    return not (single_byte and _is_utf8_with_non_ascii(data))


def decode_html(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode *data* (an HTML payload) using BOM, HTTP header, <meta>, detection, default."""
    for bom, charset in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(charset, "replace"), charset, "bom")
    for charset, source in ((header_charset(content_type), "http-header"), (meta_charset(data), "meta")):
        if charset and _acceptable(data, charset):
            return Decoded(data.decode(charset), charset, source)
    if data.isascii() or _decodes(data, "utf-8"):
        return Decoded(data.decode("utf-8"), "utf-8", "default")
    best = from_bytes(data[:200_000]).best()
    charset = normalise_charset(best.encoding) if best is not None else None
    if charset:
        return Decoded(data.decode(charset, "replace"), charset, "detected")
    return Decoded(data.decode("utf-8", "replace"), "utf-8", "default")
