"""`archiver capture` through the real click group (the interface archivists use)."""

from __future__ import annotations

import json

import pytest
from capture_support import assert_warcio_accepts, records, serve


def test_help_has_an_example(invoke):
    result = invoke("capture", "--help")
    assert result.exit_code == 0
    assert "Example:\n  archiver capture https://" in result.output.replace("\n    ", "\n  ")


def test_capture_prints_a_summary_and_exits_0(tmp_path, invoke):
    with serve() as (base, _):
        result = invoke("capture", base + "/", "--collection", tmp_path, "--depth", "1", "--delay", "0")
    assert result.exit_code == 0, result.output
    assert "captured 5 pages and 10 requisites (2 redirects, " in result.output
    warcs = list((tmp_path / "warc").glob("*.warc.gz"))
    assert len(warcs) == 1 and str(warcs[0]) in result.output
    assert_warcio_accepts(warcs)


def test_json_summary(tmp_path, invoke):
    with serve() as (base, _):
        result = invoke("capture", base + "/news/one.html", "--collection", tmp_path, "--delay", "0",
                        "--json", "--digest", "sha1")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["pages"] == 1 and summary["requisites"] == 5 and summary["failed_seeds"] == []
    assert summary["records"] >= 9 and summary["bytes_written"] > 0 and len(summary["warc_files"]) == 1


def test_redirect_hops_are_counted_apart_from_pages(tmp_path, invoke):
    """/moved redirects twice before its page: one page, two redirects (not three pages)."""
    with serve() as (base, _):
        result = invoke("capture", base + "/moved", "--collection", tmp_path, "--delay", "0",
                        "--json", "--no-requisites")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["pages"], summary["redirects"], summary["requisites"]) == (1, 2, 0)


def test_failed_seed_exits_1_naming_it_after_capturing_the_others(tmp_path, invoke):
    with serve() as (base, site):
        result = invoke("capture", base + "/slow", base + "/news/one.html", "--collection", tmp_path,
                        "--delay", "0", "--timeout", "0.3", "--retries", "0", "--quiet")
        site.slow_seconds = 0
        assert site.hits["/news/one.html"] == 1
    assert result.exit_code == 1
    assert f"archiver: error: 1 seed(s) not captured: {base}/slow" in result.stderr


def test_seeds_file_with_an_invalid_line_is_rejected_before_fetching(tmp_path, invoke):
    with serve() as (base, site):
        seeds = tmp_path / "seeds.txt"
        seeds.write_text(f"# today's front pages\n{base}/\n\nnot a url\n")
        result = invoke("capture", "--seeds", seeds, "--collection", tmp_path / "c")
        assert sum(site.hits.values()) == 0
    assert result.exit_code == 2
    assert f"{seeds}:4: not an absolute http(s) URL: 'not a url'" in result.output


def test_seeds_file_and_arguments_together(tmp_path, invoke):
    with serve() as (base, site):
        seeds = tmp_path / "seeds.txt"
        seeds.write_text(f"# comment\n{base}/news/one.html\n\n{base}/news/two.html\n")
        result = invoke("capture", base + "/final.html", "--seeds", seeds, "--collection", tmp_path / "c",
                        "--delay", "0", "--no-requisites", "--json")
        assert result.exit_code == 0, result.output
        assert site.hits["/news/one.html"] == site.hits["/news/two.html"] == site.hits["/final.html"] == 1


def test_no_seeds_is_a_usage_error(tmp_path, invoke):
    result = invoke("capture", "--collection", tmp_path)
    assert result.exit_code == 2 and "no seeds" in result.output


def test_bad_regex_is_a_usage_error(tmp_path, invoke):
    result = invoke("capture", "http://127.0.0.1:9/", "--collection", tmp_path, "--exclude", "(")
    assert result.exit_code == 2 and "--exclude '(': not a valid regular expression" in result.output


@pytest.mark.parametrize("agent, message", [
    ("bot/1.0\r\nX-Injected: yes", r"control character '\r'"),  # would add a header to every request
    ("\u0416uk/1.0", "which a header cannot carry"),
])
def test_a_user_agent_no_header_can_carry_is_one_line_before_anything(tmp_path, invoke, agent, message):
    result = invoke("capture", "http://127.0.0.1:9/", "--collection", tmp_path / "coll",
                    "--user-agent", agent)
    assert result.exit_code == 2
    assert result.stderr.startswith("archiver: error: --user-agent holds ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "coll").exists()


def test_a_latin_1_user_agent_is_sent_as_its_bytes(tmp_path, invoke):
    with serve() as (base, site):
        result = invoke("capture", base + "/news/one.html", "--collection", tmp_path, "--delay", "0",
                        "--no-requisites", "--user-agent", "Biblioth\u00e8que/1.0 (+mailto:a@b.fr)")
    assert result.exit_code == 0, result.output
    [request] = [b for w in tmp_path.rglob("*.warc.gz") for k, h, b in records(w)
                 if k == "request" and h["WARC-Target-URI"].endswith("/news/one.html")]
    assert b"\r\nUser-Agent: Biblioth\xe8que/1.0 (+mailto:a@b.fr)\r\n" in request
