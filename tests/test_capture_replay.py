"""archiver's WARCs replay in pywb, the reference web-archive replay tool (Webrecorder).

warcio check says the records are well formed; this says a replay tool finds and serves them: it
indexes the files with its own indexer, follows each revisit to the response it refers to (in this
run or an earlier one), and gives back what the server sent, redirects and errors included.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from capture_support import RED, _send, article, assert_warcio_accepts, records, serve

REPLAY_SCRIPT = Path(__file__).with_name("pywb_replay.py")
FAST = ("--delay", "0", "--timeout", "5", "--quiet")


def _sent(url: str) -> tuple[int, dict[str, str], bytes]:
    """What the test server sends for *url*, read with http.client (no redirect followed)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path, headers={"Accept-Encoding": "identity"})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _replay(tmp_path: Path, warcs: list[Path], urls: list[str]) -> dict[str, dict]:
    workdir = tmp_path / "pywb"
    workdir.mkdir()
    # pywb's front end asks its own index server over HTTP with requests, which would go through
    # a proxy named in the environment: never for 127.0.0.1
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    done = subprocess.run([sys.executable, str(REPLAY_SCRIPT), str(workdir), json.dumps(urls),
                           *map(str, warcs)], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads((workdir / "replayed.json").read_text())
    for answer in answers.values():
        answer["body"] = base64.b64decode(answer["body"])
    return answers


def test_pywb_indexes_and_replays_what_the_server_sent(tmp_path, invoke):
    coll = tmp_path / "coll"
    with serve() as (base, site):
        site.extra["/img/red-again.png"] = lambda h: _send(h, 200, RED, "image/png")
        first = invoke("capture", f"{base}/", f"{base}/gzip", f"{base}/chunked", f"{base}/gzip-chunked",
                       "--collection", coll, "--depth", "1", *FAST)
        assert first.exit_code == 0, first.output
        # a later run: the same bytes under a new URL are a revisit of the first run's record
        second = invoke("capture", f"{base}/img/red-again.png", "--collection", coll, *FAST)
        assert second.exit_code == 0, second.output
        paths = ["/", "/news/one.html", "/news/two.html", "/final.html", "/style.css", "/print.css",
                 "/img/bg.png", "/img/hero.png", "/img/red.png", "/news/gone.html", "/moved", "/moved2"]
        sent = {p: _sent(base + p) for p in paths}
    warcs = sorted(coll.rglob("*.warc.gz"))
    assert len(warcs) == 2  # one per run
    assert_warcio_accepts(warcs)
    kinds = {(h.get("WARC-Target-URI"), kind): h for w in warcs for kind, h, _ in records(w)}
    first_ids = {h["WARC-Record-ID"] for kind, h, _ in records(warcs[0])}
    for path in ("/img/red-copy.png", "/img/red-again.png"):  # stored as revisits only
        assert (base + path, "response") not in kinds
        assert kinds[base + path, "revisit"]["WARC-Refers-To"] in first_ids

    special = ["/img/red-copy.png", "/img/red-again.png", "/gzip", "/chunked", "/gzip-chunked"]
    replayed = _replay(tmp_path, warcs, [base + p for p in paths + special])

    for path, (status, headers, body) in sent.items():
        answer = replayed[base + path]
        assert (answer["status"], answer["body"]) == (status, body), path
        assert answer["headers"]["content-type"] == headers["content-type"], path
        assert "memento-datetime" in answer["headers"], path  # served from the archive
    # each hop of the redirect chain replays as its own answer, pointing at the next
    assert replayed[base + "/moved"]["headers"]["location"].endswith("/moved2")
    assert replayed[base + "/moved2"]["headers"]["location"].endswith("/final.html")
    # revisits, within the run and across runs: their only capture holds no payload, so pywb
    # must follow WARC-Refers-To-Target-URI to the stored response to answer with RED
    for path in ("/img/red-copy.png", "/img/red-again.png"):
        assert (replayed[base + path]["status"], replayed[base + path]["body"]) == (200, RED), path
    # content and transfer codings: pywb gives the decoded body of what was kept exactly as sent
    assert replayed[base + "/gzip"]["body"] == article("Zipped")
    assert replayed[base + "/gzip-chunked"]["body"] == article("Both")
    chunks = b"<html><body>" + article("Chunked")[:300] + b"</body></html>"
    assert replayed[base + "/chunked"]["body"] == chunks
