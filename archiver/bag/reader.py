"""Read-only access to a bag's tag files: the functions fixity audits and the validator share."""

from __future__ import annotations

from archiver.bag.baginfo import BAG_INFO, info_values, read_bag_info
from archiver.bag.declaration import DECLARATION, BagError, Declaration, read_declaration
from archiver.bag.manifest import ManifestEntry, list_manifests, list_tag_manifests, read_manifest
from archiver.bag.paths import decode_path, encode_path, normalize_name, unsafe_reason

__all__ = [
    "BAG_INFO", "DECLARATION", "BagError", "Declaration", "ManifestEntry", "decode_path",
    "encode_path", "info_values", "list_manifests", "list_tag_manifests", "normalize_name",
    "read_bag_info", "read_declaration", "read_manifest", "unsafe_reason",
]
