"""The corruption matrix: each kind of damage to a bag is detected, named and gives exit 1,
while an untouched bag beside it still verifies and nothing in the store is written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from audit_support import flip_bit, make_store
from bag_support import snapshot  # proof that an audit wrote nothing

WARC = "data/warc/capture-00000.warc.gz"
JSON_DOC = "data/metadata/articles/article one.json"


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_manifest_line(bag: Path) -> None:
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if line.rstrip("\n").endswith(WARC))
    digest = lines[i].split()[0]
    lines[i] = ("0" if digest[0] != "0" else "1") + lines[i][1:]
    manifest.write_text("".join(lines), encoding="utf-8")


def _wrong_oxum(bag: Path) -> None:
    info = bag / "bag-info.txt"
    text = info.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("Payload-Oxum:"))
    octets, streams = line.split(":")[1].strip().split(".")
    _replace_in(info, line, f"Payload-Oxum: {int(octets) + 1}.{streams}")


def _dotdot_path(bag: Path) -> None:
    outside = bag.parent / "outside.txt"
    outside.write_text("not part of the bag\n")
    with (bag / "manifest-sha256.txt").open("a", encoding="utf-8") as fh:
        fh.write(f"{'ab' * 32}  data/../../outside.txt\n")


def _dangling(bag: Path) -> None:
    (bag / JSON_DOC).unlink()
    os.symlink(bag / "no-such-target", bag / JSON_DOC)


OXUM = ("oxum-mismatch", "bag-info.txt")

# (damage, expected (kind, file) findings that must all be present)
CASES = {
    "flipped-bit": (lambda b: flip_bit(b / WARC), [("modified", WARC)]),
    "truncated": (lambda b: os.truncate(b / WARC, 1000), [("modified", WARC), OXUM]),
    "deleted": (lambda b: (b / JSON_DOC).unlink(), [("missing", JSON_DOC), OXUM]),
    "added": (lambda b: (b / "data/logs/extra.log").write_text("extra\n"),
              [("unexpected", "data/logs/extra.log"), OXUM]),
    "renamed": (lambda b: (b / JSON_DOC).rename(b / "data/metadata/articles/renamed.json"),
                [("moved", JSON_DOC)]),
    "manifest-line-edited": (_edit_manifest_line, [("modified", WARC), ("modified", "manifest-sha256.txt")]),
    "bag-info-edited": (lambda b: _replace_in(b / "bag-info.txt", "External-Identifier: test:",
                                              "External-Identifier: changed:"),
                        [("modified", "bag-info.txt")]),
    "tag-manifest-deleted": (lambda b: (b / "tagmanifest-sha512.txt").unlink(),
                             [("missing", "tagmanifest-sha512.txt")]),
    "wrong-oxum": (_wrong_oxum, [OXUM, ("modified", "bag-info.txt")]),
    "dotdot-path": (_dotdot_path,
                    [("manifest-error", "manifest-sha256.txt"), ("modified", "manifest-sha256.txt")]),
    "unreadable-link": (_dangling, [("unreadable", JSON_DOC)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_corruption_is_detected_named_and_exit_1(tmp_path, invoke, case):
    damage, expected = CASES[case]
    bags = make_store(tmp_path, ["damaged", "untouched"])
    damage(bags["damaged"])
    before = snapshot(tmp_path / "store")

    result = invoke("audit", tmp_path / "store", "--log", tmp_path / "log", "--json")

    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    by_bag = {Path(b["bag"]).name: b for b in report["bags"]}
    assert by_bag["untouched"]["outcome"] == "verified"
    assert by_bag["untouched"]["findings"] == []
    damaged = by_bag["damaged"]
    assert damaged["outcome"] == "failed"
    found = {(f["kind"], f["file"]) for f in damaged["findings"]}
    for item in expected:
        assert item in found, (case, damaged["findings"])
    assert snapshot(tmp_path / "store") == before, "the audit wrote into the store"


def test_renamed_file_is_reported_once_as_moved(tmp_path, invoke):
    bags = make_store(tmp_path, ["bag"])
    (bags["bag"] / JSON_DOC).rename(bags["bag"] / "data/metadata/articles/renamed.json")
    result = invoke("audit", tmp_path / "store", "--log", tmp_path / "log", "--json")
    findings = json.loads(result.output)["bags"][0]["findings"]
    moved = [f for f in findings if f["kind"] == "moved"]
    assert moved == [{"kind": "moved", "file": JSON_DOC, "to": "data/metadata/articles/renamed.json",
                      "detail": moved[0]["detail"], "rule": moved[0]["rule"]}]
    assert not [f for f in findings if f["kind"] in ("missing", "unexpected")]


def test_dotdot_path_is_never_opened(tmp_path, monkeypatch):
    from archiver.audit import verify_bag

    bags = make_store(tmp_path, ["bag"])
    _dotdot_path(bags["bag"])
    opened = []
    real_open = open

    def spy(path, *args, **kwargs):
        opened.append(Path(path).resolve())
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    audit = verify_bag(bags["bag"])
    assert (tmp_path / "store" / "outside.txt").resolve() not in opened
    assert any(f.kind == "manifest-error" and "'..'" in f.detail for f in audit.findings)


def test_unreadable_by_permissions(tmp_path, invoke):
    bags = make_store(tmp_path, ["damaged", "untouched"])
    target = bags["damaged"] / WARC
    target.chmod(0)
    try:
        try:
            target.open("rb").close()
        except PermissionError:
            pass
        else:
            pytest.skip("running as a user (root) who can read a file with mode 000")
        result = invoke("audit", tmp_path / "store", "--log", tmp_path / "log")
        assert result.exit_code == 1
        assert f"unreadable: {WARC}" in result.output
        assert "untouched" not in result.output   # quiet: only failures are listed
    finally:
        target.chmod(0o644)


def test_quiet_output_names_failures_and_summarises(tmp_path, invoke):
    bags = make_store(tmp_path, ["damaged", "untouched"])
    flip_bit(bags["damaged"] / WARC)
    result = invoke("audit", tmp_path / "store", "--log", tmp_path / "log")
    lines = result.output.splitlines()
    assert lines[0].startswith(f"FAILED {bags['damaged']}")
    assert lines[1].startswith(f"  modified: {WARC}: sha256 is ")
    assert lines[-1].startswith("audited 2 bag(s): 1 verified, 1 failed, 0 incomplete;")
    assert len(lines) == 3
    verbose = invoke("audit", tmp_path / "store", "--log", tmp_path / "log", "--verbose")
    assert f"VERIFIED {bags['untouched']}" in verbose.output


def test_algorithm_option_verifies_one_manifest(tmp_path, invoke):
    bags = make_store(tmp_path, ["bag"])
    result = invoke("audit", bags["bag"], "--log", tmp_path / "log", "--algorithm", "sha512", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["bags"][0]["algorithms"] == ["sha512"]
    missing = invoke("audit", bags["bag"], "--log", tmp_path / "log", "--algorithm", "md5")
    assert missing.exit_code == 2
    assert "has no manifest-md5.txt" in missing.output


def test_a_path_that_cannot_be_audited_gives_exit_2(tmp_path, invoke):
    make_store(tmp_path, ["bag"])
    (tmp_path / "empty").mkdir()
    assert invoke("audit", tmp_path / "nowhere", "--log", tmp_path / "log").exit_code == 2
    result = invoke("audit", tmp_path / "empty", tmp_path / "store", "--log", tmp_path / "log")
    assert result.exit_code == 2
    assert "no bag found" in result.output
    assert "1 verified" in result.output   # the other path was still audited


def test_read_only_store(tmp_path):
    """Works on read-only storage: the bag's files and folders may all lack write permission."""
    from archiver.audit import audit_paths

    bags = make_store(tmp_path, ["bag"])
    for dirpath, _dirs, files in os.walk(bags["bag"]):
        for name in files:
            os.chmod(Path(dirpath) / name, 0o444)
        os.chmod(dirpath, 0o555)
    try:
        run = audit_paths([bags["bag"]], log=tmp_path / "log")
        assert run.ok and run.bags[0].outcome == "verified"
    finally:
        for dirpath, _dirs, _files in os.walk(bags["bag"]):
            os.chmod(dirpath, 0o755)


def test_nested_bag_inside_a_payload_is_not_audited_separately(tmp_path):
    from archiver.audit.discover import find_bags

    bags = make_store(tmp_path, ["outer"])
    inner = bags["outer"] / "data" / "inner"
    inner.mkdir()
    (inner / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    assert list(find_bags(tmp_path / "store")) == [bags["outer"].resolve()]


@pytest.mark.parametrize("bad_path", ["data/../../outside.txt", "data\\..\\..\\outside.txt", "/etc/passwd",
                                      "~/outside.txt", "C:/outside.txt", "../outside.txt", "bagit.txt"])
def test_every_kind_of_path_leaving_the_payload_is_a_manifest_error(tmp_path, bad_path):
    from archiver.audit import verify_bag

    bags = make_store(tmp_path, ["bag"])
    with (bags["bag"] / "manifest-sha256.txt").open("a", encoding="utf-8") as fh:
        fh.write(f"{'ab' * 32}  {bad_path}\n")
    audit = verify_bag(bags["bag"])
    errors = [f for f in audit.findings if f.kind == "manifest-error"]
    assert len(errors) == 1 and repr(bad_path) in errors[0].detail
    assert not [f for f in audit.findings if f.kind in ("missing", "unreadable")]


def test_names_are_compared_after_unicode_normalisation(tmp_path):
    """A bag copied through a file system that stores NFD names still verifies (RFC 8493 §2.1.3)."""
    import unicodedata

    from archiver.audit import verify_bag

    nfc = "data/metadata/articles/caf\u00e9 r\u00e9sum\u00e9.json"
    bags = make_store(tmp_path, ["bag"], extra={"bag": {nfc[len("data/"):]: 500}})
    (bags["bag"] / nfc).rename(bags["bag"] / unicodedata.normalize("NFD", nfc))
    audit = verify_bag(bags["bag"])
    assert audit.outcome == "verified", [str(f) for f in audit.findings]
    assert audit.files_checked == 8


def test_a_file_missing_from_one_manifest_is_a_manifest_error_only(tmp_path):
    from archiver.audit import verify_bag

    bags = make_store(tmp_path, ["bag"])
    manifest = bags["bag"] / "manifest-sha512.txt"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    manifest.write_text("".join(line for line in lines if not line.rstrip().endswith(WARC)), encoding="utf-8")
    audit = verify_bag(bags["bag"])
    # the tag manifest notices the edited manifest; the file itself is not reported as modified
    found = {(f.kind, f.file) for f in audit.findings}
    assert found == {("manifest-error", "manifest-sha512.txt"), ("modified", "manifest-sha512.txt")}
    assert any(f.kind == "manifest-error" and WARC in f.detail for f in audit.findings)


def test_broken_bag_structure_fails_with_a_named_finding(tmp_path):
    from archiver.audit import verify_bag

    bags = make_store(tmp_path, ["no-decl", "no-manifest", "no-data"])
    (bags["no-decl"] / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    for manifest in bags["no-manifest"].glob("manifest-*.txt"):
        manifest.unlink()
    os.rename(bags["no-data"] / "data", bags["no-data"] / "payload")
    found = {name: {(f.kind, f.file) for f in verify_bag(bag).findings} for name, bag in bags.items()}
    assert found["no-decl"] == {("manifest-error", "bagit.txt")}
    assert ("manifest-error", "manifest-*.txt") in found["no-manifest"]
    assert ("manifest-error", "data/") in found["no-data"]
    assert ("missing", WARC) in found["no-data"]


def test_permission_denied_is_unreadable_even_when_running_as_root(tmp_path, monkeypatch):
    """Root can read mode-000 files, so the refusal is simulated at the os.open the hasher uses."""
    import errno

    import archiver.audit.hashing as hashing
    from archiver.audit import audit_paths

    bags = make_store(tmp_path, ["damaged", "untouched"])
    target = str(bags["damaged"] / WARC)
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if str(path) == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(hashing.os, "open", refusing_open)
    run = audit_paths([tmp_path / "store"], log=tmp_path / "log")
    by_name = {b.path.name: b for b in run.bags}
    assert [(f.kind, f.file, f.detail) for f in by_name["damaged"].findings] == [
        ("unreadable", WARC, "Permission denied")]
    assert by_name["untouched"].outcome == "verified"
    assert run.exit_code == 1
