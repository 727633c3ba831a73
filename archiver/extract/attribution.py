"""Attributions: the other agencies and outlets a story credits ('TASS has reported').

We look for reporting phrases whose subject or object is a named outlet. People and institutions
'say' things; outlets 'report' them, or things happen 'according to' them. For 'according to' and
'cited by' the name must look like an outlet (a known agency, or a word such as 'agency',
'newspaper', 'broadcaster' right before it), so 'according to the Transport Ministry' is not one.
"""

from __future__ import annotations

import re

KNOWN_OUTLETS = frozenset(s.lower() for s in (
    "TASS", "RIA Novosti", "Interfax", "Reuters", "AP", "Associated Press", "AFP", "Agence France-Presse",
    "BelTA", "Xinhua", "Bloomberg", "dpa", "ANSA", "EFE", "Kyodo", "Yonhap", "PAP", "UNIAN", "Ukrinform",
    "Sputnik", "BBC", "CNN", "Anadolu", "IRNA", "PTI", "ANI", "Bernama", "Antara", "CTK", "MTI", "APA",
    "Itar-Tass", "Prensa Latina", "Kazinform", "Trend", "AzerTAc", "Armenpress", "RBC", "Kommersant",
    "Vedomosti", "Izvestia", "The Guardian", "The New York Times", "The Wall Street Journal",
    "ТАСС", "РИА Новости", "Интерфакс", "БЕЛТА", "Спутник", "РБК", "Коммерсантъ", "Известия",
))
_OUTLET_NOUN = (r"(?:state\s+|local\s+|national\s+|regional\s+|public\s+|private\s+)?"
                r"(?:news\s+agency|agency|newspaper|daily|weekly|broadcaster|news\s+portal|portal|"
                r"news\s+site|website|channel|TV\s+channel|radio|television|magazine|outlet|wire\s+service)")
_NAME = r"(?:[A-Z][\w.&'’\-]*|[A-Z]{2,})(?:\s+(?:[A-Z][\w.&'’\-]*|of|de|the))*(?<!\sthe)(?<!\sof)"
_NAME_RU = r"(?:«[^»]{2,40}»|[А-ЯЁA-Z][\w\-]*(?:\s+[А-ЯЁA-Z][\w\-]*)*)"

_PATTERNS = [
    # 'TASS has reported', 'Interfax reports', 'local broadcaster ONT reported'
    re.compile(rf"(?:(?:the\s+)?(?P<noun>{_OUTLET_NOUN})\s+)?(?P<name>{_NAME})\s+(?:has\s+|had\s+)?"
               rf"(?:reported|reports|writes|wrote|has\s+learned|informs|cited)\b"),
    # 'according to Interfax', 'as cited by the state news agency BelTA', 'as reported by Reuters'
    re.compile(rf"(?:according\s+to|(?:as\s+)?cited\s+by|reported\s+by|quoted\s+by)\s+(?:the\s+)?"
               rf"(?P<noun>{_OUTLET_NOUN}\s+)?(?P<name>{_NAME})"),
    # 'сообщает ТАСС', 'сообщает агентство «Минск-Новости»', 'передает РИА Новости'
    re.compile(rf"(?:сообщает|сообщило|сообщила|передает|передаёт|пишет|по\s+данным|со\s+ссылкой\s+на)\s+"
               rf"(?P<noun>(?:агентство|агентства|издание|издания|газета|газеты|телеканал|портал|информагентство)\s+)?"
               rf"(?P<name>{_NAME_RU})"),
]


_MEDIA_WORD = re.compile(r"\b(?:news|times|post|journal|agency|press|tv|radio|gazette|herald|telegraph|"
                         r"tribune|daily|media|broadcasting|television|wire|zeitung|nachrichten|presse|"
                         r"noticias|diario|нов\w+|газет\w+|агентств\w+)\b", re.IGNORECASE)


def _looks_like_outlet(name: str, noun: str | None, subject_pattern: bool) -> bool:
    """Known agencies, names introduced as an outlet or made of media words; in 'X reported', also
    short acronyms ('ONT reported'), never other names ('Apple reported record profits')."""
    if name.lower() in KNOWN_OUTLETS or noun or _MEDIA_WORD.search(name):
        return True
    return subject_pattern and name.isupper() and 2 <= len(name) <= 6


def find_attributions(paragraphs: list[str], exclude: str | None = None) -> list[dict[str, str]]:
    """Credited outlets in order of first mention, as {'name', 'phrase'}; *exclude* is the dateline agency."""
    found: list[tuple[int, int, str, str]] = []
    for p_index, para in enumerate(paragraphs):
        for k, pattern in enumerate(_PATTERNS):
            for m in pattern.finditer(para):
                name = m.group("name").strip(" «»\"'.,;:")
                noun = m.groupdict().get("noun")
                if not name or name.lower() in {"he", "she", "it", "they", "the", "him", "her", "them"}:
                    continue
                if not _looks_like_outlet(name, noun, subject_pattern=(k == 0)):
                    continue
                phrase = m.group(0).strip().rstrip(".,;:")
                found.append((p_index, m.start(), name, phrase))
    found.sort()
    out: list[dict[str, str]] = []
    seen = {exclude.lower()} if exclude else set()
    for _, _, name, phrase in found:
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        out.append({"name": name, "phrase": phrase})
    return out
