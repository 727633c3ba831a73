"""Verify one bag's fixity, read-only: completeness, payload and tag checksums, Payload-Oxum.

Each file is read once for every algorithm being checked (archiver.fixity.hash_files), files are
fed to the hashers lazily so that a budget can stop the audit between files, and nothing is ever
opened for writing. A file missing under one name and unexpected under another with the same
digest is reported once, as moved.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from archiver.audit import model
from archiver.audit.events import utc_now
from archiver.audit.hashing import hash_in_batches
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
                reason = unsafe_reason(entry.path)
                if reason is None and not entry.path.startswith("data/"):
                    reason = "payload manifest lists a file outside data/"
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
                slot = expected.setdefault(normalize_name(entry.path), [entry.path] + [None] * n)
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

    def hash_payload(self, keys: list[str], names: dict[str, str], sizes: dict[str, int],
                     algorithms: list[str], count: bool = True
                     ) -> Iterator[tuple[str, dict[str, str] | None]]:
        """Hash the files *keys* in parallel within the budget; yield (key, digests or None if unreadable)."""
        by_path: dict[str, str] = {}
        root = str(self.bag)

        def feed() -> Iterator[tuple[str, int]]:
            for key in keys:
                if self.budget is not None and not self.budget.take(sizes[key]):
                    self.audit.stopped_by = self.budget.spent_by
                    return
                path = os.path.join(root, names[key])
                by_path[path] = key
                yield path, sizes[key]

        for path, result in hash_in_batches(feed(), algorithms, workers=self.workers):
            key = by_path.pop(path)
            if isinstance(result, OSError):
                self.find(model.UNREADABLE, names[key], result.strerror or str(result))
                yield key, None
                continue
            if count:
                self.audit.files_checked += 1
                self.audit.bytes_checked += sizes[key]
            self.progress.file_done(sizes[key])
            yield key, result

    def run(self, sample: int | str | None, seed: int) -> None:
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
        audit.algorithms = algorithms

        self.check_tag_manifests(usable)
        expected = self.read_payload_manifests(manifests, algorithms) if algorithms else {}

        names: dict[str, str] = {}
        sizes: dict[str, int] = {}
        if (bag / "data").is_dir():
            for rel, size in _walk_payload(bag):
                key = normalize_name(rel)
                names[key], sizes[key] = rel, size
        else:
            self.find(model.MANIFEST_ERROR, "data/", "the payload directory is missing", RFC_DATA)
        audit.payload_files = len(names)
        self.check_oxum(oxums, sum(sizes.values()), len(sizes))

        missing = sorted(k for k in expected if k not in names)
        unexpected = sorted(k for k in names if k not in expected)
        present = sorted(k for k in expected if k in names)
        if sample is not None:
            k = sample_size(len(present), sample)
            present = sorted(choose_sample(present, k, seed))
            audit.sample = {"requested": sample, "files": k, "seed": seed}

        for key, digests in self.hash_payload(present, names, sizes, algorithms):
            if digests is None:
                continue
            slot = expected[key]
            for i, alg in enumerate(algorithms):
                if bytes.fromhex(digests[alg]) != slot[1 + i]:
                    self.find(model.MODIFIED, names[key],
                              f"{alg} is {digests[alg]}, manifest-{alg}.txt says {slot[1 + i].hex()}",
                              RFC_VALID)
                    break
        self.report_missing_and_moved(missing, unexpected, expected, names, sizes, algorithms)

    def report_missing_and_moved(self, missing: list[str], unexpected: list[str], expected: dict[str, list],
                                 names: dict[str, str], sizes: dict[str, int], algorithms: list[str]) -> None:
        """Missing and unexpected files; a pair with the same digest is one moved file."""
        moved_to: dict[str, str] = {}
        if missing and unexpected and algorithms and not self.audit.stopped_by:
            wanted: dict[bytes, list[str]] = {}
            for key in missing:
                wanted.setdefault(expected[key][1], []).append(key)
            first = algorithms[0]
            for key, digests in self.hash_payload(unexpected, names, sizes, [first], count=False):
                if digests is None:
                    continue
                candidates = wanted.get(bytes.fromhex(digests[first]))
                if candidates:
                    moved_to[candidates.pop(0)] = key
        for key in missing:
            if key in moved_to:
                new = moved_to[key]
                self.find(model.MOVED, expected[key][0], f"now at {names[new]} (same {algorithms[0]})",
                          RFC_COMPLETE, to=names[new])
            else:
                self.find(model.MISSING, expected[key][0], "listed in the manifest, not in data/",
                          RFC_COMPLETE)
        arrived = set(moved_to.values())
        for key in unexpected:
            if key not in arrived:
                self.find(model.UNEXPECTED, names[key], "in data/ but in no payload manifest", RFC_COMPLETE)


def verify_bag(bag: Path, *, algorithm: str | None = None, workers: int = 2, sample: int | str | None = None,
               seed: int = 0, budget: Budget | None = None, progress: Progress | None = None,
               audit: BagAudit | None = None) -> BagAudit:
    """Audit one bag read-only and return its result (filled into *audit* if given).

    Raises ArchiverError when the bag cannot be audited at all (for example --algorithm names a
    manifest it does not have). On KeyboardInterrupt the partial result is marked as stopped by
    "interrupt" in *audit* and the interrupt is re-raised.
    """
    bag = Path(bag)
    audit = audit if audit is not None else BagAudit(path=bag)
    audit.started = audit.started or utc_now()
    verifier = _BagVerifier(bag, audit, algorithm, workers, budget, progress or Progress())
    try:
        verifier.run(sample, seed)
    except KeyboardInterrupt:
        audit.stopped_by = "interrupt"
        raise
    except OSError as exc:
        where = exc.filename or bag
        verifier.find(model.UNREADABLE, os.path.relpath(where, bag) if exc.filename else ".",
                      exc.strerror or str(exc))
    finally:
        audit.ended = utc_now()
    return audit
