"""robots.txt (RFC 9309), fetched once per host through the capture's own fetcher and recorded.

The groups are chosen by the user agent's product token (`archiver` in
`archiver/0.1 (+mailto:...)`), case-insensitively (RFC 9309 section 2.2.1); like Python's own
robotparser before it, Protego also takes a group whose name begins the token (`User-agent: arch`).
Rules are parsed and matched by Protego (Scrapy's robots.txt parser): the longest matching rule
wins and an allow wins a tie (2.2.2), `*` and `$` are special characters in paths (2.2.3), and
Crawl-delay may be fractional. The standard library's robotparser took the first matching rule in
file order and read `*` and `$` literally, so it fetched `/a?session=1` under
`Disallow: /*?session=` and refused `/private/public` under `Disallow: /private/` +
`Allow: /private/public`. Protego is also lenient where sites are sloppy: `Dissallow: /` and a
colon-less `Disallow /` count as disallow lines. Only the first 500 KiB of a robots.txt are read
(2.5), up to its last complete line there; a byte-order mark is ignored. Unreachable robots.txt answers
are handled as the RFC says: 4xx means no restrictions (2.3.1.3), 5xx or a network failure means
complete disallow (2.3.1.4).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from protego import Protego

from archiver.errors import ArchiverError

PARSE_LIMIT = 500 * 1024  # RFC 9309 section 2.5: parse at least the first 500 KiB; the rest is ignored


def product_token(user_agent: str) -> str:
    """`archiver` from `archiver/0.1.0 (+mailto:me@example.org)`."""
    return (user_agent.split("/")[0].split() or ["*"])[0]


@dataclass
class HostRules:
    parser: Protego | None  # None: allow everything
    disallow_all: bool = False
    reason: str = ""
    unreachable: bool = False  # no answer at all: the host is down, not merely closed to us

    def allowed(self, token: str, url: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, token)

    def crawl_delay(self, token: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(token)
        return float(delay) if delay is not None else None


class RobotsCache:
    """robots.txt rules per scheme://host, loaded on first use by *load(robots_url)*.

    *load* returns (status, body bytes) or raises; it is the crawler's fetch-and-record function.
    """

    def __init__(self, user_agent: str, load: Callable[[str], tuple[int, bytes]]):
        self.token = product_token(user_agent)
        self.load = load
        self._rules: dict[str, HostRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def rules(self, origin: str) -> HostRules:
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._rules:
                self._rules[origin] = self._fetch(origin)
            return self._rules[origin]

    def _fetch(self, origin: str) -> HostRules:
        try:
            status, body = self.load(origin + "/robots.txt")
        except ArchiverError:
            raise  # our disk or collection failed, not the host
        except Exception as exc:  # noqa: BLE001 - any failure to learn the rules means: do not crawl
            return HostRules(None, disallow_all=True, reason=f"robots.txt unreachable: {exc}",
                             unreachable=True)
        if 200 <= status < 300:
            if len(body) >= PARSE_LIMIT:  # cut at the last whole line: half a rule could allow more
                body = body[:PARSE_LIMIT]
                body = body[: body.rfind(b"\n") + 1]
            return HostRules(Protego.parse(body.decode("utf-8-sig", "replace")))
        if 400 <= status < 500:
            return HostRules(None)
        return HostRules(None, disallow_all=True, reason=f"robots.txt answered HTTP {status}")

    def allowed(self, origin: str, url: str) -> tuple[bool, str, bool]:
        """(may fetch, why not, whether the host could not be reached at all)."""
        rules = self.rules(origin)
        if rules.allowed(self.token, url):
            return True, "", False
        return False, rules.reason or "disallowed by robots.txt", rules.unreachable

    def crawl_delay(self, origin: str) -> float | None:
        return self.rules(origin).crawl_delay(self.token)
