"""The capture log: one JSON object per URL outcome, appended as it happens (JSON Lines).

It is the run's own account of what it did, the resume state of the next run, and the source of
"failed" rows in the catalogue. Each line is flushed after the WARC records it names, so a line
never refers to a record that a crash could have torn.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import orjson

OUTCOMES = ("captured", "revisit", "failed", "skipped")


def rfc3339(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class CaptureLog:
    """Appends outcome lines to logs/capture-RUN.jsonl; thread-safe."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = open(self.path, "ab")
        self._lock = threading.Lock()

    def write(self, *, url: str, seed: bool, outcome: str, status: int | None = None,
              error: str | None = None, warc_filename: str | None = None, record_id: str | None = None,
              time: str | None = None, **extra) -> dict:
        assert outcome in OUTCOMES
        line = {"time": time or rfc3339(), "url": url, "seed": seed, "outcome": outcome, "status": status,
                "error": error, "warc_filename": warc_filename, "record_id": record_id, **extra}
        text = _encode(line)
        with self._lock:
            self._fh.write(text)
            self._fh.flush()
        return line

    def close(self) -> None:
        with self._lock:
            self._fh.close()


def _encode(line: dict) -> bytes:
    """One log line: orjson (UTF-8, compact), as a line is written per URL on every worker's path.
    A lone surrogate (text that came from undecodable bytes) has no UTF-8 form: it is written as
    the text of its escape, so that every reader of the log (the catalogue too) gets plain text.
    An integer past 64 bits, which orjson does not write, is written by json."""
    try:
        return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        line = _plain_text(line)
        try:
            return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            return (json.dumps(line, separators=(",", ":")) + "\n").encode("ascii")


def _plain_text(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _plain_text(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_text(item) for item in value]
    return value


def read_logs(logs_dir: Path) -> Iterator[dict]:
    """Every well-formed line of every capture log in *logs_dir*, oldest run first.

    A line torn by a crash (the last one of a killed run) is skipped. Every run reads every
    earlier run's lines before its first fetch, millions after a few years of daily captures:
    orjson parses them faster than the json module. What orjson refuses and json reads (bytes
    that are not UTF-8, NaN, a lone surrogate: a log edited by hand) is read by json, as before.
    orjson reads an integer past 64 bits as a float: no field this tool writes holds one, and a
    field that must be an integer (status, offset, length) is then taken as missing, so the URL
    is fetched again.
    """
    for path in sorted(Path(logs_dir).glob("capture-*.jsonl")):
        yield from read_log(path)


def read_log(path: Path) -> Iterator[dict]:
    """Every well-formed line of one capture log (see read_logs)."""
    with open(path, "rb") as fh:
        for raw in fh:
            try:
                line = orjson.loads(raw)
            except orjson.JSONDecodeError:
                try:
                    line = json.loads(raw.decode("utf-8", "replace"))
                except json.JSONDecodeError:
                    continue
            if isinstance(line, dict) and "url" in line and "outcome" in line:
                yield line


def dedupable(status: object, payload_length: object, truncated: object) -> bool:
    """Whether a payload may be stored once and revisited after (WARC 1.1 section 6.7.2): a whole,
    non-empty 200 answer. The crawler asks it of each response, the state of each log line (which
    may have been edited: a value of the wrong type is no payload)."""
    return status == 200 and isinstance(payload_length, int) and payload_length > 0 and not truncated


class Stored(NamedTuple):
    """A payload already in the collection: where it is, for revisits and for re-reading links."""

    record_id: str
    url: str
    date: str
    warc_filename: str
    warc_offset: int


class Done(NamedTuple):
    """What an earlier run kept of a URL, from its last log line that counts (see `load`)."""

    outcome: str  # captured | revisit
    status: int | None
    warc_filename: str
    warc_offset: int | None
    content_type: str | None
    payload_digest: str | None


_RETRY_STATUSES = (429, 500, 502, 503, 504)  # the server was failing: such a URL is fetched again


def _stored(line: dict, url: str, filename: str) -> Stored | None:
    """Where *line*'s payload is, if it may be deduplicated against; None for a line edited by
    hand that lacks part of it."""
    record_id, date, offset = line.get("record_id"), line.get("warc_date"), line.get("warc_offset")
    if (isinstance(record_id, str) and record_id and isinstance(date, str) and date and url and filename
            and isinstance(offset, int)
            and dedupable(line.get("status"), line.get("payload_length"), line.get("truncated"))):
        return Stored(record_id, url, date, filename, offset)
    return None


class CollectionState:
    """What earlier runs captured (for resume) and which payloads are stored (for dedup).

    A collection that takes a daily capture holds millions of log lines after a few years, and
    every run starts by reading them all: each line is kept as two small tuples (not its dict),
    with one string per WARC file name and media type shared by all lines that name it."""

    def __init__(self) -> None:
        self.done: dict[str, Done] = {}
        self.payloads: dict[str, Stored] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, logs_dir: Path, warc_dir: Path) -> CollectionState:
        # The cyclic garbage collector would walk the growing state again and again while it is
        # built (a third of the time on 1M lines); nothing made here can form a cycle.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return cls._load(logs_dir, warc_dir)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def _load(cls, logs_dir: Path, warc_dir: Path) -> CollectionState:
        state = cls()
        done, payloads = state.done, state.payloads
        present = {p.name: p.name for p in Path(warc_dir).glob("*.warc.gz")}
        media_types: dict[str, str] = {}
        for line in read_logs(logs_dir):
            url, outcome, filename = line["url"], line["outcome"], line.get("warc_filename")
            if not isinstance(url, str) or not isinstance(filename, str):
                continue  # not a line this tool wrote (a log edited by hand)
            if outcome not in ("captured", "revisit") or filename not in present:
                continue
            status = line.get("status")
            if not isinstance(status, int) or isinstance(status, bool):
                continue  # a status this tool did not write (a "503" string): no proof of a capture
            if status in _RETRY_STATUSES or line.get("error"):  # error: kept, but cut short
                continue
            filename = present[filename]
            offset, media_type = line.get("warc_offset"), line.get("content_type")
            digest = line.get("payload_digest")
            if isinstance(media_type, str):
                media_type = media_types.setdefault(media_type, media_type)
            else:
                media_type = None
            digest = digest if isinstance(digest, str) and digest else None
            done[url] = Done(outcome, status, filename,
                             offset if isinstance(offset, int) else None, media_type, digest)
            if outcome == "captured" and digest is not None and digest not in payloads:
                stored = _stored(line, url, filename)
                if stored is not None:
                    payloads[digest] = stored
        return state

    def remember(self, line: dict) -> None:
        """Index a captured response's payload of this run if it may be deduplicated against."""
        digest, url, filename = line.get("payload_digest"), line.get("url"), line.get("warc_filename")
        if not (isinstance(digest, str) and digest and isinstance(url, str) and isinstance(filename, str)):
            return
        stored = _stored(line, url, filename)
        if stored is not None:
            with self._lock:
                self.payloads.setdefault(digest, stored)

    def stored(self, digest: str) -> Stored | None:
        with self._lock:
            return self.payloads.get(digest)
