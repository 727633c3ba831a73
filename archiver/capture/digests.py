"""WARC digest labels: `sha256:<lowercase hex>` or `sha1:<BASE32>` (the two common conventions)."""

from __future__ import annotations

import base64
import hashlib

ALGORITHMS = ("sha256", "sha1")
_CONSTRUCTORS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}  # hashlib.new() is slower per call


def new_hasher(algorithm: str):
    """A hashlib object for *algorithm* (one of ALGORITHMS)."""
    try:
        return _CONSTRUCTORS[algorithm]()
    except KeyError:
        raise ValueError(f"unsupported digest algorithm {algorithm!r}; "
                         f"use one of {', '.join(ALGORITHMS)}") from None


def label(algorithm: str, hasher) -> str:
    """The WARC-*-Digest value: sha1 in base32 (the historic Heritrix/wget form), sha256 in hex."""
    if algorithm == "sha1":
        return "sha1:" + base64.b32encode(hasher.digest()).decode("ascii")
    return f"{algorithm}:{hasher.hexdigest()}"


def digest_bytes(algorithm: str, data: bytes) -> str:
    """Digest label of an in-memory block (small records: request, metadata, warcinfo)."""
    h = new_hasher(algorithm)
    h.update(data)
    return label(algorithm, h)
