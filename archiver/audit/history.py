"""The audit log: an append-only Parquet dataset of fixity-check events, one part file per run.

Layout: LOG/events-<UTC start>-<run id>.parquet. A run's part is written beside its final name
under a dot-name and renamed into place (archiver.atomic), so a reader sees all of a run's events
or none of them; readers (pyarrow, DuckDB, Polars, Spark) skip dot-files. Parts are never
rewritten or deleted by archiver, so the log only grows.

Default location (outside any bag): $ARCHIVER_AUDIT_LOG, else $XDG_STATE_HOME/archiver/audit-log,
else ~/.local/state/archiver/audit-log.
"""

from __future__ import annotations

import json
import os
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from archiver.atomic import atomic_write
from archiver.errors import ArchiverError

PART_PREFIX = "events-"

EVENT_SCHEMA = pa.schema([
    ("event_id", pa.string()),
    ("run_id", pa.string()),
    ("event_type", pa.string()),
    ("event_datetime", pa.timestamp("us", tz="UTC")),
    ("event_end_datetime", pa.timestamp("us", tz="UTC")),
    ("outcome", pa.string()),
    ("scope", pa.string()),
    ("bag_path", pa.string()),
    ("bag_identifier", pa.string()),
    ("payload_oxum", pa.string()),
    ("files_checked", pa.int64()),
    ("bytes_checked", pa.int64()),
    ("findings", pa.int64()),
    ("agent", pa.string()),
    ("event", pa.string()),          # the whole validated event document, as JSON
])

_SUMMARY_COLUMNS = ["event_datetime", "outcome", "scope", "bag_path", "findings"]


def default_log() -> Path:
    """Where the audit log lives when --log is not given (see the module docstring)."""
    if os.environ.get("ARCHIVER_AUDIT_LOG"):
        return Path(os.environ["ARCHIVER_AUDIT_LOG"])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "archiver" / "audit-log"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(text: str) -> int:
    """An RFC 3339 timestamp as microseconds since the epoch (the log's timestamp[us, UTC])."""
    return (datetime.fromisoformat(text.replace("Z", "+00:00")) - _EPOCH) // timedelta(microseconds=1)


# The log's columns are built from buffers, not with pa.array(): pa.array() imports pandas (a
# quarter of a second) to check its argument, which would double the cost of a small audit.
def _int_column(values: list[int], kind: pa.DataType) -> pa.Array:
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(array("q", values))])


def _string_column(values: list[str | None]) -> pa.Array:
    encoded = [v.encode("utf-8") if v is not None else b"" for v in values]
    offsets = array("i", [0])
    valid = bytearray((len(values) + 7) // 8)
    for i, (value, raw) in enumerate(zip(values, encoded, strict=True)):
        offsets.append(offsets[-1] + len(raw))
        if value is not None:
            valid[i // 8] |= 1 << (i % 8)
    buffers = [pa.py_buffer(bytes(valid)), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def _row(event: dict[str, Any]) -> dict[str, Any]:
    outcome = event["eventOutcomeInformation"]
    detail = outcome["eventOutcomeDetail"]
    agent = event["linkingAgent"]
    obj = event["linkingObject"]
    return {
        "event_id": event["eventIdentifier"]["eventIdentifierValue"],
        "run_id": event["runIdentifier"],
        "event_type": event["eventType"]["uri"],
        "event_datetime": _microseconds(event["eventDateTime"]),
        "event_end_datetime": _microseconds(event["eventEndDateTime"]),
        "outcome": outcome["eventOutcome"],
        "scope": detail["scope"],
        "bag_path": obj["bagPath"],
        "bag_identifier": obj["bagIdentifier"],
        "payload_oxum": obj["payloadOxum"],
        "files_checked": detail["counts"]["filesChecked"],
        "bytes_checked": detail["counts"]["bytesChecked"],
        "findings": detail["counts"]["findings"],
        "agent": f"{agent['agentName']}/{agent['agentVersion']}",
        "event": json.dumps(event, ensure_ascii=False, sort_keys=True),
    }


def append_events(log: Path, events: Iterable[dict[str, Any]], run_id: str, started: str) -> Path | None:
    """Add one run's (already validated) events to *log* as one new part file; return its path.

    Nothing is written when there are no events.
    """
    rows = [_row(e) for e in events]
    if not rows:
        return None
    log = Path(log)
    if log.exists() and not log.is_dir():
        raise ArchiverError(f"audit log {log} is not a directory")
    stamp = started.replace("-", "").replace(":", "").split(".")[0]
    target = log / f"{PART_PREFIX}{stamp}Z-{run_id}.parquet"
    columns = []
    for f in EVENT_SCHEMA:
        values = [row[f.name] for row in rows]
        columns.append(_string_column(values) if f.type == pa.string() else _int_column(values, f.type))
    table = pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)
    with atomic_write(target, overwrite=False) as fh:
        pq.write_table(table, fh, compression="zstd")
    return target


def part_files(log: Path) -> list[Path]:
    """The log's committed part files (temporary dot-files of a run being written are not)."""
    log = Path(log)
    if log.exists() and not log.is_dir():
        raise ArchiverError(f"audit log {log} is not a directory")
    if not log.is_dir():
        return []
    return sorted(p for p in log.iterdir()
                  if p.name.startswith(PART_PREFIX) and p.name.endswith(".parquet") and p.is_file())


def read_events(log: Path, columns: list[str] | None = None) -> pa.Table:
    """All events in the log as one table (empty when the log does not exist yet).

    A part file that cannot be read is an ArchiverError naming it: the log is evidence, and a
    damaged part must be looked at, not silently skipped.
    """
    tables = []
    for part in part_files(log):
        try:
            tables.append(pq.read_table(part, columns=columns))
        except (OSError, pa.ArrowException) as exc:
            raise ArchiverError(f"audit log part {part} cannot be read: {exc}") from None
    if not tables:
        schema = EVENT_SCHEMA if columns is None else pa.schema([EVENT_SCHEMA.field(c) for c in columns])
        return schema.empty_table()
    return pa.concat_tables(tables)


def last_complete_audit(log: Path) -> dict[str, datetime]:
    """For each bag path in the log, when its last audit that ran to the end (not incomplete) began."""
    table = read_events(log, columns=["event_datetime", "outcome", "bag_path"])
    last: dict[str, datetime] = {}
    for when, outcome, bag in zip(table["event_datetime"].to_pylist(), table["outcome"].to_pylist(),
                                  table["bag_path"].to_pylist(), strict=True):
        if outcome == "incomplete":
            continue
        if bag not in last or when > last[bag]:
            last[bag] = when
    return last


@dataclass
class BagHistory:
    """What the log says about one bag."""

    bag: str
    audits: int = 0
    last_audit: datetime | None = None
    last_outcome: str | None = None
    last_scope: str | None = None
    last_verified: datetime | None = None
    failures: list[tuple[datetime, int]] = field(default_factory=list)   # (when, findings)
    incomplete: int = 0

    def to_dict(self) -> dict[str, Any]:
        def iso(d: datetime | None) -> str | None:
            return d.isoformat().replace("+00:00", "Z") if d else None
        return {
            "bag": self.bag,
            "audits": self.audits,
            "last_audit": iso(self.last_audit),
            "last_outcome": self.last_outcome,
            "last_scope": self.last_scope,
            "last_verified": iso(self.last_verified),
            "incomplete": self.incomplete,
            "failures": [{"when": iso(w), "findings": n} for w, n in self.failures],
        }


def _under(bag: str, roots: list[str]) -> bool:
    return any(bag == r or bag.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def bag_histories(log: Path, paths: Iterable[Path] = ()) -> list[BagHistory]:
    """Per bag (optionally only bags at or under *paths*): last audit, last verified, failures over time."""
    roots = [str(Path(p).resolve()) for p in paths]
    table = read_events(log, columns=_SUMMARY_COLUMNS)
    order = sorted(range(table.num_rows), key=lambda i: table["event_datetime"][i].as_py())
    columns = {c: table[c].to_pylist() for c in _SUMMARY_COLUMNS}
    found: dict[str, BagHistory] = {}
    for i in order:
        bag = columns["bag_path"][i]
        if roots and not _under(bag, roots):
            continue
        when, outcome = columns["event_datetime"][i], columns["outcome"][i]
        h = found.setdefault(bag, BagHistory(bag))
        h.audits += 1
        h.last_audit, h.last_outcome, h.last_scope = when, outcome, columns["scope"][i]
        if outcome == "verified":
            h.last_verified = when
        elif outcome == "failed":
            h.failures.append((when, columns["findings"][i]))
        else:
            h.incomplete += 1
    return sorted(found.values(), key=lambda h: h.bag)
