"""The payload directory (RFC 8493 §2.1.2): walk data/ once, without following links."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from archiver.bag.paths import normalize_name

PAYLOAD_DIR = "data"


@dataclass
class PayloadListing:
    """Every regular file under data/: bag-relative posix path -> size, plus links found."""

    sizes: dict[str, int] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    specials: list[str] = field(default_factory=list)  # FIFOs, sockets, devices: never payload
    _by_nfc: dict[str, str] | None = None

    @property
    def octets(self) -> int:
        return sum(self.sizes.values())

    def lookup(self, relpath: str) -> str | None:
        """The on-disk name for a listed name: exact match, else match after NFC normalisation."""
        if relpath in self.sizes:
            return relpath
        if self._by_nfc is None:
            self._by_nfc = {normalize_name(p): p for p in self.sizes}
        return self._by_nfc.get(normalize_name(relpath))


def walk_payload(bag: Path) -> PayloadListing:
    """List regular files under bag/data with os.scandir (one stat per entry, links not followed)."""
    listing = PayloadListing()
    root = Path(bag) / PAYLOAD_DIR
    stack = [(str(root), PAYLOAD_DIR)]
    while stack:
        directory, rel = stack.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                relpath = f"{rel}/{entry.name}"
                if entry.is_symlink():
                    listing.links.append(relpath)
                    if entry.is_file():  # a link to a file is still payload content
                        listing.sizes[relpath] = entry.stat().st_size
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, relpath))
                elif entry.is_file(follow_symlinks=False):
                    listing.sizes[relpath] = entry.stat(follow_symlinks=False).st_size
                else:
                    listing.specials.append(relpath)
    return listing
