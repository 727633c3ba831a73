"""The `archiver` command line: a thin click layer over the library.

Each subcommand lives in its own module under archiver/cli/ and is imported only when used,
so `archiver --help` is fast and one command's dependencies never slow another.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from archiver import __version__
from archiver.errors import EXIT_USAGE, ArchiverError

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader went away

# name -> (module:attribute, one-line help shown by `archiver --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "capture": ("archiver.cli.capture:capture", "Capture pages into WARC files in a collection."),
    "extract": ("archiver.cli.extract:extract", "Rebuild article metadata JSON from a collection's WARCs."),
    "catalogue": ("archiver.cli.catalogue:catalogue", "Build, compact and merge Parquet catalogues."),
    "query": ("archiver.cli.catalogue:query", "Run SQL over catalogues (needs the 'query' extra)."),
    "record": ("archiver.cli.catalogue:record", "Extract a catalogued record's original HTTP response."),
    "package": ("archiver.cli.package:package", "Seal a collection into a new BagIt bag."),
    "validate": ("archiver.cli.validate:validate", "Validate a bag, or a JSON document against its schema."),
    "audit": ("archiver.cli.audit:audit", "Verify the fixity of bags and keep the audit history."),
    "demo": ("archiver.cli.demo:demo", "Run the whole pipeline on the bundled sample site."),
}


def _usage_context(exc: click.UsageError) -> str:
    """'archiver catalogue merge: ' for an error in a subcommand's arguments, else ''."""
    if exc.ctx is None or exc.ctx.parent is None:
        return ""
    return f"{exc.ctx.command_path}: "


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context):
        """Turn expected errors into one line on stderr and the contract's exit code."""
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # Bad arguments are unusable input too: one line, exit 2, like every other error.
            click.echo(f"archiver: error: {_usage_context(exc)}{exc.format_message()}", err=True)
            raise click.exceptions.Exit(EXIT_USAGE) from None
        except ArchiverError as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            click.echo(f"archiver: error: {exc}", err=True)
            raise click.exceptions.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # The reader went away (`archiver query ... | head`): stop quietly, as Unix tools do.
            # Point stdout at /dev/null so that the interpreter's final flush cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
        except OSError as exc:
            if (ctx.obj or {}).get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"archiver: error: {where}{exc.strerror or exc}", err=True)
            raise click.exceptions.Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            click.echo("archiver: interrupted", err=True)
            raise click.exceptions.Exit(130) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, helptext) for name, (_, helptext) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiver")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Capture news articles into WARC, describe them, seal them in BagIt bags, audit fixity.

    \b
    Example:
      archiver demo --out archiver-demo
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="archiver")
