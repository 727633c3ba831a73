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
    """A jar with http.cookiejar's rules and what browsers add to them: no cookie for a domain
    wider than the setting host's registered domain (Domain=.co.uk would reach every site under
    it; Domain=amazonaws.com, set by a host under the private suffix s3.amazonaws.com, every
    bucket), none over 4 KB, none set Secure over http. Made when the first cookie comes:
    importing http.cookiejar (it imports urllib.request) costs every run about 20 ms, which a site
    that sets no cookie need not pay."""
    from http.cookiejar import CookieJar, DefaultCookiePolicy

    class Policy(DefaultCookiePolicy):
        def set_ok(self, cookie: Any, request: Any) -> bool:
            if len(cookie.name) + len(cookie.value or "") > MAX_COOKIE_BYTES:
                return False
            if cookie.secure and request.type != "https":  # RFC 6265bis section 5.7 step 14
                return False
            if cookie.domain_specified and not _within(cookie.domain, request.origin_req_host):
                return False
            return super().set_ok(cookie, request)

    return CookieJar(Policy())


def _within(domain: str, host: str) -> bool:
    """Whether a Domain attribute stays inside *host*'s registered domain, as Chrome and Firefox
    require (RFC 6265 section 5.3 step 5 refuses public suffixes; this also refuses a domain above
    a private suffix). So each cookie belongs to exactly one registered domain's jar."""
    registered = _jar_key_of_host(host)
    domain = domain.lstrip(".").lower()
    return domain == registered or domain.endswith("." + registered)


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
    """Cookies received during a run, sent back with later requests; thread-safe.

    One jar per registered domain (`example.co.uk`; the host itself for an IP address or a host
    with none). A host can only set cookies for domains within its registered domain (_within),
    and a request only carries cookies of domains its host lies in, so the jars never share a
    cookie. http.cookiejar looks at every domain in a jar for each request: in one jar for
    the whole run, a crawl whose pages pull requisites from 1,000 cookie-setting hosts paid about
    17 ms a request and 20 ms a Set-Cookie (measured; `benchmarks/capture.py --only cookies`).
    Each jar keeps at most MAX_COOKIES_PER_DOMAIN, as browsers do."""

    def __init__(self) -> None:
        self._jars: dict[str, _DomainJar] = {}
        self._made = threading.Lock()

    def header_for(self, url: str) -> str | None:
        """The Cookie header value to send with a request for *url*, or None. A cookie the jar
        cannot handle is no reason to fail a fetch: then no header."""
        if not self._jars:  # no work per request on a site that sets no cookie
            return None
        jar = self._jars.get(_jar_key(url))
        return jar.header_for(url) if jar is not None else None

    def store(self, url: str, headers: list[tuple[str, str]]) -> bool:
        """Remember the cookies a response for *url* set; True if that changed what a request
        would send (a cookie set again to the value it had changes nothing)."""
        headers = [(k, v) for k, v in headers
                   if k.lower() in ("set-cookie", "set-cookie2") and not _CONTROL.search(v)]
        if not headers:
            return False
        key = _jar_key(url)
        with self._made:
            jar = self._jars.get(key)
            if jar is None:
                jar = self._jars[key] = _DomainJar()
        return jar.store(url, headers)


MAX_COOKIES_PER_DOMAIN = 180  # Chrome's and Firefox's limit; RFC 6265 section 6.1 asks for at least 50


def _jar_key(url: str) -> str:
    return _jar_key_of_host(urlsplit(url).hostname or "")


def _jar_key_of_host(host: str) -> str:
    from archiver.domains import site_of

    return site_of(host)


class _DomainJar:
    """The cookies of one registered domain, oldest first for eviction."""

    def __init__(self) -> None:
        self.cookies = _new_jar()
        self._lock = threading.Lock()
        self._created: dict[tuple[str, str, str], None] = {}  # (domain, path, name), oldest first

    def header_for(self, url: str) -> str | None:
        request = _Request(url)
        try:
            with self._lock:  # a store may evict (CookieJar.clear takes no lock of its own)
                self.cookies.add_cookie_header(request)
        except Exception:  # noqa: BLE001 - cookiejar on odd input; the page is still worth a fetch
            return None
        return request.get_header("Cookie")

    def store(self, url: str, headers: list[tuple[str, str]]) -> bool:
        with self._lock:  # before and after must see this store alone, or a change is missed
            self.cookies.clear_expired_cookies()  # RFC 6265 section 5.3: expired ones go first
            before = self._snapshot()
            for identity in [i for i in self._created if i not in before]:
                del self._created[identity]  # expired (here or during a request): set again, it is new
            try:
                self.cookies.extract_cookies(_Response(headers), _Request(url))  # type: ignore[arg-type]
            except Exception:  # noqa: BLE001 - a header cookiejar cannot parse sets no cookie
                return False
            after = self._snapshot()
            for identity in [i for i in self._created if i not in after]:
                del self._created[identity]  # deleted by this answer (Max-Age=0, a past Expires)
            for identity in after:  # one set again keeps its creation time (RFC 6265 5.3 step 11.3)
                self._created.setdefault(identity, None)
            # RFC 6265 section 5.3 step 12: past the limit, the oldest cookies go first
            while len(self._created) > MAX_COOKIES_PER_DOMAIN:
                domain, path, name = identity = next(iter(self._created))
                del self._created[identity]
                del after[identity]
                self.cookies.clear(domain, path, name)
            return after != before

    def _snapshot(self) -> dict[tuple[str, str, str], str | None]:
        return {(c.domain, c.path, c.name): c.value for c in self.cookies}
