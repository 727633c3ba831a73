"""Load archiver's JSON Schemas (2020-12) and validate documents against them.

Every JSON document archiver writes names its schema in a top-level "$schema" member holding
the schema's `$id` (for example "urn:archiver:schema:article:1.0.0"), so that
`archiver validate FILE.json` can check any of them without being told which schema applies.
Format keywords (date-time, uri, ...) are asserted, not just annotated.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from archiver.errors import ArchiverError

_PACKAGE_DIR = Path(__file__).resolve().parent


def schema_dir() -> Path:
    """Where the schemas live: bundled in the wheel, or the checkout's schemas/ folder."""
    for candidate in (_PACKAGE_DIR / "_data" / "schemas", _PACKAGE_DIR.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise ArchiverError("archiver's schemas/ folder is missing from this installation")


@functools.cache
def _schemas_by_id() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(schema_dir().glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            schema = json.load(fh)
        if isinstance(schema, dict) and "$id" in schema:
            found[schema["$id"]] = schema
            found[path.name] = schema
    return found


def load_schema(name_or_id: str) -> dict[str, Any]:
    """Return a schema by its `$id` or its file name in schemas/."""
    try:
        return _schemas_by_id()[name_or_id]
    except KeyError:
        raise ArchiverError(f"unknown schema {name_or_id!r}") from None


@functools.cache
def _validator(schema_id: str) -> Draft202012Validator:
    schema = load_schema(schema_id)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@dataclass(frozen=True)
class SchemaViolation:
    """One way a document breaks its schema: where (JSON pointer), which rule, and why."""

    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.rule}: {self.message}"


def _pointer(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def validate_document(document: Any, schema_id: str | None = None) -> list[SchemaViolation]:
    """Validate *document* against *schema_id* (default: the schema it names in "$schema")."""
    if schema_id is None:
        if not isinstance(document, dict) or not isinstance(document.get("$schema"), str):
            return [SchemaViolation("/$schema", "required", "document does not name its schema")]
        schema_id = document["$schema"]
    validator = _validator(schema_id)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [SchemaViolation(_pointer(e.absolute_path), str(e.validator), e.message) for e in errors]


def validate_file(path: Path) -> list[SchemaViolation]:
    """Validate a JSON file against the schema it names; unreadable JSON is an ArchiverError."""
    try:
        with Path(path).open(encoding="utf-8") as fh:
            document = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ArchiverError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise ArchiverError(f"{path}: not UTF-8 text") from None
    return validate_document(document)
