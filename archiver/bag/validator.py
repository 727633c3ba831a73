"""Validate a bag against every MUST of RFC 8493, then archiver's profile and payload content.

A bag is *complete* when every payload file is listed in every payload manifest and every
listed file exists (RFC 8493 §3), and *valid* when it is complete and every checksum matches.
Each finding is a Problem with a stable code (archiver.bag.codes); the report is data that the
CLI prints as text or JSON. Only "this is not a bag at all" raises (ArchiverError, exit 2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from archiver.bag.baginfo import BAG_INFO, MUST_NOT_REPEAT, SHOULD_NOT_REPEAT, info_values, read_bag_info
from archiver.bag.codes import Problem, problem
from archiver.bag.declaration import DECLARATION, parse_declaration
from archiver.bag.manifest import ManifestEntry, list_manifests, list_tag_manifests, read_manifest
from archiver.bag.paths import decode_path, normalize_name, strip_dot_slash, unsafe_reason
from archiver.bag.payload import PAYLOAD_DIR, PayloadListing, walk_payload
from archiver.bag.tagfile import iter_lines
from archiver.errors import ArchiverError
from archiver.fixity import hash_file, is_supported, map_bounded

FETCH = "fetch.txt"
_HEX = re.compile(r"[0-9a-f]+")
_DIGEST_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128,
                      "sha3-256": 64, "sha3-512": 128, "blake2b": 128}
_OXUM = re.compile(r"(\d+)\.(\d+)")


@dataclass
class ValidationReport:
    """What validating one bag found. ``valid`` is True when no problem is an error."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    version: str | None = None
    profile: str | None = None
    files_verified: int = 0
    octets_verified: int = 0

    @property
    def valid(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def to_dict(self) -> dict:
        return {
            "bag": self.path,
            "valid": self.valid,
            "bagit_version": self.version,
            "profile": self.profile,
            "files_verified": self.files_verified,
            "octets_verified": self.octets_verified,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def looks_like_bag(path: Path) -> bool:
    """A directory is treated as a (possibly broken) bag when it has any of BagIt's landmarks."""
    return ((path / DECLARATION).is_file() or (path / PAYLOAD_DIR).is_dir()
            or bool(list_manifests(path)))


def validate(path: Path, *, workers: int = 2, profile: bool = True, content: bool = True
             ) -> ValidationReport:
    """Validate a bag directory or a serialized ``.tar`` bag.

    Raises ArchiverError (exit 2) only when *path* is not a bag at all or cannot be read.
    *profile* checks the profile the bag names; *content* validates metadata JSON and WARCs.
    """
    path = Path(path)
    if path.is_dir():
        return _validate_directory(path, path, workers=workers, profile=profile, content=content)
    if path.is_file():
        from archiver.bag.tarbag import extracted_bag

        with extracted_bag(path) as (bag_dir, tar_problems):
            if bag_dir is None:
                return ValidationReport(str(path), tar_problems)
            report = _validate_directory(bag_dir, path, workers=workers, profile=profile,
                                         content=content)
            report.problems[:0] = tar_problems
            return report
    raise ArchiverError(f"{path}: no such bag (not a directory or a .tar file)")


def _validate_directory(bag: Path, shown: Path, *, workers: int, profile: bool, content: bool
                        ) -> ValidationReport:
    if not looks_like_bag(bag):
        raise ArchiverError(f"{shown}: not a bag (no bagit.txt, no data/ directory, no manifest)")
    report = ValidationReport(str(shown))
    found = report.problems

    encoding, modern = "utf-8", True
    declaration_path = bag / DECLARATION
    if not declaration_path.is_file():
        found.append(problem("E-DECL-MISSING", DECLARATION, "the bag has no bagit.txt"))
    else:
        declaration, declaration_problems = parse_declaration(declaration_path.read_bytes())
        found.extend(declaration_problems)
        if declaration is not None:
            report.version, encoding = declaration.version, declaration.encoding
            # Percent-encoding of manifest paths arrived with BagIt 1.0 (RFC 8493 §2.1.3).
            modern = declaration.version_tuple >= (1, 0)

    if (bag / PAYLOAD_DIR).is_dir():
        listing = walk_payload(bag)
    else:
        found.append(problem("E-PAYLOAD-MISSING", PAYLOAD_DIR, "the bag has no data/ directory"))
        listing = PayloadListing()
    if (bag / PAYLOAD_DIR).is_symlink():
        found.append(problem("W-PAYLOAD-LINK", PAYLOAD_DIR, "data/ itself is a symbolic link"))
    for link in listing.links:
        found.append(problem("W-PAYLOAD-LINK", link, "symbolic link in the payload"))
    for special in listing.specials:  # RFC 8493 §3: a payload entry no manifest can list
        found.append(problem("E-PAYLOAD-UNLISTED", special,
                             "not a regular file (FIFO, socket or device); it cannot be payload"))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="content") as side:
        # Content checks (inflating and parsing WARCs) run beside the hashing threads; zlib and
        # hashlib both release the GIL, so the two kinds of work share the cores.
        pending_checks = []
        if content:
            from archiver.bag.content import content_checks

            pending_checks = [side.submit(check) for check in content_checks(bag, listing)]
        info = _check_bag_info(bag, encoding, listing, found)
        fetched = _check_fetch(bag, encoding, modern, found)
        expected = _check_manifests(bag, encoding, modern, listing, fetched, found)
        _check_tag_manifests(bag, encoding, modern, found)
        _verify_payload(bag, expected, listing.sizes, workers, report)

        if profile:
            from archiver.bag.profile import check_profile

            report.profile = next(iter(info_values(info, "BagIt-Profile-Identifier")), None)
            if report.profile:
                found.extend(check_profile(bag, report.profile, report.version, info, listing))
        for check in pending_checks:
            found.extend(check.result())
    return report


def _check_bag_info(bag: Path, encoding: str, listing: PayloadListing, found: list[Problem]
                    ) -> list[tuple[str, str]]:
    if not (bag / BAG_INFO).is_file():
        return []
    try:
        info = read_bag_info(bag, encoding, found)
    except ArchiverError as exc:
        found.append(problem("E-TAG-ENCODING", BAG_INFO, str(exc)))
        return []
    for code, labels in (("E-BAGINFO-REPEATED", MUST_NOT_REPEAT), ("W-BAGINFO-REPEATED", SHOULD_NOT_REPEAT)):
        for label in labels:
            count = len(info_values(info, label))
            if count > 1:
                found.append(problem(code, BAG_INFO, f"{label} appears {count} times; expected at most once"))
    oxums = info_values(info, "Payload-Oxum")
    if oxums and (bag / PAYLOAD_DIR).is_dir():
        match = _OXUM.fullmatch(oxums[0])
        if not match:
            found.append(problem("E-OXUM-FORMAT", BAG_INFO, f"Payload-Oxum {oxums[0]!r} is not N.M"))
        else:
            octets, streams = int(match.group(1)), int(match.group(2))
            actual = (listing.octets, len(listing.sizes))
            if (octets, streams) != actual:
                found.append(problem(
                    "E-OXUM-MISMATCH", BAG_INFO,
                    f"Payload-Oxum says {octets} bytes in {streams} files; data/ holds "
                    f"{actual[0]} bytes in {actual[1]} files"))
    return info


def _check_path(relpath: str, where: str, line_no: int, found: list[Problem]) -> bool:
    reason = unsafe_reason(relpath)
    if reason:
        # RFC 8493 §2.1.3 and §5: paths are relative to the base directory and must stay inside it.
        found.append(problem("E-PATH-UNSAFE", where, f"line {line_no}: {relpath!r}: {reason}"))
        return False
    return True


def _check_fetch(bag: Path, encoding: str, modern: bool, found: list[Problem]) -> set[str]:
    """fetch.txt (RFC 8493 §2.2.3): "URL LENGTH FILEPATH", LENGTH an integer or "-"."""
    path = bag / FETCH
    listed: set[str] = set()
    if not path.is_file():
        return listed
    try:
        for number, line in iter_lines(path, encoding):
            if not line.strip():
                continue
            parts = line.split(None, 2)
            if len(parts) != 3 or not (parts[1] == "-" or parts[1].isdigit()):
                found.append(problem("E-FETCH-LINE", FETCH, f"line {number}: {line!r}"))
                continue
            relpath = decode_path(parts[2]) if modern else parts[2]
            relpath, _ = strip_dot_slash(relpath)
            if not _check_path(relpath, FETCH, number, found):
                continue
            if not relpath.startswith(PAYLOAD_DIR + "/"):
                found.append(problem("E-FETCH-NOT-PAYLOAD", FETCH, f"line {number}: {relpath!r}"))
                continue
            listed.add(normalize_name(relpath))
    except UnicodeDecodeError as exc:
        found.append(problem("E-TAG-ENCODING", FETCH, f"does not decode as {encoding} (byte {exc.start})"))
    return listed


def _entries(path: Path, encoding: str, modern: bool, found: list[Problem]) -> Iterator[ManifestEntry]:
    try:
        yield from read_manifest(path, encoding, found, percent_decode=modern)
    except UnicodeDecodeError as exc:
        found.append(problem("E-TAG-ENCODING", path.name,
                             f"does not decode as {encoding} (byte {exc.start})"))


def _digest_ok(entry: ManifestEntry, algorithm: str, where: str, found: list[Problem]) -> bool:
    length = _DIGEST_HEX_LENGTH.get(algorithm)
    if not _HEX.fullmatch(entry.digest) or (length and len(entry.digest) != length):
        found.append(problem("E-MANIFEST-DIGEST", where,
                             f"line {entry.line_no}: {entry.digest!r} is not a {algorithm} checksum"))
        return False
    return True


def _check_manifests(bag: Path, encoding: str, modern: bool, listing: PayloadListing, fetched: set[str],
                     found: list[Problem]) -> dict[str, dict[str, str]]:
    """Completeness (RFC 8493 §3); returns {on-disk path: {algorithm: expected digest}}."""
    manifests = list_manifests(bag)
    if not manifests:
        found.append(problem("E-MANIFEST-MISSING", "", "the bag has no payload manifest"))
    expected: dict[str, dict[str, str]] = {}
    for algorithm, manifest_path in manifests.items():
        where = manifest_path.name
        supported = is_supported(algorithm)
        if not supported:
            found.append(problem("E-MANIFEST-ALGORITHM", where,
                                 f"algorithm {algorithm!r} is not supported; checksums not verified"))
        seen: dict[str, str] = {}
        listed: set[str] = set()
        for entry in _entries(manifest_path, encoding, modern, found):
            if not _check_path(entry.path, where, entry.line_no, found):
                continue
            if not entry.path.startswith(PAYLOAD_DIR + "/"):
                found.append(problem("E-MANIFEST-NOT-PAYLOAD", where,
                                     f"line {entry.line_no}: {entry.path!r} is not under data/"))
                continue
            digest_ok = supported and _digest_ok(entry, algorithm, where, found)
            key = normalize_name(entry.path)
            if key in seen:
                # RFC 8493 §2.1.3: each payload file is listed once. Before 1.0 a repeat with the
                # same checksum was tolerated (the LoC suite's v0.97 "warning" cases).
                same = seen[key] == entry.digest
                code = "W-MANIFEST-DUPLICATE" if same and not modern else "E-MANIFEST-DUPLICATE"
                detail = "same checksum" if same else "a different checksum"
                found.append(problem(code, where,
                                     f"line {entry.line_no}: {entry.path!r} listed again with {detail}"))
                continue
            seen[key] = entry.digest
            on_disk = listing.lookup(entry.path)
            if on_disk is None:
                why = " (listed in fetch.txt but not fetched)" if key in fetched else ""
                found.append(problem("E-FILE-MISSING", entry.path, f"listed in {where} but absent{why}"))
                continue
            if on_disk != entry.path:
                found.append(problem("W-NAME-NORMALIZATION", entry.path,
                                     f"{where} line {entry.line_no} names the file in a different "
                                     f"Unicode normalisation form than on disk"))
            listed.add(on_disk)
            if digest_ok:
                expected.setdefault(on_disk, {})[algorithm] = entry.digest
        for unlisted in sorted(set(listing.sizes) - listed):
            found.append(problem("E-PAYLOAD-UNLISTED", unlisted, f"not listed in {where}"))
    return expected


def _check_tag_manifests(bag: Path, encoding: str, modern: bool, found: list[Problem]) -> None:
    payload_manifests = {p.name for p in list_manifests(bag).values()}
    for algorithm, manifest_path in list_tag_manifests(bag).items():
        where = manifest_path.name
        supported = is_supported(algorithm)
        if not supported:
            found.append(problem("E-MANIFEST-ALGORITHM", where,
                                 f"algorithm {algorithm!r} is not supported; checksums not verified"))
        listed: set[str] = set()
        for entry in _entries(manifest_path, encoding, modern, found):
            if not _check_path(entry.path, where, entry.line_no, found):
                continue
            if entry.path == PAYLOAD_DIR or entry.path.startswith(PAYLOAD_DIR + "/"):
                found.append(problem("E-TAGMANIFEST-PAYLOAD", where,
                                     f"line {entry.line_no}: {entry.path!r} is a payload file"))
                continue
            target = bag / entry.path
            if not target.is_file():
                found.append(problem("E-FILE-MISSING", entry.path, f"listed in {where} but absent"))
                continue
            listed.add(entry.path)
            if not (supported and _digest_ok(entry, algorithm, where, found)):
                continue
            try:
                actual = hash_file(target, [algorithm])[algorithm]
            except OSError as exc:
                found.append(problem("E-FILE-UNREADABLE", entry.path, exc.strerror or str(exc)))
                continue
            if actual != entry.digest:
                found.append(problem("E-CHECKSUM", entry.path,
                                     f"{algorithm} expected {entry.digest} (from {where}), got {actual}"))
        for missing in sorted(payload_manifests - listed):
            found.append(problem("E-TAGMANIFEST-INCOMPLETE", where, f"does not list {missing}"))


def _verify_payload(bag: Path, expected: dict[str, dict[str, str]], sizes: dict[str, int],
                    workers: int, report: ValidationReport) -> None:
    """Hash every listed payload file once for all algorithms (RFC 8493 §3 validity)."""
    if not expected:
        return
    algorithms = sorted({a for digests in expected.values() for a in digests})
    results = map_bounded(lambda relpath: hash_file(bag / relpath, algorithms), sorted(expected),
                          workers, weight=sizes.__getitem__)
    for relpath, result in results:
        if isinstance(result, OSError):
            report.problems.append(problem("E-FILE-UNREADABLE", relpath, result.strerror or str(result)))
            continue
        report.files_verified += 1
        report.octets_verified += sizes[relpath]
        for algorithm, digest in expected[relpath].items():
            if result[algorithm] != digest:
                report.problems.append(problem(
                    "E-CHECKSUM", relpath, f"{algorithm} expected {digest}, got {result[algorithm]}"))
