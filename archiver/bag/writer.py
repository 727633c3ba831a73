"""`package`: seal a collection into a new BagIt bag (RFC 8493), leaving the collection untouched.

The bag is built in a temporary directory beside the target and renamed into place only when
complete; an existing target is never overwritten. Each payload file is read once: the bytes
that are copied are the bytes that are hashed (or, with ``link=True``, the file is hard-linked
and then read once to hash it). Files are processed by a small thread pool.
"""

from __future__ import annotations

import ctypes
import datetime as _dt
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from archiver import SOFTWARE
from archiver.atomic import atomic_directory, fsync_dir
from archiver.bag.baginfo import BAG_INFO, format_bag_info, order_bag_info
from archiver.bag.config import load_bag_info_defaults, merge_bag_info
from archiver.bag.declaration import BAGIT_VERSION, DECLARATION, Declaration
from archiver.bag.manifest import manifest_line, write_manifest
from archiver.bag.paths import normalize_name
from archiver.bag.payload import PAYLOAD_DIR
from archiver.bag.profile import profile_identifier
from archiver.bag.tarbag import current_umask, write_tar
from archiver.collection import Collection
from archiver.errors import ArchiverError
from archiver.fixity import CHUNK_SIZE, MultiHasher, hash_file, map_bounded, normalize_algorithm

DEFAULT_ALGORITHMS = ("sha256", "sha512")
# bag-info labels archiver computes itself; a user value would contradict the bag.
COMPUTED_LABELS = ("Bagging-Date", "Bag-Size", "Payload-Oxum", "Bag-Software-Agent",
                   "BagIt-Profile-Identifier")


def human_size(octets: int) -> str:
    """Bag-Size in the RFC's human-readable style ("260 GB"), decimal units."""
    size = float(octets)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _payload_files(root: Path) -> Iterator[tuple[str, Path, int]]:
    """Yield (relative posix path, absolute path, size or -1 for a directory), refusing oddities."""
    stack = [(root, "")]
    while stack:
        directory, rel = stack.pop()
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        normalized: dict[str, str] = {}
        for entry in entries:
            twin = normalized.setdefault(normalize_name(entry.name), entry.name)
            if twin != entry.name:
                # Names are compared after Unicode normalisation (RFC 8493 §2.1.3): these two would
                # be one file on macOS and the bag could not be validated anywhere.
                raise ArchiverError(f"{directory}: {twin!r} and {entry.name!r} differ only in Unicode "
                                    "normalisation; rename one before packaging")
            relpath = f"{rel}{entry.name}"
            try:
                relpath.encode("utf-8")
            except UnicodeEncodeError:
                raise ArchiverError(f"{entry.path}: file name is not valid UTF-8; "
                                    "a manifest cannot name it (RFC 8493 §2.1.3)") from None
            if entry.is_symlink():
                raise ArchiverError(f"{entry.path}: symbolic links cannot be bagged; "
                                    "replace it with the file it points to")
            if entry.is_dir(follow_symlinks=False):
                yield relpath, Path(entry.path), -1
                stack.append((Path(entry.path), relpath + "/"))
            elif entry.is_file(follow_symlinks=False):
                if entry.name.endswith(".open"):
                    raise ArchiverError(f"{entry.path}: this WARC is still being written; "
                                        "finish the capture before packaging")
                yield relpath, Path(entry.path), entry.stat(follow_symlinks=False).st_size
            else:
                raise ArchiverError(f"{entry.path}: not a regular file or directory; cannot bag it")


def _copy_and_hash(source: Path, target: Path, algorithms: Sequence[str]) -> dict[str, str]:
    """Copy *source* to a new *target*, hashing the same bytes on the way.

    The copy is not fsynced here: one file-system sync before the bag is renamed into place
    (see _flush_file_system) costs a fraction of thousands of per-file fsyncs.
    """
    hasher = MultiHasher(algorithms)
    buf = bytearray(CHUNK_SIZE)
    view = memoryview(buf)
    with open(source, "rb", buffering=0) as src, open(target, "xb", buffering=0) as dst:
        while True:
            n = src.readinto(view)
            if not n:
                break
            chunk = view[:n]
            hasher.update(chunk)
            written = 0
            while written < n:
                written += dst.write(chunk[written:])
    shutil.copystat(source, target, follow_symlinks=False)
    return hasher.hexdigests()


def _link_and_hash(source: Path, target: Path, algorithms: Sequence[str]) -> dict[str, str]:
    """Hard-link *source* as *target* and hash it; copy instead where the file system cannot link."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:  # EXDEV (other file system), EPERM, EMLINK: copying is always possible
        return _copy_and_hash(source, target, algorithms)
    return hash_file(target, algorithms)


def _flush_file_system(directory: Path) -> None:
    """Make everything written under *directory* durable before the rename publishes the bag.

    syncfs(2) flushes only the file system holding the bag (Linux); elsewhere os.sync().
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(directory, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    os.sync()


def _write_tag_file(path: Path, text: str) -> None:
    with open(path, "x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _check_request(collection: Path, bag: Path, tar: bool) -> Path:
    """Refuse, before any work, what package() must not do; return the collection's real path."""
    opened = Collection.open(Path(collection))
    if not opened.warc_files():
        # archiver's profile (Payload-Files-Required: data/warc/*) makes an empty collection unbaggable.
        raise ArchiverError(f"{collection}: nothing to seal, {opened.warc_dir} holds no closed WARC file")
    source = opened.root.resolve()
    for existing in [bag] + ([bag.with_name(bag.name + ".tar")] if tar else []):
        if existing.exists() or existing.is_symlink():
            raise ArchiverError(f"{existing} already exists; refusing to overwrite it")
    target_parent = bag.parent.resolve() if bag.parent.exists() else bag.parent.absolute()
    if target_parent == source or source in target_parent.parents:
        raise ArchiverError(f"{bag}: the bag cannot be inside the collection it seals")
    return source


def _fill_payload(source: Path, payload_root: Path, algorithms: Sequence[str], link: bool,
                  workers: int) -> tuple[dict[str, dict[str, str]], int]:
    """Copy (or link) the collection into data/; return {bag path: digests} and the octet count."""
    payload_root.mkdir()
    files: list[tuple[str, Path, int]] = []
    for relpath, path, size in _payload_files(source):
        if size < 0:
            (payload_root / relpath).mkdir()
        else:
            files.append((relpath, path, size))

    def work(item: tuple[str, Path, int]) -> tuple[dict[str, str], int]:
        relpath, path, _ = item
        target = payload_root / relpath
        if link:
            digests = _link_and_hash(path, target, algorithms)
        else:
            digests = _copy_and_hash(path, target, algorithms)
        return digests, target.stat().st_size  # the size of what was bagged, for Payload-Oxum

    digests: dict[str, dict[str, str]] = {}
    octets = 0
    for (relpath, path, _), result in map_bounded(work, files, workers, weight=lambda f: f[2]):
        if isinstance(result, OSError):
            raise ArchiverError(f"{path}: cannot bag it ({result.strerror or result})")
        digests[f"{PAYLOAD_DIR}/{relpath}"], size = result
        octets += size
    return digests, octets


def _write_tag_files(bag: Path, algorithms: Sequence[str], digests: dict[str, dict[str, str]],
                     octets: int, user_info: list[tuple[str, str]]) -> None:
    """Manifests, bagit.txt, bag-info.txt, then tag manifests over all of them."""
    for algorithm in algorithms:
        with open(bag / f"manifest-{algorithm}.txt", "x", encoding="utf-8", newline="\n") as fh:
            write_manifest(fh, ((p, d[algorithm]) for p, d in digests.items()))
    _write_tag_file(bag / DECLARATION, Declaration(BAGIT_VERSION, "UTF-8").to_text())
    computed = [
        ("Bagging-Date", _dt.datetime.now(_dt.UTC).date().isoformat()),
        ("Bag-Size", human_size(octets)),
        ("Payload-Oxum", f"{octets}.{len(digests)}"),
        ("Bag-Software-Agent", SOFTWARE),
        ("BagIt-Profile-Identifier", profile_identifier()),
    ]
    _write_tag_file(bag / BAG_INFO, format_bag_info(order_bag_info(user_info + computed)))
    tag_files = [DECLARATION, BAG_INFO] + [f"manifest-{a}.txt" for a in algorithms]
    tag_digests = {name: hash_file(bag / name, algorithms) for name in tag_files}
    for algorithm in algorithms:
        text = "".join(manifest_line(tag_digests[name][algorithm], name) for name in sorted(tag_files))
        _write_tag_file(bag / f"tagmanifest-{algorithm}.txt", text)


def package(collection: Path, bag: Path, *, algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
            link: bool = False, info: Iterable[tuple[str, str]] = (), tar: bool = False,
            config: Path | None = None, workers: int = 2) -> Path:
    """Seal *collection* into a new bag at *bag*; return the bag directory's path.

    The payload (data/) is the collection tree. *info* elements are added to bag-info.txt after
    the organisation defaults from the config file (a label given in *info* replaces the default).
    With *tar*, ``<bag>.tar`` is also written (one top-level directory). Raises ArchiverError
    for unusable input; on any failure nothing is left at *bag*.
    """
    bag = Path(bag)
    algorithms = list(dict.fromkeys(normalize_algorithm(a) for a in algorithms))
    if not algorithms:
        raise ArchiverError("at least one checksum algorithm is needed")
    source = _check_request(collection, bag, tar)
    given = list(info)
    for label, _ in given:
        if label.lower() in {c.lower() for c in COMPUTED_LABELS}:
            raise ArchiverError(f"bag-info label {label!r} is computed by archiver; do not set it")
    user_info = merge_bag_info(load_bag_info_defaults(config), given)
    format_bag_info(user_info)  # reject bad labels before any work is done

    with atomic_directory(bag) as tmp:
        os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes 0700; a bag is shared like any folder
        payload_root = tmp / PAYLOAD_DIR
        digests, octets = _fill_payload(source, payload_root, algorithms, link, workers)
        _write_tag_files(tmp, algorithms, digests, octets, user_info)
        # Durable before atomic_directory renames the bag into place. Copies need a file-system
        # sync; hard links add only directory entries and the tag files to flush.
        if link:
            for path in [*tmp.glob("*.txt"), *(p for p in payload_root.rglob("*") if p.is_dir()),
                         payload_root, tmp]:
                fsync_dir(path)  # opens read-only and fsyncs: right for files and directories
        else:
            _flush_file_system(tmp)

    if tar:
        write_tar(bag, bag.with_name(bag.name + ".tar"))
    return bag
