"""Realistic synthetic news pages for benchmarks: heavy site chrome around English-like article text.

Real article pages are 50-200 KB of HTML of which most is repeated chrome (navigation, inline
scripts, JSON-LD, footers) and the rest prose; that is what makes gzip level matter. The prose is
drawn from a Zipf-weighted vocabulary so that its compressibility resembles English.
"""

from __future__ import annotations

import random

_BASE = """the of and to in a is that for on said with as was by at from it his an be has have are
which not this but had they were been their its after who more one also will would new there about
year over government minister president country state people first two than when up other into
last out only police military war security foreign ministry national economic talks week official
agency reported press conference statement according told percent million billion city region""".split()


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [12, 9, 8, 7.5, 7, 6.7, 6.3, 6, 6, 4.3, 4, 2.8, 2.8, 2.4, 2.4, 2.2, 2, 2, 1.9, 1.5, 1, .8, .2,
               .2, .1, .1]
    words = list(_BASE)
    while len(words) < size:
        words.append("".join(rng.choices(letters, weights, k=rng.randint(3, 11))))
    return words


class NewsPages:
    """Deterministic generator of article pages (`page(i)`), ~40-120 KB each."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        self.cum = None
        weights = [1 / (rank + 1) for rank in range(len(self.words))]  # Zipf
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)
        sections = ["world", "politics", "business", "economy", "sport", "culture", "science", "opinion"]
        nav = "".join(
            f'<li class="nav__item nav__item--{s}"><a class="nav__link" href="/{s}/" '
            f'data-track="nav-{s}">{s.title()}</a><ul class="nav__sub">'
            + "".join(f'<li><a href="/{s}/{t}/" class="nav__sublink">{t.title()}</a></li>'
                      for t in self.rng.sample(self.words[:400], 12)) + "</ul></li>"
            for s in sections)
        self.header = (
            '<header class="site-header"><div class="site-header__inner"><a class="logo" href="/">'
            '<img src="/static/logo.svg" alt="Daily News" width="180" height="40"></a>'
            f'<nav class="nav" aria-label="Main"><ul class="nav__list">{nav}</ul></nav>'
            '<form class="search" action="/search"><input type="search" name="q" placeholder="Search">'
            '</form><a class="subscribe" href="/subscribe?utm_source=header">Subscribe</a></div></header>')
        self.script = ("<script>window.dataLayer=window.dataLayer||[];"
                       "function gtag(){dataLayer.push(arguments)}gtag('js',new Date());"
                       "gtag('config','G-XXXXXXX',{anonymize_ip:true});"
                       + "".join(f"var cfg{i}={{id:{i},enabled:true,path:'/assets/module-{i}.js'}};"
                                 for i in range(60)) + "</script>")
        self.footer = ('<footer class="site-footer"><ul class="site-footer__links">'
                       + "".join(f'<li><a href="/about/{w}">{w.title()}</a></li>'
                                 for w in self.rng.sample(self.words[:300], 40))
                       + '</ul><p class="copyright">&copy; Daily News. All rights reserved.</p></footer>')

    def _sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.words, cum_weights=self.cum, k=rng.randint(8, 30))
        return " ".join(words).capitalize() + "."

    def page(self, i: int, image: str | None = None) -> bytes:
        rng = random.Random(i)
        title = " ".join(rng.choices(self.words[:2000], k=8)).capitalize()
        paras = "".join(f"<p>{' '.join(self._sentence(rng) for _ in range(rng.randint(2, 6)))}</p>\n"
                        for _ in range(rng.randint(6, 30)))
        related = "".join(f'<li class="related__item"><a href="/article/{rng.randint(0, 10**6)}.html">'
                          f'{" ".join(rng.choices(self.words[:3000], k=7)).capitalize()}</a></li>'
                          for _ in range(rng.randint(10, 25)))
        img = (f'<figure class="lead"><img src="{image}" alt="" width="800" height="450">'
               '<figcaption>Photo: agency</figcaption></figure>') if image else ""
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Daily News</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
            f'<link rel="stylesheet" href="/static/site.css">'
            f'<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",'
            f'"headline":"{title}","datePublished":"2024-01-{1 + i % 28:02d}T10:00:00Z"}}</script>'
            f'{self.script}</head><body class="article-page">{self.header}<main class="main">'
            f'<article class="article"><h1 class="article__title">{title}</h1>'
            f'<time datetime="2024-01-{1 + i % 28:02d}">January {1 + i % 28}, 2024</time>{img}'
            f'<div class="article__body">{paras}</div></article>'
            f'<aside class="related"><h2>Related</h2><ul>{related}</ul></aside></main>{self.footer}'
            f'</body></html>').encode()
