"""Helpers for the bag tests: the shared conformance suite, a small real collection, resealing."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path | None:
    """ARCHIVER_SHARED if set, else <checkout>/../shared (CI), else /work/shared; None if none exists."""
    candidates = []
    if os.environ.get("ARCHIVER_SHARED"):
        candidates.append(Path(os.environ["ARCHIVER_SHARED"]))
    candidates += [REPO.parent / "shared", Path("/work/shared")]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def conformance_suite() -> Path | None:
    shared = shared_dir()
    suite = shared / "conformance" / "bagit-conformance-suite" if shared else None
    return suite if suite and (suite / "CASES.tsv").is_file() else None


def write_warc(path: Path, pages: int = 2) -> None:
    """A real gzip-per-record WARC with a warcinfo record and *pages* response records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "archiver-tests"}))
        for i in range(pages):
            body = f"<html><body><h1>Article {i}</h1></body></html>".encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            record = writer.create_warc_record(f"http://127.0.0.1/article-{i}.html", "response",
                                               payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)


def make_collection(root: Path, extra: dict[str, bytes] | None = None) -> Path:
    """A small collection in archiver's layout: a WARC, a metadata JSON, a catalogue file, a log."""
    for d in ("warc", "metadata/articles", "catalogue/records", "catalogue/articles", "logs"):
        (root / d).mkdir(parents=True, exist_ok=True)
    write_warc(root / "warc" / "capture-00000.warc.gz")
    (root / "metadata/articles/article-0.json").write_text(
        json.dumps({"$schema": "urn:archiver:schema:test-only:0.0.0", "headline": "Article 0"}),
        encoding="utf-8")
    (root / "catalogue/records/part-0.parquet").write_bytes(b"PAR1" + bytes(100) + b"PAR1")
    (root / "logs/capture.log").write_text("captured 2 pages\n", encoding="utf-8")
    for relpath, data in (extra or {}).items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and directory under *root*: (mode, mtime_ns, sha256 or '')."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
            state[str(p.relative_to(root))] = (st.st_mode, st.st_mtime_ns, digest)
    return state


def reseal_tags(bag: Path) -> None:
    """Recompute every tag manifest, so that a test can corrupt one thing at a time."""
    for tagmanifest in sorted(bag.glob("tagmanifest-*.txt")):
        algorithm = tagmanifest.name[len("tagmanifest-"):-len(".txt")]
        lines = []
        for line in tagmanifest.read_text(encoding="utf-8").splitlines():
            name = line.split(None, 1)[1]
            if (bag / name).is_file():
                digest = hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()
                lines.append(f"{digest}  {name}\n")
        tagmanifest.write_text("".join(lines), encoding="utf-8")


def rewrite_manifest_entry(bag: Path, relpath: str, data: bytes) -> None:
    """Give *relpath* new content and update every payload manifest and tag manifest to match."""
    (bag / relpath).write_bytes(data)
    for manifest in bag.glob("manifest-*.txt"):
        algorithm = manifest.name[len("manifest-"):-len(".txt")]
        out = []
        for line in manifest.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.rstrip("\n").split(None, 1)[1] == relpath:
                line = f"{hashlib.new(algorithm, data).hexdigest()}  {relpath}\n"
            out.append(line)
        manifest.write_text("".join(out), encoding="utf-8")
    info = bag / "bag-info.txt"
    files = [p for p in (bag / "data").rglob("*") if p.is_file()]
    oxum = f"{sum(p.stat().st_size for p in files)}.{len(files)}"
    info.write_text("".join(
        f"Payload-Oxum: {oxum}\n" if line.startswith("Payload-Oxum:") else line
        for line in info.read_text(encoding="utf-8").splitlines(keepends=True)), encoding="utf-8")
    reseal_tags(bag)
