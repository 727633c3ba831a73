"""Review: `catalogue merge` never writes into one of its sources (a collection or a sealed bag)."""

import pytest

from tests.bag_support import snapshot
from tests.catalogue_support import capture_sample_site


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
