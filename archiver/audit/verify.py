"""Verify bags' fixity, read-only: completeness, payload and tag checksums, Payload-Oxum.

Each file is read once for every algorithm being checked, files are fed to the hashing workers
lazily so that a budget can stop the audit between files, and nothing is ever opened for
writing. A file missing under one name and unexpected under another with the same digest is
reported once, as moved.

Bags go through one pipeline: while the workers hash the files of one bag, the main thread
already reads the next bag's manifests and lists its payload, so the cores stay busy across bag
boundaries. Memory holds one entry per payload file of the (at most two) bags in flight.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from archiver.audit import model
from archiver.audit.events import utc_now
from archiver.audit.hashing import hash_jobs
from archiver.audit.model import BagAudit, Finding
from archiver.audit.progress import Progress
from archiver.audit.schedule import Budget, choose_sample, sample_size
from archiver.bag import (
    Declaration,
    list_manifests,
    list_tag_manifests,
    normalize_name,
    read_bag_info,
    read_declaration,
    read_manifest,
    unsafe_reason,
)
from archiver.errors import ArchiverError
from archiver.fixity import hash_file, is_supported, normalize_algorithm

RFC_COMPLETE = "RFC 8493 §3 (complete: every payload file listed, every listed file present)"
RFC_VALID = "RFC 8493 §3 (valid: every checksum matches)"
RFC_EVERY_MANIFEST = "RFC 8493 §3 (every payload file is listed in every payload manifest)"
RFC_SAFE_PATH = "RFC 8493 §2.1.3 / §4.2 (manifest paths stay inside the bag)"
RFC_OXUM = "RFC 8493 §2.2.2 (Payload-Oxum: octet count and stream count of the payload)"
RFC_TAG = "RFC 8493 §2.2.1 (tag manifest)"
RFC_DATA = "RFC 8493 §2.1.2 (payload directory data/)"
RFC_MANIFEST = "RFC 8493 §2.1.3 (payload manifest)"


def _plain(path: str) -> bool:
    """True for a path under data/ with nothing that unsafe_reason could object to (the common case,
    checked cheaply; anything else goes through archiver.bag.unsafe_reason)."""
    return ".." not in path and "\\" not in path and "\x00" not in path


def _walk_payload(bag: Path) -> Iterator[tuple[str, int]]:
    """(bag-relative path, size) of every non-directory entry under data/, unsorted.

    A name that cannot be stat'ed (dangling link) is still a file in the bag; it gets size 0 and
    will be found unreadable when hashed.
    """
    prefix = len(str(bag)) + 1
    stack = [os.path.join(bag, "data")]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                try:
                    size = entry.stat().st_size
                except OSError:
                    size = 0
                yield entry.path[prefix:].replace(os.sep, "/"), size


class _BagVerifier:
    """The state of one bag's audit (kept small: one entry per payload file, digests as bytes)."""

    def __init__(self, bag: Path, audit: BagAudit, algorithm: str | None, workers: int,
                 budget: Budget | None, progress: Progress) -> None:
        self.bag, self.audit, self.workers = bag, audit, workers
        self.algorithm = normalize_algorithm(algorithm) if algorithm else None
        self.budget = budget
        self.progress = progress
        self.declaration = Declaration("1.0", "utf-8")
        self.algorithms: list[str] = []
        self.expected: dict[str, list] = {}     # NFC path -> [path as written, digest per algorithm]
        self.names: dict[str, str] = {}         # NFC path -> path on disk, only where they differ
        self.sizes: dict[str, int] = {}
        self.missing: list[str] = []
        self.unexpected: list[str] = []
        self.present: list[str] = []            # the files to hash (all, or the sample)
        self.fed = self.received = 0            # payload hashing jobs handed out / results back
        self.feeding_done = False

    def on_disk(self, key: str) -> str:
        """The bag-relative name of payload file *key* as it is on disk."""
        return self.names.get(key, key)

    def find(self, kind: str, file: str, detail: str, rule: str | None = None, to: str | None = None) -> None:
        self.audit.findings.append(Finding(kind, file, detail, to=to, rule=rule))

    # -- tag files ------------------------------------------------------------------------
    def read_info(self) -> list[tuple[str, str]]:
        if not (self.bag / "bag-info.txt").is_file():
            return []
        try:
            return read_bag_info(self.bag, self.declaration.encoding)
        except (ArchiverError, OSError, ValueError, UnicodeDecodeError) as exc:
            self.find(model.MANIFEST_ERROR, "bag-info.txt", f"cannot be read: {exc}", "RFC 8493 §2.2.2")
            return []

    def check_declaration(self) -> bool:
        try:
            self.declaration = read_declaration(self.bag)
        except (ArchiverError, OSError, ValueError, UnicodeDecodeError) as exc:
            self.find(model.MANIFEST_ERROR, "bagit.txt", f"bag declaration cannot be read: {exc}",
                      "RFC 8493 §2.1.1")
            return False
        return True

    def check_tag_manifests(self, payload_algorithms: list[str]) -> None:
        """Every payload manifest's algorithm has its tag manifest, and every tag file matches it."""
        tag_manifests = list_tag_manifests(self.bag)
        wanted = [self.algorithm] if self.algorithm else payload_algorithms
        for alg in wanted:
            if alg not in tag_manifests:
                self.find(model.MISSING, f"tagmanifest-{alg}.txt",
                          f"no tag manifest for {alg}: bag-info.txt and manifest-{alg}.txt are unprotected",
                          RFC_TAG)
        for alg, manifest in sorted(tag_manifests.items()):
            if alg not in wanted or not is_supported(alg):
                continue
            name = manifest.name
            for entry in self.manifest_entries(manifest, name):
                reason = unsafe_reason(entry.path)
                if reason:
                    self.find(model.MANIFEST_ERROR, name, f"line {entry.line_no}: {entry.path!r}: {reason}",
                              RFC_SAFE_PATH)
                    continue
                target = self.bag / entry.path
                if not target.exists() and not target.is_symlink():
                    self.find(model.MISSING, entry.path, f"listed in {name}, not in the bag", RFC_TAG)
                    continue
                try:
                    digest = hash_file(target, [alg])[alg]
                except OSError as exc:
                    self.find(model.UNREADABLE, entry.path, exc.strerror or str(exc))
                    continue
                self.audit.tag_files_checked += 1
                if digest != entry.digest.lower():
                    self.find(model.MODIFIED, entry.path,
                              f"{alg} is {digest}, {name} says {entry.digest.lower()}", RFC_TAG)

    def manifest_entries(self, manifest: Path, name: str):
        """The entries of a manifest; a line that cannot be parsed becomes a manifest-error."""
        problems: list = []
        # BagIt 1.0 percent-encodes CR, LF and % in paths (RFC 8493 §2.1.3); earlier versions did not.
        decode = self.declaration.version_tuple >= (1, 0)
        try:
            yield from read_manifest(manifest, self.declaration.encoding, problems, decode)
        except (ArchiverError, ValueError, UnicodeDecodeError) as exc:
            self.find(model.MANIFEST_ERROR, name, str(exc), RFC_MANIFEST)
        except OSError as exc:
            self.find(model.UNREADABLE, name, exc.strerror or str(exc))
        for found in problems:
            if found.severity == "error":
                self.find(model.MANIFEST_ERROR, name, found.message, found.rule)

    # -- payload ----------------------------------------------------------------------------
    def read_payload_manifests(self, manifests: dict[str, Path], algorithms: list[str]
                               ) -> dict[str, list]:
        """{NFC path: [path as written, digest bytes per algorithm]} from every payload manifest."""
        expected: dict[str, list] = {}
        n = len(algorithms)
        for i, alg in enumerate(algorithms):
            name = manifests[alg].name
            for entry in self.manifest_entries(manifests[alg], name):
                path = entry.path
                reason = None
                if not (path.startswith("data/") and _plain(path)):
                    reason = unsafe_reason(path) or (
                        None if path.startswith("data/") else "payload manifest lists a file outside data/")
                if reason:
                    self.find(model.MANIFEST_ERROR, name, f"line {entry.line_no}: {entry.path!r}: {reason}",
                              RFC_SAFE_PATH)
                    continue
                try:
                    digest = bytes.fromhex(entry.digest)
                except ValueError:
                    self.find(model.MANIFEST_ERROR, name,
                              f"line {entry.line_no}: {entry.digest!r} is not a hex digest", RFC_MANIFEST)
                    continue
                path = sys.intern(path)
                key = path if path.isascii() else normalize_name(path)   # ASCII is already NFC
                slot = expected.setdefault(key, [path] + [None] * n)
                if slot[1 + i] is not None:
                    self.find(model.MANIFEST_ERROR, name,
                              f"line {entry.line_no}: {entry.path!r} listed twice", RFC_MANIFEST)
                slot[1 + i] = digest
        for slot in expected.values():
            for i, alg in enumerate(algorithms):
                if slot[1 + i] is None:
                    self.find(model.MANIFEST_ERROR, f"manifest-{alg}.txt",
                              f"{slot[0]!r} is listed in another payload manifest but not here",
                              RFC_EVERY_MANIFEST)
        return expected

    def check_oxum(self, declared: list[str], octets: int, streams: int) -> None:
        if not declared:
            return
        if len(declared) > 1:
            self.find(model.OXUM_MISMATCH, "bag-info.txt", "Payload-Oxum is given more than once", RFC_OXUM)
        value = declared[0]
        parts = value.split(".")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            self.find(model.OXUM_MISMATCH, "bag-info.txt", f"Payload-Oxum {value!r} is not OCTETS.COUNT",
                      RFC_OXUM)
        elif (int(parts[0]), int(parts[1])) != (octets, streams):
            self.find(model.OXUM_MISMATCH, "bag-info.txt",
                      f"Payload-Oxum says {value}, the payload holds {octets}.{streams}", RFC_OXUM)

    def jobs(self, keys: list[str], algorithms: list[str], budgeted: bool = True
             ) -> Iterator[tuple[str, int, list[str], tuple]]:
        """Hashing jobs for *keys* while the budget lasts: (path, size, algorithms, (self, key))."""
        root = str(self.bag)
        for key in keys:
            size = self.sizes[key]
            if budgeted and self.budget is not None and not self.budget.take(size):
                self.audit.stopped_by = self.budget.spent_by
                return
            yield os.path.join(root, self.on_disk(key)), size, algorithms, (self, key)

    def record(self, key: str, result: dict[str, bytes] | OSError) -> None:
        """Compare one payload file's digests with every manifest's."""
        if isinstance(result, OSError):
            self.find(model.UNREADABLE, self.on_disk(key), result.strerror or str(result))
            return
        size = self.sizes[key]
        self.audit.files_checked += 1
        self.audit.bytes_checked += size
        self.progress.file_done(size)
        slot = self.expected[key]
        for i, alg in enumerate(self.algorithms):
            if slot[1 + i] is not None and result[alg] != slot[1 + i]:
                self.find(model.MODIFIED, self.on_disk(key),
                          f"{alg} is {result[alg].hex()}, manifest-{alg}.txt says {slot[1 + i].hex()}",
                          RFC_VALID)
                return

    def prepare(self, sample: int | str | None, seed: int) -> None:
        """Everything before hashing: tag files, manifests, the payload listing, Payload-Oxum."""
        audit, bag = self.audit, self.bag
        if not self.check_declaration():
            return
        info = self.read_info()
        identifiers = [v for k, v in info if k.lower() == "external-identifier"]
        oxums = [v.strip() for k, v in info if k.lower() == "payload-oxum"]
        audit.identifier = identifiers[0] if identifiers else None
        if oxums and len(oxums[0].split(".")) == 2 and all(p.isdigit() for p in oxums[0].split(".")):
            audit.payload_oxum = oxums[0]

        manifests = list_manifests(bag)
        usable = sorted(a for a in manifests if is_supported(a))
        if self.algorithm:
            if self.algorithm not in manifests:
                raise ArchiverError(f"{bag}: has no manifest-{self.algorithm}.txt to verify with "
                                    f"(it has: {', '.join(sorted(manifests)) or 'none'})")
            algorithms = [self.algorithm]
        else:
            algorithms = usable
        if not manifests:
            self.find(model.MANIFEST_ERROR, "manifest-*.txt", "the bag has no payload manifest", RFC_MANIFEST)
        elif not algorithms:
            raise ArchiverError(f"{bag}: no payload manifest uses an algorithm archiver can compute "
                                f"({', '.join(sorted(manifests))})")
        audit.algorithms = self.algorithms = algorithms

        self.check_tag_manifests(usable)
        self.expected = expected = self.read_payload_manifests(manifests, algorithms) if algorithms else {}

        names, sizes = self.names, self.sizes
        if (bag / "data").is_dir():
            for rel, size in _walk_payload(bag):
                rel = sys.intern(rel)   # one string object shared with the manifest's entry
                key = rel if rel.isascii() else normalize_name(rel)
                sizes[key] = size
                if key is not rel:
                    names[key] = rel
        else:
            self.find(model.MANIFEST_ERROR, "data/", "the payload directory is missing", RFC_DATA)
        audit.payload_files = len(sizes)
        self.check_oxum(oxums, sum(sizes.values()), len(sizes))

        self.missing = sorted(k for k in expected if k not in sizes)
        self.unexpected = sorted(k for k in sizes if k not in expected)
        present = sorted(k for k in expected if k in sizes)
        if sample is not None:
            k = sample_size(len(present), sample)
            present = sorted(choose_sample(present, k, seed))
            audit.sample = {"requested": sample, "files": k, "seed": seed}
        self.present = present

    def finish(self) -> None:
        """After the last digest came back: missing, unexpected and moved files; the end time."""
        try:
            self.report_missing_and_moved(self.missing, self.unexpected, self.expected, self.algorithms)
        finally:
            self.audit.ended = utc_now()
            self.progress.bag_done()

    def report_missing_and_moved(self, missing: list[str], unexpected: list[str], expected: dict[str, list],
                                 algorithms: list[str]) -> None:
        """Missing and unexpected files; a pair with the same digest is one moved file."""
        moved_to: dict[str, str] = {}
        # Moved files are looked for even in a bag cut short by the budget (a renamed file must not
        # be reported as missing plus unexpected), but not after an interrupt.
        if missing and unexpected and algorithms and self.audit.stopped_by != "interrupt":
            wanted: dict[bytes, list[str]] = {}
            for key in missing:
                wanted.setdefault(expected[key][1], []).append(key)
            first = algorithms[0]
            jobs = self.jobs(unexpected, [first], budgeted=False)
            for (_check, key), digests in hash_jobs(jobs, workers=self.workers):
                if isinstance(digests, OSError):
                    self.find(model.UNREADABLE, self.on_disk(key), digests.strerror or str(digests))
                    continue
                candidates = wanted.get(digests[first])
                if candidates:
                    moved_to[candidates.pop(0)] = key
        for key in missing:
            if key in moved_to:
                new = moved_to[key]
                to = self.on_disk(new)
                self.find(model.MOVED, expected[key][0], f"now at {to} (same {algorithms[0]})",
                          RFC_COMPLETE, to=to)
            else:
                self.find(model.MISSING, expected[key][0], "listed in the manifest, not in data/",
                          RFC_COMPLETE)
        arrived = set(moved_to.values())
        for key in unexpected:
            if key not in arrived:
                self.find(model.UNEXPECTED, self.on_disk(key), "in data/ but in no payload manifest",
                          RFC_COMPLETE)


def verify_bags(bags: Iterable[tuple[Path, BagAudit, int]], *, algorithm: str | None = None,
                workers: int = 2, sample: int | str | None = None, budget: Budget | None = None,
                progress: Progress | None = None) -> list[tuple[BagAudit, ArchiverError]]:
    """Audit each (bag, audit to fill in, sample seed) in turn, read-only, through one hashing pipeline.

    *bags* is consumed lazily: a bag is taken only when the budget still allows; the caller sees
    which were taken by the audits it handed out. Returns the bags that could not be audited at all
    (for example --algorithm names a manifest a bag does not have), with the reason. On
    KeyboardInterrupt every bag in flight is marked as stopped by "interrupt" (incomplete, or
    failed if something was already found) and the interrupt is re-raised.
    """
    progress = progress or Progress()
    in_flight: deque[_BagVerifier] = deque()
    unusable: list[tuple[BagAudit, ArchiverError]] = []

    def jobs() -> Iterator[tuple[str, int, list[str], tuple]]:
        pending = iter(bags)
        while budget is None or not budget.exhausted():   # take the next bag only while it lasts
            item = next(pending, None)
            if item is None:
                return
            bag, audit, seed = item
            audit.started = audit.started or utc_now()
            check = _BagVerifier(Path(bag), audit, algorithm, workers, budget, progress)
            try:
                check.prepare(sample, seed)
            except ArchiverError as exc:
                unusable.append((audit, exc))
                continue
            except OSError as exc:
                where = os.path.relpath(exc.filename, bag) if exc.filename else "."
                check.find(model.UNREADABLE, where, exc.strerror or str(exc))
                check.missing = check.unexpected = check.present = []
            in_flight.append(check)
            for job in check.jobs(check.present, check.algorithms):
                check.fed += 1
                yield job
            check.feeding_done = True
            if audit.stopped_by:
                return

    def done(check: _BagVerifier) -> bool:
        return check.feeding_done and check.received == check.fed

    try:
        for (check, key), result in hash_jobs(jobs(), workers=workers):
            check.received += 1
            check.record(key, result)
            while in_flight and done(in_flight[0]):   # finish bags in the order they started
                in_flight.popleft().finish()
        while in_flight:
            in_flight.popleft().finish()
    except KeyboardInterrupt:
        for check in in_flight:
            check.audit.stopped_by = "interrupt"
            check.audit.ended = utc_now()
        raise
    return unusable


def verify_bag(bag: Path, *, algorithm: str | None = None, workers: int = 2, sample: int | str | None = None,
               seed: int = 0, budget: Budget | None = None, progress: Progress | None = None) -> BagAudit:
    """Audit one bag read-only and return its result; ArchiverError if it cannot be audited at all."""
    audit = BagAudit(path=Path(bag))
    unusable = verify_bags([(Path(bag), audit, seed)], algorithm=algorithm, workers=workers, sample=sample,
                           budget=budget, progress=progress)
    if unusable:
        raise unusable[0][1]
    return audit
