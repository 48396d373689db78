"""Measured quantities in a paragraph: counts, ratios (48/96 xã), percents, amounts of money.

Dates, periods, document numbers, times of day and phone numbers are masked first so
their digits are never read as figures; a bare number counts only with a unit after it
(`58 trạm`, `84 tỷ đồng`) or as the value of a `số … N` phrase (`số nhiệm vụ đã hoàn
thành 14`). A number right after an identifier word (Phụ lục 03, Đề án 06) or a
comparison (vượt, >) is not a measurement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline.dates import find_dates, find_time_expressions
from pipeline.doctypes import find_doc_numbers
from pipeline.numbers import NUMBER, read_number
from pipeline.vietnamese import fold_key as fold
from pipeline.vntext import load_data, words_alternation

_NUM = rf"(?<![\w.,/%-])(?:{NUMBER})(?![\w]|[.,]\d)"
_NUM_AFTER_SLASH = rf"(?:{NUMBER})(?![\w]|[.,]\d)"


_QUALIFIERS = {"hon", "khoang", "gan", "tren", "duoi", "toi da", "toi thieu", "it nhat"}


@dataclass
class Figure:
    """One indicator found at `start` (an offset into the paragraph text)."""

    start: int
    name: str
    value: float | None = None
    total: float | None = None
    percent: float | None = None
    unit: str | None = None
    text: str = ""


@cache
def _tables() -> dict[str, re.Pattern[str]]:
    data = load_data("indicator_units.json")
    units = words_alternation([*data["money"], *data["units"]])
    ident = words_alternation(data["identifier_words"])
    delta = "|".join(re.escape(fold(w)) for w in data["delta_words"])
    link = words_alternation(data["percent_links"])
    return {
        "unit": re.compile(rf"\s*(?P<u>{units})(?!\w)"),
        "ident": re.compile(rf"(?:^|\W)(?:{ident})\s*(?:so)?\s*[:.]?\s*$"),
        "delta": re.compile(rf"(?:^|\W)(?:{delta})\s*(?:hon|khoang)?\s*$"),
        "ratio": re.compile(
            rf"(?P<a>{_NUM})(?:\s+(?P<u1>[^\W\d]+(?:\s+[^\W\d]+)?))?\s*/\s*(?P<b>{_NUM_AFTER_SLASH})"
        ),
        "percent": re.compile(rf"(?P<p>{_NUM})\s*%"),
        "so": re.compile(
            rf"(?:^|[,;:(]\s*|\btong\s+)so\s+(?P<name>(?:[^\W\d]+\s+){{1,12}}?)(?P<n>{_NUM})"
            r"(?!\s*[%/])"
        ),
        "count": re.compile(rf"(?P<n>{_NUM})(?=\s)(?!\s*%)"),
        "link_pct": re.compile(
            rf"^[^;%\d]{{0,30}}?(?:\(\s*)?(?:{link})?\s*(?:tren|khoang|gan|hon)?\s*(?P<p>{_NUM})\s*%"
        ),
        "paren_count": re.compile(rf"^\s*\(\s*(?P<n>{_NUM})\s+(?P<u>{units})(?!\w)[^()]*\)"),
        "pct_before": re.compile(rf"(?P<p>{_NUM})\s*%[^%()\d]{{0,30}}\(\s*$"),
        "of_total": re.compile(
            rf"^(?:\s+[^\W\d]+){{0,4}}?\s*trong\s+tong\s+so\s+(?:hon|khoang|gan)?\s*(?P<n>{_NUM})"
        ),
    }


_MASKS = [
    re.compile(r"\bngay\s+\d{1,2}(?:\s+va\s+\d{1,2})?\s*/\s*\d{1,2}(?:/\d{2,4})?"),
    re.compile(r"\b(?:thang|quy|nam)\s+\d{1,4}(?:\s*/\s*\d{2,4})?"),
    re.compile(r"\b\d{1,2}\s*[:h]\s*\d{2}\b"),
    re.compile(r"\b0\d{2,3}[ .]?\d{3}[ .]?\d{3,4}\b"),
    re.compile(r"https?://\S+|www\.\S+|\S+@\S+"),
    re.compile(r"\b\d+\s*[-–]\s*\d+\s*(?=[a-z])"),  # ranges (từ 06 - 08 cơn)
]


def _masked(text: str, folded: str) -> list[bool]:
    taken = [False] * len(text)

    def take(start: int, end: int) -> None:
        for k in range(start, min(end, len(taken))):
            taken[k] = True

    for num in find_doc_numbers(text):
        take(num.start, num.end)
    for span in find_dates(folded):
        take(span.start, span.end)
    for expr in find_time_expressions(folded):
        if expr.period != "ongoing":
            take(expr.start, expr.end)
    for pattern in _MASKS:
        for m in pattern.finditer(folded):
            take(m.start(), m.end())
    if label := re.match(r"^\s*(?:[IVX]{1,4}\.|\d{1,2}(?:\.\d{1,2})*[.)]|[a-z][.)])\s", text):
        take(label.start(), label.end())
    return taken


def _clause_before(text: str, start: int) -> str:
    head = text[:start]
    cut = max(head.rfind(c) for c in ",;:.()")
    words = head[cut + 1 :].split()[-10:]
    drop = {
        "đạt",
        "bằng",
        "chiếm",
        "là",
        "có",
        "được",
        "với",
        "trên",
        "khoảng",
        "gần",
        "hơn",
        "tỷ",
        "lệ",
    }
    while words and words[-1].lower() in drop:
        words.pop()
    name = " ".join(words).lstrip("-–+•* ")
    return re.sub(r"^(?:Tỷ lệ|tỷ lệ|Tỉ lệ|tỉ lệ)\s+", "", name).strip()


def _phrase_after(text: str, start: int) -> str:
    tail = text[start:]
    cut = min((i for i in (tail.find(c) for c in ",;:.()") if i >= 0), default=len(tail))
    if m := re.search(r"\s(?:và\s+)?\d", tail[:cut]):
        cut = m.start()
    return " ".join(tail[:cut].split()[:10])


def _unit_at(folded: str, text: str, pos: int) -> tuple[str | None, int]:
    m = _tables()["unit"].match(folded, pos)
    if not m:
        return None, pos
    money: dict[str, str] = load_data("indicator_units.json")["money"]
    written = text[m.start("u") : m.end("u")]
    for key, unit in money.items():
        if fold(key) == re.sub(r"\s+", " ", m.group("u")):
            return unit, m.end()
    return written, m.end()


def _free(taken: list[bool], start: int, end: int) -> bool:
    return not any(taken[start:end])


def _excluded(folded: str, start: int, ident: bool = True) -> bool:
    prefix = folded[max(0, start - 30) : start]
    t = _tables()
    return bool((ident and t["ident"].search(prefix)) or t["delta"].search(prefix))


def find_indicators(text: str) -> list[Figure]:
    """Every measured quantity in one paragraph of NFC text, in order of position."""
    folded = fold(text)
    taken = _masked(text, folded)
    t = _tables()
    out: list[Figure] = []

    def claim(start: int, end: int) -> None:
        for k in range(start, end):
            taken[k] = True

    for m in t["ratio"].finditer(folded):
        if not _free(taken, m.start(), m.end()) or _excluded(folded, m.start()):
            continue
        a, b = read_number(m.group("a")), read_number(m.group("b"))
        u1 = m.group("u1")
        u1_unit, _ = _unit_at(folded, text, m.start("u1")) if u1 else (None, 0)
        if a is None or b is None or (u1 and not u1_unit and not text[m.start("u1")].isupper()):
            continue
        if a > b and not u1:
            continue
        unit, end = _unit_at(folded, text, m.end())
        unit = unit or u1_unit or (text[m.start("u1") : m.end("u1")] if u1 else None)
        fig = Figure(m.start(), "", value=a, total=b, unit=unit, text=text[m.start() : end])
        claim(m.start(), end)
        pm = t["pct_before"].search(folded[: m.start()])
        if pm and _free(taken, pm.start("p"), pm.end("p")):
            fig.percent = read_number(pm.group("p"))
            claim(pm.start(), pm.end())
        pa = t["link_pct"].match(folded[end:])
        if pa and _free(taken, end + pa.start("p"), end + pa.end("p")):
            fig.percent = read_number(pa.group("p"))
            claim(end + pa.start("p"), end + pa.end())
        fig.name = _phrase_after(text, m.end()) if unit else _clause_before(text, m.start())
        fig.name = fig.name or _clause_before(text, m.start())
        out.append(fig)

    for m in t["percent"].finditer(folded):
        if not _free(taken, m.start(), m.end()) or _excluded(folded, m.start(), ident=False):
            continue
        fig = Figure(m.start(), _clause_before(text, m.start()), unit="%")
        fig.percent = read_number(m.group("p"))
        claim(m.start(), m.end())
        if pc := t["paren_count"].match(folded[m.end() :]):
            fig.value = read_number(pc.group("n"))
            fig.unit = text[m.end() + pc.start("u") : m.end() + pc.end("u")]
            claim(m.end(), m.end() + pc.end())
        fig.name = fig.name or _phrase_after(text, m.end() + 1)
        fig.text = text[m.start() : m.end()]
        out.append(fig)

    for m in t["count"].finditer(folded):
        if not _free(taken, m.start(), m.end()) or _excluded(folded, m.start()):
            continue
        unit, end = _unit_at(folded, text, m.end())
        if unit is None:
            continue
        value = read_number(m.group(0))
        fig = Figure(m.start(), _phrase_after(text, m.end()), value=value, unit=unit)
        claim(m.start(), end)
        if ot := t["of_total"].match(folded[end:]):
            fig.total = read_number(ot.group("n"))
            claim(end, end + ot.end())
        fig.text = text[m.start() : end]
        out.append(fig)
    total: float | None = None
    for m in t["so"].finditer(folded):
        start = m.start("n")
        if (
            not _free(taken, start, m.end("n"))
            or text[m.start("name") - 3 : m.start("name")].lower() != "số "
        ):
            continue
        name = text[m.start("name") : m.end("name")].strip()
        if fold(name).startswith(("hoa ", "lieu ", "luong ")) or fold(name) in _QUALIFIERS:
            continue
        value = read_number(m.group("n"))
        unit, _ = _unit_at(fold(name), name, 0)
        is_total = "tong" in folded[max(0, m.start() - 1) : m.start("name")]
        fig = Figure(start, name, value=value, unit=unit, text=text[m.start() : m.end()])
        if is_total:
            total = value
        else:
            fig.total = total
        claim(start, m.end("n"))
        out.append(fig)

    return sorted(out, key=lambda f: f.start)
