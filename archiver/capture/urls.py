"""URL normalisation for the frontier: one spelling per resource, so nothing is fetched twice."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

from archiver.urlsafe import join as safe_join

# Characters left as they are when re-quoting a path or query (RFC 3986 reserved + unreserved + %).
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


# Already in normal form: lowercase http(s), plain host, optional port, safe path and query, no fragment.
_CLEAN = re.compile(r"(https?)://[a-z0-9.-]+(:\d{1,5})?/[A-Za-z0-9/:@!$&'()*+,;=._~%?-]*")
_DEFAULT_PORT = {"http": ":80", "https": ":443"}
ORIGIN = re.compile(r"https?://[^/?#]+")  # scheme://authority of an absolute URL


def normalize(url: str) -> str | None:
    """Absolute http(s) URL without fragment, lowercase scheme/host, default port dropped; else None."""
    clean = _CLEAN.fullmatch(url)
    if (clean and clean.group(2) != _DEFAULT_PORT[clean.group(1)]
            and (not clean.group(2) or 0 < int(clean.group(2)[1:]) <= 65535)):  # RFC 793: 16-bit ports
        return url  # the common case, decided by one regular expression instead of a full parse
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if port == 0:  # no server listens there (WHATWG fetch: a bad port); it is not port 80
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:
        host = f"[{host}]"
    if port and port != (443 if scheme == "https" else 80):
        host = f"{host}:{port}"
    # A seed given as bytes that are not UTF-8 (a Latin-1 shell) reaches us surrogate-escaped:
    # those bytes are percent-encoded as they were typed, as wget does
    path = quote(parts.path.encode("utf-8", "surrogateescape") or b"/", safe=_SAFE_PATH)
    query = quote(parts.query.encode("utf-8", "surrogateescape"), safe=_SAFE_QUERY)
    return urlunsplit((scheme, host, path, query, ""))


def host_of(url: str) -> str:
    """host[:port] of a normalised URL (the unit of politeness)."""
    return urlsplit(url).netloc


def join(base: str, ref: str) -> str | None:
    """urljoin with fast paths for the two common shapes of link: absolute, and root-relative;
    None when urllib cannot split the result (`//[host` has an IPv6 bracket never closed, as in
    an unfilled template link `//[[cdn]]/x`): one such link must not cost the page."""
    if ref.startswith(("http://", "https://")):
        return ref
    if ref.startswith("/") and not ref.startswith("//"):
        origin = ORIGIN.match(base)
        if origin:
            return origin.group(0) + ref
    return safe_join(base, ref)


def resolve(base: str, ref: str) -> str | None:
    """The normal URL that *ref*, found in or sent by *base* (a link, a Location), points to;
    None when it is not an http(s) URL."""
    if "\\" in ref:  # WHATWG URL: in an http(s) URL a backslash before the query is a slash
        cut = min((i for i in (ref.find("?"), ref.find("#")) if i >= 0), default=len(ref))
        ref = ref[:cut].replace("\\", "/") + ref[cut:]
    joined = join(base, ref)
    return normalize(joined) if joined is not None else None


def header_text(value: str) -> str:
    """A header value as the fetcher reads it (each byte a Latin-1 character) as the text a
    server means: UTF-8 where its bytes are UTF-8, as browsers read a raw Location, and other
    bytes kept as they came (surrogate-escaped, so that normalize requests them as sent)."""
    if value.isascii():
        return value
    return value.encode("latin-1").decode("utf-8", "surrogateescape")
