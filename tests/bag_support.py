"""Helpers for the bag tests: where the shared conformance suite lives."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """ARCHIVER_SHARED if set, else <checkout>/../shared (CI), else /work/shared; None if none exists."""
    candidates = []
    if os.environ.get("ARCHIVER_SHARED"):
        candidates.append(Path(os.environ["ARCHIVER_SHARED"]))
    candidates += [REPO.parent / "shared", Path("/work/shared")]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def conformance_suite() -> Path | None:
    shared = shared_dir()
    suite = shared / "conformance" / "bagit-conformance-suite" if shared else None
    return suite if suite and (suite / "CASES.tsv").is_file() else None
