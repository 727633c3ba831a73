"""One audit run over many bags: discover, order for rotation, verify within a budget, log events.

The run's events are written to the audit log in one atomic step at the end, also when the run
is interrupted (KeyboardInterrupt, which the CLI also raises on SIGTERM): what was verified up to
then is recorded, the bag being verified is recorded as incomplete, and the interrupt goes on.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from archiver.audit.discover import find_bags
from archiver.audit.events import fixity_event, utc_now
from archiver.audit.history import append_events, default_log, last_complete_audit
from archiver.audit.model import AuditRun, BagAudit
from archiver.audit.progress import Progress
from archiver.audit.schedule import Budget, parse_sample, rotation_order
from archiver.audit.verify import verify_bags
from archiver.bag import read_bag_info
from archiver.errors import ArchiverError


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while the run's events are written, so that a second interrupt
    cannot throw away what the first one saved; a signal that came is re-raised right after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum))
                for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if caught:
            signal.raise_signal(caught[0])


def _discover(paths: list[Path], run: AuditRun) -> list[Path]:
    bags: dict[Path, None] = {}
    for path in paths:
        try:
            found = list(find_bags(Path(path)))
        except ArchiverError as exc:
            run.errors.append(str(exc))
            continue
        if not found:
            run.errors.append(f"{path}: no bag found (no folder under it holds a bagit.txt)")
        for bag in found:
            bags.setdefault(bag, None)
    return list(bags)


def _declared_size(bag: Path) -> tuple[int, int]:
    """(files, bytes) from Payload-Oxum, for the progress display's totals; (0, 0) if unknown."""
    try:
        for label, value in read_bag_info(bag):
            if label.lower() == "payload-oxum":
                octets, streams = value.strip().split(".")
                return int(streams), int(octets)
    except (ArchiverError, OSError, ValueError):
        pass
    return 0, 0


def _check_log(log: Path, bags: list[Path]) -> None:
    """Fail before any work if the log could not take this run's events."""
    resolved = log.resolve()
    for bag in bags:
        if resolved == bag or resolved.is_relative_to(bag):
            raise ArchiverError(f"audit log {log} is inside bag {bag}; an audit never writes into a bag")
    if log.exists() and not log.is_dir():
        raise ArchiverError(f"audit log {log} is not a directory")
    try:
        log.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiverError(f"cannot create the audit log folder {log}: {exc.strerror}") from None
    if not os.access(log, os.W_OK):
        raise ArchiverError(f"audit log folder {log} is not writable")


def audit_paths(paths: list[Path], *, log: Path | None = None, algorithm: str | None = None,
                workers: int = 2, budget: float | None = None, max_bytes: int | None = None,
                sample: int | str | None = None, seed: int | None = None,
                progress: Progress | None = None) -> AuditRun:
    """Audit every bag under *paths* and append one fixity-check event per audited bag to *log*.

    budget: seconds of wall-clock time; max_bytes: bytes to read at most. With either, the bags
    least recently audited (per the log) go first and the run stops cleanly when it is spent.
    sample: N files per bag, or "sqrt"; seed makes the sample reproducible (random by default).
    Paths that cannot be audited are listed in AuditRun.errors (exit code 2); the bags under the
    other paths are still audited.
    """
    run = AuditRun(run_id=str(uuid.uuid4()), log=Path(log) if log else default_log())
    started = utc_now()
    sample = parse_sample(sample)
    progress = progress or Progress()
    bags = _discover(paths, run)
    if not bags:
        return run
    _check_log(run.log, bags)
    limit = Budget(budget, max_bytes) if (budget is not None or max_bytes is not None) else None
    if limit is not None:
        bags = rotation_order(bags, last_complete_audit(run.log))
    if type(progress) is not Progress:
        sizes = [_declared_size(b) for b in bags]
        progress.start(len(bags), sum(s[0] for s in sizes), sum(s[1] for s in sizes))
    rng = random.Random(seed)
    taken: list[Path] = []

    def source():
        for bag in bags:
            audit = BagAudit(path=bag)
            run.bags.append(audit)
            taken.append(bag)
            yield bag, audit, rng.randrange(2**31)

    try:
        unusable = verify_bags(source(), algorithm=algorithm, workers=workers, sample=sample,
                               budget=limit, progress=progress)
        for audit, exc in unusable:
            run.bags.remove(audit)
            run.errors.append(str(exc))
    except KeyboardInterrupt:
        run.stopped_by = "interrupt"
        raise
    finally:
        last = run.bags[-1] if run.bags else None
        if last is not None and last.stopped_by in ("budget", "max-bytes") and last.files_checked == 0 \
                and not last.findings:
            # The budget ran out before this bag's first file: nothing of it was checked, so
            # there is no event to record; it leads the next run.
            run.bags.pop()
            taken.pop()
        run.not_audited = bags[len(taken):]
        cut_short = run.not_audited or any(b.stopped_by for b in run.bags)
        if run.stopped_by is None and limit is not None and cut_short:
            run.stopped_by = limit.spent_by
        progress.close()
        events = [fixity_event(a, run.run_id) for a in run.bags]
        with _signals_deferred():
            run.log_file = append_events(run.log, events, run.run_id, started)
    return run
