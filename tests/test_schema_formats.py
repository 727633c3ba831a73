"""Format keywords are asserted: a wrong date-time, date, uri or uuid makes a document invalid.

jsonschema checks a format only when the library for it is installed; pyproject names them
(rfc3339-validator, rfc3986-validator), and this test fails if one goes missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import FormatChecker

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
PAGE = Path(__file__).resolve().parents[1] / "samples" / "site" / "news" / "lavrov-nato.html"


def test_every_format_our_schemas_use_has_a_checker():
    used = set()
    for schema in SCHEMAS.glob("*.json"):
        used |= set(re.findall(r'"format":\s*"([a-z-]+)"', schema.read_text(encoding="utf-8")))
    assert used >= {"date-time", "uri"}
    assert used <= set(FormatChecker().checkers), used - set(FormatChecker().checkers)


@pytest.mark.parametrize("field,value", [("date_published", "18 January 2024"),
                                         ("date_published", "2024-01-18T25:00:00+03:00"),
                                         ("canonical_url", "http://exa mple.org/ x")])
def test_validate_rejects_a_document_with_a_bad_format(invoke, tmp_path, field, value):
    result = invoke("extract", "--html", PAGE, "--url", "http://belarus-news.test/news/lavrov-nato.html",
                    "--capture-time", "2024-11-05T09:30:00Z")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    path = tmp_path / "article.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert invoke("validate", path).exit_code == 0
    assert field in document
    document[field] = value
    path.write_text(json.dumps(document), encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 1, result.output
