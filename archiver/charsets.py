"""Which character encoding an HTML payload declares: a byte order mark, the charset of its
HTTP Content-Type, a <meta> in its first bytes (WHATWG HTML, "determining the character encoding",
without the statistical guess). Shared by extraction (archiver.extract.charset, which adds the
guess) and by capture's link extraction, so that both read a page's bytes the same way.
"""

from __future__ import annotations

import codecs
import functools
import re

# HTML spec 13.2.3.2: the prescan looks at the first 1024 bytes; real pages put long <head>s first,
# so we look a little further.
PRESCAN_BYTES = 4096

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

# WHATWG Encoding: labels that mean on the web another encoding than Python's codec of that name,
# where the web's is a superset giving the same text for the bytes both decode (Latin-1 and ASCII
# are windows-1252, EUC-KR is windows-949, GB2312 is GBK). Shift_JIS and Big5 keep Python's codecs:
# cp932 and big5hkscs give other characters than browsers for some bytes (0x8160 is U+301C).
_ALIASES = {"iso-8859-1": "windows-1252", "latin-1": "windows-1252", "latin1": "windows-1252",
            "us-ascii": "windows-1252", "ascii": "windows-1252", "cp1251": "windows-1251",
            "cp1252": "windows-1252", "utf8": "utf-8", "x-user-defined": "windows-1252",
            "unicode-1-1-utf-8": "utf-8", "iso-8859-9": "windows-1254", "latin5": "windows-1254",
            "tis-620": "cp874", "iso-8859-11": "cp874", "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
            "gb2312": "gbk", "x-gbk": "gbk", "iso-8859-8-i": "iso-8859-8", "windows-874": "cp874",
            "utf-32": "", "utf-32le": "", "utf-32be": ""}  # "": no web encoding (WHATWG has no UTF-32)


@functools.lru_cache(maxsize=256)
def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # Present the usual IANA-style names rather than Python's internal ones.
    if name.startswith("cp125"):
        return "windows-" + name[2:]  # a name Python's codecs know too (not so windows-874)
    return {"utf_8": "utf-8"}.get(name, name)


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalise_charset(m.group(1)) if m else None


def meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:PRESCAN_BYTES])
    return normalise_charset(m.group(1).decode("ascii", "replace")) if m else None


def decodes(data: bytes, charset: str) -> bool:
    try:
        data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _is_utf8_with_non_ascii(data: bytes) -> bool:
    return not data.isascii() and decodes(data, "utf-8")


def _acceptable(data: bytes, charset: str) -> bool:
    if not decodes(data, charset):
        return False
    # A legacy label on bytes that are plainly UTF-8 (non-ASCII, and valid UTF-8, which text in
    # a legacy encoding almost never is) is the common mistake: the label is taken as wrong.
    return codecs.lookup(charset).name == "utf-8" or not _is_utf8_with_non_ascii(data)


def declared_charset(data: bytes, content_type: str | None = None) -> tuple[str, str, int] | None:
    """(charset, source, BOM length) of the encoding *data* declares: a BOM wins, then the HTTP
    charset, then <meta>, each only if it decodes the bytes (and a single-byte one not on bytes
    that are plainly UTF-8); None when nothing declared fits."""
    for bom, charset in _BOMS:
        if data.startswith(bom):
            return charset, "bom", len(bom)
    charset = header_charset(content_type)
    if charset and _acceptable(data, charset):
        return charset, "http-header", 0
    charset = meta_charset(data)  # looked for only when the header gives none that fits
    if charset and _acceptable(data, charset):
        return charset, "meta", 0
    return None
