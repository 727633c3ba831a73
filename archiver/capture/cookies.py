"""The cookies of one capture run, kept as a browser session keeps them (as wget and Heritrix do).

News sites set cookies for consent, bot checks and regional editions, and some answer a request
without the cookie they just set with a redirect back to the same page. The run remembers each
Set-Cookie it receives and sends the cookies back where they belong, under the rules of
Python's http.cookiejar (Netscape cookies and RFC 6265's domain, path, Secure and expiry
matching). Cookies live in memory for the run only; what was sent is in each request record, and
what was set in each response record, as the WARC keeps them.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from http.cookiejar import CookieJar

MAX_COOKIE_BYTES = 4096  # name and value together; browsers drop larger cookies (RFC 6265 section 6.1)
# RFC 6265bis section 5.7: a cookie whose name or value holds a control character is ignored
# (a bare CR would also split the Cookie header of the next request in two)
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _new_jar() -> CookieJar:
    """A jar with http.cookiejar's rules and what browsers add to them: no cookie for a public
    suffix (Domain=.co.uk would reach every site under it), none over 4 KB, none set Secure over
    http. Made when the first cookie comes: importing http.cookiejar (it imports urllib.request)
    costs every run about 20 ms, which a site that sets no cookie need not pay."""
    from http.cookiejar import CookieJar, DefaultCookiePolicy

    class Policy(DefaultCookiePolicy):
        def set_ok(self, cookie: Any, request: Any) -> bool:
            if len(cookie.name) + len(cookie.value or "") > MAX_COOKIE_BYTES:
                return False
            if cookie.secure and request.type != "https":  # RFC 6265bis section 5.7 step 14
                return False
            if cookie.domain_specified and _is_public_suffix(cookie.domain.lstrip(".")):
                return False
            return super().set_ok(cookie, request)

    return CookieJar(Policy())


def _is_public_suffix(domain: str) -> bool:
    from archiver.domains import public_suffix_list

    return public_suffix_list().is_public(domain.lower())


class _Request:
    """The part of urllib.request.Request that CookieJar reads and writes (Python 3.11's
    http.cookiejar uses these attributes and methods, no others)."""

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

    def has_header(self, name: str) -> bool:
        return name.capitalize() in self.headers

    def get_header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.capitalize(), default)

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
        self._jar: CookieJar | None = None  # made with the first Set-Cookie (see _new_jar)
        self._made = threading.Lock()
        self._empty = True  # until a cookie is kept: no work per request on a site that sets none

    def header_for(self, url: str) -> str | None:
        """The Cookie header value to send with a request for *url*, or None. A cookie the jar
        cannot handle is no reason to fail a fetch: then no header."""
        if self._empty or self._jar is None:
            return None
        request = _Request(url)
        try:
            self._jar.add_cookie_header(request)
        except Exception:  # noqa: BLE001 - cookiejar on odd input; the page is still worth a fetch
            return None
        return request.get_header("Cookie")

    def store(self, url: str, headers: list[tuple[str, str]]) -> bool:
        """Remember the cookies a response for *url* set; True if that changed what a request
        would send (a cookie set again to the value it had changes nothing)."""
        headers = [(k, v) for k, v in headers
                   if k.lower() in ("set-cookie", "set-cookie2") and not _CONTROL.search(v)]
        if not headers:
            return False
        with self._made:
            if self._jar is None:
                self._jar = _new_jar()
        before = self._snapshot()
        try:
            self._jar.extract_cookies(_Response(headers), _Request(url))  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a header cookiejar cannot parse sets no cookie
            return False
        after = self._snapshot()
        self._empty = self._empty and not after
        return after != before

    def _snapshot(self) -> set[tuple[str, str, str, str | None]]:
        return {(c.domain, c.path, c.name, c.value) for c in self._jar or ()}
