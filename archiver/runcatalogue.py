"""A capture run's records-catalogue part, made while the run writes its WARCs.

Cataloguing a finished run meant reading its WARCs back: inflating every member and parsing its
headers again, then making a row per record (SURT key, registered domain, sniffed media type...).
On a crawl of 1,000 URLs that took about a third of the run. Instead the WARC writer reports each
record as it writes it (archiver.capture.warcwriter.OnWritten: where the member landed and its
first bytes uncompressed) and the rows are made from those reports.

A run that writes more than HELPER_AFTER records hands the reports to a helper process, which
makes the rows on another core while the crawl goes on, so that the run ends with its part
already made; a smaller run makes the rows itself at the end, since starting Python and pyarrow
in a helper would cost it more than the rows do. Either way the part is written by
parts.write_rows (complete or not at all) and holds the rows `append_capture_run` would make
from the finished WARCs; if the helper fails for any reason, the run falls back to exactly that.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.errors import ArchiverError

if TYPE_CHECKING:
    from archiver.capture.options import CaptureResult
    from archiver.capture.warcwriter import Written
    from archiver.catalogue.records import WrittenMember

HELPER_AFTER = 200  # records written before the rows are handed to a helper process
SEND_BATCH = 128  # records sent to the helper at a time
MAX_HELD = 20_000  # reports held without a helper (~160 MB); past that the run re-reads its WARCs
HELPER_EXIT_WAIT = 10.0  # seconds a helper is given to exit before it is killed
HELPER_REPLY_WAIT = 300.0  # seconds the run waits for the helper's part before reading its WARCs
OUTBOX_BATCHES = 64  # batches waiting for the helper (~64 MB); past that the helper is given up


def run_rows(collection: Path, members: Iterable[WrittenMember], finish: dict[str, Any]
             ) -> Iterator[dict[str, Any]]:
    """The rows of one capture run: its written *members*, then the WARCs of earlier runs it
    repaired and its capture logs that no WARC holds (*finish*: 'repaired', 'logs', known once
    *members* is exhausted), as append_capture_run reads them from disk."""
    from archiver.catalogue import collection_root
    from archiver.catalogue.records import iter_log_file_rows, iter_warc_rows, iter_written_rows, log_uri
    from archiver.collection import Collection

    root, name = collection_root(collection)
    seen: set[str] = set()
    yield from iter_written_rows(members, Collection(root).warc_dir, name, logs_seen=seen)
    for warc in finish.get("repaired", []):
        yield from iter_warc_rows(Path(warc), name, logs_seen=seen)
    for log in map(Path, finish.get("logs", [])):
        if log_uri(log) not in seen and log.is_file():
            yield from iter_log_file_rows(log, name)


def _write_run_part(collection: Path, members: Iterable[WrittenMember], finish: dict[str, Any]
                    ) -> Path | None:
    from archiver.catalogue import RECORDS_SCHEMA, collection_root
    from archiver.catalogue.parts import write_rows
    from archiver.collection import Collection

    root, _ = collection_root(collection)
    parts = write_rows(Collection(root).records_catalogue_dir, run_rows(collection, members, finish),
                       RECORDS_SCHEMA)
    return parts[-1] if parts else None


def _finish_fields(result: CaptureResult) -> dict[str, Any]:
    # the WARCs of earlier runs that this run repaired, unless it also wrote them (as in append_capture_run)
    written = set(map(str, result.warc_files))
    return {"repaired": [str(p) for p in dict.fromkeys(result.repaired) if str(p) not in written],
            "logs": [str(result.log_path)] if result.log_path else []}


_NOT_MADE = object()  # finish(): the rows could not be made from the reports


class RunCatalogue:
    """Collects a run's written records (pass `add` as capture's on_written) and writes the run's
    records part with `finish`. Use as a context manager: leaving it on an error (Ctrl-C, a
    fatal capture error) writes nothing and stops the helper."""

    def __init__(self, collection: Path, helper_after: int | None = None):
        self.collection = Path(collection)
        self.helper_after = HELPER_AFTER if helper_after is None else helper_after
        self._pending: list[WrittenMember] = []
        self._helper: subprocess.Popen | None = None
        self._outbox: queue.Queue = queue.Queue(OUTBOX_BATCHES)
        self._sender: threading.Thread | None = None
        self._send_failed = False
        self._overflowed = False
        self.used_helper = False

    # -------------------------------------------------------------- collecting (writer's lock held)
    def add(self, where: Written, head: bytes) -> None:
        if self._overflowed:
            return
        self._pending.append((where.filename, where.offset, where.length, head))
        if self._helper is None:
            if len(self._pending) >= self.helper_after and not self.used_helper:
                self._start_helper()
            elif len(self._pending) > MAX_HELD:  # no helper could be started: bound the memory
                self._overflowed, self._pending = True, []
        elif len(self._pending) >= SEND_BATCH:
            self._hand_over(("members", self._pending))
            self._pending = []

    def _hand_over(self, message) -> None:
        """Queue *message* for the helper without ever blocking a worker: a helper that falls this
        far behind is given up, and the run reads its WARCs back at the end instead."""
        try:
            self._outbox.put_nowait(message)
        except queue.Full:
            self._send_failed = True

    def _start_helper(self) -> None:
        self.used_helper = True  # one try: if it cannot start, the run makes its rows itself
        try:
            self._helper = subprocess.Popen(
                [sys.executable, "-m", "archiver.runcatalogue", str(self.collection)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            return
        self._sender = threading.Thread(target=self._send, name="catalogue-sender", daemon=True)
        self._sender.start()
        self._hand_over(("members", self._pending))
        self._pending = []

    def _send(self) -> None:
        """Feeds the helper from the outbox, so that a worker never waits on the pipe."""
        stdin = self._helper.stdin
        while (message := self._outbox.get()) is not None:
            if self._send_failed:
                continue
            try:
                pickle.dump(message, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
            except (OSError, ValueError):
                self._send_failed = True
        with contextlib.suppress(OSError):
            stdin.close()

    # -------------------------------------------------------------- ending
    def finish(self, result: CaptureResult) -> Path | None:
        """Write the run's records part (None if it has no row) and return its path.

        If the rows cannot be made from the reports (the helper died, fell behind, did not answer
        in time or failed; a member could not be read back; too many reports were held), the run
        is catalogued from its WARCs as append_capture_run does, whose errors are the run's."""
        finish = _finish_fields(result)
        made = _NOT_MADE
        if self._helper is not None:
            made = self._finish_with_helper(finish)
        elif not self._overflowed:
            members, self._pending = self._pending, []
            with contextlib.suppress(Exception):  # write_rows leaves nothing behind when it fails
                made = _write_run_part(self.collection, members, finish)
        if made is not _NOT_MADE:
            return made
        from archiver.catalogue import append_capture_run

        return append_capture_run(self.collection, result)

    def _finish_with_helper(self, finish: dict[str, Any]):
        reply = None
        if not self._send_failed:
            self._outbox.put(("members", self._pending))  # the workers are done: blocking is fine
            self._outbox.put(("finish", finish))
            self._outbox.put(None)
            self._pending = []
            self._sender.join(HELPER_REPLY_WAIT)
            if not self._sender.is_alive() and not self._send_failed:
                reply = self._reply(HELPER_REPLY_WAIT)
        self._stop_helper()
        if isinstance(reply, tuple) and reply[0] == "done":
            return Path(reply[1]) if reply[1] else None
        return _NOT_MADE

    def _reply(self, timeout: float):
        stdout = self._helper.stdout
        ready, _, _ = select.select([stdout], [], [], timeout)
        if not ready:
            return None
        with contextlib.suppress(EOFError, OSError, pickle.UnpicklingError):
            return pickle.load(stdout)
        return None

    def _stop_helper(self) -> None:
        helper, self._helper = self._helper, None
        if helper is None:
            return
        if self._sender is not None and self._sender.is_alive():
            self._send_failed = True  # the sender drops what is left and closes the helper's input
            with contextlib.suppress(queue.Full):
                self._outbox.put_nowait(None)
            self._sender.join(1.0)
            if self._sender.is_alive():  # blocked writing to a helper that does not read
                helper.kill()
                self._sender.join(HELPER_EXIT_WAIT)
        with contextlib.suppress(OSError, ValueError):
            helper.stdin.close()
        try:
            helper.wait(HELPER_EXIT_WAIT)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()
        with contextlib.suppress(OSError):
            helper.stdout.close()

    def __enter__(self) -> RunCatalogue:
        return self

    def __exit__(self, *exc_info) -> None:
        # On an error the helper sees its input end without 'finish' and writes nothing.
        self._stop_helper()


class _Abandoned(Exception):
    """The capture process stopped feeding the helper without saying 'finish'."""


def _helper_main(collection: Path) -> int:
    """The helper process: members in, one ('done', part) or ('error', message) reply out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the run decides
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    finish: dict[str, Any] = {}

    def members() -> Iterator[WrittenMember]:
        while True:
            try:
                kind, payload = pickle.load(source)
            except (EOFError, pickle.UnpicklingError):
                raise _Abandoned() from None
            if kind == "finish":
                finish.update(payload)
                return
            yield from payload

    try:
        part = _write_run_part(collection, members(), finish)  # a part removed again on _Abandoned
        reply = ("done", str(part) if part else None)
    except _Abandoned:
        return 1
    except ArchiverError as exc:
        reply = ("error", str(exc))
    except Exception as exc:  # noqa: BLE001 - the run then catalogues itself from its WARCs
        reply = ("error", f"records catalogue: {type(exc).__name__}: {exc}")
    pickle.dump(reply, sink)
    sink.flush()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.stdin.isatty():
        print("archiver.runcatalogue: the helper of 'archiver capture' (usage: python -m "
              "archiver.runcatalogue COLLECTION, fed by the capture); run 'archiver catalogue build' "
              "to catalogue WARCs", file=sys.stderr)
        sys.exit(2)
    code = _helper_main(Path(sys.argv[1]))
    # The part is fsynced and renamed and the reply flushed: nothing is left to write. Skipping
    # the interpreter's teardown (with pyarrow loaded) spares the waiting capture it (its finish
    # went from 0.045 to 0.033 s, medians of 9 A/B pairs).
    os._exit(code)
