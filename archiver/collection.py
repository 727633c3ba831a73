"""The layout of a collection directory, which is also the payload layout of its bag.

    COLLECTION/
      warc/                 WARC files: *.warc.gz (closed), *.warc.gz.open (being written)
      metadata/articles/    one JSON document per article page (schemas/article.schema.json)
      catalogue/records/    Parquet part files, one row per WARC record
      catalogue/articles/   Parquet part files, one row per article document
      logs/                 capture logs (also stored in the WARCs as resource records)

A bag made from a collection holds exactly this tree under data/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archiver.errors import ArchiverError

WARC_DIR = "warc"
METADATA_DIR = "metadata"
ARTICLES_DIR = "metadata/articles"
CATALOGUE_DIR = "catalogue"
RECORDS_CATALOGUE_DIR = "catalogue/records"
ARTICLES_CATALOGUE_DIR = "catalogue/articles"
LOGS_DIR = "logs"

WARC_SUFFIXES = (".warc.gz", ".warc")


def refuse_if_sealed(path: Path) -> None:
    """Fail with one line when *path* is a bag or lies inside one (e.g. a bag's data/).

    Writing there would break the bag's manifests and Payload-Oxum (RFC 8493 §3): bags are
    sealed, so new captures, documents and catalogues go to the collection the bag came from.
    """
    resolved = Path(path).resolve()
    for folder in (resolved, *resolved.parents):
        if (folder / "bagit.txt").is_file():
            where = "is a bag" if folder == resolved else f"is inside the bag {folder}"
            raise ArchiverError(f"{path} {where}: bags are sealed; work on the collection it came from")


@dataclass(frozen=True)
class Collection:
    """A collection directory on disk."""

    root: Path

    @property
    def name(self) -> str:
        return self.root.resolve().name

    @property
    def warc_dir(self) -> Path:
        return self.root / WARC_DIR

    @property
    def articles_dir(self) -> Path:
        return self.root / ARTICLES_DIR

    @property
    def records_catalogue_dir(self) -> Path:
        return self.root / RECORDS_CATALOGUE_DIR

    @property
    def articles_catalogue_dir(self) -> Path:
        return self.root / ARTICLES_CATALOGUE_DIR

    @property
    def logs_dir(self) -> Path:
        return self.root / LOGS_DIR

    def create(self) -> Collection:
        """Make the directory tree (idempotent); never inside a bag."""
        refuse_if_sealed(self.root)
        try:
            for d in (self.warc_dir, self.articles_dir, self.records_catalogue_dir,
                      self.articles_catalogue_dir, self.logs_dir):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiverError(f"cannot create collection at {self.root}: {exc.strerror}") from exc
        return self

    def warc_files(self) -> list[Path]:
        """Closed WARC files (not the *.open ones being written), in name order."""
        if not self.warc_dir.is_dir():
            return []
        return sorted(p for p in self.warc_dir.iterdir()
                      if p.is_file() and p.name.endswith(WARC_SUFFIXES))

    @classmethod
    def open(cls, root: Path) -> Collection:
        """Open an existing collection, or fail with one clear line."""
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise ArchiverError(f"{root}: not a collection directory (it is a file)")
        if not root.is_dir():
            raise ArchiverError(f"{root}: not a collection directory (no such directory)")
        if not (root / WARC_DIR).is_dir():
            raise ArchiverError(f"{root}: not a collection directory (no {WARC_DIR}/ folder)")
        return cls(root)
