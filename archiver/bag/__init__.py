"""BagIt bags (RFC 8493): read, write (package) and validate them.

    from archiver.bag import package, validate, read_manifest
"""

from archiver.bag.codes import CODES, Problem
from archiver.bag.reader import (
    BAG_INFO,
    DECLARATION,
    BagError,
    Declaration,
    ManifestEntry,
    decode_path,
    encode_path,
    info_values,
    list_manifests,
    list_tag_manifests,
    normalize_name,
    read_bag_info,
    read_declaration,
    read_manifest,
    unsafe_reason,
)
from archiver.bag.validator import ValidationReport, validate

__all__ = [
    "BAG_INFO", "CODES", "DECLARATION", "BagError", "Declaration", "ManifestEntry", "Problem",
    "ValidationReport", "decode_path", "encode_path", "info_values", "list_manifests",
    "list_tag_manifests", "normalize_name", "read_bag_info", "read_declaration", "read_manifest",
    "unsafe_reason", "validate",
]

from archiver.bag.writer import package  # noqa: E402

__all__ += ["package"]
