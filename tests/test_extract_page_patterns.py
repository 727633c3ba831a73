"""Markup patterns met on real news pages (found by `benchmarks/extraction.py --real`), each on a small
hand-written page: the headline, authors, dates and body text a reader sees."""

from __future__ import annotations

from datetime import UTC, datetime

from archiver.extract import extract_html

CAPTURE = datetime(2025, 1, 1, tzinfo=UTC)
PARAS = ("The town council voted on Tuesday to close the old swimming pool at the end of the summer season.",
         "Councillors said repairs to the roof and the heating would cost more than a new building would.",
         "A public meeting about the site's future will be held in the library hall next month.")


def extract(html: str, url: str = "https://news.example.org/2024/05/pool-closes") -> dict:
    return extract_html(html.encode("utf-8"), url, capture_time=CAPTURE)


def page(head: str, article: str) -> str:
    return f"<html><head>{head}</head><body><article>{article}</article></body></html>"


def test_paragraphs_with_a_chrome_like_class_that_hold_the_body_are_kept():
    # Some sites mark the paragraphs past the paywall class="paywall": they are still the body.
    body = "".join(f'<p class="paywall">{p}</p>' for p in PARAS)
    doc = extract(page("<title>Pool to close</title>",
                       f'<h1>Pool to close</h1>{body}<div class="newsletter"><p>Sign up today</p></div>'))
    assert doc["body"]["paragraphs"] == list(PARAS)


def test_a_small_box_with_a_chrome_class_is_still_dropped():
    body = "".join(f"<p>{p}</p>" for p in PARAS) + '<p class="paywall">Subscribe to keep reading our news</p>'
    doc = extract(page("<title>Pool to close</title>", f"<h1>Pool to close</h1>{body}"))
    assert doc["body"]["paragraphs"] == list(PARAS)


def test_a_structured_headline_cut_short_with_an_ellipsis_does_not_replace_the_h1():
    full = "Town council votes to close the old swimming pool after a century of use"
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
          '"headline": "Town council votes to close the old swimming pool..."}</script>')
    doc = extract(page(f"<title>{full} | Example News</title>{ld}",
                       f"<h1>{full}</h1>" + "".join(f"<p>{p}</p>" for p in PARAS)))
    assert doc["headline"] == full


def test_an_h1_that_also_holds_a_section_link_gives_the_headline_alone():
    headline = "Town council votes to close the old swimming pool"
    h1 = f'<h1><span class="define">{headline}</span><a href="/local.html">Example Local News</a></h1>'
    doc = extract(page(f"<title>{headline} » Local » Example Local News</title>",
                       h1 + "".join(f"<p>{p}</p>" for p in PARAS)))
    assert doc["headline"] == headline


def test_an_h1_that_also_holds_the_byline_gives_the_headline_alone():
    headline = "Town council votes to close the old swimming pool"
    h1 = f"<h1><span>{headline}</span><br><span>Senior writer Jane Doe</span></h1>"
    doc = extract(page(f'<title>{headline} : Example News</title><meta property="og:title" '
                       f'content="{headline} (photo: agency)">', h1 + "".join(f"<p>{p}</p>" for p in PARAS)))
    assert doc["headline"] == headline


def test_a_time_in_a_list_of_other_stories_is_not_the_page_date():
    url = "https://blogs.example.org/ann/blog/260619/pool-closes"
    others = ('<ul><li><a href="/ann/blog/300719/a-later-post">A later post about the harbour</a> '
              '<time datetime="2019-07-30">30 July 2019</time> by <a rel="author" href="/ann">Ann</a></li>'
              '<li><a href="/ann/blog/260619/pool-closes">Town council votes to close the pool</a> '
              '<time datetime="2019-06-27">27 June 2019</time> by <a rel="author" href="/ann">Ann</a>'
              "</li></ul>")
    html = ("<html><head><title>Town council votes to close the pool</title></head><body><main>"
            "<h1>Town council votes to close the pool</h1>" + "".join(f"<p>{p}</p>" for p in PARAS)
            + f"</main><aside><h2>More from this blog</h2>{others}</aside></body></html>")
    assert extract(html, url)["date_published"] == "2019-06-27"


def test_a_time_in_a_list_item_with_only_short_links_is_kept():
    html = page("<title>Pool to close</title>",
                '<h1>Pool to close</h1><ul class="meta"><li>'
                '<time datetime="2024-05-02T10:00:00+02:00">2 May 2024</time> in <a href="/local/">Local</a>'
                "</li></ul>" + "".join(f"<p>{p}</p>" for p in PARAS))
    assert extract(html)["date_published"] == "2024-05-02T10:00:00+02:00"


def test_the_day_a_time_element_shows_wins_over_a_datetime_days_away():
    # The datetime attribute is days later than the day shown as published (a last-edit stamp).
    html = page("<title>Pool to close</title>",
                '<h1>Pool to close</h1><time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time>'
                + "".join(f"<p>{p}</p>" for p in PARAS))
    assert extract(html)["date_published"] == "2019-06-29"


def test_a_time_element_showing_the_same_day_keeps_its_datetime():
    html = page("<title>Pool to close</title>",
                '<h1>Pool to close</h1><time datetime="2019-06-29T23:30:00+00:00">30 June 2019</time>'
                + "".join(f"<p>{p}</p>" for p in PARAS))
    assert extract(html)["date_published"] == "2019-06-29T23:30:00Z"


def test_a_meta_author_the_page_names_only_as_editor_is_not_an_author():
    html = page('<title>外国专家：合作共赢</title><meta name="author" content="严玉洁">',
                "<h1>外国专家：合作共赢</h1>" + "".join(f"<p>{p}</p>" for p in PARAS)
                + "<p>（编辑：严玉洁 王辉）</p><div>【责任编辑：严玉洁】</div>")
    assert extract(html)["authors"] == []


def test_an_english_editor_label_needs_its_colon():
    html = page('<title>Pool to close</title><meta name="author" content="Jane Doe">',
                '<h1>Pool to close</h1><p class="byline">Political editor Jane Doe</p>'
                + "".join(f"<p>{p}</p>" for p in PARAS) + "<p>Editor: John Roe</p>")
    assert [a["name"] for a in extract(html)["authors"]] == ["Jane Doe"]


def test_a_meta_author_named_as_editor_and_as_author_is_kept():
    html = page('<title>Pool to close</title><meta name="author" content="Jane Doe">',
                '<h1>Pool to close</h1><p class="byline">By Jane Doe</p>'
                + "".join(f"<p>{p}</p>" for p in PARAS) + "<p>Editor: Jane Doe</p>")
    assert [a["name"] for a in extract(html)["authors"]] == ["Jane Doe"]


def test_a_headline_child_in_a_script_without_spaces_is_still_the_headline():
    # Japanese runs words together: the headline child holds most of the <h1>'s letters though only
    # two of its four space-separated tokens; the <title> adds a photo credit and the site's name.
    from archiver.extract import extract_html

    head = "米朝首脳直通電話\u3000習氏に挑むトランプ戦術の成否"
    html = (f'<html lang="ja"><head><title>{head}\u3000（写真＝ロイター）\u3000：日本経済新聞</title>'
            f'<meta property="og:title" content="{head}（写真＝ロイター）">'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
            f'"{head}\u3000（写真＝ロイター）\u3000：日本経済新聞"}}</script></head><body><article>'
            f'<h1 itemprop="headline">\n\t<span class="m-streamer">{head}</span>'
            "\n\t\t<span></span>\n\t\t<br/>"
            '\n\t<span class="m-streamer">編集委員\u3000中沢克二</span>\n\t\t</h1>'
            + "".join(f"<p>本文の段落{i}です。米朝首脳会談の後、各国の反応が続いている。</p>"
                      for i in range(6))
            + "</article></body></html>").encode()
    doc = extract_html(html, "https://news.example.jp/article/1")
    assert doc["headline"] == head.replace("\u3000", " ")
