"""The results of an audit, kept as data: findings with stable kinds, one result per bag, one run.

Like ocfl-py's validation codes, a finding's `kind` is a stable name that scripts may rely on
(`--json`, the audit log); each is tied to the rule it enforces.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Stable finding kinds (also the enum in schemas/audit-event.schema.json).
MISSING = "missing"                # listed in a manifest, not on disk (RFC 8493 §3 completeness)
UNEXPECTED = "unexpected"          # on disk under data/, in no manifest (RFC 8493 §3 completeness)
MOVED = "moved"                    # missing under one name, present under another with the same digest
MODIFIED = "modified"              # digest differs from the manifest (RFC 8493 §3 validity)
UNREADABLE = "unreadable"          # exists but could not be read (permissions, I/O error)
MANIFEST_ERROR = "manifest-error"  # a manifest that cannot be trusted: bad line, unsafe path, duplicate
OXUM_MISMATCH = "oxum-mismatch"    # Payload-Oxum differs from the payload on disk (RFC 8493 §2.2.2)

FINDING_KINDS = (MISSING, UNEXPECTED, MOVED, MODIFIED, UNREADABLE, MANIFEST_ERROR, OXUM_MISMATCH)

VERIFIED = "verified"
FAILED = "failed"
INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a bag: its kind, the bag-relative file, and what was expected."""

    kind: str
    file: str
    detail: str
    to: str | None = None
    rule: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"kind": self.kind, "file": self.file, "detail": self.detail}
        if self.to is not None:
            out["to"] = self.to
        if self.rule is not None:
            out["rule"] = self.rule
        return out

    def __str__(self) -> str:
        where = f"{self.file} -> {self.to}" if self.to else self.file
        return f"{self.kind}: {where}: {self.detail}"


@dataclass
class BagAudit:
    """The audit of one bag: what was checked, what was found, and how it ended."""

    path: Path
    identifier: str | None = None
    payload_oxum: str | None = None
    started: str = ""
    ended: str = ""
    algorithms: list[str] = field(default_factory=list)
    payload_files: int = 0
    files_checked: int = 0
    bytes_checked: int = 0
    tag_files_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    sample: dict[str, Any] | None = None      # {"requested": N|"sqrt", "files": n, "seed": s}
    stopped_by: str | None = None             # "budget", "max-bytes" or "interrupt" when cut short

    @property
    def outcome(self) -> str:
        """failed if anything was found; else incomplete if cut short; else verified."""
        if self.findings:
            return FAILED
        if self.stopped_by:
            return INCOMPLETE
        return VERIFIED

    @property
    def ok(self) -> bool:
        return self.outcome == VERIFIED

    @property
    def scope(self) -> str:
        return "sampled" if self.sample is not None else "full"

    def to_dict(self) -> dict[str, Any]:
        return {
            "bag": str(self.path),
            "identifier": self.identifier,
            "outcome": self.outcome,
            "scope": self.scope,
            "sample": self.sample,
            "stopped_by": self.stopped_by,
            "started": self.started,
            "ended": self.ended,
            "algorithms": self.algorithms,
            "payload_files": self.payload_files,
            "files_checked": self.files_checked,
            "bytes_checked": self.bytes_checked,
            "tag_files_checked": self.tag_files_checked,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class AuditRun:
    """One `archiver audit` run: per-bag results, where its events were logged, and why it stopped."""

    run_id: str
    bags: list[BagAudit] = field(default_factory=list)
    log: Path | None = None
    log_file: Path | None = None        # the Parquet part file this run's events went into
    stopped_by: str | None = None       # set when the run stopped before auditing every bag
    not_audited: list[Path] = field(default_factory=list)  # bags left for a later run
    errors: list[str] = field(default_factory=list)        # paths or bags that could not be audited

    @property
    def ok(self) -> bool:
        """True when no audited bag failed and every path could be audited.

        A bag cut short by --budget/--max-bytes is incomplete, not failed: a budgeted cron run
        that found nothing wrong is a success, and the bag comes first in the next run.
        """
        return not self.errors and all(b.outcome != FAILED for b in self.bags)

    @property
    def exit_code(self) -> int:
        """1 when any bag failed its audit, else 2 when a path could not be audited, else 0."""
        if self.failed:
            return 1
        return 2 if self.errors else 0

    @property
    def failed(self) -> list[BagAudit]:
        return [b for b in self.bags if b.outcome == FAILED]

    def summary(self) -> str:
        counts = {VERIFIED: 0, FAILED: 0, INCOMPLETE: 0}
        for b in self.bags:
            counts[b.outcome] += 1
        files = sum(b.files_checked for b in self.bags)
        nbytes = sum(b.bytes_checked for b in self.bags)
        text = (f"audited {len(self.bags)} bag(s): {counts[VERIFIED]} verified, {counts[FAILED]} failed, "
                f"{counts[INCOMPLETE]} incomplete; {files} files, {nbytes} bytes checked")
        if self.stopped_by:
            text += f"; stopped by {self.stopped_by}, {len(self.not_audited)} bag(s) left for the next run"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "ok": self.ok,
            "log": str(self.log) if self.log else None,
            "stopped_by": self.stopped_by,
            "errors": list(self.errors),
            "not_audited": [str(p) for p in self.not_audited],
            "bags": [b.to_dict() for b in self.bags],
        }
