"""Helpers shared by the CLI modules: exit with a code after a command has printed its result."""

from __future__ import annotations

import sys

import click

from archiver.errors import ArchiverError


def exit_with(code: int) -> None:
    """End the command with *code* (used when a command finished but found problems)."""
    ctx = click.get_current_context()
    ctx.exit(code)


def fail(message: str, code: int = 2) -> None:
    """Raise an error that the entry point prints as one line."""
    err = ArchiverError(message)
    err.exit_code = code
    raise err


def is_terminal() -> bool:
    return sys.stderr.isatty()
