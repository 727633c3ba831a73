"""Review: `validate` and `audit` agree about a payload entry that is not a regular file."""

import os

import pytest
from bag_support import make_collection


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_validate_reports_a_fifo_in_the_payload(invoke, tmp_path):
    collection = make_collection(tmp_path / "coll")
    bag = tmp_path / "bag"
    assert invoke("package", collection, "--bag", bag).exit_code == 0
    os.mkfifo(bag / "data" / "logs-pipe")
    result = invoke("validate", bag)
    assert result.exit_code == 1, result.output
    assert "E-PAYLOAD-UNLISTED data/logs-pipe: not a regular file" in result.output
    audit = invoke("audit", bag, "--log", tmp_path / "audit-log")
    assert audit.exit_code == 1
    assert "data/logs-pipe" in audit.output
