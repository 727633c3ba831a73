"""Extraction accuracy (and speed) of archiver against trafilatura on a corpus of news pages.

For each page of the corpus (a gold.json listing file, url, headline, authors, date, body), both tools
extract from the same HTML bytes, and we report per field:

- headline: right when equal to the gold headline word by word, ignoring case and punctuation;
- author: right when the set of author names equals the gold set (same comparison per name);
- published date: right when on the same day as the gold date;
- body text: F1 over 4-word shingles (lower-cased words) between extracted and gold body.

Speed: median over --repeats runs of the time to process the whole corpus, per tool, and the ratio.
Each timed run is a fresh Python process (imports done and one warm-up page, not from the corpus,
extracted before the clock starts), because both tools keep caches (htmldate, trafilatura) that would
make a second pass over the same pages in one process unrealistically fast. Runs of the two tools
alternate so that load on the shared machine hits both alike.

    PYTHONPATH=. python benchmarks/extraction.py [--corpus benchmarks/corpus] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
CAPTURE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str | None) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(max(len(w) - n + 1, 0))}


def f1(pred: str, gold: str) -> float:
    p, g = shingles(pred), shingles(gold)
    if not p or not g:
        return 0.0
    inter = len(p & g)
    if not inter:
        return 0.0
    precision, recall = inter / len(p), inter / len(g)
    return 2 * precision * recall / (precision + recall)


def same_authors(pred: list[str], gold: list[str]) -> bool:
    return {tuple(words(n)) for n in pred if words(n)} == {tuple(words(n)) for n in gold}


def run_archiver(html: bytes, url: str) -> dict:
    from archiver.extract import extract_html

    doc = extract_html(html, url, capture_time=CAPTURE_TIME)
    return {"headline": doc["headline"], "authors": [a["name"] for a in doc["authors"]],
            "date": (doc["date_published"] or "")[:10], "body": "\n".join(doc["body"]["paragraphs"])}


def run_trafilatura(html: bytes, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html.decode("utf-8", "replace"), url=url, with_metadata=True,
                                      date_extraction_params={"max_date": CAPTURE_TIME.strftime("%Y-%m-%d")})
    if doc is None:
        return {"headline": "", "authors": [], "date": "", "body": ""}
    doc = doc if isinstance(doc, dict) else doc.as_dict()
    authors = [a.strip() for a in re.split(r";|,| and ", doc.get("author") or "") if a.strip()]
    return {"headline": doc.get("title") or "", "authors": authors, "date": (doc.get("date") or "")[:10],
            "body": doc.get("text") or ""}


TOOLS = {"archiver": run_archiver, "trafilatura": run_trafilatura}


WARM_UP = (b"<html><head><title>Warm-up</title></head><body><article><h1>Warm-up page</h1>"
           b"<p>Nothing to see here, only imports and first-call setup. " * 5
           + b"</p></article></body></html>")


def time_once(name: str, corpus: Path) -> float:
    """Seconds for *name* to process the corpus, in this (fresh) process after imports and warm-up."""
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    pages = [(g["url"], (corpus / g["file"]).read_bytes()) for g in gold]
    TOOLS[name](WARM_UP, "https://warm-up.invalid/")
    start = time.perf_counter()
    for url, html in pages:
        TOOLS[name](html, url)
    return time.perf_counter() - start


def time_fresh(name: str, corpus: Path) -> float:
    out = subprocess.run([sys.executable, __file__, "--corpus", str(corpus), "--time-only", name],
                         check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def evaluate(corpus: Path, repeats: int) -> dict:
    gold = json.loads((corpus / "gold.json").read_text(encoding="utf-8"))
    pages = [(g, (corpus / g["file"]).read_bytes()) for g in gold]
    report: dict = {"pages": len(pages), "repeats": repeats, "tools": {}, "per_page": []}
    outputs: dict[str, list[dict]] = {}
    timings: dict[str, list[float]] = {name: [] for name in TOOLS}
    for _ in range(repeats):
        for name in TOOLS:
            timings[name].append(time_fresh(name, corpus))
    for name, fn in TOOLS.items():
        results = [fn(html, g["url"]) for g, html in pages]
        outputs[name] = results
        scores = {"headline": [], "author": [], "date": [], "body_f1": []}
        for (g, _), r in zip(pages, results, strict=True):
            scores["headline"].append(words(r["headline"]) == words(g["headline"]))
            scores["author"].append(same_authors(r["authors"], g["authors"]))
            scores["date"].append(r["date"] == g["date"])
            scores["body_f1"].append(f1(r["body"], "\n".join(g["body"])))
        report["tools"][name] = {
            "headline": statistics.mean(scores["headline"]), "author": statistics.mean(scores["author"]),
            "date": statistics.mean(scores["date"]), "body_f1": statistics.mean(scores["body_f1"]),
            "seconds_median": statistics.median(timings[name]),
            "seconds_all": [round(t, 4) for t in timings[name]]}
        for i, (g, _) in enumerate(pages):
            if len(report["per_page"]) <= i:
                report["per_page"].append({"file": g["file"]})
            report["per_page"][i][name] = {
                "headline": scores["headline"][i], "author": scores["author"][i], "date": scores["date"][i],
                "body_f1": round(scores["body_f1"][i], 3), "got_headline": results[i]["headline"],
                "got_authors": results[i]["authors"], "got_date": results[i]["date"]}
    a, t = report["tools"]["archiver"], report["tools"]["trafilatura"]
    report["speed_ratio_archiver_over_trafilatura"] = a["seconds_median"] / t["seconds_median"]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--per-page", action="store_true", help="also print each page's results")
    parser.add_argument("--time-only", choices=sorted(TOOLS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_only:
        print(time_once(args.time_only, args.corpus))
        return 0
    report = evaluate(args.corpus, args.repeats)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    print(f"corpus: {args.corpus} ({report['pages']} pages), timing repeats: {report['repeats']}")
    print(f"{'tool':<12} {'headline':>8} {'author':>7} {'date':>6} {'body F1':>8} {'median s':>9}  runs (s)")
    for name, s in report["tools"].items():
        print(f"{name:<12} {s['headline']:>8.2f} {s['author']:>7.2f} {s['date']:>6.2f} {s['body_f1']:>8.3f} "
              f"{s['seconds_median']:>9.3f}  {s['seconds_all']}")
    print(f"time ratio archiver/trafilatura: {report['speed_ratio_archiver_over_trafilatura']:.2f}")
    if args.per_page:
        for p in report["per_page"]:
            print(p["file"])
            for name in TOOLS:
                r = p[name]
                print(f"   {name:<12} h={int(r['headline'])} a={int(r['author'])} d={int(r['date'])} "
                      f"f1={r['body_f1']:.2f} | {r['got_headline'][:60]!r} {r['got_authors']} "
                      f"{r['got_date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
