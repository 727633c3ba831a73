"""The capture log: one JSON object per URL outcome, appended as it happens (JSON Lines).

It is the run's own account of what it did, the resume state of the next run, and the source of
"failed" rows in the catalogue. Each line is flushed after the WARC records it names, so a line
never refers to a record that a crash could have torn.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

OUTCOMES = ("captured", "revisit", "failed", "skipped")


def rfc3339(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CaptureLog:
    """Appends outcome lines to logs/capture-RUN.jsonl; thread-safe."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = open(self.path, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, *, url: str, seed: bool, outcome: str, status: int | None = None,
              error: str | None = None, warc_filename: str | None = None, record_id: str | None = None,
              time: str | None = None, **extra) -> dict:
        assert outcome in OUTCOMES
        line = {"time": time or rfc3339(), "url": url, "seed": seed, "outcome": outcome, "status": status,
                "error": error, "warc_filename": warc_filename, "record_id": record_id, **extra}
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._fh.write(text)
            self._fh.flush()
        return line

    def close(self) -> None:
        with self._lock:
            self._fh.close()


def read_logs(logs_dir: Path) -> Iterator[dict]:
    """Every well-formed line of every capture log in *logs_dir*, oldest run first.

    A line torn by a crash (the last one of a killed run) is skipped.
    """
    for path in sorted(Path(logs_dir).glob("capture-*.jsonl")):
        with open(path, encoding="utf-8", errors="replace") as fh:
            for raw in fh:
                try:
                    line = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                if isinstance(line, dict) and "url" in line and "outcome" in line:
                    yield line


def dedupable(status: object, payload_length: object, truncated: object) -> bool:
    """Whether a payload may be stored once and revisited after (WARC 1.1 section 6.7.2): a whole,
    non-empty 200 answer. The crawler asks it of each response, the state of each log line (which
    may have been edited: a value of the wrong type is no payload)."""
    return status == 200 and isinstance(payload_length, int) and payload_length > 0 and not truncated


@dataclass(frozen=True)
class Stored:
    """A payload already in the collection: where it is, for revisits and for re-reading links."""

    record_id: str
    url: str
    date: str
    warc_filename: str
    warc_offset: int


class CollectionState:
    """What earlier runs captured (for resume) and which payloads are stored (for dedup)."""

    def __init__(self) -> None:
        self.done: dict[str, dict] = {}
        self.payloads: dict[str, Stored] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, logs_dir: Path, warc_dir: Path) -> CollectionState:
        state = cls()
        present = {p.name for p in Path(warc_dir).glob("*.warc.gz")}
        for line in read_logs(logs_dir):
            if not isinstance(line["url"], str) or not isinstance(line.get("warc_filename"), str):
                continue  # not a line this tool wrote (a log edited by hand)
            if line["outcome"] not in ("captured", "revisit") or line["warc_filename"] not in present:
                continue
            if line.get("status") in (429, 500, 502, 503, 504):  # the server was failing: try again
                continue
            if line.get("error"):  # kept, but cut short (disconnect, timeout): fetched again
                continue
            state.done[line["url"]] = line
            if line["outcome"] == "captured":
                state.remember(line)
        return state

    def remember(self, line: dict) -> None:
        """Index a captured response's payload if it may be deduplicated against."""
        digest = line.get("payload_digest")
        where = [line.get(key) for key in ("record_id", "url", "warc_date", "warc_filename", "warc_offset")]
        complete = all(isinstance(v, str) and v for v in where[:4]) and isinstance(where[4], int)
        if (isinstance(digest, str) and digest and complete  # a line edited by hand may lack some
                and dedupable(line.get("status"), line.get("payload_length"), line.get("truncated"))):
            with self._lock:
                self.payloads.setdefault(digest, Stored(*where))

    def stored(self, digest: str) -> Stored | None:
        with self._lock:
            return self.payloads.get(digest)
