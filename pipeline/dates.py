"""The one date and period parser: days, months, quarters, half years, years, recurrences.

Everything works on folded text (see `pipeline.vntext.fold`), so `ngày`, `ngay` and
`NGÀY` read alike. Offsets index the folded text, which are offsets into the NFC text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from pipeline.vietnamese import fold_key as fold
from pipeline.vntext import load_data, words_alternation

Strength = Literal["strong", "weak", "bare", "recurring", "ongoing"]

_DMY = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})(?!\d)"
_WORDY = (
    r"(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})\s*(?:,\s*)?(?:nam|/)\s*(?P<y2>(?:19|20)\d{2})(?!\d)"
)
DATE_RE = re.compile(rf"(?<![\d/])(?:{_DMY}|{_WORDY})")


@dataclass(frozen=True)
class DateSpan:
    start: int
    end: int
    iso: str | None
    invalid: bool


@dataclass(frozen=True)
class TimeExpr:
    """A time expression in folded text; `start` includes its marker (trước, chậm nhất ...)."""

    start: int
    end: int
    date: str | None
    period: str | None
    invalid: bool
    strength: Strength


def make_date(day: int, month: int, year: int) -> tuple[str | None, bool]:
    """ISO date and False, or None and True when the day does not exist (31/02)."""
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return None, True
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None, True
    return f"{year:04d}-{month:02d}-{day:02d}", False


@lru_cache(maxsize=4096)
def find_dates(folded: str) -> tuple[DateSpan, ...]:
    """Every full date (`08/4/2025`, `12 tháng 12 năm 2025`) in folded text."""
    out: list[DateSpan] = []
    for m in DATE_RE.finditer(folded):
        d, mo, y = (m.group("d"), m.group("m"), m.group("y"))
        if d is None:
            d, mo, y = m.group("d2"), m.group("m2"), m.group("y2")
        iso, invalid = make_date(int(d), int(mo), int(y))
        out.append(DateSpan(m.start(), m.end(), iso, invalid))
    return tuple(out)


def parse_date(text: str) -> str | None:
    """The ISO form of the first valid date in `text`, if any."""
    for span in find_dates(fold(text)):
        if span.iso:
            return span.iso
    return None


def _horn_tolerant(pattern: str) -> str:
    return pattern.replace("u", "u['’`]?").replace("o", "o['’`]?")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    words = load_data("time_words.json")
    # OCR writes the horn of ư and ơ as an apostrophe (`tru’éc ngay`)
    strong = _horn_tolerant(words_alternation(words["strong_markers"]))
    weak = _horn_tolerant(words_alternation(words["weak_markers"]))
    filler = r"(?:\s+(?:trong|vao|la|ngay|truoc|het|cuoi|ca|tu|nhat))*"
    marker = re.compile(rf"\b(?:(?P<strong>{strong})|(?P<weak>{weak})){filler}\s*,?\s*$")
    ongoing = re.compile(rf"\b(?:{words_alternation(words['ongoing'])})\b")
    unit = "|".join(words["recurrence_units"])
    recur = re.compile(
        rf"\bdinh\s+ky\s+(?P<n>\d+)\s+(?P<u>{unit})(?:\s+(?:mot|1)\s+lan)?"
        rf"|\b(?P<n2>\d+)\s+(?P<u2>{unit})\s+(?:mot|1)\s+lan"
        rf"|\b(?:dinh\s+ky\s+)?(?:hang|moi)\s+(?P<u3>{unit})\b"
    )
    return marker, ongoing, recur


@cache
def _quarter_re() -> re.Pattern[str]:
    """`quý 1/2026`, `quý IV năm 2025`; OCR spellings of `quý` only in the `N/YYYY` form."""
    words = load_data("time_words.json")
    strict = words_alternation(words["quarter_words"])
    ocr = words_alternation(words["quarter_ocr_spellings"])
    q, y = r"(?P<q>iv|i{1,3}|[1-4])", r"(?P<y>(?:19|20)\d{2})(?!\d)"
    return re.compile(
        rf"\b(?:(?:{strict})\s+{q}\s*(?:/|-|,?\s*nam)\s*{y}"
        rf"|(?:{ocr})\s+(?P<q2>iv|i{{1,3}}|[1-4])\s*/\s*(?P<y2>(?:19|20)\d{{2}})(?!\d))"
    )


_HALF = re.compile(
    r"\b(?P<n>\d{1,2}|sau|ba)\s+thang\s+(?P<w>dau|cuoi)\s+nam(?:\s*(?P<y>(?:19|20)\d{2}))?(?!\d)"
)
_MONTH = re.compile(r"\bthang\s+(?P<m>\d{1,2})\s*(?:/|-|,?\s*nam)\s*(?P<y>(?:19|20)\d{2})(?!\d)")
_YEAR = re.compile(r"\bnam\s+(?P<y>(?:19|20)\d{2})(?!\d|\s*[-–]\s*(?:19|20)\d{2})")
_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _period_spans(folded: str, ref_year: int | None) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for m in _quarter_re().finditer(folded):
        q, year = m.group("q") or m.group("q2"), m.group("y") or m.group("y2")
        n = int(q) if q.isdigit() else _ROMAN_Q[q]
        spans.append((m.start(), m.end(), f"{year}-Q{n}"))
    for m in _HALF.finditer(folded):
        year = m.group("y") or (str(ref_year) if ref_year else None)
        months = {"sau": "6", "ba": "3"}.get(m.group("n"), m.group("n"))
        first = m.group("w") == "dau"
        if not year or months not in ("3", "6"):
            continue
        label = ("H1" if first else "H2") if months == "6" else ("Q1" if first else "Q4")
        spans.append((m.start(), m.end(), f"{year}-{label}"))
    for m in _MONTH.finditer(folded):
        month = int(m.group("m"))
        if 1 <= month <= 12:
            spans.append((m.start(), m.end(), f"{m.group('y')}-{month:02d}"))
    for m in _YEAR.finditer(folded):
        spans.append((m.start(), m.end(), m.group("y")))
    return spans


def _overlaps(a: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in taken)


def _marker_start(folded: str, start: int) -> tuple[int, Strength]:
    """Where the marker before `start` begins, and how binding it is."""
    marker, _, _ = _patterns()
    lo = max(0, start - 48)
    window = folded[lo:start]
    cut = max(window.rfind(c) for c in ";:.!?()")
    if cut >= 0:
        lo, window = lo + cut + 1, window[cut + 1 :]
    m = marker.search(window)
    if not m:
        return start, "bare"
    return lo + m.start(), "strong" if m.group("strong") else "weak"


@lru_cache(maxsize=4096)
def find_time_expressions(folded: str, ref_year: int | None = None) -> tuple[TimeExpr, ...]:
    """Every date, period, recurrence and ongoing expression in folded text, in order.

    `strength` tells how the expression is introduced: `strong` (trước ngày, chậm nhất,
    hoàn thành trong), `weak` (trong, đến hết), `bare` (no marker), `recurring`
    (định kỳ, hằng tháng) or `ongoing` (thường xuyên). Years are relative to `ref_year`
    only where the text leaves them out (3 tháng cuối năm).
    """
    _, ongoing, recur = _patterns()
    found: list[TimeExpr] = []
    taken: list[tuple[int, int]] = []
    for span in find_dates(folded):
        taken.append((span.start, span.end))
        mstart, strength = _marker_start(folded, span.start)
        if strength != "bare":
            found.append(TimeExpr(mstart, span.end, span.iso, None, span.invalid, strength))
    for m in recur.finditer(folded):
        if _overlaps((m.start(), m.end()), taken):
            continue
        n = m.group("n") or m.group("n2")
        unit = load_data("time_words.json")["recurrence_units"][
            m.group("u") or m.group("u2") or m.group("u3")
        ]
        count = int(n) if n else 1
        period = f"every {count} {unit}s" if count > 1 else f"every {unit}"
        taken.append((m.start(), m.end()))
        near = folded[max(0, m.start() - 24) : m.end() + 24]
        if not m.group("u3") or "dinh ky" in near or "bao cao" in near:
            found.append(TimeExpr(m.start(), m.end(), None, period, False, "recurring"))
    for start, end, period in sorted(
        _period_spans(folded, ref_year), key=lambda s: (-(s[1] - s[0]), s[0])
    ):
        if _overlaps((start, end), taken):
            continue
        taken.append((start, end))
        mstart, strength = _marker_start(folded, start)
        found.append(TimeExpr(mstart, end, None, period, False, strength))
    for m in ongoing.finditer(folded):
        if not _overlaps((m.start(), m.end()), taken):
            found.append(TimeExpr(m.start(), m.end(), None, "ongoing", False, "ongoing"))
    return tuple(sorted(found, key=lambda t: t.start))
