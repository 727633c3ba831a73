"""The Library of Congress BagIt conformance suite, scored against CASES.tsv's expect_on_linux.

valid: exit 0. valid+warning: exit 0 with at least one warning printed. invalid: exit 1.
skip: not scored (the case's file is absent upstream). All 59 scored cases must match.
"""

from __future__ import annotations

import csv

import pytest
from bag_support import conformance_suite

from archiver.bag import validate

SUITE = conformance_suite()
pytestmark = pytest.mark.skipif(
    SUITE is None, reason="BagIt conformance suite not found (set ARCHIVER_SHARED, or put shared/ "
                          "beside the checkout)")


def _cases():
    if SUITE is None:
        return []
    with (SUITE / "CASES.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [pytest.param(r, id=f"{r['version']}/{r['category']}/{r['case']}") for r in rows]


CASES = _cases()


def test_suite_has_59_scored_cases():
    scored = [c for c in CASES if c.values[0]["expect_on_linux"] != "skip"]
    assert len(scored) == 59


@pytest.mark.parametrize("case", CASES)
def test_case_matches_expectation_library(case):
    expect = case["expect_on_linux"]
    if expect == "skip":
        pytest.skip(case["note"] or "not scored")
    report = validate(SUITE / case["version"] / case["category"] / case["case"])
    if expect == "invalid":
        assert not report.valid, "expected invalid, validator found no error"
    else:
        assert report.valid, [str(p) for p in report.errors]
        if expect == "valid+warning":
            assert report.warnings


@pytest.mark.parametrize("case", [c for c in CASES if c.values[0]["expect_on_linux"] != "skip"])
def test_case_matches_expectation_cli(case, invoke):
    expect = case["expect_on_linux"]
    result = invoke("validate", SUITE / case["version"] / case["category"] / case["case"])
    assert result.exit_code == (1 if expect == "invalid" else 0), result.output
    if expect == "valid+warning":
        assert "warning" in result.output
