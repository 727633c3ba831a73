"""Image credit lines: split a caption into what it shows and who made or supplied the picture.

Captions carry credits in many forms ('Image credit: X', 'Photo: X', '(Photo by X)',
'Photo courtesy of X', 'Фото: X', '© X'); no library separates them, so we do.
"""

from __future__ import annotations

import re

_LEAD = (r"(?:image|photo|picture|photograph|video)\s+credits?|credits?|photo(?:graph)?s?\s+courtesy\s+of"
         r"|courtesy\s+of|photo(?:graph)?s?\s+by|photo(?:graph)?s?|pictures?|images?|source|©|\(c\)"
         r"|фото(?:графия)?|источник|фото\s+предоставлено")
_CREDIT = re.compile(
    rf"(?P<open>\(\s*)?(?<![\w])(?P<lead>{_LEAD})\s*(?::|-|—|–|\bby\b)?\s*(?P<who>[^()]+?)\s*(?(open)\)|)\s*\.?\s*$",
    re.IGNORECASE,
)
_TRIM = " \t\n.;,|/-–—"


def split_credit(caption: str | None) -> tuple[str | None, str | None]:
    """(caption without the credit, credit) for a caption; either may be None."""
    if not caption:
        return None, None
    text = " ".join(caption.split())
    m = _CREDIT.search(text)
    if not m or not m.group("who").strip(_TRIM):
        return text.strip(_TRIM) or None, None
    # The credit lead must start the caption or follow a sentence end / separator.
    before = text[: m.start()]
    if before and not re.search(r"[.!?|/\-–—:;,]\s*$|\s$", before):
        return text.strip(_TRIM) or None, None
    lead = m.group("lead").lower()
    if lead in {"photo", "photos", "image", "images", "picture", "pictures", "source"} and not re.search(
            r"(?:photos?|images?|pictures?|source)\s*[:—–-]", m.group(0), re.IGNORECASE):
        # a bare 'photo' without a colon is ordinary caption text ('a photo of the bridge')
        return text.strip(_TRIM) or None, None
    who = m.group("who").strip(_TRIM)
    rest = before.strip(_TRIM)
    return (rest or None), who
