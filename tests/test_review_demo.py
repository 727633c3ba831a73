"""Review: `demo --site` without an index.html is unusable input, and nothing is written."""


def test_demo_site_without_index_html_is_refused(invoke, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "about.html").write_text("<html><body>no index here</body></html>")
    out = tmp_path / "out"
    result = invoke("demo", "--out", out, "--site", site)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"archiver: error: {site}: no index.html (the demo captures the site from its index.html)"]
    assert not out.exists()
