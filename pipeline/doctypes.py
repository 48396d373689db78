"""Document numbers (`3540/BC-SKHCN`, `71/2025/NQ-CP`) and the document types they name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz.distance import Levenshtein

from pipeline.vietnamese import fold_key as fold
from pipeline.vntext import load_data, words_alternation

_CODE = r"[A-ZĐ][A-Za-zĐđ&]*"
# number, optional year, then code segments joined by '-' or '/'; OCR may read the first
# separator as ':' or ';' (`148:KL/TW`), which counts only before a known type code
DOCNUM_RE = re.compile(
    rf"(?<![\w/.,+-])(?P<num>\d{{1,5}}[a-z]?)(?:/(?P<year>(?:19|20)\d{{2}}))?"
    rf"(?:\s?(?P<sep>[-/])\s?|(?P<odd>[:;]))"
    rf"(?P<code>{_CODE}(?:\s?[-/]\s?{_CODE}|[-/]\d+)*)(?![\w&])"
)
_SEPARATOR = re.compile(r"\s?([-/])\s?")
_BAR_LOST = "DP"  # OCR reads Đ as D (the bar lost) or as P
_BAR_READINGS = re.compile(r"DB|PB|D|P")  # what OCR makes of Đ in a code (`QDB`, `NDB`)
_SLASH_LIKE = "Il1|"  # and '/' as one of these


@dataclass(frozen=True)
class DocNumber:
    start: int
    end: int
    text: str
    type_code: str | None
    issuer_code: str | None


def _segments(code: str) -> list[str]:
    return [s for s in re.split(r"\s?[-/]\s?", code) if s]


@cache
def _known_segments() -> frozenset[str]:
    table = load_data("doctypes.json")
    return frozenset(table["codes"]) | frozenset(table["issuer_codes"])


def is_known(seg: str) -> bool:
    """Whether a code segment is a known type or issuer code."""
    return seg in _known_segments()


def _bar_restored(seg: str) -> str | None:
    """`seg` with OCR's D, P or DB for Đ put back, when that gives one known code."""
    spots = [m.span() for m in _BAR_READINGS.finditer(seg)][:4]
    found = set()
    for mask in range(1, 1 << len(spots)):
        out, last = [], 0
        for bit, (start, end) in enumerate(spots):
            if mask >> bit & 1:
                out += [seg[last:start], "Đ"]
                last = end
        candidate = "".join(out) + seg[last:]
        if candidate in _known_segments():
            found.add(candidate)
    return found.pop() if len(found) == 1 else None


def repair_segment(seg: str) -> str:
    """A code segment as written, with OCR damage undone where only one reading is known.

    `DHQGHN` → `ĐHQGHN`, `NQITW` → `NQ/TW`. A segment already known is left alone, and
    so is one that no repair makes known. A type code with a barless twin of the same
    meaning takes the barred spelling (`QD` → `QĐ`).
    """
    known = _known_segments()
    codes: dict[str, str] = load_data("doctypes.json")["codes"]
    if seg in known:
        barred = seg.replace("D", "Đ")
        same = barred != seg and seg in codes and codes.get(barred) == codes[seg]
        return barred if same else seg
    if fixed := _bar_restored(seg):
        return fixed
    for k in range(1, len(seg) - 1):
        if seg[k] in _SLASH_LIKE:
            head, tail = seg[:k], seg[k + 1 :]
            head = head if head in known else _bar_restored(head) or head
            tail = tail if tail in known else _bar_restored(tail) or tail
            if head in codes and tail in known:
                return f"{repair_segment(head)}/{tail}"
    return seg


def _canonical_code(code: str) -> str:
    parts = _SEPARATOR.split(code)
    return "".join(p if k % 2 else repair_segment(p) for k, p in enumerate(parts))


@lru_cache(maxsize=4096)
def find_doc_numbers(text: str) -> tuple[DocNumber, ...]:
    """Every document number in NFC text (a number, maybe a year, then letter codes).

    Numbers are given in canonical form: spaces dropped, OCR damage to the codes undone
    where unambiguous (`148:KL/TW` → `148-KL/TW`, `57-NQITW` → `57-NQ/TW`).
    """
    codes = load_data("doctypes.json")["codes"]
    out: list[DocNumber] = []
    for m in DOCNUM_RE.finditer(text):
        code = _canonical_code(m.group("code"))
        segs = _segments(code)
        letters = sum(ch.isalpha() for ch in code)
        if letters < 2:
            continue
        type_code = segs[0] if segs[0] in codes else None
        sep = m.group("sep")
        if sep is None:
            if type_code is None:
                continue
            # Party numbers run 148-KL/TW, state numbers 71/2025/NQ-CP
            inner = _SEPARATOR.search(code)
            sep = "-" if inner and inner.group(1) == "/" else "/"
        rest = segs[1:] if type_code else segs
        issuer = rest[0] if rest else None
        year = f"/{m.group('year')}" if m.group("year") else ""
        number = re.sub(r"\s+", "", f"{m.group('num')}{year}{sep}{code}")
        out.append(DocNumber(m.start(), m.end(), number, type_code, issuer))
    return tuple(out)


def retyped(number: DocNumber, type_name: str | None) -> DocNumber:
    """`number` with its first code segment read as the type the words before it name.

    OCR reads `CĐ` as `CP`: `Công điện số 111/CP-TTg` is `111/CĐ-TTg`. Only a first
    segment that is no type code and differs from the named type's code by a lost bar
    is changed.
    """
    if number.type_code or not type_name or not number.issuer_code:
        return number
    codes: dict[str, str] = load_data("doctypes.json")["codes"]
    seg = number.issuer_code
    for code, name in codes.items():
        if name != type_name or len(code) != len(seg) or "Đ" not in code:
            continue
        if all(a == b or (a == "Đ" and b in _BAR_LOST) for a, b in zip(code, seg, strict=True)):
            m = re.search(rf"(?<=[-/]){re.escape(seg)}(?=[-/]|$)", number.text)
            if not m:
                return number
            text = number.text[: m.start()] + code + number.text[m.end() :]
            rest = _segments(text[m.start() + len(code) :])
            issuer = rest[0] if rest else None
            return DocNumber(number.start, number.end, text, code, issuer)
    return number


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
    """The type named by a whole capitalised line (`BÁO CÁO` → Báo cáo).

    One wrong letter (OCR: `THÔNG BẢO`, `BAO CA0`) is forgiven when only one type name
    is that close.
    """
    key = re.sub(r"\s+", " ", fold(text)).strip(" .:")
    if not key or text.strip() != text.strip().upper():
        return None
    table = load_data("doctypes.json")
    near: set[str] = set()
    for name in table["names"]:
        folded = fold(name)
        if folded == key:
            return str(table["name_aliases"].get(name, name))
        if len(folded) >= 6 and Levenshtein.distance(folded, key, score_cutoff=1) <= 1:
            near.add(str(table["name_aliases"].get(name, name)))
    return near.pop() if len(near) == 1 else None
