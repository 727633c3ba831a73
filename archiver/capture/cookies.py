"""The cookies of one capture run, kept as a browser session keeps them (as wget and Heritrix do).

News sites set cookies for consent, bot checks and regional editions, and some answer a request
without the cookie they just set with a redirect back to the same page. The run remembers each
Set-Cookie it receives and sends the cookies back where they belong, under the rules of
Python's http.cookiejar (Netscape cookies and RFC 6265's domain, path, Secure and expiry
matching). Cookies live in memory for the run only; what was sent is in each request record, and
what was set in each response record, as the WARC keeps them.
"""

from __future__ import annotations

from http.cookiejar import CookieJar
from urllib.parse import urlsplit


class _Request:
    """The part of urllib.request.Request that CookieJar reads and writes."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.full_url = url
        self.host = parts.netloc
        self.type = parts.scheme
        self.origin_req_host = parts.hostname or ""
        self.unverifiable = False
        self.headers: dict[str, str] = {}

    def get_full_url(self) -> str:
        return self.full_url

    def get_host(self) -> str:
        return self.host

    def get_type(self) -> str:
        return self.type

    def get_origin_req_host(self) -> str:
        return self.origin_req_host

    def is_unverifiable(self) -> bool:
        return self.unverifiable

    def has_header(self, name: str) -> bool:
        return name.capitalize() in self.headers

    def get_header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.capitalize(), default)

    def header_items(self) -> list[tuple[str, str]]:
        return list(self.headers.items())

    def add_unredirected_header(self, name: str, value: str) -> None:
        self.headers[name.capitalize()] = value


class _Headers:
    """The part of an HTTP response's headers (email.message.Message) that CookieJar reads."""

    def __init__(self, headers: list[tuple[str, str]]):
        self._headers = headers

    def get_all(self, name: str, default: list[str] | None = None) -> list[str] | None:
        values = [v for k, v in self._headers if k.lower() == name.lower()]
        return values or default


class _Response:
    def __init__(self, headers: list[tuple[str, str]]):
        self._info = _Headers(headers)

    def info(self) -> _Headers:
        return self._info


class SessionCookies:
    """Cookies received during a run, sent back with later requests; thread-safe (CookieJar
    holds its own lock)."""

    def __init__(self) -> None:
        self._jar = CookieJar()
        self._empty = True  # until a cookie is kept: no work per request on a site that sets none

    def header_for(self, url: str) -> str | None:
        """The Cookie header value to send with a request for *url*, or None."""
        if self._empty:
            return None
        request = _Request(url)
        self._jar.add_cookie_header(request)
        return request.get_header("Cookie")

    def store(self, url: str, headers: list[tuple[str, str]]) -> bool:
        """Remember the cookies a response for *url* set; True if that changed what a request
        would send (a cookie set again to the value it had changes nothing)."""
        if not any(k.lower() in ("set-cookie", "set-cookie2") for k, _ in headers):
            return False
        before = self._snapshot()
        self._jar.extract_cookies(_Response(headers), _Request(url))  # type: ignore[arg-type]
        after = self._snapshot()
        self._empty = self._empty and not after
        return after != before

    def _snapshot(self) -> set[tuple[str, str, str, str | None]]:
        return {(c.domain, c.path, c.name, c.value) for c in self._jar}

    def __len__(self) -> int:
        return len(self._jar)
