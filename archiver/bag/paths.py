"""Paths inside a bag: percent-encoding for manifests, Unicode normalisation, and escape checks.

RFC 8493 §2.1.3: in manifests and fetch.txt a file path is relative to the bag's base directory,
uses "/" as separator, and has CR, LF and "%" percent-encoded as %0D, %0A and %25. Nothing else is
encoded, so a file literally named "%7Etest" is listed as "%7Etest" (the LoC suite checks this).
"""

from __future__ import annotations

import re
import unicodedata

_DECODE = re.compile(r"%(25|0[aA]|0[dD])")
_DECODED = {"25": "%", "0a": "\n", "0d": "\r"}


def encode_path(path: str) -> str:
    """Percent-encode a bag-relative posix path for a manifest line (RFC 8493 §2.1.3)."""
    return path.replace("%", "%25").replace("\n", "%0A").replace("\r", "%0D")


def decode_path(text: str) -> str:
    """Undo :func:`encode_path`: only %25, %0A and %0D are escapes (either case)."""
    return _DECODE.sub(lambda m: _DECODED[m.group(1).lower()], text)


def normalize_name(path: str) -> str:
    """The form in which two names are compared: Unicode NFC (RFC 8493 §2.1.3 and §6)."""
    return unicodedata.normalize("NFC", path)


_DRIVE = re.compile(r"^[A-Za-z]:")
_ENV_VAR = re.compile(r"^%[^%/\\]+%|^\$")


def unsafe_reason(path: str) -> str | None:
    """Why *path* (decoded) would leave the bag on some platform, or None when it is safe.

    Checked identically on every platform (RFC 8493 §5: a bag must not write outside itself,
    whichever system unpacks it): backslashes count as separators because Windows treats them so.
    """
    if path == "":
        return "empty path"
    if "\x00" in path:
        return "NUL character in path"
    unified = path.replace("\\", "/")
    if unified.startswith("//") or path.startswith("\\\\"):
        return "UNC or network path"
    if unified.startswith("/"):
        return "absolute path"
    if _DRIVE.match(unified):
        return "Windows drive letter"
    if unified.startswith("~"):
        return "home-directory shortcut (~)"
    if _ENV_VAR.match(unified):
        return "environment-variable shortcut"
    if ".." in unified.split("/"):
        return "'..' component"
    return None


def strip_dot_slash(path: str) -> tuple[str, bool]:
    """Remove leading './' segments; report whether any were present."""
    stripped = path
    while stripped.startswith("./"):
        stripped = stripped[2:]
    return stripped, stripped != path
