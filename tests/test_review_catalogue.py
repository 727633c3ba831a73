"""Review: `catalogue merge` never writes into one of its sources (a collection or a sealed bag)."""

import pytest
from bag_support import snapshot
from catalogue_support import capture_sample_site


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    from click.testing import CliRunner

    from archiver.cli import cli

    root = tmp_path_factory.mktemp("review-catalogue")
    collection = capture_sample_site(root / "news")
    runner = CliRunner()
    assert runner.invoke(cli, ["catalogue", "build", str(collection)]).exit_code == 0
    assert runner.invoke(cli, ["package", str(collection), "--bag", str(root / "news-bag")]).exit_code == 0
    return collection, root / "news-bag"


@pytest.mark.parametrize("which, inside", [("collection", "dataset"), ("bag", "data/dataset"),
                                           ("bag", "dataset")])
def test_merge_out_inside_a_source_is_refused(invoke, sealed, which, inside):
    collection, bag = sealed
    source = collection if which == "collection" else bag
    before = snapshot(source)
    out = source / inside
    result = invoke("catalogue", "merge", source, "--out", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"archiver: error: {out}: the dataset cannot go inside its source {source}"]
    assert snapshot(source) == before
    assert invoke("validate", bag).exit_code == 0


@pytest.mark.parametrize("args", [
    ("extract", "{bag}/data"),
    ("catalogue", "build", "{bag}"),
    ("catalogue", "build", "{bag}/data"),
    ("catalogue", "compact", "{bag}/data"),
    ("catalogue", "build", "{collection}/warc/{warc}", "--out", "{bag}/data/index"),
    ("record", "{collection}", "0", "--out", "{bag}/data/record.http"),
    ("capture", "http://127.0.0.1:9/", "--collection", "{bag}"),
    ("capture", "http://127.0.0.1:9/", "--collection", "{bag}/data"),
])
def test_nothing_writes_into_a_sealed_bag(invoke, sealed, args):
    collection, bag = sealed
    warc = next((collection / "warc").glob("*.warc.gz")).name
    before = snapshot(bag)
    result = invoke(*[a.format(bag=bag, collection=collection, warc=warc) for a in args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archiver: error: "), lines
    assert "bags are sealed" in lines[0]
    assert snapshot(bag) == before
