"""Find the bags under a path: every folder holding bagit.txt, never looking inside a bag.

A bag's payload may itself contain folders with a bagit.txt (a bag of bags); those belong to the
outer bag's payload and are verified as its files, not audited as bags of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from archiver.errors import ArchiverError

DECLARATION = "bagit.txt"   # RFC 8493 §2.1.1: every bag has a bag declaration at its top level


def is_bag(path: Path) -> bool:
    return (Path(path) / DECLARATION).is_file()


def find_bags(root: Path) -> Iterator[Path]:
    """Yield every bag at or under *root* (absolute paths, in name order, depth first).

    An unreadable directory between bags is an ArchiverError: it could hide bags, and an audit
    that silently skipped them would claim more than it checked.
    """
    root = Path(root)
    if not root.exists():
        raise ArchiverError(f"{root}: no such file or directory")
    if not root.is_dir():
        raise ArchiverError(f"{root}: not a directory (give a bag folder or a folder of bags)")
    root = root.resolve()
    stack = [root]
    while stack:
        folder = stack.pop()
        if is_bag(folder):
            yield folder
            continue
        try:
            with os.scandir(folder) as it:
                subdirs = sorted((e.path for e in it if e.is_dir(follow_symlinks=False)), reverse=True)
        except OSError as exc:
            raise ArchiverError(f"{folder}: cannot list directory ({exc.strerror})") from None
        stack.extend(Path(p) for p in subdirs)


def find_all_bags(paths: list[Path]) -> list[Path]:
    """Bags under every path, each once, in the order found; a path holding no bag is an error."""
    seen: dict[Path, None] = {}
    for path in paths:
        found = list(find_bags(path))
        if not found:
            raise ArchiverError(f"{path}: no bag found (no folder under it holds a bagit.txt)")
        for bag in found:
            seen.setdefault(bag, None)
    return list(seen)
