# ruff: noqa: E501  (HTML templates below are kept one tag-line per line, as in the pages they copy)
"""Build the benchmark corpus: article texts (articles.json) laid into page templates that copy the
markup patterns of real news sites and blogs (see SOURCES). Run once; its output is committed.

    python benchmarks/corpus/build_corpus.py
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"],
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
           "października", "listopada", "grudnia"],
}
BY = {"en": "By", "de": "Von", "fr": "Par", "es": "Por", "ru": "Автор:", "pl": "Autor:"}
AND = {"en": "and", "de": "und", "fr": "et", "es": "y", "ru": "и", "pl": "i"}


def e(text: str) -> str:
    return html.escape(text, quote=True)


def human_date(a: dict) -> str:
    dt = datetime.fromisoformat(a["published"])
    month = MONTHS[a["lang"]][dt.month - 1]
    if a["lang"] == "en":
        return f"{dt.day} {month} {dt.year}, {dt:%H:%M}"
    if a["lang"] == "de":
        return f"{dt.day}. {month} {dt.year}, {dt:%H.%M} Uhr"
    if a["lang"] == "fr":
        return f"Publié le {dt.day:02d} {month} {dt.year} à {dt:%Hh%M}"
    if a["lang"] == "es":
        return f"Publicado el {dt.day} de {month} de {dt.year}, {dt:%H:%M}"
    return f"{dt.day} {month} {dt.year}, {dt:%H:%M}"


def byline(a: dict) -> str:
    names = a["authors"]
    if not names:
        return ""
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {AND[a['lang']]} {names[-1]}"
    return f"{BY[a['lang']]} {joined}"


def paras(a: dict, attrs: str = "", inject: str = "") -> str:
    out = []
    for i, p in enumerate(a["body"]):
        out.append(f"<p{attrs}>{e(p)}</p>")
        if i == 1 and inject:
            out.append(inject)
    return "\n".join(out)


def figure(a: dict, cls: str = "") -> str:
    img = a.get("image")
    if not img:
        return ""
    return (f'<figure class="{cls}"><img src="{img["src"]}" alt="{e(img["caption"])}" width="800" height="450">'
            f'<figcaption>{e(img["caption"])} <span class="credit">{e(img["credit"])}</span></figcaption></figure>')


def ld_json(a: dict, graph: bool = False, authors_as: str = "Person") -> str:
    item = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a["headline"],
            "datePublished": a["published"], "inLanguage": a["lang"],
            "author": [{"@type": authors_as, "name": n} for n in a["authors"]] or
            {"@type": "Organization", "name": a["site"]},
            "publisher": {"@type": "Organization", "name": a["site"]}}
    if a.get("modified"):
        item["dateModified"] = a["modified"]
    if a.get("section"):
        item["articleSection"] = a["section"]
    if graph:
        item = {"@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "name": a["site"]}, {**item, "@context": None}]}
        del item["@graph"][1]["@context"]
    return f'<script type="application/ld+json">{json.dumps(item, ensure_ascii=False)}</script>'


COOKIE = ('<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience. '
          'By continuing you accept our use of cookies.</p><button>Accept</button></div>')


def related(title: str, items: list[str], cls: str = "related") -> str:
    lis = "".join(f'<li><a href="/story/{i}">{e(t)}</a></li>' for i, t in enumerate(items))
    return f'<section class="{cls}"><h2>{e(title)}</h2><ul>{lis}</ul></section>'


OTHER = ["Minister resigns after row over school funding", "Storm warning issued for the weekend",
         "Local team wins cup final on penalties", "House prices fall for third month running"]


def guardian_like(a: dict) -> str:
    newsletter = ('<aside class="element-rich-link newsletter-signup"><p>Sign up to our morning briefing: '
                  'the news you need, every weekday.</p></aside>')
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="utf-8">
<title>{e(a['headline'])} | {e(a['section'] or 'News')} | {e(a['site'])}</title>
<meta property="og:title" content="{e(a['headline'])}"><meta property="og:type" content="article">
<meta property="og:site_name" content="{e(a['site'])}">
<meta name="author" content="{e(', '.join(a['authors']))}">
<meta property="article:published_time" content="{a['published']}">
{ld_json(a)}</head><body>{COOKIE}
<header><a class="logo" href="/">{e(a['site'])}</a><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li></ul></nav></header>
<main><article><div data-gu-name="headline"><h1>{e(a['headline'])}</h1></div>
<div data-gu-name="meta"><address><a rel="author" href="/profile/x">{e(a['authors'][0]) if a['authors'] else ''}</a></address>
<details><summary>{e(human_date(a))}</summary></details></div>
{figure(a)}
<div id="maincontent" class="article-body-commercial-selector">{paras(a, inject=newsletter)}</div>
<div class="submeta"><a href="/tag/1">Topics</a> <button>Share</button> <button>Reuse this content</button></div>
</article>{related('Most viewed', OTHER, 'most-viewed')}</main>
<footer><p>© {datetime.fromisoformat(a['published']).year} {e(a['site'])}. All rights reserved.</p></footer></body></html>"""


def reuters_like(a: dict) -> str:
    graph = ld_json(a, graph=True)
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="utf-8">
<title>{e(a['headline'])} | {e(a['site'])}</title>
<meta property="og:title" content="{e(a['headline'])}"><meta property="og:type" content="article">
<meta name="article:published_time" content="{a['published']}">
{graph}</head><body>
<header class="site-header"><nav><a href="/">{e(a['site'])}</a> <a href="/markets">Markets</a> <a href="/tech">Tech</a></nav></header>
<main id="main-content"><article>
<header class="article-header"><div class="article-header__tags"><a href="/tech">{e(a['section'] or '')}</a></div>
<h1 data-testid="Heading">{e(a['headline'])}</h1>
<div class="article-header__author-date"><div class="info-content__author">{e(byline(a))}</div>
<time datetime="{a['published']}">{e(human_date(a))}</time></div></header>
<div class="article-body__content">
{''.join(f'<p data-testid="paragraph-{i}">{e(p)}</p>' for i, p in enumerate(a['body']))}
<p class="sign-off">Reporting by {e(' and '.join(a['authors']))}; Editing by Mark Potter</p>
<p class="trust">Our Standards: The Trust Principles.</p></div>
{related('Read Next', OTHER, 'read-next')}
</article></main><footer><p>All quotes delayed a minimum of 15 minutes.</p></footer></body></html>"""


def ap_like(a: dict) -> str:
    epoch = int(datetime.fromisoformat(a["published"]).timestamp() * 1000)
    upper = f"By {' and '.join(n.upper() for n in a['authors'])}" if a["authors"] else ""
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="UTF-8">
<title>{e(a['headline'])} | {e(a['site'])}</title>
<meta property="og:title" content="{e(a['headline'])}"><meta property="og:site_name" content="{e(a['site'])}">
{ld_json(a)}</head><body>
<div class="Page-header"><a href="/" class="Page-logo">{e(a['site'])}</a>
<ul class="Navigation"><li>World</li><li>U.S.</li><li>Politics</li><li>Sports</li></ul></div>
<div class="Page-content"><div class="Page-breadcrumbs"><a href="/us-news">{e(a['section'] or '')}</a></div>
<h1 class="Page-headline">{e(a['headline'])}</h1>
<div class="Page-authors"><span class="Link">{e(upper)}</span></div>
<div class="Page-dateModified"><bsp-timestamp data-timestamp="{epoch}"><span>Updated</span></bsp-timestamp></div>
{figure(a, 'Figure')}
<div class="RichTextStoryBody RichTextBody">{paras(a)}
<p>___</p><p>Associated Press writers contributed to this report.</p></div>
{related('Related Stories', OTHER, 'PageList-items')}</div>
<footer class="Page-footer"><p>Copyright {datetime.fromisoformat(a['published']).year}. All rights reserved.</p></footer></body></html>"""


def wordpress_blog(a: dict) -> str:
    comments = ('<div id="comments" class="comments-area"><h2 class="comments-title">3 thoughts</h2><ol>'
                '<li><article class="comment-body"><p>Great post, thanks for sharing!</p></article></li>'
                '<li><article class="comment-body"><p>I tried this last year and it worked well for me too, '
                'although it took me longer than expected.</p></article></li></ol></div>')
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="UTF-8">
<title>{e(a['headline'])} – {e(a['site'])}</title>
<meta name="generator" content="WordPress 6.4"></head>
<body class="post-template-default single single-post">
<div id="page" class="site"><header id="masthead" class="site-header"><div class="site-branding">
<h1 class="site-title"><a href="/" rel="home">{e(a['site'])}</a></h1><p class="site-description">Notes and ideas</p></div>
<nav id="site-navigation" class="main-navigation"><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">
<article id="post-42" class="post-42 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{e(a['headline'])}</h1>
<div class="entry-meta"><span class="posted-on">Posted on <a href="/p/42" rel="bookmark"><time class="entry-date published" datetime="{a['published']}">{e(human_date(a))}</time></a></span>
<span class="byline"> by <span class="author vcard"><a class="url fn n" href="/author/x">{e(a['authors'][0])}</a></span></span></div></header>
<div class="entry-content">{paras(a)}</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/c/1">Uncategorized</a></span></footer>
</article>{comments}</main>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2>
<ul><li><a href="/p/41">A year of small changes</a></li><li><a href="/p/40">Reading list for the winter</a></li></ul></section></aside>
</div><footer id="colophon" class="site-footer"><p>Proudly powered by WordPress</p></footer></div></body></html>"""


def spiegel_like(a: dict) -> str:
    kicker = a["section"] or "News"
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="utf-8">
<title>{e(kicker)}: {e(a['headline'])} - {e(a['site'])}</title>
<meta name="description" content="{e(a['body'][0])}"><meta name="author" content="{e(', '.join(a['authors']))}">
<meta name="date" content="{a['published']}"><meta name="last-modified" content="{a.get('modified') or a['published']}">
<meta property="og:title" content="{e(kicker)}: {e(a['headline'])}"><meta property="og:type" content="website">
</head><body>{COOKIE}
<header><a href="/">{e(a['site'])}</a><nav><a href="/politik">Politik</a> <a href="/wirtschaft">Wirtschaft</a></nav></header>
<main><article aria-label="{e(a['headline'])}"><header>
<h2><span class="kicker">{e(kicker)}</span></h2><h1><span class="headline">{e(a['headline'])}</span></h1>
<div class="meta"><span>{e(byline(a))}</span> · <time datetime="{a['published'][:19].replace('T', ' ')}">{e(human_date(a))}</time></div></header>
{figure(a)}
<section data-area="body">{paras(a, inject=related('Mehr zum Thema', OTHER[:2], 'mehr-zum-thema'))}</section>
<div class="paywall-hint"><p>Jetzt weiterlesen mit unserem Abo.</p></div></article></main>
<footer><p>Impressum · Datenschutz · Kontakt</p></footer></body></html>"""


def lemonde_like(a: dict) -> str:
    ld = ld_json(a)
    lire = ('<p class="article__siblings"><span>Lire aussi :</span> <a href="/x">Ce que prévoit la réforme</a></p>')
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="utf-8">
<title>{e(a['headline'])}</title>
<meta property="og:title" content="{e(a['headline'])}"><meta property="og:type" content="article">
<meta property="og:site_name" content="{e(a['site'])}">{ld}</head><body>
<header class="Header"><a class="Header__logo" href="/">{e(a['site'])}</a><nav><a href="/politique">Politique</a> <a href="/societe">Société</a></nav></header>
<main><section class="article__header"><h1 class="article__title">{e(a['headline'])}</h1>
<p class="article__desc">{e(a['body'][0][:90])}…</p>
<p class="meta__publisher"><span class="author">{e(byline(a))}</span></p>
<span class="meta__date">{e(human_date(a))}</span></section>
{figure(a, 'article__media')}
<article class="article__content">{paras(a, ' class="article__paragraph"', lire)}</article>
<section class="article__reactions"><h3>Réagir</h3><p>Vous pouvez lire les commentaires réservés aux abonnés.</p></section>
{related('Les plus lus', OTHER, 'services-most-read')}</main>
<footer class="Footer"><p>Toute reproduction interdite.</p></footer></body></html>"""


def no_metadata_local(a: dict) -> str:
    return f"""<html><head><title>{e(a['site'])} - {e(a['headline'])}</title>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>
<body bgcolor="#ffffff"><table width="100%"><tr><td class="top"><a href="/"><img src="/logo.gif" alt="{e(a['site'])}"></a></td></tr>
<tr><td class="menu"><a href="/">Portada</a> | <a href="/local">Local</a> | <a href="/deportes">Deportes</a></td></tr>
<tr><td class="contenido"><div class="fecha">{e(human_date(a))}</div>
<div class="titular"><b><font size="5">{e(a['headline'])}</font></b></div>
<div class="firma">{e(byline(a))}</div>
{figure(a)}
<div class="texto">{paras(a)}</div></td>
<td class="lateral" width="200">{related('Lo más leído', OTHER, 'mas-leido')}</td></tr>
<tr><td class="pie"><p>Aviso legal · Contacto · Publicidad</p></td></tr></table></body></html>"""


def drupal_like(a: dict) -> str:
    dt = a["published"]
    return f"""<!DOCTYPE html><html lang="{a['lang']}" dir="ltr"><head><meta charset="utf-8">
<title>{e(a['headline'])} | {e(a['site'])}</title>
<meta name="dcterms.title" content="{e(a['headline'])}"><meta name="dcterms.creator" content="{e('; '.join(a['authors']))}">
<meta name="dcterms.date" content="{dt}"><meta name="dcterms.language" content="{a['lang']}">
<link rel="canonical" href="/node/{sum(map(ord, a['id'])) % 10000}"></head><body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas"><header role="banner"><div class="region region-header">
<a href="/" rel="home" class="site-logo">{e(a['site'])}</a></div>
<nav role="navigation" class="menu--main"><ul class="menu"><li><a href="/news">News</a></li><li><a href="/events">Events</a></li></ul></nav></header>
<div class="region region-breadcrumb"><nav class="breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ol></nav></div>
<main role="main"><a id="main-content" tabindex="-1"></a>
<h1 class="page-title"><span class="field field--name-title">{e(a['headline'])}</span></h1>
<article role="article" class="node node--type-article node--view-mode-full">
<div class="node__meta"><span class="field--name-uid">{e(', '.join(a['authors']))}</span>
<span class="field--name-created">{e(human_date(a))}</span></div>
<div class="node__content">{figure(a, 'field--name-field-image')}
<div class="clearfix text-formatted field field--name-body">{paras(a)}</div>
<div class="field field--name-field-tags"><div class="field__label">Tags</div><a href="/t/1">{e(a['section'] or 'News')}</a></div>
</div></article>
<div class="views-element-container block-views-blockrelated">{related('Related content', OTHER[:3], 'view-related')}</div></main>
<footer role="contentinfo"><div class="region region-footer"><p>Contact us · Accessibility · Privacy</p></div></footer></div></body></html>"""


def microdata_like(a: dict) -> str:
    authors = " ".join(f'<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
                       f'<span itemprop="name">{e(n)}</span></span>' for n in a["authors"])
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="utf-8">
<title>{e(a['headline'])} — {e(a['site'])}</title></head><body>
<div class="header"><a class="logo" href="/">{e(a['site'])}</a><ul class="menu"><li>Главная</li><li>Новости</li></ul></div>
<div class="layout"><div class="main" itemscope itemtype="https://schema.org/NewsArticle">
<meta itemprop="datePublished" content="{a['published']}">
<div class="rubric">{e(a['section'] or '')}</div>
<h1 itemprop="headline">{e(a['headline'])}</h1>
<div class="authors">{authors}</div><div class="date">{e(human_date(a))}</div>
{figure(a)}
<div class="text" itemprop="articleBody">{paras(a)}</div>
<div class="share"><span>Поделиться:</span> <a href="#">VK</a> <a href="#">Telegram</a></div></div>
<div class="sidebar">{related('Читайте также', OTHER, 'read-also')}</div></div>
<div class="footer"><p>© {e(a['site'])}. Все права защищены.</p></div></body></html>"""


def blog_h1_logo(a: dict) -> str:
    """Blogger/older themes: the blog name is the page's only <h1>, the post title an <h2>; no metadata."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{e(a['site'])}: {e(a['headline'])}</title></head>
<body><div id="header"><h1 class="title"><a href="/">{e(a['site'])}</a></h1><p class="description">Thoughts, notes, links</p></div>
<div id="main"><div class="date-outer"><h2 class="date-header"><span>{e(human_date(a))}</span></h2>
<div class="post hentry"><h3 class="post-title entry-title"><a href="/p/1.html">{e(a['headline'])}</a></h3>
<div class="post-body entry-content">{paras(a)}</div>
<div class="post-footer"><span class="post-author vcard">Posted by <span class="fn">{e(a['authors'][0]) if a['authors'] else 'admin'}</span></span>
<span class="post-comment-link"><a href="#comments">4 comments</a></span></div></div></div>
<div id="comments"><h4>4 comments:</h4><dl><dt>Anonymous said...</dt><dd><p>Thanks, very useful.</p></dd></dl></div></div>
<div id="sidebar"><h2>Blog Archive</h2><ul><li>2024 (12)</li><li>2023 (30)</li></ul></div></body></html>"""


def amp_like(a: dict) -> str:
    """An AMP page: JSON-LD with ISO dates, amp-img, headline in <h1>, byline with a job title."""
    role = {"en": "Senior Correspondent", "de": "Korrespondentin", "fr": "journaliste", "es": "redactor",
            "ru": "корреспондент", "pl": "dziennikarka"}[a["lang"]]
    by = f"{BY[a['lang']]} {a['authors'][0]}, {role}" if a["authors"] else ""
    img = a.get("image")
    amp_img = (f'<figure><amp-img src="{img["src"]}" width="800" height="450" layout="responsive" alt="{e(img["caption"])}"></amp-img>'
               f'<figcaption>{e(img["caption"])} {e(img["credit"])}</figcaption></figure>') if img else ""
    return f"""<!doctype html><html amp lang="{a['lang']}"><head><meta charset="utf-8">
<title>{e(a['headline'])} - {e(a['site'])}</title><link rel="canonical" href="https://example.org/{a['id']}">
<meta name="viewport" content="width=device-width"><style amp-boilerplate>body{{visibility:hidden}}</style>
{ld_json(a)}</head><body><header class="amp-header"><a href="/">{e(a['site'])}</a></header>
<amp-sidebar id="menu" layout="nodisplay"><ul><li>News</li><li>Sport</li><li>Weather</li></ul></amp-sidebar>
<article class="amp-article"><h1 class="amp-title">{e(a['headline'])}</h1>
<div class="amp-byline">{e(by)}</div><div class="amp-date">{e(human_date(a))}</div>
{amp_img}<div class="amp-body">{paras(a)}</div>
<amp-social-share type="twitter"></amp-social-share></article>
<footer><p>View the full site</p></footer></body></html>"""


def title_only(a: dict) -> str:
    """A bare CMS export: no <h1>, the headline only in <title> (with the site name), date in the URL path
    of the page's own permalink, body in <div id="story">."""
    dt = datetime.fromisoformat(a["published"])
    return f"""<html><head><title>{e(a['headline'])} :: {e(a['site'])}</title>
<meta charset="utf-8"><link rel="shortlink" href="/{dt:%Y/%m/%d}/{a['id']}/"></head><body>
<div id="top"><a href="/">{e(a['site'])}</a> | <a href="/archive">Archive</a> | <a href="/contact">Contact</a></div>
<div id="story"><div class="permalink"><a href="/{dt:%Y/%m/%d}/{a['id']}/">Permalink</a></div>
{paras(a)}<p class="signature">{e(', '.join(a['authors']))}</p></div>
<div id="bottom"><p>More stories: <a href="/s/1">{e(OTHER[0])}</a> · <a href="/s/2">{e(OTHER[1])}</a></p></div></body></html>"""


def nextjs_like(a: dict) -> str:
    """A React/Next.js news site: og + twitter metas, JSON-LD with author URLs, headline <h1> inside a
    div soup, hashed class names, and a large __NEXT_DATA__ script holding the text again."""
    data = json.dumps({"props": {"pageProps": {"article": {"title": a["headline"], "body": a["body"]}}}},
                      ensure_ascii=False)
    authors = " ".join(f'<a class="c-AuthorLink__x7f2" href="/authors/{i}">{e(n)}</a>' for i, n in enumerate(a["authors"]))
    return f"""<!DOCTYPE html><html lang="{a['lang']}"><head><meta charset="utf-8">
<title>{e(a['headline'])} | {e(a['site'])}</title>
<meta property="og:title" content="{e(a['headline'])}"><meta name="twitter:title" content="{e(a['headline'])}">
<meta property="og:type" content="article"><meta property="article:published_time" content="{a['published']}">
{ld_json(a)}</head><body><div id="__next"><div class="sc-1a2b3c"><div class="Nav_wrap__a1"><a href="/">{e(a['site'])}</a>
<a href="/news">News</a><a href="/opinion">Opinion</a></div>
<div class="sc-4d5e6f"><div class="Headline_h__z9"><h1 class="sc-h1x">{e(a['headline'])}</h1></div>
<div class="Byline_b__q2">{authors}</div><div class="Timestamp_t__k3">{e(human_date(a))}</div>
<div class="ArticleBody_body__p0">{''.join(f'<div class="Paragraph_p__r1"><p>{e(p)}</p></div>' for p in a['body'])}</div>
<div class="Newsletter_n__m4"><p>Get our newsletter in your inbox every morning.</p><input type="email"></div>
<div class="Recirc_r__s5"><h2>More from {e(a['site'])}</h2><ul><li>{e(OTHER[2])}</li><li>{e(OTHER[3])}</li></ul></div>
</div></div></div><script id="__NEXT_DATA__" type="application/json">{data}</script></body></html>"""


LAYOUT = [
    ("en-harbour", guardian_like), ("en-harbour", drupal_like), ("en-chip", reuters_like),
    ("en-ap-wildfire", ap_like), ("en-blog-python", wordpress_blog), ("de-bahn", spiegel_like),
    ("de-bahn", microdata_like), ("de-blog-garten", wordpress_blog), ("fr-greve", lemonde_like),
    ("fr-culture", drupal_like), ("fr-culture", no_metadata_local), ("es-sequia", no_metadata_local),
    ("es-sequia", guardian_like), ("ru-tass", microdata_like), ("ru-tass", drupal_like),
    ("pl-sejm", microdata_like), ("en-science", lemonde_like), ("en-science", ap_like),
    ("en-blog-python", blog_h1_logo), ("de-blog-garten", blog_h1_logo), ("en-chip", amp_like),
    ("fr-greve", amp_like), ("pl-sejm", amp_like), ("en-harbour", title_only), ("ru-tass", title_only),
    ("en-ap-wildfire", nextjs_like), ("es-sequia", nextjs_like), ("de-bahn", nextjs_like),
]


def main() -> None:
    articles = {a["id"]: a for a in json.loads((HERE / "articles.json").read_text(encoding="utf-8"))}
    PAGES.mkdir(exist_ok=True)
    gold = []
    for art_id, template in LAYOUT:
        a = articles[art_id]
        name = f"{art_id}.{template.__name__}.html"
        (PAGES / name).write_text(template(a), encoding="utf-8")
        gold.append({"file": f"pages/{name}", "url": f"https://example.org/{art_id}", "template": template.__name__,
                     "headline": a["headline"], "authors": a["authors"], "date": a["published"][:10],
                     "body": a["body"]})
    (HERE / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(gold)} pages written to {PAGES}")


if __name__ == "__main__":
    main()
