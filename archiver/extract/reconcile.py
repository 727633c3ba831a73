"""Choosing one value per field when the page's sources disagree, and remembering which source won.

Each field has an order of trust. The visible headline is what a reader sees (the <h1> of the article)
when one can be found; structured data (JSON-LD, microdata, OpenGraph) says what the publisher meant
and is preferred for everything else; <title> and text heuristics come last.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from archiver.extract.sources import PageSources
from archiver.urlsafe import join, split

_WORD = re.compile(r"\w+", re.UNICODE)
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|/)\s+")
_BYLINE = re.compile(r"^\s*(?:(?:written\s+|posted\s+)?by|von|par|por|door|di|autor(?:ka)?:?|автор:?|текст:?)"
                     r"\s+"
                     r"(?P<names>[^\d|·•]{3,120}?)\s*(?:[|·•\d].*)?$", re.IGNORECASE)
# Job titles that follow a name in bylines ('By Jane Doe, Senior Correspondent'): not authors.
_ROLE = re.compile(r"\b(?:correspondent|reporter|editor|writer|staff|contributor|journalist|columnist|"
                   r"photographer|analyst|redakteur\w*|korrespondent\w*|journaliste|rédact\w+|redactor\w*|"
                   r"periodista|корреспондент\w*|журналист\w*|редактор\w*|dziennikar\w+|reporter\w*)\b",
                   re.IGNORECASE)
_NOT_NAMES = {"admin", "administrator", "editor", "editors", "staff", "redaktion", "rédaction", "redacción",
              "news desk", "newsdesk", "web desk", "guest", "anonymous", "unknown"}
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|\by\b|\bi\b|\bи\b|&)\s*", re.IGNORECASE)


def words(text: str | None) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


def same_text(a: str | None, b: str | None) -> bool:
    return bool(a and b) and words(a) == words(b)


def contains_text(outer: str | None, inner: str | None) -> bool:
    """True if the words of *inner* appear, in order and contiguous, in *outer*."""
    o, i = words(outer), words(inner)
    if not i or not o:
        return False
    return any(o[k:k + len(i)] == i for k in range(len(o) - len(i) + 1))


def clean(text: Any) -> str | None:
    """Whitespace-normalised text from a metadata value: a string, a JSON-LD/microdata object (its
    name or @value) or a list of them (the first usable one)."""
    if isinstance(text, list):
        return next((c for c in map(clean, text) if c), None)
    if isinstance(text, dict):
        props = text.get("properties", text)
        text = props.get("name") or props.get("@value")
        if isinstance(text, (list, dict)):
            return clean(text)
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text or None


def first(*candidates: tuple[Any, str]) -> tuple[str | None, str | None]:
    """The first (value, source) whose value is non-empty text."""
    for value, source in candidates:
        value = clean(value)
        if value:
            return value, source
    return None, None


_TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:entry-title|post-title|article-title|story-title|headline|"
                          r"article__title|page-title|title)(?:$|[\s_-])", re.IGNORECASE)


def _is_logo(h) -> bool:
    """An <h1> that is the site's name: it links to the home page or sits in the page header."""
    for a in h.xpath(".//a"):
        href = (a.get("href") or "").strip()
        parts = split(href)
        if parts is None:
            continue
        home = parts.path in ("", "/", "./", "index.html", "/index.html")
        if a.get("rel") == "home" or (href and home and not parts.query and not parts.fragment):
            return True
    return bool(h.xpath('ancestor::*[@id="header" or @id="masthead" or contains(@class, "site-header") '
                        'or contains(@class, "site-branding")]'))


def _visible_h1s(tree) -> list[tuple[str, list[str]]]:
    """Headline candidates: <h1>s (those inside the article first, site-name <h1>s left out), then
    <h2>/<h3> titled like a headline ('entry-title', 'post-title', ...); each as (text, the texts of
    its child elements), since some sites put a section link or the byline inside the <h1>."""
    ranked = []
    for h in tree.xpath("//h1"):
        text = clean(h.text_content())
        if not text or _is_logo(h):
            continue
        ancestors = {a.tag for a in h.iterancestors()}
        in_article = bool(ancestors & {"article", "main"}) or bool(
            h.xpath('ancestor::*[@itemprop="articleBody" or @itemtype]'))
        in_chrome = bool(ancestors & {"nav", "footer", "aside"}) or (
            "header" in ancestors and not in_article)
        ranked.append((0 if in_article else (2 if in_chrome else 1), text, _child_texts(h)))
    for h in tree.xpath("//h2 | //h3"):
        if _TITLE_CLASS.search(h.get("class") or "") or h.xpath('.//*[contains(@class, "title")]'):
            text = clean(h.text_content())
            if text and len(words(text)) >= 3:
                ranked.append((3, text, _child_texts(h)))
    return [(t, parts) for _, t, parts in sorted(ranked, key=lambda r: r[0])]


def _child_texts(h) -> list[str]:
    return [t for t in (clean(c.text_content()) for c in h if isinstance(c.tag, str)) if t]


def _truncated(text: str) -> bool:
    return text.rstrip().endswith(("...", "…"))


def title_headline(title: str | None, site_name: str | None) -> str | None:
    """The <title> without the site name and section segments ('Headline | Site')."""
    if not title:
        return None
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if site_name:
        parts = [p for p in parts if not same_text(p, site_name)] or parts
    return max(parts, key=lambda p: len(words(p))) if parts else None


def _letters(text: str) -> int:
    return sum(len(w) for w in words(text))


def choose_headline(src: PageSources, site_name: str | None
                    ) -> tuple[str | None, str | None, str | None, str | None]:
    """(headline, source, alternative headline, its source)."""
    ld, md = src.article_jsonld or {}, src.article_microdata or {}
    structured = [(clean(ld.get("headline")) or clean(ld.get("name")), "json-ld"),
                  (clean(md.get("headline")) or clean(md.get("name")), "microdata"),
                  (src.og("og:title"), "opengraph"),
                  (src.meta_first("twitter:title", "title", "dc.title", "headline"), "meta")]
    structured = [(v, s) for v, s in structured if v]
    titles = src.tree.xpath("//head/title") or src.tree.xpath("//title[not(ancestor::svg)]")
    title = clean(titles[0].text_content()) if titles else None
    title_clean = title_headline(title, site_name)
    candidates = _visible_h1s(src.tree)
    h1s = [text for text, _ in candidates]
    headline = source = None
    if h1s:
        reference = [v for v, _ in structured] + ([title] if title else [])

        def confirms(h: str) -> bool:
            return any(contains_text(r, h) or (contains_text(h, r) and not _truncated(r)) for r in reference)

        # the <h1> that a structured source or the <title> confirms, else the first article <h1>
        confirmed = [h for h in h1s if confirms(h)]
        if not confirmed:
            # An <h1> that also holds a section link or the byline ('Headline' + 'Site name' run together,
            # 'Headline' + 'Staff writer NAME'): the one child element that the <title> or a structured
            # source confirms is the headline. It holds most of the <h1>'s text (counted in letters of
            # words, so that scripts written without spaces count too): a kicker or section link that
            # the <title> happens to contain ('Council vote', the site's name) is not it.
            confirmed = [max(ok, key=lambda t: len(words(t))) for text, parts in candidates
                         if (ok := [t for t in parts if len(words(t)) >= 2 and confirms(t)
                                    and 2 * _letters(t) > _letters(text)])]
        pick = confirmed[0] if confirmed else h1s[0]
        site_logo = site_name and same_text(pick, site_name)
        if not site_logo and (confirmed or len(words(pick)) >= 3 or not structured):
            headline = pick
            agreeing = next((s for v, s in structured if same_text(v, pick)), None)
            source = agreeing or "html"
            # An <h1> holding a kicker or label as well ('Verkehr Bahn kündigt ...'): the headline is
            # the part a structured source names.
            # A value cut short with an ellipsis is not such a part.
            inner = next(((v, s) for v, s in structured if len(words(v)) >= 3 and not _truncated(v)
                          and len(words(v)) < len(words(pick)) and contains_text(pick, v)), None)
            if agreeing is None and inner is not None:
                headline, source = inner
    if headline is None and structured:
        headline, source = structured[0]
    if headline is None and title_clean:
        headline, source = title_clean, "html"
    alternative = alt_source = None
    if headline:
        for value, src_name in structured + [(title_clean, "html")]:
            if value and not (contains_text(value, headline) or contains_text(headline, value)):
                alternative, alt_source = value, src_name
                break
    return headline, source, alternative, alt_source


def _people(value: Any, base_url: str) -> list[dict[str, str | None]]:
    """Authors from a JSON-LD/microdata author value: strings, Person objects, or lists of them."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str):
            out.extend({"name": n, "url": None} for n in split_names(item))
        elif isinstance(item, dict):
            props = item.get("properties", item)
            name = clean(props.get("name"))
            url = clean(props.get("url")) or clean(props.get("@id") if str(props.get("@id", "")).startswith(
                "http") else None)
            if name:
                out.append({"name": name, "url": join(base_url, url) if url else None})
    return out


def split_names(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text or text.startswith(("http://", "https://")):
        return []
    text = re.sub(r"^(?:by|von|par|por)\s+", "", text, flags=re.IGNORECASE)
    names = [n.strip(" .") for n in _NAME_SPLIT.split(text) if n and n.strip(" .")]
    return [n for n in names if not _ROLE.search(n) and n.casefold() not in _NOT_NAMES]


def choose_authors(src: PageSources, base_url: str, publisher: str | None) -> tuple[list[dict], str | None]:
    ld, md = src.article_jsonld or {}, src.article_microdata or {}
    candidates: list[tuple[list[dict], str]] = [
        (_people(ld.get("author") or ld.get("creator"), base_url), "json-ld"),
        (_people(md.get("author") or md.get("creator"), base_url), "microdata"),
        ([{"name": n, "url": None} for v in src.opengraph.get("article:author", []) for n in split_names(v)],
         "opengraph"),
        ([{"name": n, "url": None} for v in src.meta.get("author", []) + src.meta.get("dc.creator", [])
          + src.meta.get("dcterms.creator", [])
          + src.meta.get("byl", []) + src.meta.get("parsely-author", []) + src.meta.get("sailthru.author", [])
          for n in split_names(v)], "meta"),
        (_rel_author(src.tree, base_url), "html"),
        (_byline(src.tree), "text-heuristic"),
    ]
    visible = None
    for people, source in candidates:
        people = [p for p in people if not (publisher and same_text(p["name"], publisher))
                  and not p["name"].lower().startswith(("http", "www."))]
        if source in ("opengraph", "meta") and people:
            visible = _visible_text(src.tree) if visible is None else visible
            people = [p for p in people if not _only_named_as_editor(p["name"], visible)]
        unique, seen = [], set()
        for p in people:
            key = tuple(words(p["name"]))
            if key and key not in seen:
                seen.add(key)
                unique.append(p)
        if unique:
            return unique, source
    return [], None


# The label of the desk editor in charge ('责任编辑：NAME', 'Edited by NAME', 'Editor: NAME'); not a
# role in a byline ('Political editor NAME', 'Health editor: NAME' name the author), so 'editor:'
# counts only when no word comes right before it (the text is whitespace-normalised).
_EDITOR_LABEL = re.compile(r"(?:(?:责任编辑|責任編輯|编辑|編輯|責任編集)\s*[:：]?"
                           r"|edited by|(?<![^\W\d_])(?<![^\W\d_] )editor\s*:|redaktion\s*:)\s*(?:\S+\s+)?$",
                           re.IGNORECASE)


def _visible_text(tree) -> str:
    body = tree.find(".//body")
    root = body if body is not None else tree
    parts = (t for el in root.iter() if isinstance(el.tag, str) and el.tag not in ("script", "style")
             for t in (el.text, el.tail) if t)
    return " ".join(" ".join(parts).split())


def _only_named_as_editor(name: str, text: str) -> bool:
    """True when the page shows *name* only after an editor's label ('责任编辑：NAME', 'Editor: NAME'):
    some sites put the desk editor in <meta name="author">; the editor is not an author."""
    spots = [m.start() for m in re.finditer(re.escape(name), text)]
    return bool(spots) and all(_EDITOR_LABEL.search(text[max(0, i - 24):i]) for i in spots)


def _rel_author(tree, base_url: str) -> list[dict]:
    out = []
    for a in tree.xpath('//a[@rel="author"]'):
        name = clean(a.text_content())
        if name and len(name.split()) <= 5:
            href = a.get("href")
            out.append({"name": name, "url": join(base_url, href) if href else None})
    return out


def _byline(tree) -> list[dict]:
    """'By Anna Kovalenko' in a short element: those marked byline/author first, then any."""
    marked = tree.xpath('//*[self::p or self::div or self::span or self::address]'
                        '[contains(translate(@class, "BYLINEAUTHOR", "bylineauthor"), "byline") or '
                        'contains(translate(@class, "AUTHOR", "author"), "author")]')
    others = tree.xpath("//body//*[self::p or self::div or self::span or self::address or self::td]")
    for el in marked + others:
        text = clean(el.text_content())
        if not text or len(text) > 150:
            continue
        m = _BYLINE.match(text)
        if not m:
            continue
        names = [n for n in split_names(m.group("names").strip(" ,")) if 1 <= len(n.split()) <= 5]
        if names and all(n[0].isupper() for n in names):
            return [{"name": n, "url": None} for n in names]
    return []


def bcp47(tag: str | None) -> str | None:
    """'en_GB' -> 'en-GB'; None for things that are not language tags."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").split(",")[0].strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag):
        return None
    parts = tag.split("-")
    parts[0] = parts[0].lower()
    parts[1:] = [p.upper() if len(p) == 2 else p for p in parts[1:]]
    return "-".join(parts)


def keywords_from(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    out, seen = [], set()
    for v in value:
        v = clean(v)
        if v and v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out
