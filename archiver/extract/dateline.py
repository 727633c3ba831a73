"""Datelines: the 'MINSK, 18 January (BelTA) -' that opens an agency story.

No library extracts these. A dateline is an upper-case place name at the very start of the first
body paragraph, optionally followed by a date and a parenthesised agency, ended by a dash.
Examples: 'MINSK, 18 January (BelTA) -', 'WASHINGTON (AP) —', 'LONDON, Jan 5 (Reuters) -',
'МИНСК, 20 февраля (БЕЛТА) -'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UPPER = "A-ZÀ-ÖØ-ÞА-ЯЁІЎЇЄҐ"
_PLACE = rf"[{_UPPER}][{_UPPER}.'’\- ]{{1,40}}?"
_DATE = r"[^\W\d_]{3,}\.?\s+\d{1,2}|\d{1,2}\s+[^\W\d_]{3,}\.?"
_DASH = r"\s*(?:-{1,2}|–|—|‒)\s+"

_DATELINE = re.compile(
    rf"^\s*(?P<text>(?P<place>{_PLACE})"
    rf"(?:\s*/\s*[{_UPPER}][{_UPPER}.'\- ]+)?"            # 'KYIV/MOSCOW'
    rf"(?:,\s*(?P<date>{_DATE}))?"
    rf"(?:,?\s*\((?P<agency>[^()]{{2,40}})\))?)"
    rf"{_DASH}",
)


@dataclass(frozen=True)
class Dateline:
    text: str
    place: str
    date_text: str | None
    agency: str | None

    def as_dict(self) -> dict:
        return {"text": self.text, "place": self.place, "date_text": self.date_text, "agency": self.agency}


def find_dateline(first_paragraph: str) -> Dateline | None:
    """The dateline at the start of *first_paragraph*, or None."""
    m = _DATELINE.match(first_paragraph or "")
    if not m:
        return None
    place = m.group("place").strip()
    letters = [c for c in place if c.isalpha()]
    # An upper-case word of 3+ letters, and something besides the place (date or agency),
    # unless the dash is typographic: 'UPDATE - ' or 'I - ' are not datelines.
    if len(letters) < 3 or not all(c.isupper() for c in letters):
        return None
    if not (m.group("date") or m.group("agency")):
        return None
    return Dateline(text=m.group("text").strip(), place=place, date_text=m.group("date"),
                    agency=m.group("agency").strip() if m.group("agency") else None)
