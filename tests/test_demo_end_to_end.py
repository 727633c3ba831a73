"""The walking skeleton, end to end: `archiver demo` through the CLI, then every output is
checked with the reference library for its format (bagit, warcio, jsonschema, pyarrow),
independently of archiver's own readers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import bagit
import jsonschema
import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.sampleserver import bundled_site

REPO = Path(__file__).resolve().parents[1]


def _site_articles(site: Path) -> set[str]:
    """Article pages of the sample site: every page under news/ (the site's article section)."""
    return {p.relative_to(site).as_posix() for p in (site / "news").rglob("*.html")}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    from click.testing import CliRunner

    from archiver.cli import cli

    out = tmp_path_factory.mktemp("demo") / "out"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)], catch_exceptions=False)
    return out, result


def test_demo_exits_0_and_prints_a_summary(demo_run):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    for word in ("captured", "described", "catalogued", "sealed", "audited", "verified"):
        assert word in result.output
    assert str(out / "bag") in result.output


def test_bag_passes_bagit_python_validation(demo_run):
    out, _ = demo_run
    bag = bagit.Bag(str(out / "bag"))
    bag.validate()  # raises BagValidationError on any problem
    assert set(bag.algorithms) >= {"sha256", "sha512"}
    payload = set(bag.payload_files())
    assert any(p.startswith("data/warc/") and p.endswith(".warc.gz") for p in payload)
    assert any(p.startswith("data/metadata/articles/") for p in payload)
    assert any(p.startswith("data/catalogue/records/") for p in payload)
    assert any(p.startswith("data/catalogue/articles/") for p in payload)


def _responses(bag: Path) -> dict[str, int]:
    statuses = {}
    warcs = sorted((bag / "data" / "warc").glob("*.warc.gz"))
    assert warcs, "no WARC in the bag"
    for warc in warcs:
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests=True):
                if record.rec_type == "response":
                    statuses[record.rec_headers.get_header("WARC-Target-URI")] = (
                        record.http_headers.get_statuscode())
                record.content_stream().read()
    return statuses


def test_every_article_page_image_and_stylesheet_is_in_the_warcs(demo_run):
    out, _ = demo_run
    statuses = _responses(out / "bag")
    paths = {re.sub(r"^https?://[^/]+/", "", url): code for url, code in statuses.items()}
    site = bundled_site()
    for article in _site_articles(site):
        assert paths.get(article) == "200", f"{article} not captured"
    assert any(p.endswith(".css") for p in paths), "no stylesheet captured"
    assert any(p.endswith((".png", ".jpg", ".jpeg")) for p in paths), "no image captured"
    assert "404" in paths.values(), "the broken link's 404 was not recorded"
    assert any(code.startswith("30") for code in paths.values()), "the redirect was not recorded"


def test_every_metadata_document_validates_and_each_article_has_one(demo_run):
    out, _ = demo_run
    schema = json.loads((REPO / "schemas" / "article.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    docs = sorted((out / "bag" / "data" / "metadata" / "articles").glob("*.json"))
    articles = _site_articles(bundled_site())
    assert len(docs) == len(articles)
    for doc_path in docs:
        validator.validate(json.loads(doc_path.read_text(encoding="utf-8")))


def test_catalogues_load_with_pyarrow_and_match_the_warcs(demo_run):
    out, _ = demo_run
    data = out / "bag" / "data"
    records = pq.read_table(data / "catalogue" / "records")
    articles = pq.read_table(data / "catalogue" / "articles")
    assert articles.num_rows == len(_site_articles(bundled_site()))
    responses = _responses(out / "bag")
    urls = set(records.column("url").to_pylist())
    assert set(responses) <= urls


@pytest.mark.parametrize("victim", ["warc", "metadata", "catalogue"])
def test_deleting_any_stage_output_fails_the_audit(demo_run, tmp_path, invoke, victim):
    out, _ = demo_run
    bag = tmp_path / "bag"
    shutil.copytree(out / "bag", bag)
    target = next(p for p in sorted((bag / "data" / victim).rglob("*")) if p.is_file())
    target.unlink()
    result = invoke("audit", bag, "--log", tmp_path / "log")
    assert result.exit_code == 1, result.output
    assert target.name in result.output
    result = invoke("validate", bag)
    assert result.exit_code == 1, result.output


def test_demo_refuses_to_overwrite_a_previous_run(demo_run, invoke):
    out, _ = demo_run
    result = invoke("demo", "--out", out)
    assert result.exit_code == 2
    assert "already exists" in result.output
