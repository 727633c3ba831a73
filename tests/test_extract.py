"""Article extraction on the sample site: every article page against its hand-checked expected document,
through the library and through `archiver extract` on WARC files made with warcio."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from extract_support import ARTICLE_PAGES, BASE, CAPTURE_TIME, EXPECTED, OTHER_PAGES, SITE, make_collection
from warcio.archiveiterator import ArchiveIterator

from archiver.extract import analyse_html, extract_collection, extract_html
from archiver.schemas import validate_document

# Fields that depend on how the page was obtained (loose file vs WARC record), checked separately.
CAPTURE_DEPENDENT = ("url",)


def expected(rel: str) -> dict:
    return json.loads((EXPECTED / f"{Path(rel).stem}.json").read_text(encoding="utf-8"))


def from_file(rel: str) -> dict:
    return extract_html((SITE / rel).read_bytes(), f"{BASE}/{rel}", headers={"Content-Type": "text/html"},
                        capture_time=CAPTURE_TIME)


def assert_fields_equal(got: dict, want: dict, where: str, skip: tuple[str, ...] = ()) -> None:
    assert set(got) == set(want), where
    for key in want:
        if key in skip:
            continue
        if isinstance(want[key], dict):
            for sub in want[key]:
                assert got[key][sub] == want[key][sub], f"{where}: {key}.{sub}"
        else:
            assert got[key] == want[key], f"{where}: {key}"


@pytest.mark.parametrize("rel", ARTICLE_PAGES)
def test_each_sample_article_matches_its_expected_document(rel):
    document = from_file(rel)
    assert validate_document(document) == []
    assert_fields_equal(document, expected(rel), rel)


def test_seed_article_fields():
    doc = from_file("news/lavrov-nato.html")
    assert doc["headline"] == ("Lavrov: U.S. policy of unrestrained NATO expansion provoked conflict "
                               "in Ukraine")
    assert doc["dateline"]["place"] == "MINSK" and doc["dateline"]["agency"] == "BelTA"
    assert doc["date_published"] == "2024-01-18T14:32:00+03:00"
    assert doc["images"][0]["credit"] == "the Russian Ministry of Foreign Affairs"
    assert doc["images"][0]["caption"] == "Sergey Lavrov"
    assert doc["credited_sources"] == [{"name": "TASS", "phrase": "TASS has reported"}]
    body = "\n".join(doc["body"]["paragraphs"])
    assert body.startswith("MINSK, 18 January (BelTA) - The U.S. policy")
    assert body.endswith("proposals regarding the collective principles for resolving conflicts.")
    for chrome in ("Subscribe to us", "Recent news", "Gomel Oblast farmers", "All news", "Government Bodies"):
        assert chrome not in body
    assert doc["body"]["word_count"] == 339


def test_seed_body_is_the_seed_text():
    repo = Path(__file__).resolve().parents[1]
    # shared/ lies beside the checkout (CI) or beside the folder of worktrees (development)
    candidates = [base / "shared" / "seeds" / "000_c550625fe29d2797.txt"
                  for base in (repo.parent, repo.parent.parent)]
    seed = next((c for c in candidates if c.exists()), None)
    if seed is None:
        pytest.skip("shared seed not present")
    lines = seed.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("MINSK, 18 January"))
    end = next(i for i, line in enumerate(lines) if line.endswith("resolving conflicts."))
    assert from_file("news/lavrov-nato.html")["body"]["paragraphs"] == lines[start:end + 1]


def test_windows_1251_page_is_correct_cyrillic():
    raw = (SITE / "news/minsk-metro.html").read_bytes()
    assert "Минске".encode("cp1251") in raw  # the sample really is stored in windows-1251
    doc = from_file("news/minsk-metro.html")
    assert doc["headline"] == "В Минске открылись три новые станции метро"
    assert doc["provenance"]["charset"] == "windows-1251"
    assert doc["dateline"]["place"] == "МИНСК"


@pytest.mark.parametrize("rel", OTHER_PAGES)
def test_index_and_about_pages_are_not_articles(rel):
    _, is_article = analyse_html((SITE / rel).read_bytes(), f"{BASE}/{rel}", capture_time=CAPTURE_TIME)
    assert not is_article


def _record_at(path: Path, offset: int, length: int):
    with open(path, "rb") as fh:
        fh.seek(offset)
        chunk = fh.read(length)
    found = []
    for record in ArchiveIterator(io.BytesIO(chunk)):
        record.payload = record.content_stream().read()
        found.append(record)
    assert len(found) == 1  # exactly one whole record lies in [offset, offset+length)
    return found[0]


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_extract_command_rebuilds_documents_from_warcs(invoke, tmp_path, gzip):
    coll = make_collection(tmp_path / "coll", gzip=gzip)
    result = invoke("extract", coll)
    assert result.exit_code == 0, result.output
    assert "6 article documents written" in result.output
    written = {json.loads(p.read_text(encoding="utf-8"))["final_url"]: p
               for p in (coll / "metadata" / "articles").glob("*.json")}
    assert sorted(written) == sorted(f"{BASE}/{rel}" for rel in ARTICLE_PAGES)
    warc_name = "sample-00000.warc.gz" if gzip else "sample-00000.warc"
    for rel in ARTICLE_PAGES:
        path = written[f"{BASE}/{rel}"]
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert path.name == f"{doc['article_id']}.json"
        want = copy.deepcopy(expected(rel))
        for image in want["images"]:
            image["captured"] = True
            image["capture"] = next(i["capture"] for i in doc["images"] if i["url"] == image["url"])
        want["provenance"].update(http_status=200, warc=doc["provenance"]["warc"])
        assert_fields_equal(doc, want, rel, skip=CAPTURE_DEPENDENT)
        warc = doc["provenance"]["warc"]
        assert warc["file"] == warc_name and warc["revisit_of"] is None
        record = _record_at(coll / "warc" / warc["file"], warc["offset"], warc["length"])
        assert record.rec_headers.get_header("WARC-Record-ID") == warc["record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == doc["final_url"]
        assert record.rec_headers.get_header("WARC-Payload-Digest") == warc["payload_digest"]
        assert record.payload == (SITE / rel).read_bytes()
        for image in doc["images"]:
            cap = image["capture"]
            with open(coll / "warc" / cap["file"], "rb") as fh:
                fh.seek(cap["offset"])
                rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers.get_header("WARC-Target-URI") == image["url"]
    # The seed article was linked by its old path: requested URL is the redirect's source.
    seed = json.loads(written[f"{BASE}/news/lavrov-nato.html"].read_text(encoding="utf-8"))
    assert seed["url"] == f"{BASE}/news/old-lavrov.html"
    assert seed["final_url"] == f"{BASE}/news/lavrov-nato.html"


def test_revisit_record_is_resolved_to_its_original_payload(tmp_path):
    coll = make_collection(tmp_path / "coll", gzip=False, revisit="news/rail-bridge.html")
    result = extract_collection(coll)
    assert result.failures == []
    doc = next(d for d in result.articles if d["final_url"].endswith("rail-bridge.html"))
    want = expected("news/rail-bridge.html")
    assert doc["body"] == want["body"] and doc["headline"] == want["headline"]
    warc = doc["provenance"]["warc"]
    assert warc["revisit_of"] is not None and warc["revisit_of"]["record_id"] != warc["record_id"]
    assert doc["provenance"]["capture_time"] == "2024-11-06T09:30:00Z"  # the later (revisit) capture wins
    record = _record_at(coll / "warc" / warc["file"], warc["offset"], warc["length"])
    assert record.rec_type == "revisit"
    assert len(result.documents) == 6


def test_invalid_document_is_reported_and_not_written_others_are(invoke, tmp_path):
    coll = make_collection(tmp_path / "coll")
    from extract_support import WarcBuilder

    # An article by its JSON-LD type, but with no headline anywhere: its document cannot validate.
    page = (b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
            b'"datePublished": "2024-05-01T10:00:00+03:00"}</script></head><body><article>'
            + b"<p>" + b"Words of the story without any headline at all. " * 12
            + b"</p></article></body></html>")
    builder = WarcBuilder(coll / "warc" / "extra.warc.gz")
    builder.response(f"{BASE}/news/headless.html", 200, page, "text/html")
    builder.close()
    result = invoke("extract", coll)
    assert result.exit_code == 1
    assert f"invalid: {BASE}/news/headless.html: /headline: minLength:" in result.stderr
    assert len(list((coll / "metadata" / "articles").glob("*.json"))) == 6
    assert "6 article documents written" in result.stdout


def test_stale_documents_are_removed_on_rebuild(tmp_path):
    coll = make_collection(tmp_path / "coll")
    stale = coll / "metadata" / "articles" / "art-0000000000000000.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    result = extract_collection(coll)
    assert not stale.exists() and result.removed == [stale]


def test_extract_html_command_prints_one_document(invoke, tmp_path):
    page = SITE / "news" / "minsk-metro.html"
    result = invoke("extract", "--html", page, "--url", f"{BASE}/news/minsk-metro.html",
                    "--capture-time", "2024-11-05T09:30:00Z")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert_fields_equal(doc, expected("news/minsk-metro.html"), "minsk-metro via CLI",
                        skip=("provenance",))


@pytest.mark.parametrize("args, message", [
    ((), "give a COLLECTION directory"),
    (("--html", "x.html"), "--html needs --url"),
    (("no-such-dir",), "not a collection directory"),
    (("somedir", "--url", "http://x/"), "go with --html"),
])
def test_extract_usage_errors_exit_2(invoke, tmp_path, args, message):
    result = invoke("extract", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_extract_html_on_a_page_failing_validation_exits_1(invoke, tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = invoke("extract", "--html", empty, "--url", "http://x.test/a")
    assert result.exit_code == 1
    assert "/headline: minLength" in result.stderr


@pytest.mark.parametrize("canonical", [b"/", b"/news/shared-canonical.html"])
def test_articles_sharing_a_canonical_url_keep_their_own_documents(tmp_path, canonical):
    from extract_support import WarcBuilder

    (tmp_path / "warc").mkdir()
    builder = WarcBuilder(tmp_path / "warc" / "a.warc.gz")
    for rel in ("news/harvest-record.html", "news/rail-bridge.html"):
        link = b'<head><link rel="canonical" href="' + canonical + b'">'
        html = (SITE / rel).read_bytes().replace(b"<head>", link, 1)
        builder.response(f"{BASE}/{rel}", 200, html, "text/html")
    builder.close()
    result = extract_collection(tmp_path)
    assert sorted(d["final_url"] for d in result.articles) == [f"{BASE}/news/harvest-record.html",
                                                               f"{BASE}/news/rail-bridge.html"]
    assert len({d["article_id"] for d in result.articles}) == 2
