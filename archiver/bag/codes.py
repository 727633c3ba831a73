"""Stable problem codes for bags, kept as data: each code names the rule it enforces.

Codes never change meaning once published (scripts match on them); new checks get new codes.
`docs/bags.md` lists the same table. "RFC 8493 §x" is the BagIt specification; "profile" rules are
from the BagIt Profiles specification 1.4.0 and archiver's own profile (schemas/bagit-profile.json).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    rule: str
    summary: str


CODES: dict[str, Code] = {c.code: c for c in (
    # Structure (RFC 8493 §2.1)
    Code("E-DECL-MISSING", "error", "RFC 8493 §2.1.1", "bagit.txt (the bag declaration) is missing"),
    Code("E-DECL-BOM", "error", "RFC 8493 §2.1.1", "bagit.txt starts with a byte-order mark"),
    Code("E-DECL-ENCODING", "error", "RFC 8493 §2.1.1", "bagit.txt is not UTF-8"),
    Code("E-DECL-FORMAT", "error", "RFC 8493 §2.1.1",
         "bagit.txt is not exactly the two lines 'BagIt-Version: M.N' and "
         "'Tag-File-Character-Encoding: ENCODING'"),
    Code("E-DECL-VERSION", "error", "RFC 8493 §2.1.1", "BagIt-Version is not of the form M.N"),
    Code("E-TAG-ENCODING", "error", "RFC 8493 §2.1.1",
         "Tag-File-Character-Encoding names an unknown encoding, or a tag file does not decode"),
    Code("W-DECL-EOL", "warning", "RFC 8493 §2.1.1", "bagit.txt's last line has no line ending"),
    Code("E-PAYLOAD-MISSING", "error", "RFC 8493 §2.1.2", "the payload directory data/ is missing"),
    # Payload manifests (RFC 8493 §2.1.3, §3)
    Code("E-MANIFEST-MISSING", "error", "RFC 8493 §2.1.3", "no payload manifest (manifest-ALG.txt)"),
    Code("E-MANIFEST-LINE", "error", "RFC 8493 §2.1.3",
         "a manifest line is not 'CHECKSUM 1*WSP FILEPATH'"),
    Code("E-MANIFEST-DIGEST", "error", "RFC 8493 §2.1.3",
         "a checksum is not hexadecimal of the algorithm's length"),
    Code("E-MANIFEST-ALGORITHM", "error", "RFC 8493 §2.4",
         "a manifest's algorithm cannot be computed, so the bag cannot be validated"),
    Code("E-MANIFEST-DUPLICATE", "error", "RFC 8493 §2.1.3",
         "a file is listed more than once in one manifest"),
    Code("W-MANIFEST-DUPLICATE", "warning", "RFC 8493 §2.1.3",
         "a file is listed twice with the same checksum (tolerated before BagIt 1.0)"),
    Code("E-MANIFEST-NOT-PAYLOAD", "error", "RFC 8493 §2.1.3",
         "a payload manifest lists a file outside data/"),
    Code("E-PATH-UNSAFE", "error", "RFC 8493 §2.1.3, §5",
         "a path leaves the bag (.., absolute, ~, drive letter, UNC, environment variable)"),
    Code("W-PATH-DOT-SLASH", "warning", "RFC 8493 §2.1.3",
         "a path starts with './' (paths are relative to the base directory without it)"),
    Code("W-MANIFEST-BINARY-MARKER", "warning", "RFC 8493 §2.1.3",
         "a manifest line carries md5sum's '*' binary marker before the path"),
    Code("W-NAME-NORMALIZATION", "warning", "RFC 8493 §2.1.3",
         "a listed name matches a file only after Unicode normalisation"),
    Code("E-PAYLOAD-UNLISTED", "error", "RFC 8493 §3",
         "a payload file is not listed in every payload manifest (bag not complete)"),
    Code("E-FILE-MISSING", "error", "RFC 8493 §3",
         "a file listed in a manifest does not exist (bag not complete)"),
    Code("E-CHECKSUM", "error", "RFC 8493 §3", "a file's checksum does not match its manifest"),
    Code("E-FILE-UNREADABLE", "error", "RFC 8493 §3", "a file listed in a manifest cannot be read"),
    Code("W-PAYLOAD-LINK", "warning", "RFC 8493 §5", "a payload entry is a symbolic link"),
    # Tag manifests (RFC 8493 §2.2.1)
    Code("E-TAGMANIFEST-PAYLOAD", "error", "RFC 8493 §2.2.1", "a tag manifest lists a payload file"),
    Code("E-TAGMANIFEST-INCOMPLETE", "error", "RFC 8493 §2.2.1",
         "a tag manifest does not list every payload manifest"),
    # bag-info.txt (RFC 8493 §2.2.2)
    Code("E-BAGINFO-LINE", "error", "RFC 8493 §2.2.2",
         "a bag-info.txt line is neither 'Label: value' nor a continuation line"),
    Code("W-BAGINFO-SEPARATOR", "warning", "RFC 8493 §2.2.2",
         "a bag-info.txt label is followed by whitespace before its colon"),
    Code("E-BAGINFO-REPEATED", "error", "RFC 8493 §2.2.2",
         "Payload-Oxum appears more than once (MUST NOT be repeated)"),
    Code("W-BAGINFO-REPEATED", "warning", "RFC 8493 §2.2.2",
         "Bagging-Date, Bag-Size, Bag-Group-Identifier or Bag-Count repeats (SHOULD NOT be repeated)"),
    Code("E-OXUM-FORMAT", "error", "RFC 8493 §2.2.2", "Payload-Oxum is not OCTETCOUNT.STREAMCOUNT"),
    Code("E-OXUM-MISMATCH", "error", "RFC 8493 §2.2.2, §3",
         "Payload-Oxum does not match the payload's byte and file counts"),
    # fetch.txt (RFC 8493 §2.2.3)
    Code("E-FETCH-LINE", "error", "RFC 8493 §2.2.3", "a fetch.txt line is not 'URL LENGTH FILEPATH'"),
    Code("E-FETCH-NOT-PAYLOAD", "error", "RFC 8493 §2.2.3", "fetch.txt names a file outside data/"),
    # Serialization (BagIt Profiles 1.4.0 Serialization; archiver's safe extraction)
    Code("E-TAR-UNSAFE", "error", "BagIt Profiles 1.4 Serialization",
         "a tar member would land outside the bag, or is a link or device"),
    Code("E-TAR-LAYOUT", "error", "BagIt Profiles 1.4 Serialization",
         "a serialized bag must hold exactly one top-level directory"),
    # Profile (BagIt Profiles 1.4.0 and schemas/bagit-profile.json)
    Code("W-PROFILE-UNKNOWN", "warning", "BagIt Profiles 1.4 BagIt-Profile-Identifier",
         "the bag names a profile that archiver does not know; profile not checked"),
    Code("E-PROFILE-INFO", "error", "BagIt Profiles 1.4 Bag-Info",
         "a bag-info element required by the profile is missing, repeated or has a value not allowed"),
    Code("E-PROFILE-MANIFEST", "error", "BagIt Profiles 1.4 Manifests-Required/Allowed",
         "a manifest required by the profile is missing, or one not allowed is present"),
    Code("E-PROFILE-TAGMANIFEST", "error", "BagIt Profiles 1.4 Tag-Manifests-Required/Allowed",
         "a tag manifest required by the profile is missing, or one not allowed is present"),
    Code("E-PROFILE-FETCH", "error", "BagIt Profiles 1.4 Allow-Fetch.txt", "fetch.txt is not allowed"),
    Code("E-PROFILE-VERSION", "error", "BagIt Profiles 1.4 Accept-BagIt-Version",
         "the BagIt version is not accepted by the profile"),
    Code("E-PROFILE-TAGFILE", "error", "BagIt Profiles 1.4 Tag-Files-Required",
         "a tag file required by the profile is missing"),
    Code("E-PROFILE-PAYLOAD", "error", "BagIt Profiles 1.4 Payload-Files-Required/Allowed",
         "no payload file where the profile requires one, or a payload file where it allows none"),
    # Content checks beyond BagIt (archiver)
    Code("E-METADATA-SCHEMA", "error", "archiver schemas/ (JSON Schema 2020-12)",
         "a metadata JSON document breaks its schema"),
    Code("E-METADATA-JSON", "error", "archiver schemas/ (JSON Schema 2020-12)",
         "a metadata JSON document cannot be parsed"),
    Code("W-METADATA-SCHEMA-UNKNOWN", "warning", "archiver schemas/",
         "a metadata document names a schema that this installation does not have"),
    Code("E-WARC", "error", "WARC 1.1 §4-§5", "a WARC file does not read to its end"),
)}


@dataclass(frozen=True)
class Problem:
    """One finding: stable code, severity, the bag-relative file, what was wrong, and the rule."""

    code: str
    severity: Severity
    path: str
    message: str
    rule: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.severity} {self.code} {where}{self.message} [{self.rule}]"


def problem(code: str, path: str, message: str, severity: Severity | None = None) -> Problem:
    """Make a Problem for a registered *code* (unknown codes are a programming error)."""
    spec = CODES[code]
    return Problem(code, severity or spec.severity, path, message, spec.rule)
