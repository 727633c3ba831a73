"""Organisation defaults for bag-info.txt, read from a TOML config file so archivists do not retype them.

    # ~/.config/archiver/config.toml  (or $ARCHIVER_CONFIG, or --config FILE)
    [bag-info]
    Source-Organization = "Example Newspaper Archive"
    Contact-Name = "Jane Archivist"
    Contact-Email = ["jane@example.org", "archive@example.org"]   # a list repeats the label

A label given with `--info Label=value` replaces every default value of that label.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from archiver.errors import ArchiverError

SECTION = "bag-info"


def default_config_path() -> Path | None:
    """$ARCHIVER_CONFIG, else $XDG_CONFIG_HOME/archiver/config.toml (~/.config by default), if present."""
    env = os.environ.get("ARCHIVER_CONFIG")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    candidate = base / "archiver" / "config.toml"
    return candidate if candidate.is_file() else None


def load_bag_info_defaults(path: Path | None = None) -> list[tuple[str, str]]:
    """The [bag-info] table of the config file as ordered (label, value) pairs; [] when no file."""
    path = Path(path) if path is not None else default_config_path()
    if path is None:
        return []
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except FileNotFoundError:
        raise ArchiverError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ArchiverError(f"{path}: not valid TOML ({exc})") from None
    table = document.get(SECTION, {})
    if not isinstance(table, dict):
        raise ArchiverError(f"{path}: [{SECTION}] must be a table of Label = \"value\" entries")
    pairs: list[tuple[str, str]] = []
    for label, value in table.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str):
                raise ArchiverError(f"{path}: [{SECTION}] {label} must be a string or a list of strings")
            pairs.append((label, item))
    return pairs


def merge_bag_info(defaults: list[tuple[str, str]], given: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Defaults, except that any label present in *given* takes only the given values."""
    overridden = {label.lower() for label, _ in given}
    return [(k, v) for k, v in defaults if k.lower() not in overridden] + list(given)


def parse_info_option(text: str) -> tuple[str, str]:
    """`Label=value` from the command line -> (label, value)."""
    label, sep, value = text.partition("=")
    if not sep or not label.strip():
        raise ArchiverError(f"--info {text!r}: expected Label=value")
    return label.strip(), value.strip()
