"""Review: `extract --html` refuses a --url that is not an absolute http(s) URL as unusable input."""

from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "samples" / "site" / "news" / "lavrov-nato.html"


@pytest.mark.parametrize("url", ["not a url", "ftp://belarus-news.test/news/x.html", "javascript:alert(1)",
                                 "/news/lavrov-nato.html"])
def test_html_with_a_url_that_is_not_http_is_unusable_input(invoke, url):
    result = invoke("extract", "--html", PAGE, "--url", url)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"archiver: error: --url {url!r} is not an absolute http(s) URL"]


def test_html_with_an_http_url_still_works(invoke):
    result = invoke("extract", "--html", PAGE, "--url", "http://belarus-news.test/news/lavrov-nato.html",
                    "--capture-time", "2024-11-05T09:30:00Z")
    assert result.exit_code == 0, result.output


def test_a_truncated_warc_is_reported_and_no_document_is_removed(invoke, tmp_path):
    from catalogue_support import capture_sample_site

    collection = capture_sample_site(tmp_path / "coll")
    documents = sorted(p.name for p in (collection / "metadata" / "articles").iterdir())
    [warc] = list((collection / "warc").glob("*.warc.gz"))
    warc.write_bytes(warc.read_bytes()[: warc.stat().st_size // 3])  # a copy cut short
    result = invoke("extract", collection)
    assert result.exit_code == 2, result.output
    assert "damaged or truncated WARC" in result.output
    assert sorted(p.name for p in (collection / "metadata" / "articles").iterdir()) == documents
