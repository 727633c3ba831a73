"""Public suffixes and registered domains (`example.co.uk` for `news.example.co.uk`) from the
Public Suffix List bundled in the publicsuffixlist package: no network access at run time. One
list for the whole tool: the catalogue's url_host_registered_domain, the crawler's domain scope
and its cookies (no cookie for a public suffix) all ask it."""

from __future__ import annotations

import functools

from publicsuffixlist import PublicSuffixList


@functools.cache
def public_suffix_list() -> PublicSuffixList:
    """The bundled list, parsed once (about 0.1 s)."""
    return PublicSuffixList()


@functools.lru_cache(maxsize=8192)  # a crawl's hosts repeat; bounded, so memory stays bounded
def registered_domain(host: str | None) -> str | None:
    """The registrable domain of *host*, or None for IP addresses, bare suffixes and empty hosts."""
    if not host:
        return None
    host = host.strip(".").lower()
    if host.replace(".", "").isdigit() or ":" in host:
        return None
    return public_suffix_list().privatesuffix(host)


def site_of(host: str) -> str:
    """The registered domain of *host*, or the host itself (lowercased) when it has none (an IP
    address, a bare public suffix, a single label): the unit of a site for the crawler's domain
    scope and its cookie jars."""
    host = host.strip(".").lower()
    return registered_domain(host) or host
