"""Capture benchmarks (run on demand, never in the test suite).

    python benchmarks/capture.py                      # everything at the issue's full size
    python benchmarks/capture.py --only compress --records 10000 --repeats 5
    python benchmarks/capture.py --only crawl --pages 500 --repeats 3
    python benchmarks/capture.py --only big --big-mib 1024

crawl:    a threaded HTTP/1.1 server (in its own process) serves PAGES article pages and PAGES
          images, answering at once (--latency-ms 0) or after a think time like a CMS (20 ms);
          `archiver capture --depth 1 --workers 8 --per-host 8 --delay 0` and
          `wget --recursive --level 1 --page-requisites --warc-file` capture it in the same run.
          Reports pages/s, MB/s, peak RSS (VmHWM) and CPU time of each, medians of REPEATS runs,
          and how long a client that only reads the bytes (no WARC, no parsing) takes.
compress: the same RECORDS realistic HTML responses written through archiver's WARC writer and
          through warcio's WARCWriter(gzip=True); records/s, file sizes, and `warcio check` on both.
big:      one response of BIG_MIB MiB captured by `archiver capture`; peak RSS must stay < 150 MiB.
close:    a WARC of CLOSE_MIB MiB written and closed, with and without the background sync of the
          open file: how long the close (a roll-over) holds the writer, and every worker with it.
resume:   the capture logs of RESUME_RUNS daily runs of 5,000 URLs each (4,000 new articles, 1,000
          section pages and images seen every day), written by archiver's CaptureLog; times the
          resume and dedup state every later run loads first (CollectionState.load, in a fresh
          process: time and peak RSS), against read_logs alone and against reading and parsing
          the same lines with the standard library's json (the peer).
cookies:  a run whose pages pull requisites from COOKIE_HOSTS hosts that each set three cookies:
          the time per Set-Cookie and per request's Cookie header in archiver's SessionCookies,
          against one http.cookiejar CookieJar for the whole run (wget's and urllib's way).
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from newsgen import NewsPages  # noqa: E402


# ----------------------------------------------------------------------------- the site
def _image(i: int) -> bytes:
    """A JPEG-like incompressible image of 20-60 KB (real photos do not compress either)."""
    size = 20_000 + (i * 7919) % 40_000
    seed = hashlib.sha256(str(i).encode()).digest()
    out = bytearray(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    while len(out) < size:
        seed = hashlib.sha256(seed).digest()
        out += seed
    return bytes(out[:size]) + b"\xff\xd9"


class _BenchServer(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog, which the constructor passes to listen(): the class default of 5 makes
    # the kernel drop the SYNs of a client opening 8 connections at once, and each dropped one
    # is retried after the 1 s SYN timeout. Production servers listen with 511 (nginx) or more.
    request_queue_size = 128


def _serve(pages: int, big_bytes: int, latency: float, port_queue, served) -> None:
    gen = NewsPages()
    site: dict[str, tuple[bytes, str]] = {}
    links = "".join(f'<li><a href="/article/{i}.html">Article {i}</a></li>' for i in range(pages))
    site["/index.html"] = (f"<!doctype html><html><head><title>Daily News</title>"
                           f'<link rel="stylesheet" href="/static/site.css"></head>'
                           f"<body><ul>{links}</ul></body></html>".encode(), "text/html; charset=utf-8")
    site["/static/site.css"] = (b"body{font:16px/1.5 serif}" * 200, "text/css")
    site["/static/logo.svg"] = (b'<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40"/>',
                                "image/svg+xml")
    for i in range(pages):
        site[f"/article/{i}.html"] = (gen.page(i, image=f"/img/{i}.jpg"), "text/html; charset=utf-8")
        site[f"/img/{i}.jpg"] = (_image(i), "image/jpeg")
    filler = b"".join(gen.page(i) for i in range(40))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/big":
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(big_bytes))
                self.end_headers()
                sent = 0
                while sent < big_bytes:
                    piece = filler[: big_bytes - sent]
                    self.wfile.write(piece)
                    sent += len(piece)
                return
            if latency:
                time.sleep(latency)  # the server's think time: a CMS assembling the page
            body, ctype = site.get(path, (b"not found", "text/plain"))
            status = "200 OK" if path in site else "404 Not Found"
            # One write for head and body, as production servers do: two small writes would let
            # Nagle's algorithm and the client's delayed ACK stall every response by ~40 ms,
            # which punishes one-connection clients such as wget far more than concurrent ones.
            head = (f"HTTP/1.1 {status}\r\nServer: bench\r\nContent-Type: {ctype}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            self.wfile.write(head + body)
            with served.get_lock():
                served.value += len(body)

    server = _BenchServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


class Site:
    """The benchmark site running in a child process (so its GIL does not slow the clients)."""

    def __init__(self, pages: int, big_bytes: int = 0, latency: float = 0.0):
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        self.served = ctx.Value("q", 0)
        self.proc = ctx.Process(target=_serve, args=(pages, big_bytes, latency, queue, self.served),
                                daemon=True)
        self.proc.start()
        self.base = f"http://127.0.0.1:{queue.get(timeout=300)}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.join(10)


def _vm_hwm(pid: int) -> int:
    """Peak resident set of *pid* in KiB since its exec (Linux /proc), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MiB, exit code, CPU seconds) of *cmd*; the CPU time (user + system)
    includes the processes *cmd* started and waited for, such as archiver's catalogue helper.

    The peak is the kernel's VmHWM of the running program, sampled until it exits (wait4's
    ru_maxrss would include the benchmark's own memory copied into the child by fork).
    """
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a full pipe would block the tool
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak_kib = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kib = max(peak_kib, _vm_hwm(proc.pid))
            time.sleep(0.01)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if proc.returncode not in (0, 8):  # wget exits 8 for the (expected) 404 of /robots.txt paths
        print(f"  ! {cmd[0]} exited {proc.returncode}: {err[-500:]}")
    return wall, peak_kib / 1024, proc.returncode, usage.ru_utime + usage.ru_stime


_PYCACHE = Path(tempfile.mkdtemp(prefix="bench-pycache-"))
atexit.register(shutil.rmtree, _PYCACHE, True)


def archiver_env() -> dict:
    """The environment archiver runs in: compiled bytecode cached as an installed package has it
    (pip compiles on install), even when this shell sets PYTHONDONTWRITEBYTECODE; the cache lives
    in a temporary folder, not in the checkout."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # PYTHONSAFEPATH: `python -m`/`-c` would put the working directory ahead of PYTHONPATH, so a
    # benchmark of another checkout run from this one would time this one's code
    env.update(PYTHONPATH=str(REPO), PYTHONPYCACHEPREFIX=str(_PYCACHE), PYTHONSAFEPATH="1")
    if not any(_PYCACHE.iterdir()):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "archiver")], env=env,
                       check=True)
    return env


def archiver_cmd(url: str, collection: Path, *extra: str) -> tuple[list[str], dict]:
    env = archiver_env()
    return [sys.executable, "-m", "archiver", "capture", url, "--collection", str(collection), "--quiet",
            *extra], env


def bench_crawl(pages: int, repeats: int, workers: int, latency_ms: float) -> None:
    print(f"\n== crawl: {pages} article pages + {pages} images, server latency {latency_ms:g} ms, "
          f"{repeats} repeats, median ==")
    if not shutil.which("wget"):
        print("wget not installed: apt-get install -y wget")
        return
    site = Site(pages, latency=latency_ms / 1000)
    rows: dict[str, list[tuple[float, float, int, float]]] = {"archiver": [], "wget": []}
    floor: list[float] = []
    try:
        for r in range(repeats):
            for tool in ("archiver", "wget") if r % 2 == 0 else ("wget", "archiver"):
                work = Path(tempfile.mkdtemp(prefix=f"bench-{tool}-"))
                before = site.served.value
                if tool == "archiver":
                    cmd, env = archiver_cmd(site.base + "/index.html", work / "coll", "--depth", "1",
                                            "--delay", "0", "--workers", str(workers), "--per-host",
                                            str(workers))
                else:
                    cmd, env = ["wget", "--recursive", "--level=1", "--page-requisites", "--no-verbose",
                                f"--warc-file={work}/wget", "-P", str(work / "files"),
                                site.base + "/index.html"], None
                wall, rss, _, cpu = run_measured(cmd, env)
                rows[tool].append((wall, rss, site.served.value - before, cpu))
                shutil.rmtree(work, ignore_errors=True)
            floor.append(_fetch_only(site.base, pages, workers))
    finally:
        site.close()
    n = pages + 1
    result = {}
    for tool, runs in rows.items():
        wall = statistics.median(w for w, _, _, _ in runs)
        rss = max(m for _, m, _, _ in runs)
        mb = statistics.median(b for _, _, b, _ in runs) / 1e6
        cpu = statistics.median(c for _, _, _, c in runs)
        result[tool] = n / wall
        print(f"{tool:9s} {n / wall:8.1f} pages/s  {mb / wall:7.1f} MB/s  peak RSS {rss:6.1f} MiB  "
              f"CPU {cpu:.2f} s  wall {wall:.2f} s (runs: {', '.join(f'{w:.2f}' for w, _, _, _ in runs)})")
    print(f"ratio archiver/wget pages/s: {result['archiver'] / result['wget']:.2f}x (target >= 3x)")
    print(f"fetch only (the same URLs over {workers} connections, bytes read and dropped): "
          f"{statistics.median(floor):.2f} s")


def _fetch_only(base: str, pages: int, workers: int) -> float:
    """Seconds to GET the site's URLs over *workers* keep-alive connections, reading each body and
    dropping it: what the server and loopback allow a client, before any work on the bytes."""
    host, port = base.split("//")[1].split(":")
    paths = ["/robots.txt", "/index.html", "/static/site.css"] + [
        f"/{kind}/{i}.{ext}" for i in range(pages) for kind, ext in (("article", "html"), ("img", "jpg"))]
    todo = iter(paths)
    lock = threading.Lock()

    def client() -> None:
        with socket.create_connection((host, int(port))) as sock:
            buf = b""
            while True:
                with lock:
                    path = next(todo, None)
                if path is None:
                    return
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
                while b"\r\n\r\n" not in buf:
                    buf += sock.recv(65536)
                head, _, buf = buf.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                while len(buf) < length:
                    buf += sock.recv(65536)
                buf = buf[length:]

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


# ----------------------------------------------------------------------------- compression
def _responses(count: int, unique: int):
    gen = NewsPages()
    bodies = [gen.page(i) for i in range(min(count, unique))]
    for i in range(count):
        body = bodies[i % len(bodies)]
        head = (f"HTTP/1.1 200 OK\r\nDate: Thu, 18 Jan 2024 14:32:{i % 60:02d} GMT\r\nServer: nginx\r\n"
                f"Content-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                f"Cache-Control: max-age=60\r\n\r\n").encode()
        yield f"https://news.example.org/article/{i}.html", head, body


def _write_archiver(path: Path, items) -> None:
    from archiver.capture.digests import label, new_hasher
    from archiver.capture.warcwriter import WarcFileWriter, WarcRecord, warc_date

    writer = WarcFileWriter(path.parent, prefix=path.stem, max_size=1 << 62,
                            warcinfo=lambda name: b"software: archiver-bench\r\n")
    for url, head, body in items:
        block_hash, payload_hash = new_hasher("sha256"), new_hasher("sha256")
        block_hash.update(head)  # one pass over the bytes, as the fetcher does while they arrive
        block_hash.update(body)
        payload_hash.update(body)
        record = WarcRecord("response", [("WARC-Date", warc_date()), ("WARC-Target-URI", url),
                                         ("WARC-Payload-Digest", label("sha256", payload_hash))],
                            len(head) + len(body), label("sha256", block_hash),
                            lambda h=head, b=body: (h, b), "application/http;msgtype=response")
        writer.write([record])
    writer.close()
    os.rename(writer.files[0], path)


def _write_warcio(path: Path, items) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, head, body in items:
            lines = head.decode().split("\r\n")
            headers = [tuple(x.split(": ", 1)) for x in lines[1:] if x]
            http = StatusAndHeaders(lines[0].split(" ", 1)[1], headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))


def bench_compress(records: int, repeats: int, unique: int) -> None:
    print(f"\n== compress: {records} HTML responses ({unique} distinct pages), {repeats} repeats, median ==")
    items = list(_responses(records, unique))
    html_mb = sum(len(h) + len(b) for _, h, b in items) / 1e6
    work = Path(tempfile.mkdtemp(prefix="bench-compress-"))
    times: dict[str, list[float]] = {"archiver": [], "warcio": []}
    sizes = {}
    try:
        for r in range(repeats):
            for tool in ("archiver", "warcio") if r % 2 == 0 else ("warcio", "archiver"):
                path = work / f"{tool}.warc.gz"
                path.unlink(missing_ok=True)
                started = time.perf_counter()
                (_write_archiver if tool == "archiver" else _write_warcio)(path, items)
                times[tool].append(time.perf_counter() - started)
                sizes[tool] = path.stat().st_size
        for tool in times:
            t = statistics.median(times[tool])
            print(f"{tool:9s} {records / t:8.0f} records/s  {html_mb / t:6.1f} MB/s of HTML  "
                  f"file {sizes[tool] / 1e6:7.2f} MB  (runs: {', '.join(f'{x:.2f}' for x in times[tool])} s)")
        speed = statistics.median(times["warcio"]) / statistics.median(times["archiver"])
        growth = sizes["archiver"] / sizes["warcio"] - 1
        print(f"archiver vs warcio: {speed:.2f}x records/s (target >= 2x), file size {growth:+.2%} "
              f"(target <= +3%)")
        for tool in times:
            cmd = [sys.executable, "-m", "warcio.cli", "check", str(work / f"{tool}.warc.gz")]
            done = subprocess.run(cmd, capture_output=True, text=True)
            print(f"warcio check {tool}: {'pass' if done.returncode == 0 else 'FAIL ' + done.stdout[:300]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------------- closing a big file
def bench_close(mib: int, repeats: int) -> None:
    """How long closing (or rolling over) a WARC of *mib* MiB holds the writer, with the
    background sync of the open file and without it."""
    import archiver.capture.warcwriter as warcwriter
    from archiver.capture.warcwriter import STORED, WarcFileWriter, WarcRecord

    print(f"\n== close: a {mib} MiB WARC file (1 MiB incompressible records), {repeats} repeats, median ==")
    blob = os.urandom(1 << 20)
    times: dict[str, list[tuple[float, float]]] = {"background sync": [], "sync at close only": []}
    default = warcwriter.SYNC_BEHIND
    try:
        for r in range(repeats):
            for mode in times if r % 2 == 0 else reversed(list(times)):
                warcwriter.SYNC_BEHIND = default if mode == "background sync" else 1 << 62
                work = Path(tempfile.mkdtemp(prefix="bench-close-", dir=REPO.parent))  # a real disk
                try:
                    writer = WarcFileWriter(work)
                    started = time.perf_counter()
                    for i in range(mib):
                        record = WarcRecord.from_bytes("resource", [("WARC-Target-URI", f"urn:x:{i}")], blob,
                                                       None, "sha256")
                        record.level = STORED
                        writer.write([record])
                    written = time.perf_counter()
                    writer.close()
                    times[mode].append((written - started, time.perf_counter() - written))
                finally:
                    shutil.rmtree(work, ignore_errors=True)
    finally:
        warcwriter.SYNC_BEHIND = default
    for mode, runs in times.items():
        print(f"{mode:19s} writing {statistics.median(w for w, _ in runs):6.2f} s  "
              f"close {statistics.median(c for _, c in runs):6.3f} s  "
              f"(closes: {', '.join(f'{c:.3f}' for _, c in runs)})")


# ----------------------------------------------------------------------------- big response
def bench_big(mib: int) -> None:
    size = mib * 1024 * 1024
    print(f"\n== big: one {mib} MiB response ==")
    site = Site(1, big_bytes=size)
    work = Path(tempfile.mkdtemp(prefix="bench-big-"))
    try:
        cmd, env = archiver_cmd(site.base + "/big", work / "coll", "--ignore-robots", "--timeout", "120",
                                "--no-requisites")
        wall, rss, code, _ = run_measured(cmd, env)
        warcs = list((work / "coll" / "warc").glob("*.warc.gz"))
        from warcio.archiveiterator import ArchiveIterator

        length = None
        with open(warcs[0], "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "response":
                    length = rec.payload_length
                    rec.content_stream().read(1)
                    break
        print(f"archiver  exit {code}  wall {wall:.1f} s  {size / wall / 1e6:.1f} MB/s  "
              f"peak RSS {rss:.1f} MiB (target < 150 MiB)  stored payload {length} of {size} bytes")
    finally:
        site.close()
        shutil.rmtree(work, ignore_errors=True)


_RESUME_CHILD = """
import json, resource, sys, time
from archiver.capture.capturelog import CollectionState, read_logs
logs, warcs, mode = sys.argv[1:]
started = time.perf_counter()
if mode == "load":
    state = CollectionState.load(logs, warcs)
    count = len(state.done)
elif mode == "parse":
    count = sum(1 for _ in read_logs(logs))
else:  # the peer: the same files read line by line and parsed by the standard library's json
    from pathlib import Path
    count = 0
    for path in sorted(Path(logs).glob("capture-*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            count += sum(1 for raw in fh if json.loads(raw))
print(json.dumps([time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  count]))
"""


def bench_resume(runs: int, repeats: int) -> None:
    """How long a run waits, and how much memory it holds, for the state of RUNS earlier runs."""
    from archiver.capture.capturelog import CaptureLog

    per_run, fresh = 5_000, 4_000
    print(f"\n== resume: capture logs of {runs} runs x {per_run} URLs ({runs * per_run:,} lines), "
          f"{repeats} repeats, median ==")
    work = Path(tempfile.mkdtemp(prefix="bench-resume-"))
    try:
        (work / "logs").mkdir()
        (work / "warc").mkdir()
        for r in range(runs):
            name = f"archiver-2026{r:06d}000000-00000-bench.warc.gz"
            (work / "warc" / name).touch()
            log = CaptureLog(work / "logs" / f"capture-2026{r:06d}T000000Z-bench.jsonl")
            for i in range(per_run):
                n = r * fresh + i if i < fresh else 10**9 + i  # the last 1,000 are the same every day
                kind = "image/jpeg" if i % 2 else "text/html"
                log.write(url=f"https://news.example.org/2026/{n}/a-story-about-the-news-{n}.html",
                          seed=False, outcome="captured", status=200, warc_filename=name,
                          record_id=f"<urn:uuid:{r:08x}-0000-4000-8000-{i:012x}>", hops="L",
                          via="https://news.example.org/", run_id=f"2026{r:06d}T000000Z-bench",
                          warc_offset=i * 9_000, warc_date="2026-01-01T00:00:00.000000Z",
                          payload_digest="sha256:" + hashlib.sha256(b"%d %d" % (r, i)).hexdigest(),
                          payload_length=40_000, content_type=kind, truncated=False, refers_to=None)
            log.close()
        labels = {"load": "CollectionState.load", "parse": "read_logs only", "stdlib": "stdlib json only"}
        results: dict[str, list[tuple[float, float]]] = {label: [] for label in labels.values()}
        for rep in range(repeats):
            for mode in list(labels) if rep % 2 == 0 else reversed(labels):
                cmd = [sys.executable, "-c", _RESUME_CHILD, str(work / "logs"), str(work / "warc"), mode]
                done = subprocess.run(cmd, env=archiver_env(), capture_output=True, text=True, check=True)
                seconds, rss, _ = json.loads(done.stdout)
                results[labels[mode]].append((seconds, rss))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = runs * per_run
    for name, rows in results.items():
        seconds = statistics.median(t for t, _ in rows)
        rss = statistics.median(m for _, m in rows)
        print(f"{name:22s} {seconds:6.2f} s  {lines / seconds / 1e3:7.0f}k lines/s  peak RSS {rss:7.1f} MiB"
              f"  (runs: {', '.join(f'{t:.2f}' for t, _ in rows)})")
    load = statistics.median(t for t, _ in results["CollectionState.load"])
    peer = statistics.median(t for t, _ in results["stdlib json only"])
    print(f"CollectionState.load / stdlib json parse of the same lines: {load / peer:.2f}x")


# ----------------------------------------------------------------------------- cookies
def _cookie_costs(store, header_for, hosts: int, requests: int) -> tuple[float, float]:
    """(ms per Set-Cookie response, ms per request) for *hosts* hosts of their own domains."""
    started = time.perf_counter()
    for i in range(hosts):
        store(f"https://www.site{i}.example/", [
            ("Set-Cookie", f"visitor{i}=1; Path=/"),
            ("Set-Cookie", f"consent=yes; Domain=site{i}.example; Path=/"),
            ("Set-Cookie", "region=eu; Path=/; Max-Age=3600")])
    stored = (time.perf_counter() - started) / hosts
    started = time.perf_counter()
    for k in range(requests):
        header_for(f"https://www.site{k % hosts}.example/article/{k}.html")
    return stored * 1e3, (time.perf_counter() - started) / requests * 1e3


def bench_cookies(host_counts: list[int], repeats: int) -> None:
    import urllib.request
    from http.cookiejar import CookieJar

    from archiver.capture.cookies import SessionCookies
    from archiver.domains import public_suffix_list

    print(f"\n== cookies: ms per Set-Cookie response / per request's Cookie header, median of {repeats} ==")
    public_suffix_list()  # loaded once per run either way (about 0.1 s), not per host

    def one_jar():
        jar = CookieJar()

        def store(url, headers):
            class Info:
                def get_all(self, name, default=None):
                    return [v for k, v in headers if k.lower() == name.lower()] or default

            class Response:
                def info(self):
                    return Info()
            jar.extract_cookies(Response(), urllib.request.Request(url))  # type: ignore[arg-type]

        def header_for(url):
            request = urllib.request.Request(url)
            jar.add_cookie_header(request)
            return request.get_header("Cookie")
        return store, header_for

    def ours():
        jar = SessionCookies()
        return jar.store, jar.header_for

    for hosts in host_counts:
        costs = {name: [_cookie_costs(*make(), hosts, 2_000) for _ in range(repeats)]
                 for name, make in (("archiver", ours), ("one CookieJar", one_jar))}
        cells = {name: (statistics.median(s for s, _ in runs), statistics.median(r for _, r in runs))
                 for name, runs in costs.items()}
        (ours_set, ours_req), (peer_set, peer_req) = cells["archiver"], cells["one CookieJar"]
        print(f"{hosts:6d} hosts: archiver {ours_set:.3f} / {ours_req:.3f} ms, one CookieJar "
              f"{peer_set:.3f} / {peer_req:.3f} ms; per request {peer_req / ours_req:.0f}x faster")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["crawl", "compress", "big", "close", "resume", "cookies"],
                    action="append")
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--latency-ms", type=float, action="append",
                    help="server think time per request; repeatable (default: 0 and 20)")
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--unique", type=int, default=2_000, help="distinct pages among the records")
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--close-mib", type=int, default=512)
    ap.add_argument("--resume-runs", type=int, default=200, help="earlier runs of 5,000 URLs each")
    ap.add_argument("--cookie-hosts", type=int, action="append",
                    help="cookie-setting hosts in a run; repeatable (default: 10, 100, 1000)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    only = set(args.only or ["crawl", "compress", "big", "close", "resume", "cookies"])
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    if "compress" in only:
        bench_compress(args.records, args.repeats, args.unique)
    if "crawl" in only:
        for latency in args.latency_ms or [0.0, 20.0]:
            bench_crawl(args.pages, args.repeats, args.workers, latency)
    if "big" in only:
        bench_big(args.big_mib)
    if "close" in only:
        bench_close(args.close_mib, args.repeats)
    if "resume" in only:
        bench_resume(args.resume_runs, args.repeats)
    if "cookies" in only:
        bench_cookies(args.cookie_hosts or [10, 100, 1000], args.repeats)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
