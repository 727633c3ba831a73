"""`archiver package`: bags that other tools accept, an untouched collection, atomic and never overwriting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import unicodedata
from pathlib import Path

import bagit
import bagit_profile
import pytest
from bag_support import make_collection, snapshot

from archiver.bag import list_manifests, read_bag_info, read_manifest, validate
from archiver.bag.profile import load_profile, profile_identifier, profile_path
from archiver.bag.writer import package

ODD_NAMES = {
    "metadata/with space.txt": b"space",
    "metadata/100%25 literal %0A.txt": b"percent",
    "metadata/line\nbreak.txt": b"newline",
    "metadata/carriage\rreturn.txt": b"cr",
    "metadata/" + unicodedata.normalize("NFC", "Núñez-nfc.txt"): b"nfc",
    "metadata/" + unicodedata.normalize("NFD", "Núñez-nfd.txt"): b"nfd",
    "metadata/empty.txt": b"",
    "metadata/deep/er/and/deeper/file.txt": b"nested",
    "logs/~tilde and ..dots": b"tilde",
}


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    return make_collection(tmp_path / "collection", ODD_NAMES)


def test_package_cli_makes_a_bag_that_validates(collection: Path, tmp_path: Path, invoke):
    before = snapshot(collection)
    bag = tmp_path / "bag"
    result = invoke("package", collection, "--bag", bag, "--info", "Source-Organization=Example Archive")
    assert result.exit_code == 0, result.output
    assert f"bag written: {bag}" in result.output
    assert snapshot(collection) == before, "the collection must be left untouched"

    checked = invoke("validate", bag)
    assert checked.exit_code == 0, checked.output
    assert "valid" in checked.output and " 0 errors" in checked.output

    # Every payload file, odd names included, is in every manifest exactly once.
    expected = {"data/" + str(p.relative_to(collection)).replace(os.sep, "/")
                for p in collection.rglob("*") if p.is_file()}
    for algorithm, manifest in list_manifests(bag).items():
        listed = [e.path for e in read_manifest(manifest)]
        assert sorted(listed) == sorted(expected), algorithm
    assert set(list_manifests(bag)) == {"sha256", "sha512"}


def test_bagit_python_and_bagit_profile_accept_the_bag(tmp_path: Path):
    # bagit-python 1.9 does not decode %25 (RFC 8493 §2.1.3), so names with "%" are left out here;
    # every other odd name is included. test_percent_in_names_is_encoded covers "%".
    names = {k: v for k, v in ODD_NAMES.items() if "%" not in k}
    collection = make_collection(tmp_path / "collection", names)
    bag = package(collection, tmp_path / "bag", info=[("Source-Organization", "Example")], tar=True)

    # bagit-python's own command-line validator, in a separate process.
    run = subprocess.run([sys.executable, "-m", "bagit", "--validate", str(bag)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    loaded = bagit.Bag(str(bag))
    assert loaded.validate(processes=1)

    profile = bagit_profile.Profile(profile_identifier(), profile=load_profile())
    assert profile.validate(loaded), [str(e) for e in profile.report.errors]
    assert profile.validate_serialization(str(bag) + ".tar")


def test_profile_document_is_a_bagit_profile():
    document = json.loads(profile_path().read_text(encoding="utf-8"))
    info = document["BagIt-Profile-Info"]
    assert info["BagIt-Profile-Version"] == "1.4.0"
    assert document["Accept-BagIt-Version"] == ["1.0"]
    assert document["Allow-Fetch.txt"] is False
    assert {"sha256", "sha512"} <= set(document["Manifests-Required"])


def test_bag_info_order_config_and_repeated_info(collection: Path, tmp_path: Path, invoke):
    config = tmp_path / "archiver.toml"
    config.write_text(
        '[bag-info]\n'
        'Contact-Email = ["a@example.org", "b@example.org"]\n'
        'Source-Organization = "Config Org"\n'
        'Contact-Name = "Config Person"\n', encoding="utf-8")
    bag = tmp_path / "bag"
    result = invoke("package", collection, "--bag", bag, "--config", config,
                    "--info", "Contact-Name=Given Person", "--info", "Zeta-Note=first",
                    "--info", "External-Identifier=ark:/12345/x", "--info", "Zeta-Note=second")
    assert result.exit_code == 0, result.output
    labels = [label for label, _ in read_bag_info(bag)]
    assert labels == [
        "Source-Organization", "Contact-Name", "Contact-Email", "Contact-Email",
        "External-Identifier", "Bagging-Date", "Bag-Size", "Payload-Oxum", "Bag-Software-Agent",
        "BagIt-Profile-Identifier", "Zeta-Note", "Zeta-Note",
    ]
    info = read_bag_info(bag)
    assert ("Contact-Name", "Given Person") in info and ("Contact-Name", "Config Person") not in info
    assert [v for k, v in info if k == "Zeta-Note"] == ["first", "second"]
    assert dict(info)["BagIt-Profile-Identifier"] == profile_identifier()


def test_config_from_environment(collection: Path, tmp_path: Path, monkeypatch):
    config = tmp_path / "env.toml"
    config.write_text('[bag-info]\nSource-Organization = "From Env"\n', encoding="utf-8")
    monkeypatch.setenv("ARCHIVER_CONFIG", str(config))
    bag = package(collection, tmp_path / "bag")
    assert ("Source-Organization", "From Env") in read_bag_info(bag)


def test_link_mode_hard_links_and_leaves_collection_untouched(collection: Path, tmp_path: Path, invoke):
    before = snapshot(collection)
    bag = tmp_path / "bag"
    result = invoke("package", collection, "--bag", bag, "--link")
    assert result.exit_code == 0, result.output
    warc = collection / "warc" / "capture-00000.warc.gz"
    assert (bag / "data/warc/capture-00000.warc.gz").stat().st_ino == warc.stat().st_ino
    assert {k: v[2] for k, v in snapshot(collection).items()} == {k: v[2] for k, v in before.items()}
    assert invoke("validate", bag).exit_code == 0


def test_existing_target_is_never_overwritten(collection: Path, tmp_path: Path, invoke):
    bag = tmp_path / "bag"
    bag.mkdir()
    (bag / "keep.txt").write_text("precious", encoding="utf-8")
    result = invoke("package", collection, "--bag", bag)
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (bag / "keep.txt").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in bag.iterdir()) == ["keep.txt"]


def test_failure_leaves_nothing_behind(collection: Path, tmp_path: Path, monkeypatch):
    from archiver.bag import writer

    calls = 0
    real = writer._copy_and_hash

    def flaky(source, target, algorithms):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        return real(source, target, algorithms)

    monkeypatch.setattr(writer, "_copy_and_hash", flaky)
    with pytest.raises(Exception, match="No space left"):
        package(collection, tmp_path / "bag", workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collection"]


@pytest.mark.parametrize("args, message", [
    (["--info", "Payload-Oxum=1.1"], "computed by archiver"),
    (["--info", "no-equals-sign"], "expected Label=value"),
    (["--algorithm", "crc32"], "unknown checksum algorithm"),
])
def test_bad_options_are_one_line_errors(collection: Path, tmp_path: Path, invoke, args, message):
    result = invoke("package", collection, "--bag", tmp_path / "bag", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "bag").exists()


def test_not_a_collection(tmp_path: Path, invoke):
    result = invoke("package", tmp_path / "nowhere", "--bag", tmp_path / "bag")
    assert result.exit_code == 2 and "not a collection directory" in result.output
    empty = tmp_path / "empty"
    (empty / "warc").mkdir(parents=True)
    result = invoke("package", empty, "--bag", tmp_path / "bag")
    assert result.exit_code == 2 and "holds no closed WARC" in result.output


def test_bag_inside_the_collection_is_refused(collection: Path, invoke):
    result = invoke("package", collection, "--bag", collection / "logs" / "bag")
    assert result.exit_code == 2 and "inside the collection" in result.output


def test_chosen_algorithms(collection: Path, tmp_path: Path, invoke):
    bag = tmp_path / "bag"
    result = invoke("package", collection, "--bag", bag, "--algorithm", "sha512", "--algorithm", "md5")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in bag.glob("*manifest-*")) == [
        "manifest-md5.txt", "manifest-sha512.txt", "tagmanifest-md5.txt", "tagmanifest-sha512.txt"]
    report = validate(bag)
    # Structurally valid; the profile requires sha256, so the profile check names what is missing.
    assert {p.code for p in report.errors} == {"E-PROFILE-MANIFEST", "E-PROFILE-TAGMANIFEST"}


def test_zero_byte_payload(tmp_path: Path, invoke):
    root = tmp_path / "zero"
    (root / "warc").mkdir(parents=True)
    (root / "warc" / "empty.warc.gz").write_bytes(b"")
    (root / "logs").mkdir()
    (root / "logs" / "empty.log").write_bytes(b"")
    bag = tmp_path / "bag"
    assert invoke("package", root, "--bag", bag).exit_code == 0
    assert dict(read_bag_info(bag))["Payload-Oxum"] == "0.2"
    result = invoke("validate", bag)
    assert result.exit_code == 0, result.output
    assert bagit.Bag(str(bag)).validate()


def test_tar_has_one_top_level_directory_and_validates(collection: Path, tmp_path: Path, invoke):
    bag = tmp_path / "bag"
    result = invoke("package", collection, "--bag", bag, "--tar")
    assert result.exit_code == 0, result.output
    tar_path = tmp_path / "bag.tar"
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
    assert {m.name.split("/")[0] for m in members} == {"bag"}
    assert all(m.isfile() or m.isdir() for m in members)
    result = invoke("validate", tar_path)
    assert result.exit_code == 0, result.output


def test_percent_in_names_is_encoded(collection: Path, tmp_path: Path):
    bag = package(collection, tmp_path / "bag")
    raw = (bag / "manifest-sha256.txt").read_text(encoding="utf-8")
    # RFC 8493 §2.1.3: "%" -> %25, LF -> %0A, CR -> %0D; nothing else.
    assert "data/metadata/100%2525 literal %250A.txt\n" in raw
    assert "data/metadata/line%0Abreak.txt\n" in raw
    assert "data/metadata/carriage%0Dreturn.txt\n" in raw
    assert "data/logs/~tilde and ..dots\n" in raw
    assert validate(bag).valid


def test_names_differing_only_in_normalisation_are_refused(tmp_path: Path, invoke):
    collection = make_collection(tmp_path / "c", {
        "logs/" + unicodedata.normalize("NFC", "Núñez.txt"): b"1",
        "logs/" + unicodedata.normalize("NFD", "Núñez.txt"): b"2",
    })
    result = invoke("package", collection, "--bag", tmp_path / "bag")
    assert result.exit_code == 2
    assert "differ only in Unicode normalisation" in result.output
    assert not (tmp_path / "bag").exists()
