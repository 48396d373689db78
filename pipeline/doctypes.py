"""Document numbers (`3540/BC-SKHCN`, `71/2025/NQ-CP`) and the document types they name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pipeline.vntext import fold, load_data, words_alternation

_CODE = r"[A-ZĐ][A-Za-zĐđ&]*"
# number, optional year, then code segments joined by '-' or '/'
DOCNUM_RE = re.compile(
    rf"(?<![\w/.,-])(?P<num>\d{{1,5}}[a-z]?)(?:/(?P<year>(?:19|20)\d{{2}}))?"
    rf"\s?[-/]\s?(?P<code>{_CODE}(?:\s?[-/]\s?{_CODE}|[-/]\d+)*)(?![\w&])"
)


@dataclass(frozen=True)
class DocNumber:
    start: int
    end: int
    text: str
    type_code: str | None
    issuer_code: str | None


def _segments(code: str) -> list[str]:
    return [s for s in re.split(r"\s?[-/]\s?", code) if s]


@lru_cache(maxsize=4096)
def find_doc_numbers(text: str) -> tuple[DocNumber, ...]:
    """Every document number in NFC text (a number, maybe a year, then letter codes)."""
    codes = load_data("doctypes.json")["codes"]
    out: list[DocNumber] = []
    for m in DOCNUM_RE.finditer(text):
        segs = _segments(m.group("code"))
        letters = sum(ch.isalpha() for ch in m.group("code"))
        if letters < 2:
            continue
        type_code = segs[0] if segs[0] in codes else None
        rest = segs[1:] if type_code else segs
        issuer = rest[0] if rest else None
        number = re.sub(r"\s+", "", m.group(0))
        out.append(DocNumber(m.start(), m.end(), number, type_code, issuer))
    return tuple(out)


def type_of_code(code: str | None) -> str | None:
    """The type name a document-type code stands for (`BC` → Báo cáo)."""
    if code is None:
        return None
    codes: dict[str, str] = load_data("doctypes.json")["codes"]
    return codes.get(code) or codes.get(code.upper())


@cache
def _name_before() -> re.Pattern[str]:
    names = load_data("doctypes.json")["names"]
    return re.compile(
        rf"\b(?P<name>{words_alternation(names)})\b[^\w]{{0,3}}(?:so\b)?[\s:(*)’'.]*(?:cac\s+)?$"
    )


def _canonical_name(folded_name: str) -> str:
    table = load_data("doctypes.json")
    aliases: dict[str, str] = table["name_aliases"]
    for name in table["names"]:
        if fold(name) == re.sub(r"\s+", " ", folded_name):
            return str(aliases.get(name, name))
    return folded_name


def type_before(folded_prefix: str) -> str | None:
    """The type name written right before a cited number (`Kết luận số` → Kết luận)."""
    m = _name_before().search(folded_prefix[-40:])
    return _canonical_name(m.group("name")) if m else None


def reference_type(number: DocNumber, folded_prefix: str) -> str | None:
    """A cited document's type: from its type code, else the words before it."""
    by_code = type_of_code(number.type_code)
    if by_code:
        return by_code
    by_words = type_before(folded_prefix)
    if by_words:
        return by_words
    table = load_data("doctypes.json")
    if number.issuer_code in table["ubnd_codes_are_cong_van"]:
        return str(table["letter_type"])
    return None


def type_from_line(text: str) -> str | None:
    """The type named by a whole capitalised line (`BÁO CÁO` → Báo cáo)."""
    key = re.sub(r"\s+", " ", fold(text)).strip(" .:")
    if not key or text.strip() != text.strip().upper():
        return None
    table = load_data("doctypes.json")
    for name in table["names"]:
        if fold(name) == key:
            return str(table["name_aliases"].get(name, name))
    return None
