"""Bad pages never crash extraction; it records what it could and the schema check reports the rest."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest

from archiver.extract import analyse_html, extract_html
from archiver.extract.attribution import find_attributions
from archiver.extract.charset import decode_html
from archiver.extract.credits import split_credit
from archiver.extract.dateline import find_dateline
from archiver.extract.dates import parse_date
from archiver.schemas import validate_document

CAPTURED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
URL = "http://news.test/story.html"
STORY = "<p>" + "The council voted on the budget after a long debate about road repairs. " * 6 + "</p>"


def ld(**fields) -> str:
    """A JSON-LD NewsArticle script block."""
    return f"<script type='application/ld+json'>{json.dumps({'@type': 'NewsArticle', **fields})}</script>"


def page(head: str = "", body: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def test_malformed_html_still_gives_headline_and_text():
    html = (b"<html><head><title>Broken page</title><body><div><article><h1>Bridge reopens after repairs"
            b"<p>ZAGREB, 3 May (Hina) - The bridge reopened on Friday <b>after <i>three</b> months</i>."
            b"<p>" + b"Traffic returned to normal within hours of the reopening ceremony. " * 8
            + b"</div></span></td><p>unclosed <a href='x'>link")
    doc, is_article = analyse_html(html, URL, capture_time=CAPTURED)
    assert doc["headline"] == "Bridge reopens after repairs"
    assert doc["dateline"]["agency"] == "Hina"
    assert any("Traffic returned to normal" in p for p in doc["body"]["paragraphs"])
    assert is_article
    assert validate_document(doc) == []


@pytest.mark.parametrize("content", [b"", b"   \n", b"<html></html>", b"<!-- nothing -->"])
def test_empty_pages_do_not_crash_and_fail_validation_clearly(content):
    doc, is_article = analyse_html(content, URL, headers={"Content-Type": "text/html"}, capture_time=CAPTURED)
    assert not is_article
    assert doc["body"]["paragraphs"] == [] and doc["body"]["word_count"] == 0
    violations = validate_document(doc)
    assert [(v.pointer, v.rule) for v in violations] == [("/headline", "minLength")]


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n" + os.urandom(4096),
    b"\x1f\x8b\x08\x00" + os.urandom(2048),
    b"\x00\x00\x00" * 500,
], ids=["all-bytes", "png", "gzip", "nuls"])
def test_binary_served_as_text_html_is_not_an_article(content):
    doc, is_article = analyse_html(content, URL, headers={"Content-Type": "text/html"}, capture_time=CAPTURED)
    assert not is_article
    assert isinstance(doc["body"]["paragraphs"], list)


def test_invalid_json_ld_loses_only_that_block():
    head = ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": \"X\",,,</script>"
            + ld(headline="Council passes budget", author={"@type": "Person", "name": "Ana Horvat"}) +
            "<meta property='og:title' content='Council passes budget'>"
            "<meta property='article:published_time' content='2024-05-02T08:00:00+02:00'>")
    doc = extract_html(page(head, "<article><h1>Council passes budget</h1>" + STORY + "</article>"), URL,
                       capture_time=CAPTURED)
    assert doc["headline"] == "Council passes budget"
    assert doc["authors"] == [{"name": "Ana Horvat", "url": None}]
    assert doc["date_published"] == "2024-05-02T08:00:00+02:00"
    assert validate_document(doc) == []


def test_only_invalid_json_ld_falls_back_to_other_sources():
    head = ("<script type='application/ld+json'>{\"@type\": \"NewsArticle\" \"headline\": }</script>"
            "<meta name='author' content='Ivo Babic'>")
    doc = extract_html(page(head, "<article><h1>Ferry timetable changes</h1>"
                                  "<time datetime='2024-04-30T07:00:00+02:00'>30 April</time>" + STORY
                                  + "</article>"), URL, capture_time=CAPTURED)
    assert doc["headline"] == "Ferry timetable changes"
    assert doc["authors"][0]["name"] == "Ivo Babic"
    assert doc["date_published"] == "2024-04-30T07:00:00+02:00"
    assert doc["provenance"]["field_sources"]["date_published"] == "html"


def test_contradictory_dates():
    head = (ld(headline="Storm damage", datePublished="2031-01-01T00:00:00Z",
               dateModified="2020-02-02T10:00:00+01:00") +
            "<meta property='article:published_time' content='2024-05-20T09:00:00+02:00'>"
            "<meta property='article:modified_time' content='2024-05-21T09:00:00+02:00'>")
    doc = extract_html(page(head, "<article><h1>Storm damage</h1>" + STORY + "</article>"), URL,
                       capture_time=CAPTURED)
    # JSON-LD's publication date is after the capture: impossible, so OpenGraph's is used.
    assert doc["date_published"] == "2024-05-20T09:00:00+02:00"
    assert doc["provenance"]["field_sources"]["date_published"] == "opengraph"
    # JSON-LD's modification date is before publication: contradictory, so not recorded.
    assert doc["date_modified"] is None
    assert validate_document(doc) == []


def test_every_date_after_capture_time_is_dropped():
    head = "<meta property='article:published_time' content='2030-01-01T00:00:00Z'>"
    doc = extract_html(page(head, "<article><h1>Future story</h1>" + STORY + "</article>"), URL,
                       capture_time=CAPTURED)
    assert doc["date_published"] is None


def test_dates_without_offset_are_kept_as_days():
    assert str(parse_date("2024-01-18T14:32:00")) == "2024-01-18"
    assert parse_date("2024-01-18T14:32:00+03:00").isoformat() == "2024-01-18T14:32:00+03:00"
    assert parse_date("not a date") is None and parse_date("") is None


@pytest.mark.parametrize("data, header, charset, source", [
    ("Минск".encode("cp1251") + b"<meta charset='windows-1251'>", "text/html; charset=utf-8",
     "windows-1251", "meta"),   # header wrong (bytes are not UTF-8), meta right
    (("<p>Минск. Третья линия минского метрополитена продлена на три станции, пассажиры смогут "
      "воспользоваться ими уже сегодня. Новые станции соединили центр города с южными микрорайонами. "
      "Длина нового участка составила почти пять километров.</p>").encode("cp1251"),
     "text/html", "windows-1251", "detected"),  # no declaration at all
    ("Минск".encode() + b"<meta charset='windows-1251'>", "text/html", "utf-8", "default"),  # meta wrong
    (b"\xef\xbb\xbf" + "Минск".encode(), "text/html; charset=windows-1251", "utf-8", "bom"),
    ("Zürich".encode("cp1252"), "text/html; charset=iso-8859-1", "windows-1252", "http-header"),
    # a multi-byte legacy label on bytes that are plainly UTF-8 is wrong too (both decode these
    # bytes: cp949 gave "Caf챕 cr챔me 횪 Z체rich")
    ("Café crème à Zürich".encode(), "text/html; charset=euc-kr", "utf-8", "default"),
    ("Zürich Καλημέρα κόσμε".encode(), "text/html; charset=shift_jis", "utf-8", "default"),
    ("Минск".encode("cp949"), "text/html; charset=euc-kr", "cp949", "http-header"),  # and right here
])
def test_charset_decisions(data, header, charset, source):
    decoded = decode_html(data, header)
    assert (decoded.charset, decoded.source) == (charset, source)
    assert ("Минск" in decoded.text) or ("Zürich" in decoded.text)


@pytest.mark.parametrize("text, want", [
    ("MINSK, 18 January (BelTA) - The", ("MINSK", "18 January", "BelTA")),
    ("WASHINGTON (AP) — The", ("WASHINGTON", None, "AP")),
    ("KYIV/MOSCOW, Jan 5 (Reuters) - The", ("KYIV", "Jan 5", "Reuters")),
    ("NEW YORK, March 3 - Stocks", ("NEW YORK", "March 3", None)),
])
def test_datelines(text, want):
    d = find_dateline(text)
    assert (d.place, d.date_text, d.agency) == want


@pytest.mark.parametrize("text", ["UPDATE - the", "I - think", "Minsk, 18 January (BelTA) - lower case place",
                                  "The MINSK office (BelTA) - said", ""])
def test_not_datelines(text):
    assert find_dateline(text) is None


@pytest.mark.parametrize("caption, want", [
    ("Sergey Lavrov. Image credit: the Russian Ministry of Foreign Affairs",
     ("Sergey Lavrov", "the Russian Ministry of Foreign Affairs")),
    ("A view of the harbour (Photo by Jane Roe)", ("A view of the harbour", "Jane Roe")),
    ("Фото: Минский метрополитен", (None, "Минский метрополитен")),
    ("© Reuters", (None, "Reuters")),
    ("A photo of the old bridge", ("A photo of the old bridge", None)),
    ("", (None, None)),
])
def test_image_credits(caption, want):
    assert split_credit(caption) == want


def test_attributions_credit_outlets_not_people_or_ministries():
    paras = ["MINSK, 18 January (BelTA) - Lavrov said so, TASS has reported.",
             "According to him, the talks failed. According to the Transport Ministry, costs rose.",
             "The figures were confirmed by officials, Interfax reports, and according to Reuters too."]
    got = find_attributions(paras, exclude="BelTA")
    assert [a["name"] for a in got] == ["TASS", "Interfax", "Reuters"]
    assert got[0]["phrase"] == "TASS has reported"


@pytest.mark.parametrize("text, want", [
    ("Publicado el 1 de febrero de 2024, 13:25", "2024-02-01"),
    ("Publié le 06 mars 2023 à 18h45", "2023-03-06"),
    ("16. Mai 2024, 11.32 Uhr", "2024-05-16"),
    ("Updated May 3, 2024 at 5:00 pm", "2024-05-03"),
    ("22 ноября 2023, 09:15", "2023-11-22"),
    ("23 maja 2024", "2024-05-23"),
    ("16.05.2024", "2024-05-16"),
    ("no date here, only 2024", None),
])
def test_dates_written_out_in_several_languages(text, want):
    from archiver.extract.dates import date_in_text

    got = date_in_text(text)
    assert (got.isoformat() if got else None) == want


@pytest.mark.parametrize("byline, names", [
    ("<div class='firma'>Por Jordi Puig</div>", ["Jordi Puig"]),
    ("<p class='byline'>By Daniel Okafor and Priya Raman | 7 Feb</p>", ["Daniel Okafor", "Priya Raman"]),
    ("<span>Par Claire Dubois et Mathieu Lefèvre</span>", ["Claire Dubois", "Mathieu Lefèvre"]),
    ("<p>By continuing you accept our cookies and the terms.</p>", []),
])
def test_bylines_as_text(byline, names):
    doc = extract_html(page("", "<article><h1>Budget vote</h1>" + byline + STORY + "</article>"), URL,
                       capture_time=CAPTURED)
    assert [a["name"] for a in doc["authors"]] == names


def test_site_name_h1_is_not_the_headline_and_a_wrapper_class_does_not_hide_the_post():
    html = page("<title>Sam's notes: Moving to Python 3.12</title>",
                "<div id='header'><h1 class='title'><a href='/'>Sam's notes</a></h1></div>"
                "<div class='date-outer'><h2 class='date-header'>30 March 2024</h2>"
                "<div class='post'><h3 class='post-title entry-title'>Moving to Python 3.12</h3>"
                "<div class='post-body'>" + STORY + "</div>"
                "<div class='post-footer'><span class='post-author vcard'>Posted by Sam Kowalczyk</span>"
                "</div></div></div>")
    doc = extract_html(html, URL, capture_time=CAPTURED)
    assert doc["headline"] == "Moving to Python 3.12"
    assert doc["body"]["word_count"] == 78
    assert [a["name"] for a in doc["authors"]] == ["Sam Kowalczyk"]
    assert doc["date_published"] == "2024-03-30"


def test_json_ld_author_string_with_by_prefix():
    doc = extract_html(page(ld(headline="Budget vote", author="By Ana Horvat and Ivo Babic"),
                            "<article><h1>Budget vote</h1>" + STORY + "</article>"),
                       URL, capture_time=CAPTURED)
    assert [a["name"] for a in doc["authors"]] == ["Ana Horvat", "Ivo Babic"]
    assert doc["provenance"]["field_sources"]["authors"] == "json-ld"


@pytest.mark.parametrize("h1, structured, want", [
    # a logo <h1> linking to the home page by absolute URL is not the headline
    ("<h1><a href='https://news.test/'>News Test</a></h1><article><h2 class='entry-title'>Budget passes "
     "after long debate</h2>", "", "Budget passes after long debate"),
    # an <h1> with a kicker: the part the structured headline names
    ("<article><h1><span>Budget</span> <span>Council passes the budget after a long debate</span></h1>",
     "<meta property='og:title' content='Council passes the budget after a long debate'>",
     "Council passes the budget after a long debate"),
    # an anchor without href inside the headline does not make it a logo
    ("<article><h1><a name='top'></a>Council passes the budget</h1>", "", "Council passes the budget"),
])
def test_headline_choices(h1, structured, want):
    doc = extract_html(page(structured, h1 + STORY + "</article>"), URL, capture_time=CAPTURED)
    assert doc["headline"] == want


def test_job_titles_and_placeholders_are_not_authors():
    doc = extract_html(page("<meta name='author' content='admin'>",
                            "<article><h1>Budget vote</h1>"
                            "<p class='byline'>By Jane Doe, Senior Correspondent</p>" + STORY + "</article>"),
                       URL, capture_time=CAPTURED)
    assert [a["name"] for a in doc["authors"]] == ["Jane Doe"]


def test_companies_and_people_reporting_are_not_outlets():
    paras = ["Apple reported record profits on Thursday.", "Sergey Lavrov reported to the president.",
             "The figures were first published by the Financial Times, the Kyiv Post reported."]
    assert [a["name"] for a in find_attributions(paras)] == ["Kyiv Post"]


def test_avatars_icons_and_pixels_are_not_article_images():
    body = ("<article><h1>Budget vote</h1><img src='/a/avatar-jane.jpg' alt='Jane'>"
            "<img src='/t.gif' width='1' height='1'><img class='icon-share' src='/s.png'>"
            "<figure><img src='/photos/council.jpg' alt='The council'><figcaption>The council chamber. "
            "Photo: Ana Horvat</figcaption></figure>" + STORY + "</article>")
    doc = extract_html(page("", body), URL, capture_time=CAPTURED)
    assert [(i["url"], i["caption"], i["credit"]) for i in doc["images"]] == [
        ("http://news.test/photos/council.jpg", "The council chamber", "Ana Horvat")]


def test_structured_values_as_lists_and_objects():
    head = ld(headline=["Council passes budget"], publisher=[{"@type": "Organization", "name": "News Test"}],
              author=[{"@type": "Person", "name": ["Ana Horvat"]}], keywords=["budget", "council", "budget"])
    doc = extract_html(page(head, "<svg><title>icon</title></svg><article><h1>Council passes budget</h1>"
                            + STORY + "</article>"), URL, capture_time=CAPTURED)
    assert doc["publisher"] == "News Test"
    assert doc["headline"] == "Council passes budget" and doc["alternative_headline"] is None
    assert doc["keywords"] == ["budget", "council"]
    assert doc["authors"] == [{"name": "Ana Horvat", "url": None}]
