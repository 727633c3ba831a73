"""Cookies during a capture: kept for the run and sent back, as a browser session (and wget) does,
so that a consent or bot-check wall that redirects to itself with a cookie lets the page through."""

from __future__ import annotations

from capture_support import _send, article, assert_warcio_accepts, records, serve

FAST = ("--delay", "0", "--timeout", "5", "--quiet", "--no-requisites")


def _wall(h):
    """A cookie wall: without the consent cookie, a redirect to this very URL that sets it."""
    if "consent=yes" in (h.headers.get("Cookie") or ""):
        return _send(h, 200, article("Behind the wall"))
    return _send(h, 302, b"", headers={"Location": h.path, "Set-Cookie": "consent=yes; Path=/"})


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
                        "--no-cookies", *FAST)
    assert result.exit_code == 0, result.output
    assert site.hits["/wall.html"] == 1  # the same request again would get the same redirect
    [(request, wall)] = exchanges(coll, "/wall.html")
    assert b"Cookie:" not in request and wall.startswith(b"HTTP/1.1 302")


def test_cookies_go_back_to_later_pages_of_the_site_and_not_elsewhere(tmp_path, invoke):
    """A cookie set by the front page (a regional edition) comes with the pages it links to; a
    cookie for another domain, or a Secure one over http, is not sent."""
    seen: dict[str, str | None] = {}

    def front(h):
        body = b'<html><body><a href="/story.html">Story</a></body></html>'
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Set-Cookie", "edition=eu; Path=/")
        h.send_header("Set-Cookie", "ad=1; Domain=ads.example; Path=/")
        h.send_header("Set-Cookie", "session=s3cret; Secure; Path=/")
        h.end_headers()
        h.wfile.write(body)

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
    assert result.exit_code == 0, result.output
    assert site.hits["/loop.html"] == 11  # the seed and 10 redirect hops (MAX_REDIRECTS), no more
