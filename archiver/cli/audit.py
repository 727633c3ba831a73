"""`archiver audit PATH...` and `archiver audit history PATH...`: fixity audits and their history.

`history` is recognised only as the first argument (to audit a bag folder that is literally named
"history", write it as ./history).
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import click

from archiver.cli._common import exit_with, is_terminal

HISTORY = "history"


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while auditing, so that what was verified gets logged."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_bag(audit, verbose: bool) -> None:
    outcome = audit.outcome
    if outcome == "verified" and not verbose:
        return
    if outcome == "incomplete" and not verbose:
        return
    scope = f", sampled {audit.sample['files']} of {audit.payload_files} files" if audit.sample else ""
    stopped = f", stopped by {audit.stopped_by}" if audit.stopped_by else ""
    click.echo(f"{outcome.upper()} {audit.path} ({audit.files_checked} files, {audit.bytes_checked} bytes"
               f"{scope}{stopped})")
    for finding in audit.findings:
        click.echo(f"  {finding}")


class _AuditCommand(click.Command):
    """Dispatch `audit history ...` to the history command; everything else is an audit."""

    def make_context(self, info_name, args, parent=None, **extra):
        if args and args[0] == HISTORY:
            return history.make_context(f"{info_name} {HISTORY}", list(args[1:]), parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)


@click.command(cls=_AuditCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--log", type=click.Path(path_type=Path), default=None,
              help="Audit log folder (default: $ARCHIVER_AUDIT_LOG, else ~/.local/state/archiver/audit-log).")
@click.option("--algorithm", default=None, help="Verify only this manifest's checksums (e.g. sha256).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Files hashed in parallel.")
@click.option("--budget", default=None, metavar="DURATION",
              help="Stop cleanly after this long (90s, 30m, 2h, 1h30m); least recently audited bags first.")
@click.option("--max-bytes", default=None, metavar="SIZE",
              help="Stop cleanly after reading this much (500M, 2G, 1GiB); least recently audited first.")
@click.option("--sample", default=None, metavar="N|sqrt",
              help="Verify a random sample of N files per bag, or sqrt(file count) of them.")
@click.option("--seed", type=int, default=None, help="Seed for --sample (recorded in each event).")
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="List every bag, not only failures.")
def audit(paths: tuple[Path, ...], log: Path | None, algorithm: str | None, workers: int,
          budget: str | None, max_bytes: str | None, sample: str | None, seed: int | None,
          as_json: bool, verbose: bool) -> None:
    """Verify the fixity of every bag under PATH... and record each check in the audit log.

    Finds every folder holding a bagit.txt (never looking inside a bag), checks completeness,
    every payload and tag checksum and Payload-Oxum, read-only. Quiet for cron: prints failures
    and a one-line summary. Exit 0 when nothing failed, 1 when a bag failed, 2 when a path could
    not be audited.

    `archiver audit history [PATH...]` shows, per bag, when it was last verified, its last
    outcome and its failures over time (see `archiver audit history --help`).

    \b
    Example:
      archiver audit /srv/bags --log /var/lib/archiver/audit-log --budget 2h
      archiver audit history /srv/bags --log /var/lib/archiver/audit-log
    """
    from archiver.audit import audit_paths
    from archiver.audit.progress import TerminalProgress
    from archiver.audit.schedule import parse_sample
    from archiver.units import parse_duration, parse_size

    seconds = parse_duration(budget) if budget is not None else None
    nbytes = parse_size(max_bytes) if max_bytes is not None else None
    progress = TerminalProgress() if is_terminal() else None
    with _sigterm_interrupts():
        run = audit_paths(list(paths), log=log, algorithm=algorithm, workers=workers, budget=seconds,
                          max_bytes=nbytes, sample=parse_sample(sample), seed=seed, progress=progress)
    for message in run.errors:
        click.echo(f"archiver: error: {message}", err=True)
    if as_json:
        click.echo(json.dumps(run.to_dict(), indent=2, ensure_ascii=False))
    else:
        for bag in run.bags:
            _print_bag(bag, verbose)
        click.echo(run.summary())
    if run.exit_code:
        exit_with(run.exit_code)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--log", type=click.Path(path_type=Path), default=None,
              help="Audit log folder (default: $ARCHIVER_AUDIT_LOG, else ~/.local/state/archiver/audit-log).")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON on stdout.")
def history(paths: tuple[Path, ...], log: Path | None, as_json: bool) -> None:
    """Show, per bag at or under PATH... (all bags if none), its audit history from the log.

    One line per bag: last outcome, when it was last audited and last verified, how many audits,
    and its failures over time (most recent last).

    \b
    Example:
      archiver audit history /srv/bags --log /var/lib/archiver/audit-log
    """
    from archiver.audit.history import bag_histories, default_log

    log = log or default_log()
    found = bag_histories(log, paths)
    if as_json:
        click.echo(json.dumps({"log": str(log), "bags": [h.to_dict() for h in found]}, indent=2))
        return
    if not found:
        click.echo(f"no audits recorded in {log}" + (" for these paths" if paths else ""))
        return
    for h in found:
        d = h.to_dict()
        scope = " (sampled)" if h.last_scope == "sampled" else ""
        line = (f"{d['last_outcome']:<10} {h.bag}  last audit {d['last_audit']}{scope}, "
                f"last verified {d['last_verified'] or 'never'}, {h.audits} audit(s), "
                f"{len(h.failures)} failed, {h.incomplete} incomplete")
        click.echo(line)
        for failure in d["failures"]:
            click.echo(f"    failed {failure['when']} ({failure['findings']} finding(s))")
