"""Scheduling: budget rotation across runs, incomplete events, sampling, durations and sizes."""

from __future__ import annotations

import json
import math

import pytest
from audit_support import COLLECTION_FILES, flip_bit, make_store

from archiver.audit import audit_paths, read_events
from archiver.audit.schedule import Budget, parse_duration, parse_size, sample_size
from archiver.errors import ArchiverError

BAG_BYTES = sum(COLLECTION_FILES.values())
NAMES = ["b1", "b2", "b3", "b4", "b5", "b6"]


def _audited(result) -> list[str]:
    return [b["bag"].rsplit("/", 1)[-1] for b in json.loads(result.output)["bags"]]


def test_three_budgeted_runs_cover_the_store_least_recently_verified_first(tmp_path, invoke):
    make_store(tmp_path, NAMES)
    store, log = tmp_path / "store", tmp_path / "log"
    args = ("audit", store, "--log", log, "--max-bytes", str(2 * BAG_BYTES), "--json")

    runs = [invoke(*args) for _ in range(3)]
    assert [r.exit_code for r in runs] == [0, 0, 0]
    assert [_audited(r) for r in runs] == [["b1", "b2"], ["b3", "b4"], ["b5", "b6"]]
    assert json.loads(runs[0].output)["stopped_by"] == "max-bytes"
    assert json.loads(runs[0].output)["not_audited"][0].endswith("b3")

    # b3 is audited on its own: it is now the most recently verified, so it goes last.
    assert invoke("audit", store / "b3", "--log", log).exit_code == 0
    fourth = invoke(*args)
    assert _audited(fourth) == ["b1", "b2"]
    fifth = invoke(*args)
    assert _audited(fifth) == ["b4", "b5"]
    sixth = invoke(*args)
    assert _audited(sixth) == ["b6", "b3"]
    outcomes = [b["outcome"] for r in (fourth, fifth, sixth) for b in json.loads(r.output)["bags"]]
    assert outcomes == ["verified"] * 6


def test_a_bag_cut_short_is_incomplete_never_verified(tmp_path, invoke):
    make_store(tmp_path, ["big"])
    log = tmp_path / "log"
    result = invoke("audit", tmp_path / "store", "--log", log, "--max-bytes", "100000", "--json")
    assert result.exit_code == 0   # nothing failed; the bag leads the next run
    bag = json.loads(result.output)["bags"][0]
    assert bag["outcome"] == "incomplete" and bag["stopped_by"] == "max-bytes"
    assert 0 < bag["files_checked"] < len(COLLECTION_FILES)
    events = read_events(log)
    assert events["outcome"].to_pylist() == ["incomplete"]
    event = json.loads(events["event"][0].as_py())
    assert event["eventOutcomeInformation"]["eventOutcomeDetail"]["stoppedBy"] == "max-bytes"
    history = json.loads(invoke("audit", "history", tmp_path / "store", "--log", log, "--json").output)
    assert history["bags"][0]["last_verified"] is None


def test_damage_found_before_the_budget_runs_out_is_a_failure(tmp_path):
    bags = make_store(tmp_path, ["bag"])
    flip_bit(bags["bag"] / "data/catalogue/articles/part-0.parquet", 10)
    # files are hashed in path order: catalogue/ first, so the damage is seen before the cut
    run = audit_paths([tmp_path / "store"], log=tmp_path / "log", max_bytes=10_000, workers=1)
    assert run.bags[0].stopped_by == "max-bytes"
    assert run.bags[0].outcome == "failed"
    assert run.exit_code == 1


def test_time_budget_stops_between_files(tmp_path):
    make_store(tmp_path, ["b1", "b2"])
    ticks = iter(range(0, 1000, 10))
    budget = Budget(seconds=25, clock=lambda: next(ticks))
    assert budget.take(1) and budget.take(1)
    assert not budget.take(1) and budget.spent_by == "budget"
    run = audit_paths([tmp_path / "store"], log=tmp_path / "log", budget=1e-9)
    assert run.bags == [] and run.stopped_by == "budget" and len(run.not_audited) == 2
    assert read_events(tmp_path / "log").num_rows == 0


def test_sample_n_and_sqrt(tmp_path, invoke):
    make_store(tmp_path, ["bag"])
    log = tmp_path / "log"
    two = json.loads(invoke("audit", tmp_path / "store", "--log", log, "--sample", "2", "--seed", "7",
                            "--json").output)["bags"][0]
    assert two["scope"] == "sampled" and two["files_checked"] == 2
    assert two["sample"]["files"] == 2 and two["sample"]["requested"] == 2
    sqrt = json.loads(invoke("audit", tmp_path / "store", "--log", log, "--sample", "sqrt",
                             "--json").output)["bags"][0]
    assert sqrt["files_checked"] == math.ceil(math.sqrt(len(COLLECTION_FILES)))
    assert sqrt["sample"]["requested"] == "sqrt"
    scopes = read_events(log)["scope"].to_pylist()
    assert scopes == ["sampled", "sampled"]
    # the same seed checks the same files
    again = json.loads(invoke("audit", tmp_path / "store", "--log", log, "--sample", "2", "--seed", "7",
                              "--json").output)["bags"][0]
    assert again["sample"] == two["sample"]


def test_a_sampled_audit_still_checks_completeness(tmp_path):
    bags = make_store(tmp_path, ["bag"])
    (bags["bag"] / "data/logs/capture.log").unlink()
    run = audit_paths([bags["bag"]], log=tmp_path / "log", sample=1, seed=1)
    assert run.bags[0].outcome == "failed"
    assert ("missing", "data/logs/capture.log") in {(f.kind, f.file) for f in run.bags[0].findings}


def test_sample_finds_damage_when_it_samples_the_damaged_file(tmp_path):
    bags = make_store(tmp_path, ["bag"])
    flip_bit(bags["bag"] / "data/logs/capture.log", 5)
    run = audit_paths([bags["bag"]], log=tmp_path / "log", sample=len(COLLECTION_FILES), seed=3)
    assert run.bags[0].outcome == "failed"


@pytest.mark.parametrize("text,seconds", [("90", 90), ("90s", 90), ("30m", 1800), ("2h", 7200),
                                          ("1h30m", 5400), ("1d", 86400)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text,nbytes", [("5000", 5000), ("500M", 500_000_000), ("2G", 2_000_000_000),
                                         ("1GiB", 1 << 30), ("4kib", 4096)])
def test_parse_size(text, nbytes):
    assert parse_size(text) == nbytes


@pytest.mark.parametrize("bad", ["", "soon", "1x", "0", "-5m", "nan", "inf", "1" + "0" * 20 + "h"])
def test_bad_budget_is_a_usage_error(tmp_path, invoke, bad):
    make_store(tmp_path, ["bag"])
    result = invoke("audit", tmp_path / "store", "--log", tmp_path / "log", "--budget", bad)
    assert result.exit_code == 2
    assert "bad duration" in result.output
    assert not (tmp_path / "log").exists()


def test_bad_sample_is_a_usage_error(tmp_path, invoke):
    make_store(tmp_path, ["bag"])
    result = invoke("audit", tmp_path / "store", "--log", tmp_path / "log", "--sample", "some")
    assert result.exit_code == 2 and "bad --sample" in result.output


def test_sample_size_rules():
    assert sample_size(1_000_000, "sqrt") == 1000
    assert sample_size(10, 50) == 10
    with pytest.raises(ArchiverError):
        sample_size(10, 0)


def test_a_renamed_file_is_moved_even_when_the_budget_cuts_the_bag(tmp_path):
    bags = make_store(tmp_path, ["bag"])
    doc = bags["bag"] / "data/metadata/articles/article one.json"
    doc.rename(doc.with_name("renamed.json"))
    run = audit_paths([bags["bag"]], log=tmp_path / "log", max_bytes=10_000, workers=1)
    audit = run.bags[0]
    assert audit.stopped_by == "max-bytes"
    assert [(f.kind, f.file, f.to) for f in audit.findings] == [
        ("moved", "data/metadata/articles/article one.json", "data/metadata/articles/renamed.json")]


def test_history_marks_a_sampled_last_audit(tmp_path, invoke):
    make_store(tmp_path, ["bag"])
    log = tmp_path / "log"
    invoke("audit", tmp_path / "store", "--log", log, "--sample", "1")
    text = invoke("audit", "history", "--log", log).output
    assert "(sampled)" in text.splitlines()[0]
    data = json.loads(invoke("audit", "history", "--log", log, "--json").output)
    assert data["bags"][0]["last_scope"] == "sampled"
