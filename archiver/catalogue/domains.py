"""Registered domains (`example.co.uk` for `news.example.co.uk`) from the public-suffix list
bundled in the publicsuffixlist package: no network access at run time."""

from __future__ import annotations

import functools

from publicsuffixlist import PublicSuffixList


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


@functools.lru_cache(maxsize=8192)  # a crawl's hosts repeat; bounded, so memory stays bounded
def registered_domain(host: str | None) -> str | None:
    """The registrable domain of *host*, or None for IP addresses, bare suffixes and empty hosts."""
    if not host:
        return None
    host = host.strip(".").lower()
    if host.replace(".", "").isdigit() or ":" in host:
        return None
    return _psl().privatesuffix(host)
