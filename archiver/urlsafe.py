"""URL joining and splitting that never raise: a page may hold any string in an href.

urllib raises ValueError on some malformed URLs ('http://[bad/x.jpg': an unclosed IPv6 bracket,
or a port that is not a number). One such link must cost that link, not the whole page, and
certainly not an `archiver extract` run over a collection, a capture or a catalogue build.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urljoin, urlsplit


def join(base: str, ref: str) -> str | None:
    """*ref* resolved against *base* (RFC 3986 section 5), or None when either is malformed."""
    try:
        joined = urljoin(base, ref)
        urlsplit(joined).port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return joined


def split(url: str) -> SplitResult | None:
    """The parts of *url*, or None when it is malformed."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts
