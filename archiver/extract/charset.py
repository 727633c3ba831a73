"""Decode an HTML payload to text, whatever its charset.

Order (WHATWG HTML "determining the character encoding", simplified): a byte order mark wins;
then the charset parameter of the HTTP Content-Type header; then a <meta charset> or
<meta http-equiv="Content-Type"> in the first bytes; then statistical detection (charset-normalizer);
UTF-8 by default. A declared charset that cannot decode the bytes is treated as wrong, and so is a
declared single-byte legacy charset on bytes that are valid, non-ASCII UTF-8 (a very common mistake).
"""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes

from archiver.charsets import declared_charset, decodes, normalise_charset


@dataclass(frozen=True)
class Decoded:
    """Text of a page and how its encoding was decided."""

    text: str
    charset: str
    source: str  # bom | http-header | meta | detected | default


def decode_html(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode *data* (an HTML payload) using BOM, HTTP header, <meta>, detection, default."""
    declared = declared_charset(data, content_type)
    if declared is not None:
        charset, source, bom = declared
        return Decoded(data[bom:].decode(charset, "replace"), charset, source)
    if data.isascii() or decodes(data, "utf-8"):
        return Decoded(data.decode("utf-8"), "utf-8", "default")
    best = from_bytes(data[:200_000]).best()
    charset = normalise_charset(best.encoding) if best is not None else None
    if charset:
        return Decoded(data.decode(charset, "replace"), charset, "detected")
    return Decoded(data.decode("utf-8", "replace"), "utf-8", "default")
