"""Write realistic news-crawl .warc.gz files for benchmarks/catalogue.py (run by it in a child process).

    python benchmarks/warcgen.py OUT_DIR TARGET_BYTES SEED     prints {"records", "bytes", "files"}

Article pages (prose from a Zipf-weighted vocabulary inside heavy site chrome), JPEG-like images
(incompressible), stylesheets, redirects, 404s, revisits, request records, and a capture log with
failed fetches per file; one gzip member per record, files of 100 MB.
"""

import io
import json
import random
import sys
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

out, target, seed = Path(sys.argv[1]), int(float(sys.argv[2])), int(sys.argv[3])
rng = random.Random(seed)
letters = "etaoinshrdlcumwfgypbvkjxqz"
weights = [
    12,
    9,
    8,
    7.5,
    7,
    6.7,
    6.3,
    6,
    6,
    4.3,
    4,
    2.8,
    2.8,
    2.4,
    2.4,
    2.2,
    2,
    2,
    1.9,
    1.5,
    1,
    0.8,
    0.2,
    0.2,
    0.1,
    0.1,
]
vocab = "the of and to in a is that for on said with as was by at from minister government".split()
while len(vocab) < 5000:
    vocab.append("".join(rng.choices(letters, weights, k=rng.randint(2, 10))))
zipf = [1 / (i + 1) for i in range(len(vocab))]
sections = ["world", "politics", "business", "sport", "culture", "science", "opinion", "economy"]
nav = "".join(
    f'<li class="nav__item"><a class="nav__link" href="/{s}/">{s.title()}</a><ul>'
    + "".join(f'<li><a href="/{s}/{w}/">{w}</a></li>' for w in rng.sample(vocab[:300], 15))
    + "</ul></li>"
    for s in sections
)
script = (
    "<script>"
    + "".join(f"window.cfg{i}={{id:{i},on:true,src:'/js/m{i}.js'}};" for i in range(200))
    + "</script>"
)
footer = "<footer>" + "".join(f'<a href="/about/{w}">{w}</a> ' for w in rng.sample(vocab, 200)) + "</footer>"


def prose(n):
    return " ".join(rng.choices(vocab, zipf, k=n))


def page(i, host):
    title = prose(8).capitalize()
    paras = "".join(f"<p>{prose(rng.randint(30, 90))}.</p>" for _ in range(rng.randint(8, 30)))
    related = "".join(
        f'<li><a href="/news/{rng.randint(0, 10**6)}.html">{prose(7)}</a></li>' for _ in range(40)
    )
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": f"2024-10-{i % 28 + 1:02d}T10:00:00+00:00",
            "publisher": {"@type": "Organization", "name": host},
        }
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="stylesheet" href="/css/site.css"><script type="application/ld+json">{ld}</script>'
        f"{script}</head><body><header><nav><ul>{nav}</ul></nav></header><main><article><h1>{title}</h1>"
        f'<img src="/img/{i}.jpg" alt="{prose(5)}"><div class="body">{paras}</div></article>'
        f"<aside><ul>{related}</ul></aside></main>{footer}</body></html>"
    ).encode()


pool = [page(i, f"news{i % 7}.example.com") for i in range(60)]
css = ("".join(f".c{i}{{margin:{i % 9}px;background:url(/img/bg{i}.png)}}\n" for i in range(3000))).encode()


def response(w, url, body, ctype, status="200 OK", extra=(), date=None):
    h = StatusAndHeaders(
        status, [("Content-Type", ctype), ("Content-Length", str(len(body))), *extra], protocol="HTTP/1.1"
    )
    rec = w.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=h,
        warc_headers_dict={"WARC-Date": date, "WARC-IP-Address": f"192.0.2.{rng.randint(1, 254)}"},
    )
    w.write_record(rec)
    return rec


def request(w, url, host, date):
    h = StatusAndHeaders(
        "GET " + url.split(host, 1)[1] + " HTTP/1.1",
        [("Host", host), ("User-Agent", "bench")],
        is_http_request=True,
    )
    w.write_record(
        w.create_warc_record(
            url, "request", payload=io.BytesIO(b""), http_headers=h, warc_headers_dict={"WARC-Date": date}
        )
    )


records, written, fileno, n = 0, 0, 0, 0
log_lines = []
while written < target:
    path = out / f"bench-{seed}-{fileno:04d}.warc.gz"
    fileno += 1
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "benchmark generator"}))
        records += 1
        while fh.tell() < 100_000_000 and written + fh.tell() < target:
            n += 1
            host = f"news{n % 7}.example.com"
            date = f"2024-11-{n % 28 + 1:02d}T{n % 24:02d}:{n % 60:02d}:{(n * 7) % 60:02d}Z"
            url = f"https://{host}/news/{n}.html?ref=home"
            kind = rng.random()
            request(w, url, host, date)
            records += 1
            if kind < 0.55:
                body = pool[n % len(pool)].replace(b"<h1>", b"<h1>%d " % n, 1)
                first = response(w, url, body, "text/html; charset=utf-8", date=date)
                if rng.random() < 0.1:
                    rv = w.create_revisit_record(
                        url,
                        digest=first.rec_headers.get_header("WARC-Payload-Digest"),
                        refers_to_uri=url,
                        refers_to_date=date,
                        http_headers=StatusAndHeaders(
                            "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
                        ),
                    )
                    w.write_record(rv)
                    records += 1
            elif kind < 0.85:
                response(
                    w,
                    url.replace(".html?ref=home", ".jpg"),
                    b"\xff\xd8\xff\xe0" + rng.randbytes(rng.randint(20_000, 120_000)),
                    "image/jpeg",
                    date=date,
                )
            elif kind < 0.95:
                response(w, url.replace(".html?ref=home", ".css"), css, "text/css", date=date)
            elif kind < 0.98:
                response(
                    w,
                    url,
                    b"",
                    "text/html",
                    status="301 Moved Permanently",
                    extra=[("Location", f"/news/{n + 1}.html")],
                    date=date,
                )
            else:
                response(
                    w,
                    url,
                    b"<html><body>Not found</body></html>",
                    "text/html",
                    status="404 Not Found",
                    date=date,
                )
            records += 1
            if n % 1000 == 0:
                log_lines.append(
                    {
                        "time": date,
                        "url": f"https://gone{n}.example.net/",
                        "seed": False,
                        "outcome": "failed",
                        "status": None,
                        "error": "dns: no such host",
                        "warc_filename": None,
                        "record_id": None,
                    }
                )
        if log_lines:
            body = "".join(json.dumps(line) + "\n" for line in log_lines).encode()
            w.write_record(
                w.create_warc_record(
                    f"urn:archiver:capture-log:bench{fileno}",
                    "resource",
                    payload=io.BytesIO(body),
                    warc_content_type="application/x-ndjson",
                )
            )
            records += 1
            log_lines = []
        written += fh.tell()
print(json.dumps({"records": records, "bytes": written, "files": fileno}))
