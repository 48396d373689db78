"""The one agency normaliser: `Sở KH&CN` and `Sở Khoa học và Công nghệ` are one agency.

Names and aliases live in `data/agencies.jsonl` in spaCy EntityRuler form
(`{"label": "ORG", "pattern": alias, "id": canonical}`); they are matched on folded
text so that case and lost diacritics do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pipeline.vietnamese import fold_key as fold
from pipeline.vietnamese import nfc
from pipeline.vntext import load_data, words_alternation


@dataclass(frozen=True)
class AgencyMatch:
    start: int
    end: int
    text: str
    canonical: str


@cache
def _aliases() -> dict[str, str]:
    """Folded alias → canonical name."""
    out: dict[str, str] = {}
    for row in load_data("agencies.jsonl"):
        out.setdefault(re.sub(r"\s+", " ", fold(row["pattern"])), row["id"])
    return out


@cache
def _alias_re() -> re.Pattern[str]:
    alt = words_alternation(list(_aliases()))
    return re.compile(rf"(?<![\w&])(?:{alt})(?![\w&])")


def _alternation(words: list[str]) -> str:
    items = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


@cache
def _head_re() -> re.Pattern[str]:
    table = load_data("agency_heads.json")
    heads = _alternation(table["heads"])
    collective = _alternation(table["collective_heads"])
    nouns = _alternation(table["collective_nouns"])
    not_heads = _alternation(table["not_heads"])
    return re.compile(
        rf"(?!(?:{not_heads})(?!\w))(?:(?:{heads})|(?:{collective})\s+(?:{nouns}))(?!\w)"
    )


@lru_cache(maxsize=8192)
def find_agencies(text: str) -> tuple[AgencyMatch, ...]:
    """Every known agency name or alias in `text`, with its canonical name."""
    text = nfc(text)
    folded = fold(text)
    aliases = _aliases()
    out = []
    for m in _alias_re().finditer(folded):
        key = re.sub(r"\s+", " ", m.group(0))
        out.append(AgencyMatch(m.start(), m.end(), text[m.start() : m.end()], aliases[key]))
    return tuple(out)


def normalize_agency(text: str) -> str:
    """An agency phrase with every known alias replaced by its full name, tidied."""
    text = re.sub(r"\s+", " ", nfc(text)).strip(" ,;:.-–")
    text = re.sub(r"\s*\((?:[A-ZĐ&]{2,}|[A-ZĐ][A-Za-zĐđ&]{1,8})\)", "", text)
    out, last = [], 0
    for m in find_agencies(text):
        out.append(text[last : m.start])
        out.append(m.canonical)
        last = m.end
    out.append(text[last:])
    return "".join(out).strip()


@cache
def _folded_head_re() -> re.Pattern[str]:
    """Heads that no other word reads like once diacritics are gone (`Cong an`, `Uy ban`)."""
    table = load_data("agency_heads.json")
    return re.compile(rf"(?:{words_alternation(table['folded_heads'])})(?!\w)")


def starts_with_agency(text: str) -> bool:
    """Whether `text` opens with an agency word (Sở, UBND, Các sở, Thủ trưởng ...).

    Known names and the unambiguous heads are matched without diacritics, so that a mark
    restoration got wrong (`Cong an tỉnh`, `Ủy bạn nhân dân`) does not hide the agency.
    """
    text = nfc(text).lstrip(' -–•+*“"(')
    folded = fold(text)
    return (
        bool(_head_re().match(text.lower()))
        or bool(_alias_re().match(folded))
        or bool(_folded_head_re().match(folded))
    )
