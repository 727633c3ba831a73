"""`archiver validate PATH`: a bag (directory or .tar) against RFC 8493 and its profile, or a JSON file."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.cli._common import exit_with
from archiver.errors import EXIT_INVALID


def _validate_json(path: Path, as_json: bool) -> None:
    import json

    from archiver.schemas import validate_file

    violations = validate_file(path)
    if as_json:
        click.echo(json.dumps({"file": str(path), "valid": not violations,
                               "problems": [vars(v) for v in violations]}, indent=2, ensure_ascii=False))
    else:
        for violation in violations:
            click.echo(f"error {path}: {violation}")
        click.echo(f"{path}: {'valid' if not violations else f'invalid ({len(violations)} problems)'}")
    if violations:
        exit_with(EXIT_INVALID)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Files hashed in parallel.")
@click.option("--no-content", is_flag=True,
              help="Skip the payload content checks (metadata JSON schemas, WARC readability).")
def validate(path: Path, as_json: bool, workers: int, no_content: bool) -> None:
    """Validate a bag (a directory or a serialized .tar bag) or a JSON document.

    A bag is checked against every MUST of RFC 8493 (declaration, manifests, tag manifests,
    Payload-Oxum, safe paths, every checksum), against archiver's BagIt profile when it names
    it, and its metadata JSON and WARC files are checked too. A .json file is validated against
    the schema named in its "$schema". Exit 0 valid (warnings allowed), 1 invalid, 2 not a bag.

    \b
    Example:
      archiver validate collection-bag
      archiver validate collection-bag.tar --json
      archiver validate collection/metadata/articles/0001.json
    """
    if path.is_file() and path.suffix.lower() == ".json":
        _validate_json(path, as_json)
        return
    from archiver.bag import validate as validate_bag

    report = validate_bag(path, workers=workers, content=not no_content)
    if as_json:
        click.echo(report.to_json())
    else:
        for found in report.problems:
            click.echo(str(found))
        verdict = "valid" if report.valid else "invalid"
        click.echo(f"{path}: {verdict} (BagIt {report.version or '?'}, "
                   f"{_count(report.files_verified, 'payload file')} / "
                   f"{_count(report.octets_verified, 'byte')} verified, "
                   f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')})")
    if not report.valid:
        exit_with(EXIT_INVALID)
