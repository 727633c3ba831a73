"""SURT keys (Sort-friendly URI Reordering Transform), as Common Crawl's `url_surtkey` holds them.

`https://www.Example.com:8080/a?b=2&a=1` -> `com,example:8080)/a?a=1&b=2`. We use the `surt`
package, the Internet Archive's reference canonicaliser that Common Crawl's index is built with,
so keys match theirs exactly (session ids stripped, escapes normalised, query sorted). Sorting
rows by this key puts a site's pages together, which is what lets row-group statistics prune.
"""

from __future__ import annotations

from surt import surt as _surt


def surt_key(url: str) -> str:
    """Return the SURT key of *url*; URLs the canonicaliser cannot parse are kept lower-cased."""
    if not url.startswith(("http://", "https://", "HTTP://", "HTTPS://")):
        return url.lower()
    try:
        return _surt(url)
    except Exception:  # noqa: BLE001 - an odd URL must not stop a catalogue build
        return url.lower()
