"""Review 2: extractor heuristics added in 3ae033e and ce85280 on ordinary pages.

- a list item next to the page's own <time> holding a malformed link (href="http://[...") must not
  stop `archiver extract` with a traceback (urljoin/urlsplit raise ValueError on it);
- the page's own <time> in a byline list item whose author or category link has three words is
  the page's date, not another story's;
- <p>s of a chrome class (related-story teasers, subscription promos) inside <article> are not
  body text just because together they hold more than 40% of a short article's paragraph text.
"""

from __future__ import annotations

import pytest
from extract_support import WarcBuilder
from test_extract_page_patterns import PARAS, extract, page

BODY = "".join(f"<p>{p}</p>" for p in PARAS)


@pytest.mark.parametrize("meta", [
    '<li>Posted in <a href="/category/local-news-and-events/">Local News and Events</a> on {time}</li>',
    '<li>By <a href="/author/maria-de-souza/">Maria de Souza</a> {time}</li>',
], ids=["category-link", "three-word-author"])
def test_the_pages_own_time_in_a_byline_list_item_is_its_date(meta):
    time = '<time datetime="2024-05-03T09:00:00Z">3 May 2024</time>'
    meta = '<ul class="post-meta">' + meta.format(time=time) + "</ul>"
    doc = extract(page("<title>Pool to close</title>", "<h1>Pool to close</h1>" + meta + BODY))
    assert doc["date_published"] == "2024-05-03T09:00:00Z"


@pytest.mark.xfail(strict=True, reason="body.py _body_paragraph_classes keeps every <p> of a class holding "
                   "over 40% of the paragraph text, so a short article's related-story teasers or "
                   "subscription promos (class=related-story, promo) become body paragraphs")
@pytest.mark.parametrize("extra", [
    "".join(f'<p class="related-story">Also read: another story number {i} about the town and its council '
            "budget decisions this year, with more details inside.</p>" for i in range(8)),
    "".join(f'<p class="promo">Subscribe for just $1 a week to get unlimited access to all our journalism, '
            f"offer {i} ends soon, cancel at any time online.</p>" for i in range(6)),
], ids=["related-teasers", "promos"])
def test_chrome_class_paragraphs_in_a_short_article_are_not_body(extra):
    doc = extract(page("<title>Pool to close</title>", "<h1>Pool to close</h1>" + BODY + extra))
    assert doc["body"]["paragraphs"] == list(PARAS)


@pytest.mark.parametrize("head, body", [
    ("", '<h1>Pool to close</h1><ul><li><time datetime="2024-05-03T09:00:00Z">3 May 2024</time> '
         '<a href="http://[bad/x">A bad link here</a></li></ul>'),
    ("", '<h1>Pool to close</h1><img src="http://[bad/x.jpg">'),
    ("", '<h1><a href="http://[bad/">Pool to close</a></h1>'),
    ("", '<h1>Pool to close</h1><a rel="author" href="http://[bad/jd">Jane Doe</a>'),
    ('<link rel="license" href="http://[bad/cc">', "<h1>Pool to close</h1>"),
    ('<link rel="canonical" href="http://news.example.org:bad/x">', "<h1>Pool to close</h1>"),
], ids=["link-beside-time", "img", "h1-link", "rel-author", "rel-license", "canonical-bad-port"])
def test_a_malformed_url_does_not_stop_extract(invoke, tmp_path, head, body):
    html = page("<title>Pool to close</title>" + head, body + BODY)
    collection = tmp_path / "coll"
    (collection / "warc").mkdir(parents=True)
    builder = WarcBuilder(collection / "warc" / "a.warc.gz")
    builder.response("https://news.example.org/2024/05/pool-closes", 200, html.encode(), "text/html")
    builder.close()
    result = invoke("extract", collection)
    assert result.exit_code == 0, result.output
    assert "1 article document" in result.output


@pytest.mark.parametrize("title, h1", [
    ("Pool closes after council vote | Example Local News",
     '<h1>Town council votes to close the old swimming pool <a href="/local/">Example Local News</a></h1>'),
    ("Pool closes after council vote - Local News Today",
     '<h1><a href="/local/">Local News</a> Town council votes to close the old swimming pool</h1>'),
    ("Pool closes after council vote | Example News",
     '<h1><span class="kicker">Council vote</span> Town council votes to close the old swimming pool</h1>'),
], ids=["site-link-after", "section-link-before", "kicker"])
def test_a_kicker_or_section_link_in_the_h1_is_not_the_headline(title, h1):
    # The <title> is worded differently from the <h1> and happens to contain the kicker or link text:
    # that child of the <h1> is not the headline.
    doc = extract(page(f"<title>{title}</title>", h1 + BODY))
    assert "Town council votes to close the old swimming pool" in doc["headline"]


def test_a_byline_role_with_a_colon_still_names_the_author():
    doc = extract(page('<title>Pool to close</title><meta name="author" content="Jane Doe">',
                       '<h1>Pool to close</h1><p class="byline">Health editor: Jane Doe</p>' + BODY))
    assert [a["name"] for a in doc["authors"]] == ["Jane Doe"]
