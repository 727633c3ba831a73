"""Which discovered links a capture follows: scope relative to the seeds, depth, include/exclude."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from archiver.errors import ArchiverError

SCOPES = ("page", "host", "domain", "prefix")


def _registered_domain(host: str) -> str:
    from archiver.domains import site_of

    return site_of(host)


def compile_patterns(patterns: Sequence[str], option: str) -> list[re.Pattern]:
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise ArchiverError(f"{option} {pattern!r}: not a valid regular expression ({exc})") from exc
    return out


class Scope:
    """Decides whether an outlink is followed; requisites are bounded only by --exclude."""

    def __init__(self, seeds: Sequence[str], scope: str = "host", include: Sequence[str] = (),
                 exclude: Sequence[str] = ()):
        if scope not in SCOPES:
            raise ArchiverError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")
        self.scope = scope
        self.include = compile_patterns(include, "--include")
        self.exclude = compile_patterns(exclude, "--exclude")
        self.seeds = set(seeds)
        self.hosts = {urlsplit(s).netloc for s in seeds}
        self.domains = {_registered_domain(urlsplit(s).hostname or "") for s in seeds} if scope == "domain" \
            else set()
        self.prefixes = {s[: s.rfind("/") + 1] for s in seeds}

    def add_seed(self, url: str) -> None:
        """Widen the scope by one more seed (a page a sitemap lists), as if given at the start."""
        self.seeds.add(url)
        self.hosts.add(urlsplit(url).netloc)
        if self.scope == "domain":
            self.domains.add(_registered_domain(urlsplit(url).hostname or ""))
        self.prefixes.add(url[: url.rfind("/") + 1])

    def excluded(self, url: str) -> bool:
        return any(p.search(url) for p in self.exclude)

    def in_scope(self, url: str) -> bool:
        """Would an outlink to *url* be followed (depth aside)?"""
        if self.excluded(url):
            return False
        if self.include and not any(p.search(url) for p in self.include):
            return False  # --include narrows: when given, an outlink must match one of them
        if self.scope == "page":
            return url in self.seeds
        if self.scope == "host":
            return urlsplit(url).netloc in self.hosts
        if self.scope == "domain":
            return _registered_domain(urlsplit(url).hostname or "") in self.domains
        # under a seed's directory: one of the URL's own directories is a seed's (a set lookup
        # per directory, not a scan of every seed: a sitemap may give 50,000 of them)
        slash = url.find("/", url.find("//") + 2)
        while slash != -1:
            if url[: slash + 1] in self.prefixes:
                return True
            slash = url.find("/", slash + 1)
        return False
