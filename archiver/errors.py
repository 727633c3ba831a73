"""Errors that the CLI turns into one line on stderr and an exit code.

Exit codes are part of the command-line contract:
0 success; 1 the thing checked is invalid or failed (fixity, validation, a seed not captured);
2 bad usage or unusable input (not a bag, unreadable file, bad seed list, full disk).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class ArchiverError(Exception):
    """Unusable input or environment: the job could not be done at all (exit 2)."""

    exit_code = EXIT_USAGE


class InvalidError(ArchiverError):
    """The thing checked was looked at and found wanting (exit 1)."""

    exit_code = EXIT_INVALID
