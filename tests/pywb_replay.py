"""Replay URLs from WARC files through pywb, the reference web-archive replay tool; run as a script.

    python tests/pywb_replay.py WORKDIR URLS_JSON WARC...

indexes the WARCs into a pywb collection under WORKDIR with pywb's own `wb-manager add`, then asks
pywb's replay front end for each URL in `id_` mode (the archived response, not rewritten) and
writes WORKDIR/replayed.json: {url: {"status": int, "headers": {...}, "body": base64}}. (A file,
since pywb prints its own messages on stdout.)

It runs in its own process because importing pywb's front end monkey-patches sockets and threads
for gevent (`patch_all()`), which must not reach the test process. pywb's front end talks to its
own index server over HTTP; both are bound to 127.0.0.1 here (pywb's default is 'localhost').
"""

from __future__ import annotations

import base64
import functools
import json
import os
import subprocess
import sys
from wsgiref.util import setup_testing_defaults

COLLECTION = "replay"


def _replay_app():
    import pywb.apps.frontendapp as frontendapp

    frontendapp.GeventServer = functools.partial(frontendapp.GeventServer, hostname="127.0.0.1")

    class LoopbackFrontEnd(frontendapp.FrontEndApp):
        REPLAY_API = "http://127.0.0.1:%s/{coll}/resource/postreq"
        CDX_API = "http://127.0.0.1:%s/{coll}/index"
        RECORD_SERVER = "http://127.0.0.1:%s"

    return LoopbackFrontEnd()


def _get(app, path: str) -> dict:
    environ: dict = {}
    setup_testing_defaults(environ)
    environ["PATH_INFO"] = path
    environ["QUERY_STRING"] = ""
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {k.lower(): v for k, v in headers}

    body = b"".join(app(environ, start_response))
    answer["body"] = base64.b64encode(body).decode("ascii")
    return answer


def main(argv: list[str]) -> None:
    workdir, urls_json, *warcs = argv
    urls = json.loads(urls_json)
    os.chdir(workdir)
    manager = [sys.executable, "-m", "pywb.manager.manager"]
    subprocess.run([*manager, "init", COLLECTION], check=True, capture_output=True)
    subprocess.run([*manager, "add", COLLECTION, *warcs], check=True, capture_output=True)
    app = _replay_app()
    try:
        answers = {url: _get(app, f"/{COLLECTION}/id_/{url}") for url in urls}
        with open("replayed.json", "w") as out:
            json.dump(answers, out)
    finally:
        app.warcserver_server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
