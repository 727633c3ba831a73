"""Cookies during a capture: kept for the run and sent back, as a browser session (and wget) does,
so that a consent or bot-check wall that redirects to itself with a cookie lets the page through."""

from __future__ import annotations

import json

from capture_support import _send, article, assert_warcio_accepts, records, serve

FAST = ("--delay", "0", "--timeout", "5", "--quiet", "--no-requisites")


def _wall(h):
    """A cookie wall: without the consent cookie, a redirect to this very URL that sets it."""
    if "consent=yes" in (h.headers.get("Cookie") or ""):
        return _send(h, 200, article("Behind the wall"))
    return _send(h, 302, b"", headers={"Location": h.path, "Set-Cookie": "consent=yes; Path=/"})


def _page_setting(h, links_to: str, cookies: list[str]) -> None:
    """A 200 page linking to *links_to* whose answer sets each of *cookies* (one header each)."""
    body = f'<html><body><a href="{links_to}">Next</a></body></html>'.encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(len(body)))
    for cookie in cookies:
        h.send_header("Set-Cookie", cookie)
    h.end_headers()
    h.wfile.write(body)


def _front_then_next(tmp_path, invoke, cookies: list[str]):
    """Capture /front.html, which sets *cookies*, and the /next.html it links to; (the
    collection, the headers /next.html was requested with)."""
    seen = []

    def after(h):
        seen.append(dict(h.headers))
        return _send(h, 200, article("Next"))

    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/front.html"] = lambda h: _page_setting(h, "/next.html", cookies)
        site.extra["/next.html"] = after
        result = invoke("capture", f"{base}/front.html", "--collection", coll, "--ignore-robots",
                        "--depth", "1", *FAST)
    assert result.exit_code == 0, result.output
    [headers] = seen
    return coll, headers


def exchanges(coll, path_end):
    """[(request block, response block)] of the URL ending in *path_end*, in capture order."""
    requests, responses = [], []
    for warc in sorted(coll.rglob("*.warc.gz")):
        for kind, headers, block in records(warc):
            if headers.get("WARC-Target-URI", "").endswith(path_end):
                if kind == "request":
                    requests.append(block)
                elif kind in ("response", "revisit"):
                    responses.append(block)
    return list(zip(requests, responses, strict=True))


def test_a_cookie_wall_that_redirects_to_itself_lets_the_page_through(tmp_path, invoke):
    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/wall.html"] = _wall
        result = invoke("capture", f"{base}/wall.html", "--collection", coll, "--ignore-robots", *FAST)
    assert result.exit_code == 0, result.output
    assert site.hits["/wall.html"] == 2
    (first_request, wall), (second_request, page) = exchanges(coll, "/wall.html")
    assert wall.startswith(b"HTTP/1.1 302") and b"Set-Cookie: consent=yes; Path=/" in wall
    assert b"Cookie:" not in first_request
    assert b"\r\nCookie: consent=yes\r\n" in second_request  # the request record shows what was sent
    assert page.startswith(b"HTTP/1.1 200") and page.endswith(article("Behind the wall"))
    assert_warcio_accepts(sorted(coll.rglob("*.warc.gz")))


def test_no_cookies_sends_none_and_the_wall_stays_shut(tmp_path, invoke):
    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/wall.html"] = _wall
        result = invoke("capture", f"{base}/wall.html", "--collection", coll, "--ignore-robots",
                        "--no-cookies", "--json", *FAST)
    assert result.exit_code == 1  # the page never came
    assert json.loads(result.stdout)["failures"] == [
        {"url": f"{base}/wall.html", "reason": f"redirect loop: back to {base}/wall.html"}]
    assert site.hits["/wall.html"] == 1  # the same request again would get the same redirect
    [(request, wall)] = exchanges(coll, "/wall.html")
    assert b"Cookie:" not in request and wall.startswith(b"HTTP/1.1 302")


def test_cookies_go_back_to_later_pages_of_the_site_and_not_elsewhere(tmp_path, invoke):
    """A cookie set by the front page (a regional edition) comes with the pages it links to; a
    cookie for another domain, or a Secure one over http, is not sent."""
    seen: dict[str, str | None] = {}

    def front(h):
        _page_setting(h, "/story.html", ["edition=eu; Path=/", "ad=1; Domain=ads.example; Path=/",
                                         "session=s3cret; Secure; Path=/"])

    def story(h):
        seen["cookie"] = h.headers.get("Cookie")
        return _send(h, 200, article("Story"))

    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/front.html"], site.extra["/story.html"] = front, story
        result = invoke("capture", f"{base}/front.html", "--collection", coll, "--ignore-robots",
                        "--depth", "1", "--workers", "1", *FAST)
    assert result.exit_code == 0, result.output
    assert seen["cookie"] == "edition=eu"
    [(request, _)] = exchanges(coll, "/story.html")
    assert b"\r\nCookie: edition=eu\r\n" in request


def test_a_redirect_loop_that_sets_a_new_cookie_each_time_still_ends(tmp_path, invoke):
    coll = tmp_path / "coll"

    def loop(h):
        n = site.hits["/loop.html"]
        return _send(h, 302, b"", headers={"Location": "/loop.html", "Set-Cookie": f"n={n}; Path=/"})

    with serve() as (base, site):
        site.extra["/loop.html"] = loop
        result = invoke("capture", f"{base}/loop.html", "--collection", coll, "--ignore-robots", *FAST)
    assert site.hits["/loop.html"] == 11  # the seed and 10 redirect hops (MAX_REDIRECTS), no more
    assert result.exit_code == 1  # the page never came: the seed is not captured
    assert "1 seed(s) not captured" in result.stderr


def test_a_page_behind_a_wall_that_then_failed_is_fetched_by_the_next_run(tmp_path, invoke):
    """The first run keeps the wall's 302 and then gets a 503 for the page: the 302 is no proof
    that the page was captured, so the next run fetches it."""
    coll = tmp_path / "coll"
    healthy = {"yes": False}

    def wall_then_busy(h):
        if "consent=yes" in (h.headers.get("Cookie") or "") and not healthy["yes"]:
            return _send(h, 503, b"busy")
        return _wall(h)

    with serve() as (base, site):
        site.extra["/wall.html"] = wall_then_busy
        first = invoke("capture", f"{base}/wall.html", "--collection", coll, "--ignore-robots",
                       "--retries", "0", *FAST)
        assert first.exit_code == 1  # the seed's page did not come
        healthy["yes"] = True
        second = invoke("capture", f"{base}/wall.html", "--collection", coll, "--ignore-robots", *FAST)
    assert second.exit_code == 0, second.output
    assert site.hits["/wall.html"] == 4
    assert exchanges(coll, "/wall.html")[-1][1].endswith(article("Behind the wall"))


def test_two_pages_behind_one_wall_fetched_at_once_both_get_through(tmp_path, invoke):
    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/wall.html"] = site.extra["/wall2.html"] = _wall
        result = invoke("capture", f"{base}/wall.html", f"{base}/wall2.html", "--collection", coll,
                        "--ignore-robots", "--workers", "2", "--per-host", "2", *FAST)
    assert result.exit_code == 0, result.output
    for path in ("/wall.html", "/wall2.html"):  # the second of the two is a revisit of the first
        assert exchanges(coll, path)[-1][1].startswith(b"HTTP/1.1 200 OK"), path


def test_odd_cookies_neither_break_nor_leak_into_later_requests(tmp_path, invoke):
    """A UTF-8 value goes back as the bytes it came in; a cookie with a bare CR (it would inject
    a header into the next request), one over 4 KB and one set Secure over http are dropped."""
    coll, headers = _front_then_next(tmp_path, invoke, [
        "city=K\u00f6ln; Path=/".encode().decode("latin-1"), "s=1\rX-Injected: yes",
        "big=" + "a" * 5000 + "; Path=/", "sec=1; Secure; Path=/"])
    assert "X-Injected" not in headers
    [(request, response)] = exchanges(coll, "/next.html")
    assert b"\r\nCookie: city=K\xc3\xb6ln\r\n" in request  # only this one, byte for byte
    assert response.endswith(article("Next"))


def test_a_cookie_from_an_answer_that_was_retried_away_is_not_kept(tmp_path, invoke):
    """Only the recorded answer sets cookies: the WARC then shows where every sent cookie came from."""
    def flaky(h):
        if site.hits["/flaky-cookie.html"] == 1:
            return _send(h, 503, b"busy", headers={"Retry-After": "0", "Set-Cookie": "bm=1; Path=/"})
        return _send(h, 200, b'<html><body><a href="/next.html">Next</a></body></html>')

    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/flaky-cookie.html"] = flaky
        site.extra["/next.html"] = lambda h: _send(h, 200, article("Next"))
        result = invoke("capture", f"{base}/flaky-cookie.html", "--collection", coll, "--ignore-robots",
                        "--depth", "1", "--retries", "1", *FAST)
    assert result.exit_code == 0, result.output
    [(request, _)] = exchanges(coll, "/next.html")
    assert b"Cookie:" not in request


def test_no_cookie_for_a_public_suffix_and_the_same_value_again_changes_nothing():
    from archiver.capture.cookies import SessionCookies

    jar = SessionCookies()
    assert not jar.store("https://news.example.co.uk/", [("Set-Cookie", "x=1; Domain=.co.uk; Path=/")])
    assert jar.header_for("https://shop.other.co.uk/") is None
    assert jar.store("https://news.example.co.uk/", [("Set-Cookie", "y=1; Domain=.example.co.uk; Path=/")])
    assert jar.header_for("https://www.example.co.uk/") == "y=1"
    same, other = "y=1; Domain=.example.co.uk; Path=/", "y=2; Domain=.example.co.uk; Path=/"
    assert not jar.store("https://news.example.co.uk/", [("Set-Cookie", same)])
    assert jar.store("https://news.example.co.uk/", [("Set-Cookie", other)])


def test_a_cookie_goes_only_to_the_hosts_it_was_set_for():
    from archiver.capture.cookies import SessionCookies

    jar = SessionCookies()
    assert jar.store("https://news.example.org/a", [("Set-Cookie", "host=1; Path=/"),
                                                    ("Set-Cookie", "site=1; Domain=example.org; Path=/")])
    assert jar.header_for("https://news.example.org/b") in ("host=1; site=1", "site=1; host=1")
    assert jar.header_for("https://www.example.org/") == "site=1"  # Domain= reaches sibling hosts
    assert jar.header_for("https://example.net/") is None
    assert jar.header_for("https://notexample.org/") is None


def test_a_redirect_elsewhere_that_set_a_cookie_is_not_followed_again(tmp_path, invoke):
    """Only a redirect back into its own chain is followed again when the cookies changed: one to
    a page already captured in the run is not fetched a second time."""
    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/b.html"] = lambda h: _send(h, 200, article("B"))
        site.extra["/go.html"] = lambda h: _send(h, 302, b"", headers={"Location": "/b.html",
                                                                      "Set-Cookie": "went=1; Path=/"})
        result = invoke("capture", f"{base}/b.html", f"{base}/go.html", "--collection", coll,
                        "--ignore-robots", "--workers", "1", *FAST)
    assert result.exit_code == 0, result.output
    assert site.hits["/go.html"] == 1 and site.hits["/b.html"] == 1


def test_a_domain_keeps_its_newest_180_cookies_as_browsers_do(tmp_path, invoke):
    """Past MAX_COOKIES_PER_DOMAIN the oldest cookies go (RFC 6265 5.3 step 12); a cookie set
    again keeps its place, and another domain's cookies do not count against this one's."""
    cookies = [f"c{i}={i}; Path=/" for i in range(200)]
    _, headers = _front_then_next(tmp_path, invoke, cookies[:151] + ["c0=again; Path=/"] + cookies[151:])
    cookie = headers["Cookie"]
    assert sorted(cookie.split("; "), key=lambda c: int(c.split("=")[0][1:])) == [
        f"c{i}={i}" for i in range(20, 200)]


def test_domains_are_kept_apart_a_cookie_set_again_keeps_its_age_and_expired_ones_make_room(monkeypatch):
    import http.cookiejar
    import time

    from archiver.capture.cookies import MAX_COOKIES_PER_DOMAIN, SessionCookies

    jar = SessionCookies()
    jar.store("https://a.example.org/", [("Set-Cookie", "first=1; Domain=example.org; Path=/")])
    jar.store("https://b.example.org/", [("Set-Cookie", "second=1; Path=/")])
    jar.store("https://b.example.org/", [("Set-Cookie", "brief=1; Path=/; Max-Age=60")])
    for i in range(MAX_COOKIES_PER_DOMAIN):
        jar.store(f"https://n{i}.example.net/", [("Set-Cookie", f"x{i}=1; Domain=example.net; Path=/")])
    for i in range(MAX_COOKIES_PER_DOMAIN - 4):
        jar.store("https://b.example.org/", [("Set-Cookie", f"y{i}=1; Path=/")])
    # example.org holds 179; example.net's 180 are its own
    assert jar.header_for("https://www.example.net/").count("=") == MAX_COOKIES_PER_DOMAIN
    assert jar.store("https://a.example.org/", [("Set-Cookie", "first=2; Domain=example.org; Path=/")])
    jar.store("https://b.example.org/", [("Set-Cookie", "full=1; Path=/")])  # 180: nothing goes
    assert "brief=1" in jar.header_for("https://b.example.org/").split("; ")
    later = time.time() + 120
    monkeypatch.setattr(http.cookiejar.time, "time", lambda: later)  # brief=1 has expired
    jar.store("https://b.example.org/", [("Set-Cookie", "one=1; Path=/")])  # takes brief's room
    sent = jar.header_for("https://b.example.org/").split("; ")
    assert "first=2" in sent and "second=1" in sent and "brief=1" not in sent
    jar.store("https://b.example.org/", [("Set-Cookie", "two=1; Path=/")])  # the oldest goes
    sent = jar.header_for("https://b.example.org/").split("; ")
    # first is the oldest though it was set again since: a cookie keeps its creation time
    assert "first=2" not in sent and "second=1" in sent and "two=1" in sent
    assert len(sent) == MAX_COOKIES_PER_DOMAIN


def test_a_cookie_that_expired_and_is_set_again_is_new(monkeypatch):
    import http.cookiejar
    import time

    from archiver.capture.cookies import MAX_COOKIES_PER_DOMAIN, SessionCookies

    jar, url = SessionCookies(), "https://www.example.org/"
    jar.store(url, [("Set-Cookie", "x=old; Path=/; Max-Age=60")])  # the oldest, for a minute
    for i in range(MAX_COOKIES_PER_DOMAIN - 2):
        jar.store(url, [("Set-Cookie", f"c{i}=1; Path=/")])
    later = time.time() + 120
    monkeypatch.setattr(http.cookiejar.time, "time", lambda: later)  # x has expired
    for name in ("x=new", "y=1", "z=1"):  # x is now the newest; at 181 the oldest, c0, goes
        jar.store(url, [("Set-Cookie", f"{name}; Path=/")])
    sent = jar.header_for(url).split("; ")
    assert "x=new" in sent and "c0=1" not in sent and len(sent) == MAX_COOKIES_PER_DOMAIN


def test_requests_during_evictions_still_carry_their_cookies():
    """A store at the limit evicts while other workers ask for the same site's cookies: every
    request still gets its header (an eviction changing the jar under a request dropped it)."""
    import sys
    import threading

    from archiver.capture.cookies import MAX_COOKIES_PER_DOMAIN, SessionCookies

    jar, url = SessionCookies(), "https://www.example.org/"
    for i in range(MAX_COOKIES_PER_DOMAIN):
        jar.store(url, [("Set-Cookie", f"c{i}=1; Path=/")])
    stop = threading.Event()

    def keep_setting():
        i = MAX_COOKIES_PER_DOMAIN
        while not stop.is_set():
            jar.store(url, [("Set-Cookie", f"c{i}=1; Path=/")])
            i += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    setter = threading.Thread(target=keep_setting)
    setter.start()
    try:
        headers = [jar.header_for(url) for _ in range(500)]
    finally:
        stop.set()
        setter.join()
        sys.setswitchinterval(interval)
    assert None not in headers


def test_no_cookie_for_a_domain_above_the_hosts_registered_domain():
    """s3.amazonaws.com is a (private) public suffix: bucket1's cookie for amazonaws.com would
    reach every bucket, and browsers refuse it."""
    from archiver.capture.cookies import SessionCookies

    jar = SessionCookies()
    host = "https://bucket1.s3.amazonaws.com/"
    assert not jar.store(host, [("Set-Cookie", "wide=1; Domain=amazonaws.com; Path=/")])
    assert not jar.store(host, [("Set-Cookie", "suffix=1; Domain=s3.amazonaws.com; Path=/")])
    assert jar.store(host, [("Set-Cookie", "own=1; Domain=bucket1.s3.amazonaws.com; Path=/")])
    assert jar.header_for("https://www.bucket1.s3.amazonaws.com/") == "own=1"
    assert jar.header_for("https://bucket2.s3.amazonaws.com/") is None
