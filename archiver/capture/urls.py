"""URL normalisation for the frontier: one spelling per resource, so nothing is fetched twice."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

# Characters left as they are when re-quoting a path or query (RFC 3986 reserved + unreserved + %).
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = _SAFE_PATH + "?"


def normalize(url: str) -> str | None:
    """Absolute http(s) URL without fragment, lowercase scheme/host, default port dropped; else None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
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
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query = quote(parts.query, safe=_SAFE_QUERY)
    return urlunsplit((scheme, host, path, query, ""))


def host_of(url: str) -> str:
    """host[:port] of a normalised URL (the unit of politeness)."""
    return urlsplit(url).netloc
