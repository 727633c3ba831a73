"""Published and modified dates: from the page's own statements first, htmldate as a fallback.

Every date is bounded by the capture time (a page cannot have been published after we fetched it).
A date-time with a UTC offset is kept as RFC 3339 with that offset; a value without an offset, or a
bare day, is kept as a full-date (YYYY-MM-DD): we never invent a time or an offset.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil import parser as dateutil_parser

log = logging.getLogger(__name__)

_EARLIEST = date(1990, 1, 1)  # before the web had news pages; htmldate uses a similar floor


@dataclass(frozen=True)
class FoundDate:
    value: datetime | date
    source: str

    def rfc3339(self) -> str:
        if isinstance(self.value, datetime):
            return self.value.isoformat(timespec="seconds").replace("+00:00", "Z")
        return self.value.isoformat()

    def day(self) -> date:
        return self.value.date() if isinstance(self.value, datetime) else self.value


def parse_date(text: str | None) -> datetime | date | None:
    """An aware datetime, or a date when *text* gives no offset or no time; None if unparseable."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    if not re.search(r"\d", text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            value = dateutil_parser.parse(text, fuzzy=False)
        except (ValueError, OverflowError, TypeError):
            return None
    if not re.search(r"\d{1,2}:\d{2}", text):
        return value.date()
    if value.tzinfo is None or value.utcoffset() is None:
        return value.date()
    return value.replace(microsecond=0)


def not_after(value: datetime | date, bound: datetime) -> bool:
    """True if *value* is not later than the capture time *bound* (and not absurdly early)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) <= bound and value.date() >= _EARLIEST
    # A bare day may be stated in a time zone up to 14 hours ahead of UTC.
    return _EARLIEST <= value <= (bound + timedelta(hours=14)).date()


def first_valid(candidates: list[tuple[str | None, str]], bound: datetime) -> FoundDate | None:
    """The first (text, source) candidate that parses and is not later than *bound*."""
    for text, source in candidates:
        value = parse_date(text)
        if value is not None and not_after(value, bound):
            return FoundDate(value, source)
        if value is not None:
            log.debug("date %r from %s rejected: after capture time %s", text, source, bound)
    return None


def htmldate_fallback(tree, bound: datetime, url: str | None = None) -> FoundDate | None:
    """htmldate's guess at the original publication day (from the page and its URL), bounded by the
    capture time."""
    from htmldate import find_date

    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=True, outputformat="%Y-%m-%d",
                          min_date=_EARLIEST.isoformat(), max_date=bound.strftime("%Y-%m-%d"))
    except Exception as exc:  # htmldate is a heuristic; a failure there is just "no date"
        log.debug("htmldate failed: %s", exc)
        return None
    value = parse_date(found) if found else None
    if value is None or not not_after(value, bound):
        return None
    return FoundDate(value, "htmldate")


def later_or_same(modified: FoundDate, published: FoundDate) -> bool:
    """False when a 'modified' date contradicts the published one by being earlier."""
    m, p = modified.value, published.value
    if isinstance(m, datetime) and isinstance(p, datetime):
        return m >= p
    return modified.day() >= published.day()


# Month names (and common abbreviations) in the languages of the pages we capture most; genitive
# forms where the language uses them in dates ('18 января', '23 maja').
_MONTH_NAMES = {
    1: "january jan janvier janv januar jänner enero ene gennaio gen janeiro jan januari января январь "
       "stycznia styczeń січня",
    2: "february feb février févr februar febrero feb febbraio fevereiro fev februari февраля февраль "
       "lutego luty лютого",
    3: "march mar mars märz marzo mar março maart марта март marca marzec березня",
    4: "april apr avril abril aprile abr апреля апрель kwietnia kwiecień квітня",
    5: "may mai mayo maggio maio mei мая май maja maj травня",
    6: "june jun juin juni junio giugno junho июня июнь czerwca czerwiec червня",
    7: "july jul juillet juli julio luglio julho июля июль lipca lipiec липня",
    8: "august aug août agosto ago augustus августа август sierpnia sierpień серпня",
    9: "september sep sept septembre septiembre settembre setembro сентября сентябрь września wrzesień "
       "вересня",
    10: "october oct octobre oktober octubre ottobre outubro okt oktober октября октябрь października "
        "październik жовтня",
    11: "november nov novembre noviembre novembro ноября ноябрь listopada listopad листопада",
    12: "december dec décembre dezember diciembre dic dicembre dezembro dez декабря декабрь grudnia "
        "grudzień грудня",
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_RE = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_TEXT_DATES = [
    (re.compile(rf"\b(?P<d>\d{{1,2}})\.?\s+(?:de\s+)?(?P<m>{_MONTH_RE})\.?,?\s+(?:de\s+)?(?P<y>(?:19|20)\d\d)\b",
                re.IGNORECASE), "dmy"),
    (re.compile(rf"\b(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b",
                re.IGNORECASE), "mdy"),
    (re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d\d)\b"), "numeric"),
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"), "numeric"),
]


def date_in_text(text: str) -> date | None:
    """The first calendar date written out in *text* ('1 de febrero de 2024', 'May 3, 2024', '16.05.2024')."""
    for pattern, _kind in _TEXT_DATES:
        m = pattern.search(text)
        if not m:
            continue
        month = m.group("m")
        month_n = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
        try:
            return date(int(m.group("y")), month_n or 0, int(m.group("d")))
        except ValueError:
            continue
    return None


_DATE_CLASS = re.compile(r"date|time|fecha|datum|data|publi|posted|meta|dateline|timestamp", re.IGNORECASE)


def visible_date(container, bound: datetime) -> FoundDate | None:
    """A publication day written in a short element near the top of the article (text heuristic)."""
    short = []
    for el in container.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "li", "a"):
            continue
        text = " ".join(el.text_content().split())
        if 6 <= len(text) <= 80:
            names = " ".join(filter(None, (el.get("class"), el.get("id"), el.tag)))
            short.append((0 if _DATE_CLASS.search(names) else 1, len(short), text))
    for _, _, text in sorted(short):
        day = date_in_text(text)
        if day is not None and not_after(day, bound):
            return FoundDate(day, "text-heuristic")
    return None
