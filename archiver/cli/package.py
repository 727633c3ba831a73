"""`archiver package DIR --bag OUT`: seal a collection into a new BagIt bag."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("collection", type=click.Path(path_type=Path))
@click.option("--bag", "bag", required=True, metavar="OUT", type=click.Path(path_type=Path),
              help="Where to create the bag (must not exist).")
@click.option("--algorithm", "algorithms", multiple=True, metavar="ALG",
              help="Checksum algorithm for manifests and tag manifests (repeatable; "
                   "default sha256 and sha512).")
@click.option("--link", is_flag=True,
              help="Hard-link payload files instead of copying them (falls back to copying "
                   "across file systems). The bag then shares its files with the collection.")
@click.option("--info", "info", multiple=True, metavar="LABEL=VALUE",
              help="Add a bag-info.txt element (repeatable; replaces a config default with the same label).")
@click.option("--tar", "tar", is_flag=True, help="Also write OUT.tar, a serialized bag.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
              help="TOML file with [bag-info] organisation defaults "
                   "(default: $ARCHIVER_CONFIG or ~/.config/archiver/config.toml).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Files copied and hashed in parallel.")
def package(collection: Path, bag: Path, algorithms: tuple[str, ...], link: bool, info: tuple[str, ...],
            tar: bool, config: Path | None, workers: int) -> None:
    """Seal the collection COLLECTION into a new BagIt bag at OUT.

    The collection is copied (or hard-linked with --link) into OUT/data/ and never modified.
    The bag is built beside OUT and renamed into place when complete; an existing OUT is never
    overwritten. Bags conform to archiver's BagIt profile (schemas/bagit-profile.json).

    \b
    Example:
      archiver package my-collection --bag my-collection-bag \\
          --info "Source-Organization=Example News Archive" --tar
    """
    from archiver.bag.config import parse_info_option
    from archiver.bag.writer import DEFAULT_ALGORITHMS
    from archiver.bag.writer import package as make_package

    made = make_package(collection, bag, algorithms=algorithms or DEFAULT_ALGORITHMS, link=link,
                        info=[parse_info_option(i) for i in info], tar=tar, config=config,
                        workers=workers)
    click.echo(f"bag written: {made}")
    if tar:
        click.echo(f"serialized bag written: {made.with_name(made.name + '.tar')}")
