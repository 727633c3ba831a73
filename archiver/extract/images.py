"""The article's images: URL, caption, credit line, alt text; from the article's <img>/<figure>
elements first, then from structured data (JSON-LD image, microdata image, og:image)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from archiver.extract.body import CHROME_CLASS
from archiver.extract.credits import split_credit
from archiver.extract.reconcile import clean
from archiver.extract.sources import PageSources
from archiver.urlsafe import join

CaptureLookup = Callable[[str], dict | None]


def article_container(tree):
    """The element holding the article: the item with an articleBody, the <article> with the <h1>,
    any <article>, <main>, or <body>."""
    for xp in ('//*[@itemtype][.//*[@itemprop="articleBody"]]', "//article[.//h1]", "//article", "//main",
               "//body"):
        found = tree.xpath(xp)
        if found:
            return max(found, key=lambda e: len(e.text_content()))
    return tree


def _in_chrome(el, container) -> bool:
    for anc in el.iterancestors():
        if anc is container:
            return False
        if anc.tag in ("nav", "footer", "aside", "form", "header") or CHROME_CLASS.search(
                " ".join(filter(None, (anc.get("class"), anc.get("id"))))):
            return True
    return False


_NOT_CONTENT = re.compile(r"avatar|icon|logo|sprite|pixel|spacer|badge|emoji|gravatar|tracking",
                          re.IGNORECASE)


def _is_decoration(img, src: str) -> bool:
    """Avatars, icons, logos and tracking pixels: images in the article box that are not its images."""
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 50:
            return True
    names = " ".join(filter(None, (img.get("class"), img.get("id"), src.rsplit("/", 1)[-1])))
    return bool(_NOT_CONTENT.search(names))


def _img_src(img) -> str | None:
    for attr in ("src", "data-src", "data-original", "data-lazy-src"):
        v = (img.get(attr) or "").strip()
        if v and not v.startswith("data:"):
            return v
    srcset = (img.get("srcset") or "").strip()
    return srcset.split(",")[0].split()[0] if srcset else None


def _structured_images(src: PageSources) -> list[tuple[dict[str, Any], str]]:
    """(image dict with url/caption/credit/alt, source) from JSON-LD, microdata and OpenGraph."""
    out: list[tuple[dict[str, Any], str]] = []
    for item, source in ((src.article_jsonld or {}, "json-ld"), (src.article_microdata or {}, "microdata")):
        value = item.get("image")
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                out.append(({"url": v}, source))
            elif isinstance(v, dict):
                p = v.get("properties", v)
                url = clean(p.get("url")) or clean(p.get("contentUrl")) or clean(p.get("@id"))
                if url:
                    out.append(({"url": url, "caption": clean(p.get("caption")),
                                 "credit": clean(p.get("creditText")) or clean(p.get("copyrightHolder"))
                                 or clean(p.get("author")), "alt": None}, source))
    alts = src.opengraph.get("og:image:alt", [])
    for i, url in enumerate(src.opengraph.get("og:image", []) + src.opengraph.get("og:image:url", [])):
        out.append(({"url": url, "alt": alts[i] if i < len(alts) else None}, "opengraph"))
    return out


def extract_images(src: PageSources, base_url: str, lookup: CaptureLookup | None = None
                   ) -> tuple[list[dict[str, Any]], str | None]:
    container = article_container(src.tree)
    images: list[dict[str, Any]] = []
    by_url: dict[str, dict[str, Any]] = {}
    source = None
    for img in container.iter("img"):
        raw = _img_src(img)
        if not raw or _in_chrome(img, container) or _is_decoration(img, raw):
            continue
        url = join(base_url, raw)
        if url is None or url in by_url:
            continue
        figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
        caption_text = None
        if figure is not None:
            caps = figure.xpath(".//figcaption")
            caption_text = clean(caps[0].text_content()) if caps else None
        caption, credit = split_credit(caption_text)
        image = {"url": url, "caption": caption, "credit": credit, "alt": clean(img.get("alt"))}
        by_url[url] = image
        images.append(image)
        source = source or "html"
    for data, data_source in _structured_images(src):
        url = join(base_url, data["url"])
        if url is None:
            continue
        caption, credit = split_credit(data.get("caption"))
        credit = split_credit(data["credit"])[1] or data["credit"] if data.get("credit") else credit
        if url in by_url:
            known = by_url[url]
            for key, value in (("caption", caption), ("credit", credit), ("alt", data.get("alt"))):
                if not known[key] and value:
                    known[key] = value
            continue
        image = {"url": url, "caption": caption, "credit": credit, "alt": clean(data.get("alt"))}
        by_url[url] = image
        images.append(image)
        source = source or data_source
    for image in images:
        where = lookup(image["url"]) if lookup else None
        image["captured"] = where is not None
        image["capture"] = where
    return images, source
