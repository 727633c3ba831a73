"""The bag reader: bagit.txt, bag-info.txt in order, manifests with percent-decoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.bag import (
    BagError,
    list_manifests,
    list_tag_manifests,
    read_bag_info,
    read_declaration,
    read_manifest,
)
from archiver.bag.declaration import parse_declaration
from archiver.bag.paths import decode_path, encode_path, unsafe_reason


def make_bag(root: Path, bagit: bytes = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n") -> Path:
    root.mkdir()
    (root / "bagit.txt").write_bytes(bagit)
    (root / "data").mkdir()
    return root


def test_read_declaration(tmp_path: Path):
    bag = make_bag(tmp_path / "b", b"BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n")
    d = read_declaration(bag)
    assert (d.version, d.encoding) == ("1.0", "UTF-8")


@pytest.mark.parametrize("raw, code", [
    (b"\xef\xbb\xbfBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", "E-DECL-BOM"),
    (b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n", "E-DECL-FORMAT"),
    (b"BagIt-Version: 1.0\n", "E-DECL-FORMAT"),
    (b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: x\n", "E-DECL-FORMAT"),
    (b"BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n", "E-DECL-VERSION"),
    (b"BagIt-Version: 1.0\nTag-File-Character-Encoding: NOPE-9\n", "E-TAG-ENCODING"),
])
def test_bad_declarations(raw: bytes, code: str):
    declaration, problems = parse_declaration(raw)
    assert declaration is None
    assert code in [p.code for p in problems]


def test_missing_declaration_is_a_bag_error(tmp_path: Path):
    with pytest.raises(BagError, match="E-DECL-MISSING"):
        read_declaration(tmp_path)


def test_bag_info_keeps_order_and_repeats(tmp_path: Path):
    bag = make_bag(tmp_path / "b")
    (bag / "bag-info.txt").write_text(
        "Zeta: 1\nAlpha: two\n  continued\nZeta: 3\nPayload-Oxum: 5.1\n", encoding="utf-8")
    assert read_bag_info(bag) == [
        ("Zeta", "1"), ("Alpha", "two continued"), ("Zeta", "3"), ("Payload-Oxum", "5.1")]


def test_manifests_listed_and_decoded(tmp_path: Path):
    bag = make_bag(tmp_path / "b")
    (bag / "manifest-sha256.txt").write_text(
        "AB12  data/100%25 sure.txt\n"
        "cd34 data/line%0Abreak%0d.txt\n"
        "ef56\t./data/%7Eliteral\n", encoding="utf-8")
    (bag / "tagmanifest-sha512.txt").write_text("00 bagit.txt\n", encoding="utf-8")
    assert list_manifests(bag) == {"sha256": bag / "manifest-sha256.txt"}
    assert list_tag_manifests(bag) == {"sha512": bag / "tagmanifest-sha512.txt"}
    entries = list(read_manifest(bag / "manifest-sha256.txt"))
    assert [(e.line_no, e.path, e.digest) for e in entries] == [
        (1, "data/100% sure.txt", "ab12"),
        (2, "data/line\nbreak\r.txt", "cd34"),
        (3, "data/%7Eliteral", "ef56"),
    ]


@pytest.mark.parametrize("name", ["plain", "100%", "a\nb", "c\rd", "%0A", "spaced name", "Núñez"])
def test_percent_encoding_round_trips(name: str):
    assert decode_path(encode_path(f"data/{name}")) == f"data/{name}"
    assert "\n" not in encode_path(name) and "\r" not in encode_path(name)


@pytest.mark.parametrize("path", [
    "../x", "data/../../x", "/etc/passwd", "~/x", "~root/x", "C:\\Windows\\x", "c:/x",
    "\\\\?\\UNC\\server\\x", "//server/share", "%HomeDrive%\\Windows", "\\.\\./x", "data/a\x00b",
])
def test_unsafe_paths_rejected_everywhere(path: str):
    assert unsafe_reason(path) is not None


@pytest.mark.parametrize("path", ["data/x", "data/..hidden", "data/a~b", "data/%7Ex", "data/dir/.x"])
def test_safe_paths(path: str):
    assert unsafe_reason(path) is None
