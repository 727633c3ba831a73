"""SURT keys (Sort-friendly URI Reordering Transform), as Common Crawl's `url_surtkey` holds them.

`https://www.Example.com:8080/a?b=2&a=1` -> `com,example:8080)/a?a=1&b=2`. We use the `surt`
package, the Internet Archive's reference canonicaliser that Common Crawl's index is built with,
so keys match theirs exactly (session ids stripped, escapes normalised, query sorted). Sorting
rows by this key puts a site's pages together, which is what lets row-group statistics prune.
"""

from __future__ import annotations

import importlib
import sys
import types


class _ImportedOnFirstUse(types.ModuleType):
    """Stands in for a module that a dependency imports but seldom uses: the real module is
    imported when one of its attributes is first asked for."""

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self.__name__), attr)


def _import_deferring(module: str, dependency: str) -> types.ModuleType:
    """Import *module* while its import of *dependency* binds a stand-in (see above)."""
    if dependency in sys.modules:
        return importlib.import_module(module)
    stand_in = sys.modules[dependency] = _ImportedOnFirstUse(dependency)
    try:
        return importlib.import_module(module)
    finally:
        if sys.modules.get(dependency) is stand_in:
            del sys.modules[dependency]  # later imports get the real module


# surt's handyurl imports tldextract (and through it requests) at its top but uses it only for
# the public_suffix option, which we never ask for; loading them cost every command about 0.1 s.
_surt = _import_deferring("surt", "tldextract").surt


def surt_key(url: str) -> str:
    """Return the SURT key of *url*; URLs the canonicaliser cannot parse are kept lower-cased."""
    if not url.startswith(("http://", "https://", "HTTP://", "HTTPS://")):
        return url.lower()
    try:
        return _surt(url)
    except Exception:  # noqa: BLE001 - an odd URL must not stop a catalogue build
        return url.lower()
