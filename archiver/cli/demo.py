"""`archiver demo`: the whole pipeline on the bundled sample site."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.cli._common import exit_with


@click.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("archiver-demo"), show_default=True,
              help="Folder for the collection, the bag and the audit log.")
@click.option("--site", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Serve this folder instead of the bundled sample site.")
def demo(out: Path, site: Path | None) -> None:
    """Run the whole pipeline on the bundled sample news site, offline.

    Serves samples/site/ on 127.0.0.1, captures it into WARC files, extracts each
    article's metadata into schema-validated JSON, writes Parquet catalogues, seals
    everything into a BagIt bag and audits the bag's fixity.

    \b
    Example:
      archiver demo --out archiver-demo
    """
    from archiver.demo import run_demo

    summary = run_demo(out, site=site, say=click.echo)
    if summary.ok:
        click.echo(f"done: {summary.out}")
    else:
        click.echo(f"done with problems: {summary.out}", err=True)
        exit_with(1)
