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


def test_a_malformed_link_costs_only_itself_not_its_page(tmp_path, invoke):
    """`//[[cdn]]/x` (an unfilled template) has an IPv6 bracket never closed, which urllib cannot
    split: the page was failed with "internal error: ValueError". Now the link is dropped, and the
    page, its good links and a <base href> of the same kind are kept."""
    from capture_support import _send

    page = (b'<html><head><base href="//[[cdn]]/"></head><body><img src="//[[cdn]]/lead.png">'
            b'<a href="//[bad/x">x</a><a href="/news/one.html">One</a></body></html>')
    with serve() as (base, site):
        site.extra["/templated.html"] = lambda h: _send(h, 200, page)
        result = invoke("capture", base + "/templated.html", "--collection", tmp_path, "--delay", "0",
                        "--depth", "1", "--json")
        assert site.hits["/news/one.html"] == 1  # resolved against the page: its own <base> is no URL
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["failed_seeds"] == [] and summary["pages"] == 2
    responses = [h["WARC-Target-URI"] for kind, h, _ in records(next((tmp_path / "warc").glob("*.warc.gz")))
                 if kind == "response"]
    assert base + "/templated.html" in responses


@pytest.mark.parametrize(("location", "extra", "why"), [
    ("ftp://files.example.org/x", (), "redirected to 'ftp://files.example.org/x', not an http(s) URL"),
    ("http://[bad", (), "redirected to 'http://[bad', not an http(s) URL"),
    ("/final.html", ("--exclude", "final"), "redirected to {base}/final.html, which --exclude matches"),
])
def test_a_seed_redirected_where_the_run_may_not_go_is_not_captured(tmp_path, invoke, location, extra, why):
    """The redirect is kept in the WARC, but the page the seed stands for never arrives: the run
    says so and exits 1 (it said "captured" and exited 0; a Location urllib cannot split made
    the run fail as a damaged WARC)."""
    from capture_support import _send

    with serve() as (base, site):
        site.extra["/away"] = lambda h: _send(h, 302, b"", headers={"Location": location})
        result = invoke("capture", base + "/away", "--collection", tmp_path, "--delay", "0", *extra)
        assert site.hits["/final.html"] == 0
    assert result.exit_code == 1, result.output
    assert f"{base}/away: {why.format(base=base)}" in result.output
    assert f"archiver: error: 1 seed(s) not captured: {base}/away" in result.stderr
    warc = next((tmp_path / "warc").glob("*.warc.gz"))
    kinds = [(kind, h.get("WARC-Target-URI")) for kind, h, _ in records(warc)]
    assert ("response", base + "/away") in kinds


def test_a_rerun_judges_a_stored_redirect_by_its_own_excludes(tmp_path, invoke):
    """A seed captured through its redirect, rerun with an --exclude that now matches the target:
    the target is not fetched (it was, before: a resumed redirect was queued unchecked) and the
    seed is reported as a fresh run would report it."""
    with serve() as (base, site):
        args = ("capture", base + "/moved", "--collection", tmp_path, "--delay", "0", "--no-requisites")
        first = invoke(*args)
        assert first.exit_code == 0, first.output
        second = invoke(*args, "--exclude", "moved2")
        assert site.hits["/moved"] == 1 and site.hits["/moved2"] == 1
    assert second.exit_code == 1, second.output
    assert f"{base}/moved: redirected to {base}/moved2, which --exclude matches" in second.output


def test_recapture_seeds_fetches_todays_front_page_and_only_the_new_articles(tmp_path, invoke):
    """A daily run of the same command: without --recapture-seeds the front page is skipped as
    captured, its stored (yesterday's) links are followed, and today's new article is never seen;
    with it, the front page and its redirect are fetched again, the new article is captured, and
    yesterday's articles and requisites are not fetched again."""
    from capture_support import _send

    front = {"links": '<a href="/news/one.html">One</a>'}
    with serve() as (base, site):
        site.extra["/front.html"] = lambda h: _send(h, 200, (
            '<html><head><link rel="stylesheet" href="/style.css"></head><body>'
            f'{front["links"]}</body></html>').encode())
        site.extra["/today"] = lambda h: _send(h, 302, b"", headers={"Location": "/front.html"})
        args = ("capture", base + "/today", "--collection", tmp_path, "--delay", "0", "--depth", "1",
                "--json")
        first = invoke(*args)
        assert first.exit_code == 0, first.output
        front["links"] += '<a href="/news/two.html">Two</a>'  # the next morning's front page
        plain = invoke(*args)
        assert site.hits["/front.html"] == 1 and site.hits["/news/two.html"] == 0
        again = invoke(*args, "--recapture-seeds")
        assert again.exit_code == 0, again.output
        assert site.hits["/today"] == site.hits["/front.html"] == 2
        assert site.hits["/news/two.html"] == 1
        assert site.hits["/news/one.html"] == site.hits["/style.css"] == site.hits["/img/red.png"] == 1
    assert json.loads(plain.stdout)["pages"] == 0
    summary = json.loads(again.stdout)
    assert (summary["pages"], summary["redirects"]) == (2, 1)  # the front page and article two
    assert summary["skipped"] >= 2  # article one and the stylesheet, captured the day before


def test_max_pages_bounds_a_crawl_and_a_rerun_goes_no_further_until_raised(tmp_path, invoke):
    """A list of 60 articles, --max-pages 10: the seed and its first 9 links are captured, each
    with its image (requisites are not pages), and the other 51 are reported, not followed (exit
    0: a limit asked for). The same command again covers the same 10 pages (skipped); raised to
    20, the next 10 are fetched."""
    with serve() as (base, site):
        args = ("capture", base + "/list.html", "--collection", tmp_path, "--delay", "0", "--depth", "1")
        first = invoke(*args, "--max-pages", "10", "--json")
        assert sum(n for path, n in site.hits.items() if path.startswith("/p/")) == 9
        assert site.hits["/p/0.html"] == site.hits["/p/8.html"] == site.hits["/img/p8.html.png"] == 1
        again = invoke(*args, "--max-pages", "10", "--json")
        more = invoke(*args, "--max-pages", "20")
        assert site.hits["/p/18.html"] == 1 and site.hits["/p/19.html"] == 0
    assert first.exit_code == again.exit_code == more.exit_code == 0, more.output
    summary = json.loads(first.stdout)
    # requisites: 9 images, the stylesheet, the one it imports and its 2 images
    assert (summary["pages"], summary["requisites"], summary["not_followed"]) == (10, 13, 51)
    assert json.loads(again.stdout)["pages"] == 0
    assert "--max-pages reached: 41 more page(s) found, not followed" in more.output


def test_max_time_stops_starting_fetches_and_the_same_command_goes_on(tmp_path, invoke):
    """60 articles at 0.05 s each on one connection, --max-time 1: the run stops handing out
    URLs when the time is up, closes its WARC whole and says how many were left (exit 0: the seed
    was captured); the same command without the limit fetches only those left."""
    from capture_support import Site, assert_warcio_accepts

    site = Site()
    site.page_delay = 0.05
    with serve(site) as (base, _):
        args = ("capture", base + "/list.html", "--collection", tmp_path, "--delay", "0", "--depth", "1",
                "--no-requisites", "--json")
        first = invoke(*args, "--max-time", "1")
        fetched = sum(n for path, n in site.hits.items() if path.startswith("/p/"))
        rest = invoke(*args)
        assert all(n == 1 for path, n in site.hits.items() if path.startswith("/p/"))
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert 0 < fetched < 60 and summary["not_fetched"] == 60 - fetched
    assert json.loads(rest.stdout)["pages"] == 60 - fetched
    assert not list(tmp_path.rglob("*.open"))
    assert_warcio_accepts(sorted((tmp_path / "warc").glob("*.warc.gz")))


def test_max_time_that_runs_out_before_a_seed_fails_the_seed(tmp_path, invoke):
    """Seeds not reached when --max-time ran out are seeds not captured (exit 1), and say why."""
    from capture_support import Site

    site = Site()
    site.page_delay = 0.4
    with serve(site) as (base, _):
        result = invoke("capture", base + "/p/1.html", base + "/p/2.html", base + "/p/3.html", "--collection",
                        tmp_path, "--delay", "0", "--no-requisites", "--max-time", "0.2")
        assert site.hits["/p/3.html"] == 0
    assert result.exit_code == 1
    assert f"{base}/p/3.html: not reached before --max-time ran out (0.2 s)" in result.output
    assert "--max-time ran out: 2 queued URL(s) not fetched" in result.output


def test_a_max_time_that_is_no_duration_is_one_error_line(tmp_path, invoke):
    result = invoke("capture", "http://127.0.0.1:9/", "--collection", tmp_path / "c", "--max-time", "soon")
    assert result.exit_code == 2 and not (tmp_path / "c").exists()
    assert "archiver: error: bad duration 'soon': use e.g. 90s, 30m, 2h or 1h30m" in result.output


def test_a_pages_requisites_go_before_further_pages(tmp_path, invoke):
    """A run stopped early (here by --max-time) leaves its pages whole: each host's requisites are
    fetched before its next page, so every captured article but the last one started has its
    image (breadth-first, the 60 links went first and no article had its image)."""
    from capture_support import Site

    site = Site()
    site.page_delay = 0.05
    with serve(site) as (base, _):
        result = invoke("capture", base + "/list.html", "--collection", tmp_path, "--delay", "0",
                        "--depth", "1", "--max-time", "1", "--json")
        pages = [path for path in site.hits if path.startswith("/p/")]
        without_image = [path for path in pages if site.hits[f"/img/p{path[3:]}.png"] == 0]
    assert result.exit_code == 0, result.output
    assert len(pages) >= 3 and len(without_image) <= 1, (pages, without_image)


def test_max_pages_counts_pages_robots_txt_lets_through(tmp_path, invoke):
    """Pages are counted when their turn comes, after robots.txt: three disallowed links first
    (a calendar trap is often what robots.txt disallows) do not use up --max-pages 3, which
    takes the seed and the next two allowed pages (counted when found, it took only the seed)."""
    from capture_support import _send

    page = "".join(f'<a href="{p}">x</a>' for p in ("/private/a.html", "/private/b.html", "/private/c.html",
                                                  "/news/one.html", "/news/two.html", "/final.html"))
    with serve() as (base, site):
        site.extra["/links.html"] = lambda h: _send(h, 200, f"<html><body>{page}</body></html>".encode())
        result = invoke("capture", base + "/links.html", "--collection", tmp_path, "--delay", "0",
                        "--depth", "1", "--no-requisites", "--max-pages", "3", "--json")
        assert site.hits["/news/one.html"] == site.hits["/news/two.html"] == 1
        assert site.hits["/final.html"] == 0
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["pages"], summary["skipped"], summary["not_followed"]) == (3, 3, 1)


def test_a_page_dropped_past_max_pages_can_still_come_as_a_requisite_or_a_redirect(tmp_path, invoke):
    """--max-pages 3: the seed, /a.html and /r (a redirect) are the pages taken. /pic.png and
    /final.html, also linked as pages and past N when their turn comes, are fetched all the same
    as /a.html's image and /r's target (they were turned away as already queued, then dropped:
    the pages taken were incomplete). /news/one.html is the one page left."""
    from capture_support import _send

    hub = (b'<html><body><a href="/a.html">a</a><a href="/r">r</a><a href="/pic.png">p</a>'
           b'<a href="/final.html">f</a><a href="/news/one.html">1</a></body></html>')
    with serve() as (base, site):
        site.extra["/hub.html"] = lambda h: _send(h, 200, hub)
        site.extra["/a.html"] = lambda h: _send(h, 200, b'<html><body><img src="/pic.png"></body></html>')
        site.extra["/pic.png"] = lambda h: _send(h, 200, b"\x89PNG", "image/png")
        site.extra["/r"] = lambda h: _send(h, 302, b"", headers={"Location": "/final.html"})
        result = invoke("capture", base + "/hub.html", "--collection", tmp_path, "--delay", "0",
                        "--depth", "1", "--workers", "1", "--max-pages", "3", "--json")
        assert site.hits["/pic.png"] == site.hits["/final.html"] == 1
        assert site.hits["/news/one.html"] == 0
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["not_followed"], summary["failures"]) == (1, [])


def test_a_page_past_max_pages_does_not_ask_its_host_for_robots_txt(tmp_path, invoke):
    """Its turn came when N pages were taken: dropped before robots.txt, so a host that is down
    (127.0.0.1:1) is not reported as a failure of the run (it was: "robots.txt unreachable")."""
    from capture_support import _send

    with serve() as (base, site):
        site.extra["/two.html"] = lambda h: _send(h, 200, b'<html><body><a href="/news/one.html">1</a>'
                                                  b'<a href="http://127.0.0.1:1/x.html">x</a></body></html>')
        result = invoke("capture", base + "/two.html", "--collection", tmp_path, "--delay", "0",
                        "--depth", "1", "--workers", "1", "--scope", "domain", "--max-pages", "2",
                        "--no-requisites", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["pages"], summary["not_followed"], summary["failures"]) == (2, 1, [])


def test_recapture_seeds_takes_the_seeds_of_a_seeds_file_too(tmp_path, invoke):
    """docs/capture.md: the seeds given "as arguments or in --seeds FILE" are fetched again; what
    they link to that is captured is still skipped."""
    with serve() as (base, site):
        seeds = tmp_path / "seeds.txt"
        seeds.write_text(f"# front pages\n{base}/news/one.html\n")
        args = ("capture", "--seeds", seeds, "--collection", tmp_path / "c", "--delay", "0", "--depth", "1")
        assert invoke(*args).exit_code == 0
        assert invoke(*args, "--recapture-seeds").exit_code == 0
        assert site.hits["/news/one.html"] == 2 and site.hits["/"] == 1  # its link, captured the first time


def test_the_warcinfo_records_the_limits_and_their_defaults(tmp_path, invoke):
    """--max-fetch-time is 20 minutes unless given; the limits a run had are in every WARC's
    warcinfo (archiver-capture-settings), in seconds."""
    with serve() as (base, _):
        plain = invoke("capture", base + "/news/one.html", "--collection", tmp_path / "a", "--delay", "0")
        limited = invoke("capture", base + "/news/one.html", "--collection", tmp_path / "b", "--delay", "0",
                         "--max-time", "1h30m", "--max-pages", "5", "--max-fetch-time", "90s")
    assert plain.exit_code == limited.exit_code == 0

    def settings(coll):
        (kind, _, block), *_ = records(next((coll / "warc").glob("*.warc.gz")))
        assert kind == "warcinfo"
        line = next(x for x in block.decode().splitlines() if x.startswith("archiver-capture-settings:"))
        return json.loads(line.split(":", 1)[1])

    plain_settings = settings(tmp_path / "a")
    assert (plain_settings["max_fetch_time"], plain_settings["max_time"]) == (1200.0, None)
    got = settings(tmp_path / "b")
    assert (got["max_time"], got["max_pages"], got["max_fetch_time"]) == (5400.0, 5, 90.0)


def test_max_time_lets_a_download_in_flight_end_within_max_fetch_time(tmp_path, invoke):
    """docs/capture.md: a download still arriving is not cut by --max-time (it only stops new
    fetches); it ends within --max-fetch-time, kept and marked WARC-Truncated: time."""
    import time

    from capture_support import Site, live_stream

    site = Site()
    site.extra["/live.mp3"] = live_stream(100)  # 5 s at most
    with serve(site) as (base, _):
        started = time.monotonic()
        result = invoke("capture", base + "/live.mp3", "--collection", tmp_path, "--delay", "0", "--json",
                        "--max-time", "0.5s", "--max-fetch-time", "2s")
        took = time.monotonic() - started
    assert 1.8 < took < 4.5, took
    reason = json.loads(result.stdout)["failures"][0]["reason"]
    assert reason.startswith("still arriving after 2 s (--max-fetch-time)")


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--max-fetch-time", "soon", "archiver: error: bad duration 'soon': use e.g. 90s, 30m, 2h or 1h30m"),
    ("--max-fetch-time", "nan", "archiver: error: bad duration 'nan': use e.g. 90s, 30m, 2h or 1h30m"),
    ("--max-time", "1" + "0" * 20 + "h", f"archiver: error: bad duration '1{'0' * 20}h': at most"),
    ("--max-time", "0", "archiver: error: bad duration '0': must be more than zero"),
    ("--max-pages", "0", "Invalid value for '--max-pages': 0 is not in the range x>=1."),
    ("--tls-min-version", "1.4", "Invalid value for '--tls-min-version': '1.4' is not one of"),
])
def test_a_bad_limit_is_one_error_line_and_nothing_made(tmp_path, invoke, flag, value, message):
    """A bad value is refused before anything is made: one line, exit 2, no collection. A
    century-long --max-time made a worker thread die on an overflowing timer."""
    result = invoke("capture", "http://127.0.0.1:9/", "--collection", tmp_path / "c", flag, value)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "c").exists()


def test_a_max_time_of_centuries_through_the_api_does_not_kill_a_worker(tmp_path, monkeypatch):
    """The Python API takes any max_time: a worker waiting for a host's delay waited up to the
    deadline, and a timer that long overflowed (OverflowError in the worker thread)."""
    import threading

    from archiver.capture import CaptureOptions, capture

    died = []
    monkeypatch.setattr(threading, "excepthook", died.append)
    with serve() as (base, _):
        result = capture([base + "/news/one.html", base + "/news/two.html"], tmp_path,
                         CaptureOptions(delay=0.3, workers=2, requisites=False, max_time=1e24))
    assert died == [] and result.pages == 2
