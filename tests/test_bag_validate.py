"""`archiver validate`: each kind of corruption is named with its code and file; exit codes 0/1/2."""

from __future__ import annotations

import gzip
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from bag_support import make_collection, reseal_tags, rewrite_manifest_entry

from archiver.bag import CODES, validate
from archiver.bag.writer import package


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    collection = make_collection(root / "collection", {"metadata/articles/nested/a b.txt": b"hello"})
    return package(collection, root / "bag", info=[("Source-Organization", "Example")])


@pytest.fixture
def bag(pristine: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bag"
    shutil.copytree(pristine, copy)
    return copy


def codes_for(bag: Path) -> set[tuple[str, str]]:
    return {(p.code, p.path) for p in validate(bag).problems if p.severity == "error"}


def test_pristine_bag_is_valid(bag: Path, invoke):
    report = validate(bag)
    assert report.valid, [str(p) for p in report.problems]
    assert report.files_verified == 5
    result = invoke("validate", bag)
    assert result.exit_code == 0, result.output


def test_payload_byte_flipped(bag: Path, invoke):
    target = bag / "data/logs/capture.log"
    data = bytearray(target.read_bytes())
    data[0] ^= 1
    target.write_bytes(bytes(data))
    assert codes_for(bag) == {("E-CHECKSUM", "data/logs/capture.log")}
    result = invoke("validate", bag)
    assert result.exit_code == 1
    assert "E-CHECKSUM data/logs/capture.log: sha256 expected" in result.output


def test_payload_file_missing(bag: Path):
    (bag / "data/metadata/articles/nested/a b.txt").unlink()
    assert codes_for(bag) == {("E-FILE-MISSING", "data/metadata/articles/nested/a b.txt"),
                              ("E-OXUM-MISMATCH", "bag-info.txt")}


def test_extra_payload_file(bag: Path):
    (bag / "data/logs/extra.log").write_text("sneaked in", encoding="utf-8")
    found = codes_for(bag)
    assert ("E-PAYLOAD-UNLISTED", "data/logs/extra.log") in found
    assert ("E-OXUM-MISMATCH", "bag-info.txt") in found


def test_one_manifest_does_not_list_every_file(bag: Path):
    manifest = bag / "manifest-sha512.txt"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    manifest.write_text("".join(line for line in lines if "capture.log" not in line), encoding="utf-8")
    reseal_tags(bag)
    assert codes_for(bag) == {("E-PAYLOAD-UNLISTED", "data/logs/capture.log")}


def test_duplicate_manifest_entry(bag: Path):
    manifest = bag / "manifest-sha256.txt"
    first = manifest.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    manifest.write_text(manifest.read_text(encoding="utf-8") + first, encoding="utf-8")
    reseal_tags(bag)
    assert codes_for(bag) == {("E-MANIFEST-DUPLICATE", "manifest-sha256.txt")}


@pytest.mark.parametrize("evil", ["../outside.txt", "/etc/passwd", "~/x", "C:\\x", "\\\\server\\share\\x",
                                  "data/../../x"])
def test_path_leaving_the_bag(bag: Path, evil: str):
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "0" * 64 + f"  {evil}\n", encoding="utf-8")
    reseal_tags(bag)
    assert codes_for(bag) == {("E-PATH-UNSAFE", "manifest-sha256.txt")}


def test_tag_file_changed(bag: Path):
    info = bag / "bag-info.txt"
    info.write_text(info.read_text(encoding="utf-8") + "Note: added later\n", encoding="utf-8")
    assert codes_for(bag) == {("E-CHECKSUM", "bag-info.txt")}


def test_payload_oxum_wrong_and_repeated(bag: Path):
    info = bag / "bag-info.txt"
    text = info.read_text(encoding="utf-8")
    info.write_text(text + "Payload-Oxum: 1.1\n", encoding="utf-8")
    reseal_tags(bag)
    assert codes_for(bag) == {("E-BAGINFO-REPEATED", "bag-info.txt"), ("E-PROFILE-INFO", "bag-info.txt")}
    info.write_text(text.replace("Payload-Oxum: ", "Payload-Oxum: 9"), encoding="utf-8")
    reseal_tags(bag)
    assert codes_for(bag) == {("E-OXUM-MISMATCH", "bag-info.txt")}


@pytest.mark.parametrize("content, code", [
    (b"\xef\xbb\xbfBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", "E-DECL-BOM"),
    (b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n", "E-DECL-FORMAT"),
    (b"BagIt-Version: 1.0\n", "E-DECL-FORMAT"),
    (b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n\n", "E-DECL-FORMAT"),
])
def test_bad_declaration(bag: Path, content: bytes, code: str):
    (bag / "bagit.txt").write_bytes(content)
    reseal_tags(bag)
    assert (code, "bagit.txt") in codes_for(bag)


def test_declaration_missing(bag: Path, invoke):
    (bag / "bagit.txt").unlink()
    assert ("E-DECL-MISSING", "bagit.txt") in codes_for(bag)
    assert invoke("validate", bag).exit_code == 1


def test_tag_manifest_missing_a_payload_manifest(bag: Path):
    tagmanifest = bag / "tagmanifest-sha256.txt"
    lines = tagmanifest.read_text(encoding="utf-8").splitlines(keepends=True)
    tagmanifest.write_text("".join(x for x in lines if "manifest-sha512" not in x), encoding="utf-8")
    assert codes_for(bag) == {("E-TAGMANIFEST-INCOMPLETE", "tagmanifest-sha256.txt")}


def test_fetch_txt_breaks_the_profile(bag: Path):
    (bag / "fetch.txt").write_text("https://example.org/x 5 data/x.txt\n", encoding="utf-8")
    assert codes_for(bag) == {("E-PROFILE-FETCH", "fetch.txt")}


def test_fetch_txt_leaving_the_bag(bag: Path):
    (bag / "fetch.txt").write_text("https://example.org/x - ../x.txt\n", encoding="utf-8")
    assert ("E-PATH-UNSAFE", "fetch.txt") in codes_for(bag)


def test_truncated_warc(bag: Path):
    relpath = "data/warc/capture-00000.warc.gz"
    data = (bag / relpath).read_bytes()
    rewrite_manifest_entry(bag, relpath, data[: len(data) - 40])
    assert codes_for(bag) == {("E-WARC", relpath)}


def test_truncated_uncompressed_warc(bag: Path):
    # warcio returns the last block short without complaint; the manifest still matches the copy
    relpath = "data/warc/capture-00000.warc.gz"
    with gzip.open(bag / relpath) as fh:
        raw = fh.read()
    (bag / relpath).unlink()
    plain = "data/warc/capture-00000.warc"
    (bag / plain).write_bytes(raw)
    for manifest in bag.glob("manifest-*.txt"):
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(relpath, plain), encoding="utf-8")
    rewrite_manifest_entry(bag, plain, raw)
    assert codes_for(bag) == set()
    rewrite_manifest_entry(bag, plain, raw[:-40])
    assert codes_for(bag) == {("E-WARC", plain)}


def test_warc_with_a_bad_record_digest(bag: Path):
    relpath = "data/warc/capture-00000.warc.gz"
    with gzip.open(bag / relpath) as fh:
        raw = fh.read()
    tampered = raw.replace(b"<h1>Article 1</h1>", b"<h1>Article X</h1>")
    assert tampered != raw
    rewrite_manifest_entry(bag, relpath, gzip.compress(tampered))
    assert codes_for(bag) == {("E-WARC", relpath)}


def test_metadata_json_broken_or_unknown_schema(bag: Path):
    relpath = "data/metadata/articles/article-0.json"
    report = validate(bag)
    assert [(p.code, p.path) for p in report.warnings] == [("W-METADATA-SCHEMA-UNKNOWN", relpath)]
    rewrite_manifest_entry(bag, relpath, b"{not json")
    assert codes_for(bag) == {("E-METADATA-JSON", relpath)}


def test_json_report(bag: Path, invoke):
    (bag / "data/logs/capture.log").write_text("changed\n", encoding="utf-8")
    result = invoke("validate", bag, "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False and report["bagit_version"] == "1.0"
    checksum = [p for p in report["problems"] if p["code"] == "E-CHECKSUM"]
    assert len(checksum) == 2  # one per manifest algorithm
    assert {"code": "E-CHECKSUM", "severity": "error", "path": "data/logs/capture.log",
            "rule": "RFC 8493 §3"}.items() <= checksum[0].items()


def test_unsafe_tar_is_invalid(tmp_path: Path, pristine: Path, invoke):
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        tar.add(pristine, arcname="bag")
        info = tarfile.TarInfo("bag/data/link")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    result = invoke("validate", evil)
    assert result.exit_code == 1
    assert "E-TAR-UNSAFE bag/data/link" in result.output

    escape = tmp_path / "escape.tar"
    with tarfile.open(escape, "w") as tar:
        tar.add(pristine / "bagit.txt", arcname="../../escaped.txt")
    result = invoke("validate", escape)
    assert result.exit_code == 1 and "E-TAR-UNSAFE" in result.output
    assert not (tmp_path.parent / "escaped.txt").exists()

    two = tmp_path / "two.tar"
    with tarfile.open(two, "w") as tar:
        tar.add(pristine, arcname="bag")
        tar.add(pristine / "bagit.txt", arcname="other/bagit.txt")
    result = invoke("validate", two)
    assert result.exit_code == 1 and "E-TAR-LAYOUT" in result.output


def test_not_a_bag_exits_2(tmp_path: Path, invoke):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.bin").write_bytes(b"this is not a bag\n")
    (tmp_path / "empty.tar").write_bytes(b"\x00" * 10240)
    for target in (tmp_path / "empty", tmp_path / "missing", tmp_path / "file.bin", tmp_path / "empty.tar"):
        result = invoke("validate", target)
        assert result.exit_code == 2, (target, result.output)
        assert result.output.startswith("archiver: error: ")
        assert "Traceback" not in result.output


def test_json_document(tmp_path: Path, invoke):
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"headline": "no schema named"}), encoding="utf-8")
    result = invoke("validate", doc)
    assert result.exit_code == 1 and "/$schema" in result.output
    doc.write_text("{broken", encoding="utf-8")
    assert invoke("validate", doc).exit_code == 2


def test_every_code_names_a_rule():
    for code in CODES.values():
        assert code.rule and code.summary
        assert code.code.startswith("E-" if code.severity == "error" else "W-")


def test_names_compared_after_unicode_normalisation(tmp_path: Path):
    import unicodedata

    nfc = unicodedata.normalize("NFC", "Núñez.txt")
    nfd = unicodedata.normalize("NFD", "Núñez.txt")
    collection = make_collection(tmp_path / "c", {f"logs/{nfc}": b"n"})
    bag = package(collection, tmp_path / "bag")
    # Another system rewrote the manifests in NFD while the file system kept NFC (as macOS tools do).
    for manifest in bag.glob("manifest-*.txt"):
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(nfc, nfd), encoding="utf-8")
    reseal_tags(bag)
    report = validate(bag)
    assert report.valid, [str(p) for p in report.errors]
    assert ("W-NAME-NORMALIZATION", f"data/logs/{nfd}") in {(p.code, p.path) for p in report.warnings}
    # Listing both forms of one name is listing the file twice.
    manifest = bag / "manifest-sha256.txt"
    line = next(x for x in manifest.read_text(encoding="utf-8").splitlines() if nfd in x)
    manifest.write_text(manifest.read_text(encoding="utf-8") + line.replace(nfd, nfc) + "\n",
                        encoding="utf-8")
    reseal_tags(bag)
    assert ("E-MANIFEST-DUPLICATE", "manifest-sha256.txt") in codes_for(bag)


def _append(name: str, text: str):
    def mutate(bag: Path) -> None:
        path = bag / name
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(old + text, encoding="utf-8")
    return mutate


def _replace(name: str, old: str, new: str):
    def mutate(bag: Path) -> None:
        path = bag / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return mutate


M256 = "manifest-sha256.txt"


def _symlink(bag: Path) -> None:
    (bag / "data/logs/link.log").symlink_to("capture.log")


@pytest.mark.parametrize("mutate, code, where", [
    (_append(M256, "just-one-field\n"), "E-MANIFEST-LINE", M256),
    (_append(M256, "abc  data/logs/capture.log\n"), "E-MANIFEST-DIGEST", M256),
    (_append(M256, "0" * 64 + "  bagit.txt\n"), "E-MANIFEST-NOT-PAYLOAD", M256),
    (_append("manifest-crc99.txt", "00  data/logs/capture.log\n"), "E-MANIFEST-ALGORITHM",
     "manifest-crc99.txt"),
    (_append("tagmanifest-sha256.txt", "0" * 64 + "  data/logs/capture.log\n"), "E-TAGMANIFEST-PAYLOAD",
     "tagmanifest-sha256.txt"),
    (_append("bag-info.txt", "no colon on this line\n"), "E-BAGINFO-LINE", "bag-info.txt"),
    (_replace("bag-info.txt", "Payload-Oxum: ", "Payload-Oxum: x"), "E-OXUM-FORMAT", "bag-info.txt"),
    (_append("fetch.txt", "https://example.org/x\n"), "E-FETCH-LINE", "fetch.txt"),
    (_append("fetch.txt", "https://example.org/x 5 bag-info.txt\n"), "E-FETCH-NOT-PAYLOAD", "fetch.txt"),
    (_replace("bagit.txt", "1.0", "0.97"), "E-PROFILE-VERSION", "bagit.txt"),
    (_replace("bag-info.txt", "Bagging-Date:", "Bagged-On:"), "E-PROFILE-INFO", "bag-info.txt"),
    (_replace("bag-info.txt", "bagit-profile:1.0.0", "bagit-profile:9"), None, None),  # not ours: unchecked
    (lambda bag: (bag / "data/warc/capture-00000.warc.gz").rename(bag / "data/logs/moved.gz"),
     "E-PROFILE-PAYLOAD", "data/warc/*"),
    (_append("bagit.txt", ""), None, None),
])
def test_line_level_damage_is_named(bag: Path, mutate, code, where):
    mutate(bag)
    reseal_tags(bag)
    found = codes_for(bag)
    if code is None:
        assert found == set()
    else:
        assert (code, where) in found, found


def test_symlink_in_payload_is_reported(bag: Path):
    _symlink(bag)
    report = validate(bag)
    assert ("W-PAYLOAD-LINK", "data/logs/link.log") in {(p.code, p.path) for p in report.warnings}
    assert ("E-PAYLOAD-UNLISTED", "data/logs/link.log") in codes_for(bag)


def test_metadata_breaking_its_schema(bag: Path, tmp_path: Path, monkeypatch):
    import archiver.schemas as schemas

    schema_dir = tmp_path / "schemas"
    schema_dir.mkdir()
    (schema_dir / "test.schema.json").write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:archiver:schema:test-only:0.0.0",
        "type": "object", "required": ["headline", "url"],
    }), encoding="utf-8")
    from archiver.bag import profile

    real_profile = profile.profile_path()
    shutil.copy(real_profile, schema_dir / real_profile.name)
    monkeypatch.setattr(schemas, "schema_dir", lambda: schema_dir)
    schemas._schemas_by_id.cache_clear()
    schemas._validator.cache_clear()
    try:
        found = validate(bag).problems
    finally:
        schemas._schemas_by_id.cache_clear()
        schemas._validator.cache_clear()
    assert [(p.code, p.path) for p in found] == [
        ("E-METADATA-SCHEMA", "data/metadata/articles/article-0.json")]
    assert "'url' is a required property" in found[0].message


def test_every_code_is_documented():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "bags.md").read_text(encoding="utf-8")
    for code in CODES.values():
        assert f"| `{code.code}` | {code.severity} | {code.rule} |" in docs, code.code
