"""The article's body text: paragraphs without site chrome, a word count and a fingerprint.

trafilatura finds the main text. Before handing it the page we remove what we know is not body
(headline, bylines, figures, navigation, subscribe boxes, recent/related lists, footers), because
trafilatura keeps boxes such as 'Subscribe to us' that sit inside <article>. After it, short
leftover lines that are chrome by their wording are dropped.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import re
import unicodedata

log = logging.getLogger(__name__)

# class/id words of elements that are never article text
_CHROME_WORDS = (
    "subscribe", "subscription", "newsletter", "recent", "related", "popular", "most-read", "mostread",
    "share", "sharing", "social", "promo", "advert", "ads", "banner", "breadcrumb", "comments", "comment",
    "byline", "author", "dateline-meta", "timestamp", "meta", "date", "tags", "cookie", "paywall",
    "read-more", "readmore", "see-also", "sidebar", "footer", "navigation", "menu",
)
CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:" + "|".join(re.escape(w) for w in _CHROME_WORDS) + r")(?:$|[\s_-])", re.IGNORECASE)
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "figure", "figcaption", "script", "style",
                "noscript", "iframe", "button", "h1")
_CHROME_LINE = re.compile(
    r"^(?:subscribe|sign up|follow us|share (?:this|on)|read (?:more|also)|related|recent news|most read"
    r"|advertisement|подпис|читайте также|поделиться)", re.IGNORECASE)
_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


def _is_chrome(el) -> bool:
    if not isinstance(el.tag, str):
        return False
    if el.tag in _CHROME_TAGS:
        return True
    names = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
    if names and el.tag not in ("html", "body", "article", "main") and CHROME_CLASS.search(names):
        # never throw away the container holding the body itself
        return el.get("itemprop") != "articleBody"
    return False


def _paragraph_chars(el) -> int:
    return sum(len(p.text_content()) for p in el.iter("p"))


def strip_chrome(tree):
    """A copy of *tree* without elements that are never body text.

    Class names are only a hint ('date-outer' or 'post-meta-wrapper' may wrap a whole post): an element
    holding a large share of the page's paragraph text is kept whatever its class or tag says.
    """
    tree = copy.deepcopy(tree)
    total = _paragraph_chars(tree) or 1
    body_classes = _body_paragraph_classes(tree, total)
    for el in list(tree.iter()):
        if el.getparent() is None or not _is_chrome(el):
            continue
        always = el.tag in ("h1", "figure", "figcaption", "script", "style")
        if not always and _paragraph_chars(el) > 0.4 * total:
            continue
        if el.tag == "p" and (el.get("class") or "").strip() in body_classes:
            continue
        el.drop_tree()
    return tree


def _body_paragraph_classes(tree, total: int) -> set[str]:
    """Class values that <p>s holding much of the page's paragraph text share: the body's own paragraphs,
    whatever the class says (a site may mark the paragraphs past its paywall class="paywall")."""
    chars: dict[str, int] = {}
    for p in tree.iter("p"):
        cls = (p.get("class") or "").strip()
        if cls:
            chars[cls] = chars.get(cls, 0) + len(p.text_content())
    return {cls for cls, n in chars.items() if n > 0.4 * total}


def _own_paragraphs(tree) -> list[str]:
    """Fallback when trafilatura finds nothing: <p> text inside the article container."""
    containers = (tree.xpath('//*[@itemprop="articleBody"]') or tree.xpath("//article")
                  or tree.xpath("//main") or tree.xpath("//body") or [tree])
    paras = [" ".join(p.text_content().split()) for p in containers[0].iter("p")]
    return [p for p in paras if p]


def extract_paragraphs(tree, headline: str | None = None,
                       drop: tuple[str, ...] = ()) -> tuple[list[str], str]:
    """(paragraphs, source) of the main text; source is 'trafilatura' or 'html'."""
    import trafilatura

    cleaned = strip_chrome(tree)
    text = None
    try:
        text = trafilatura.extract(copy.deepcopy(cleaned), output_format="txt", include_comments=False,
                                   include_tables=False, include_images=False, include_links=False,
                                   deduplicate=False)
    except Exception as exc:  # trafilatura is best effort; fall back to our own reading
        log.debug("trafilatura failed: %s", exc)
    source = "trafilatura"
    paras = [" ".join(line.split()) for line in (text or "").splitlines()]
    paras = [p for p in paras if p]
    own = _own_paragraphs(cleaned)
    if sum(len(p) for p in own) > 1.5 * sum(len(p) for p in paras):
        paras, source = own, "html"
    skip = {_norm(h) for h in (headline, *drop) if h}
    out = []
    for p in paras:
        if _norm(p) in skip:
            continue
        if len(p.split()) <= 12 and _CHROME_LINE.search(p):
            continue
        out.append(p)
    return out, source


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def word_count(paragraphs: list[str]) -> int:
    return sum(len(_WORD.findall(p)) for p in paragraphs)


def fingerprint(paragraphs: list[str]) -> str:
    """sha256 of the normalised text: NFKC, case-folded, whitespace collapsed, paragraphs joined by \\n."""
    norm = "\n".join(" ".join(unicodedata.normalize("NFKC", p).casefold().split()) for p in paragraphs)
    return "sha256:" + hashlib.sha256(norm.encode("utf-8")).hexdigest()
