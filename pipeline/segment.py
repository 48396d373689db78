"""Segmentation: header fields and the section tree, each line knowing its section.

The header follows Nghị định 30/2020/NĐ-CP: authority lines and the national motto,
`Số: 3540/BC-SKHCN`, `<place>, ngày … tháng … năm …`, the type line (BÁO CÁO) or a
`V/v` subject, the subject, and at the end `Nơi nhận` beside the signature block.
Sections are Roman (I), Arabic (1, 1.1), lettered (a) headings and appendices, checked
against their numbering so that a wrapped line starting with a figure is not a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pipeline.agencies import find_agencies, starts_with_agency
from pipeline.dates import make_date
from pipeline.doctypes import find_doc_numbers, type_from_line, type_of_code
from pipeline.model import Document, Header, Line, Section
from pipeline.vntext import fold, load_data, nfc, words_alternation

VERSION = "0.1.0"

_HEADER_SCAN = 30
_ROMAN = {"I": 1, "V": 5, "X": 10}
_LETTERS = "abcdđefghijklmnopqrstuvwxyz"
_NUMBER_LINE = re.compile(r"^\W{0,3}s[o0-9]\w?\s*[:.;]?\s*(?=\d)")
_DATE_LINE = re.compile(
    r"(?P<place>[^\d,]{2,40}?)\s*,\s*ng\w{0,3}\s+(?P<d>\d{1,2})\s+th\w{1,5}\s+(?P<m>\d{1,2})"
    r"\s+n\w{1,3}\s+(?P<y>(?:19|20)\d{2})"
)
_TERMINAL = tuple(".:;!?…")


@dataclass
class _Heading:
    kind: str  # roman, arabic, letter, appendix
    label: str
    rest: str
    value: tuple[int, ...] = field(default_factory=tuple)


@dataclass
class _Body:
    """Where the body runs (0-based line indices, end exclusive)."""

    start: int
    end: int


def segment_document(doc: Document) -> Document:
    """Fill `doc.header` and `doc.sections`; set each line's `section`."""
    lines = doc.lines
    texts = [nfc(line.text) for line in lines]
    header, body = _parse_header(lines, texts)
    doc.header = header
    doc.sections = _sections(lines, texts, body)
    doc.stage_versions["segment"] = VERSION
    return doc


# --- header -----------------------------------------------------------------------------


@cache
def _motto_re() -> re.Pattern[str]:
    words = load_data("header.json")["motto"]
    return re.compile(words_alternation(words).replace(r"\-", r"\s*[-–]\s*"))


def _left_column(text: str) -> str:
    """The part of a header line before the national motto (two columns read as one)."""
    m = _motto_re().search(fold(text))
    return (text[: m.start()] if m else text).strip()


def _running_case(text: str, after_name: bool) -> str:
    """Upper-case header words in running spelling: sentence case, place names capitalised.

    Words after a unit word (tỉnh, xã) or after an agency name are a place name.
    """
    levels = {w.lower() for w in load_data("agency_heads.json")["place_levels_nfc"]}
    words = text.split()
    out: list[str] = []
    place = after_name
    for k, w in enumerate(words):
        low = w.lower()
        two = " ".join(x.lower() for x in words[k : k + 2])
        if two in levels or low in levels or (out and f"{out[-1]} {low}" in levels):
            out.append(low)
            place = True
        elif place or not out:
            out.append(w[:1].upper() + w[1:].lower())
        else:
            out.append(low)
    return " ".join(out)


def _authority_name(text: str) -> str:
    """An upper-case authority line in its usual spelling (`SỞ KHOA HỌC…` → `Sở Khoa học…`)."""
    text = re.sub(r"\s+", " ", text).strip()
    out: list[str] = []
    last = 0
    for m in find_agencies(text):
        out.append(_running_case(text[last : m.start], bool(out)))
        out.append(m.canonical)
        last = m.end
    out.append(_running_case(text[last:], bool(out)))
    return re.sub(r"\s+", " ", " ".join(p for p in out if p)).strip()


def _is_upper_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _parse_header(lines: list[Line], texts: list[str]) -> tuple[Header, _Body]:
    header = Header()
    n = len(lines)
    scan = min(n, _HEADER_SCAN)
    num_idx = date_idx = type_idx = vv_idx = None
    issuer_code: str | None = None
    for i in range(scan):
        text = texts[i]
        folded = fold(text)
        if num_idx is None and (m := _NUMBER_LINE.match(folded)):
            nums = find_doc_numbers(text[m.end() :])
            if nums:
                num_idx = i
                header.number = nums[0].text
                header.type = type_of_code(nums[0].type_code)
                issuer_code = nums[0].issuer_code
                rest = text[m.end() + nums[0].end :]
                if date_idx is None and _header_date(header, rest):
                    date_idx = i
                continue
        if date_idx is None and _header_date(header, text):
            date_idx = i
            continue
        if type_idx is None and vv_idx is None and (num_idx is not None or date_idx is not None):
            t = type_from_line(text)
            if t:
                type_idx = i
                header.type = header.type or t
                continue
            if fold(text).lstrip().startswith("v/v"):
                vv_idx = i
    if num_idx is None and date_idx is None:
        return header, _Body(0, _body_end(texts, 0))
    anchor_idx = num_idx if num_idx is not None else date_idx
    assert anchor_idx is not None
    header.anchor = lines[anchor_idx].anchor()
    # authorities: left-column lines above the number / date line
    first_meta = min(i for i in (num_idx, date_idx) if i is not None)
    header.parent_authority, header.issuer = _authorities(texts[:first_meta])
    if header.issuer is None and num_idx is not None:
        header.issuer = _issuer_from_code(issuer_code, header.place)
    if vv_idx is not None and header.type is None:
        header.type = str(load_data("doctypes.json")["letter_type"])
    # subject: lines after the type line (or the V/v line) up to a blank line
    start = (type_idx + 1) if type_idx is not None else vv_idx
    last_meta = max(i for i in (num_idx, date_idx, type_idx) if i is not None)
    body_start = last_meta + 1
    if start is not None:
        subject, after = _subject(texts, start)
        header.subject = subject
        body_start = after
    body_start = _skip_kinh_gui(texts, body_start, header)
    end = _body_end(texts, body_start)
    _signature(texts, end, header)
    return header, _Body(body_start, end)


def _header_date(header: Header, text: str) -> bool:
    m = _DATE_LINE.search(fold(text))
    if not m:
        return False
    iso, _ = make_date(int(m.group("d")), int(m.group("m")), int(m.group("y")))
    header.date = iso
    place = text[m.start("place") : m.end("place")].strip(" :;,.-")
    place = re.sub(r"^(?:.*\s)?(?:\d\S*)\s+", "", place)  # what is left of a number column
    header.place = place or None
    return True


def _authorities(texts: list[str]) -> tuple[str | None, str | None]:
    urgency = {fold(w) for w in load_data("header.json")["urgency"]}
    parts: list[str] = []
    for text in texts:
        left = _left_column(text)
        if not left or fold(left).strip(" .") in urgency or not _is_upper_line(left):
            continue
        if parts and not starts_with_agency(left):  # a wrapped authority name goes on
            parts[-1] = f"{parts[-1]} {left}"
        else:
            parts.append(left)
    names = [_authority_name(p) for p in parts[-2:]]
    if not names:
        return None, None
    if len(names) == 1:
        return None, names[0]
    return names[0], names[1]


def _issuer_from_code(code: str | None, place: str | None) -> str | None:
    if not code:
        return None
    matches = find_agencies(code)
    if matches and matches[0].end - matches[0].start == len(code):
        return matches[0].canonical
    if code.upper() == "UBND":
        return f"UBND tỉnh {place}" if place else "UBND"
    return None


def _subject(texts: list[str], start: int) -> tuple[str | None, int]:
    i = start
    while i < len(texts) and not texts[i].strip():
        i += 1
    parts: list[str] = []
    stop = re.compile(r"^\s*(?:kinh gui|can cu|thuc hien|theo de nghi|xet de nghi)\b")
    while i < len(texts) and texts[i].strip() and len(parts) < 6:
        if parts and stop.match(fold(texts[i])):
            break
        parts.append(texts[i].strip())
        i += 1
    if not parts:
        return None, start
    subject = re.sub(r"^\s*V/v\s*", "", " ".join(parts), flags=re.IGNORECASE).strip()
    return subject or None, i


def _skip_kinh_gui(texts: list[str], i: int, header: Header) -> int:
    j = i
    while j < len(texts) and not texts[j].strip():
        j += 1
    if j >= len(texts) or not fold(texts[j]).lstrip().startswith("kinh gui"):
        return i
    first = texts[j].split(":", 1)[1] if ":" in texts[j] else ""
    header.recipients.extend(_recipient_items([first]))
    j += 1
    while j < len(texts) and texts[j].strip() and texts[j].lstrip()[:1] in "-+•":
        header.recipients.extend(_recipient_items([texts[j]]))
        j += 1
    return j


def _body_end(texts: list[str], start: int) -> int:
    for i in range(start, len(texts)):
        if fold(texts[i]).lstrip().startswith("noi nhan"):
            return i
    return len(texts)


def _recipient_items(texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        item = text.strip().lstrip("-+• ").strip()
        item = re.split(r";|\.\s|\s{3,}|\.$", item)[0]
        item = re.sub(r"\((?:b/c|để b/c|đ/b|t/h)\)", "", item, flags=re.IGNORECASE).strip(" ,.")
        key = fold(item)
        if len(item) < 3 or key.startswith(("luu", "nhu tren")) or not item[:1].isalpha():
            continue
        out.append(item)
    return out


@cache
def _title_re() -> re.Pattern[str]:
    titles = load_data("header.json")["titles"]
    return re.compile(rf"\b(?:{words_alternation(titles)})\b")


_MARK_RE = re.compile(r"(?<![\w.])(KT|TL|TM|Q|TUQ)\s*\.")
_NAME_WORD = re.compile(r"[A-ZĐÀ-ỸÂÊÔƠƯĂ][a-zđà-ỹâêôơưă']*")


def _signature(texts: list[str], end: int, header: Header) -> None:
    tail = texts[end:] if end < len(texts) else texts[-25:]
    if end < len(texts):  # the `Nơi nhận` line and the recipient list under it
        first = texts[end]
        rest = first.split(":", 1)[1] if ":" in first else ""
        rows = [rest]
        for text in texts[end + 1 :]:
            if text.strip().startswith(("-", "+", "•")):
                rows.append(text)
        header.recipients.extend(r for r in _recipient_items(rows) if r not in header.recipients)
    for text in tail:
        m = _MARK_RE.search(text)
        if m and header.authority_mark is None:
            header.authority_mark = m.group(1) + "."
        folded = fold(text)
        for t in _title_re().finditer(folded):
            original = text[t.start() : t.end()]
            if original.isupper():
                header.signer_title = original
    for text in reversed(tail):
        name = _person_name(text)
        if name:
            header.signer = name
            break


def _person_name(text: str) -> str | None:
    """A personal name standing alone at the end of a line (`Phan Văn Hiếu`), else None."""
    chunk = re.split(r"[;:]|\.\s|\s{3,}", text.strip())[-1].strip()
    for rank in load_data("header.json")["rank_prefixes"]:
        if chunk.startswith(rank + " "):
            chunk = chunk[len(rank) :].strip()
            break
    words = chunk.split()
    whole_line = chunk == text.strip()
    if not 2 <= len(words) <= 5 or (whole_line and text.strip().startswith(("-", "+"))):
        return None
    if not all(_NAME_WORD.fullmatch(w) for w in words):
        return None
    surnames = {fold(s) for s in load_data("header.json")["surnames"]}
    if fold(words[0]) not in surnames and len(words) < 3:
        return None
    if find_agencies(chunk) or _title_re().search(fold(chunk)):
        return None
    return chunk


# --- sections ---------------------------------------------------------------------------


def _roman_value(token: str) -> int | None:
    """The value of a Roman numeral, reading OCR's `L`, `l`, `1`, `|` as `I`."""
    if not any(c in "IVXL" for c in token):
        return None
    token = re.sub(r"[Ll1|!]", "I", token)
    if not re.fullmatch(r"X{0,2}(?:IX|IV|V?I{0,3})", token) or not token:
        return None
    total, prev = 0, 0
    for ch in reversed(token):
        v = _ROMAN[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total or None


def _to_roman(n: int) -> str:
    out = ""
    for value, sym in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


_ROMAN_HEAD = re.compile(r"^([IVXLl1|]{1,5})\s*[.:]\s*(\S.*)$")
_ARABIC_HEAD = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(\.|\))?\s+(\S.*)$")
_LETTER_HEAD = re.compile(r"^([a-zđ])\s?[.)]\s+(\S.*)$")
_APPENDIX_HEAD = re.compile(r"^phu\s+luc(?:\s+([0-9]{1,3}[a-z]?|[ivx]{1,5})\b|\s*$)")


def _starts_upper(text: str) -> bool:
    text = text.lstrip("“\"'‘(«")
    return bool(text) and (text[0].isupper() or text[0].isdigit())


def _parse_heading(text: str) -> _Heading | None:
    s = text.strip()
    if m := _APPENDIX_HEAD.match(fold(s)):
        if m.group(1) is None:
            return _Heading("appendix", "Phụ lục", "")
        number = s[m.start(1) : m.end(1)]
        return _Heading("appendix", f"Phụ lục {number}", s[m.end() :].strip(" :.-–"))
    if m := _ROMAN_HEAD.match(s):
        value = _roman_value(m.group(1))
        if value and _starts_upper(m.group(2)):
            return _Heading("roman", _to_roman(value), m.group(2), (value,))
    if m := _ARABIC_HEAD.match(s):
        label, closer, rest = m.group(1), m.group(2), m.group(3)
        parts = tuple(int(p) for p in label.split("."))
        if (closer or len(parts) > 1) and _starts_upper(rest) and all(p > 0 for p in parts):
            return _Heading("arabic", label, rest, parts)
    if (m := _LETTER_HEAD.match(s)) and _starts_upper(m.group(2)):
        letter = m.group(1)
        return _Heading("letter", letter, m.group(2), (_LETTERS.index(letter) + 1,))
    return None


@dataclass
class _Counters:
    roman: int = 0
    arabic: tuple[int, ...] = ()
    letter: int = 0
    path_roman: str | None = None
    path_arabic: list[str] = field(default_factory=list)


def _fits(h: _Heading, c: _Counters) -> bool:
    """Whether a heading continues the numbering seen so far."""
    if h.kind == "roman":
        # a lost heading (OCR) may leave a gap; Roman headings are rare enough otherwise
        return c.roman < h.value[0] <= c.roman + 3
    if h.kind == "arabic":
        parts = h.value
        if len(parts) == 1:
            top = c.arabic[0] if c.arabic else 0
            return parts[0] == 1 or parts[0] == top + 1
        if not c.arabic or len(parts) > len(c.arabic) + 1:
            return False
        parent, last = parts[:-1], parts[-1]
        if tuple(c.arabic[: len(parent)]) != parent:
            return False
        current = c.arabic[len(parent)] if len(c.arabic) > len(parent) else 0
        return last == 1 or last == current + 1
    if h.kind == "letter":
        v = h.value[0]
        nxt = c.letter + 1
        # đ is optional after d
        return v == 1 or v == nxt or (_LETTERS[c.letter - 1 : c.letter] == "d" and v == nxt + 1)
    return True


def _advance(h: _Heading, c: _Counters) -> str:
    """Record a heading; return its section path."""
    if h.kind == "appendix":
        # the main Roman numbering may resume after an appendix placed mid-document
        c.arabic, c.letter, c.path_roman, c.path_arabic = (), 0, h.label, []
        return h.label
    if h.kind == "roman":
        c.roman, c.arabic, c.letter = h.value[0], (), 0
        c.path_roman, c.path_arabic = h.label, []
    elif h.kind == "arabic":
        c.arabic, c.letter = h.value, 0
        labels = [".".join(str(p) for p in h.value[: k + 1]) for k in range(len(h.value))]
        c.path_arabic = labels
    elif h.kind == "letter":
        c.letter = h.value[0]
    parts = [p for p in (c.path_roman, *c.path_arabic) if p]
    if h.kind == "letter":
        parts.append(h.label)
    return "/".join(parts)


def _paragraph_start(texts: list[str], i: int, start: int, heading_lines: set[int]) -> bool:
    if i == start:
        return True
    prev = texts[i - 1].rstrip()
    if not prev.strip() or (i - 1) in heading_lines:
        return True
    if prev.endswith(_TERMINAL) or prev.endswith("./."):
        return True
    # a page-break line (leading space) after a footnote block also starts afresh
    return texts[i].startswith(" ") and not prev[-1:].isalpha()


def _title(texts: list[str], i: int, rest: str, end: int) -> str:
    """The heading's title, or '' when the numbered line opens running text."""
    rest = rest.strip()
    nxt = texts[i + 1].strip() if i + 1 < end else ""
    if rest and not rest.endswith(_TERMINAL) and nxt:
        # a heading line of its own: upper case, or clearly shorter than the text below
        if _is_upper_line(rest) and not _is_upper_line(nxt):
            return rest
        if _starts_upper(nxt) and len(rest) < 0.6 * len(nxt):
            return rest
    para = [rest]
    j = i + 1
    while j < end and texts[j].strip() and _parse_heading(texts[j]) is None:
        if texts[j].lstrip()[:1] in "-+•":
            break
        para.append(texts[j].strip())
        j += 1
    if para[0].endswith(":"):
        return para[0].rstrip(":").strip()
    joined = " ".join(para)
    if len(para) <= 3 and not joined.endswith((".", ";", "./.")):
        return joined.rstrip(":").strip()
    return ""


def _sections(lines: list[Line], texts: list[str], body: _Body) -> list[Section]:
    sections: list[Section] = []
    counters = _Counters()
    heading_lines: set[int] = set()
    current: str | None = None
    in_appendix = False
    for i in range(len(lines)):
        h = _parse_heading(texts[i]) if i >= body.start else None
        outside = i < body.start or (i >= body.end and not in_appendix)
        opens_appendix = h and h.kind == "appendix" and _paragraph_start(texts, i, 0, heading_lines)
        if outside and not opens_appendix:
            lines[i].section = None
            continue
        if h and _paragraph_start(texts, i, body.start, heading_lines) and _fits(h, counters):
            in_appendix = in_appendix or h.kind == "appendix"
            current = _advance(h, counters)
            heading_lines.add(i)
            level = {"roman": 1, "arabic": 2, "letter": 3, "appendix": 1}[h.kind]
            stop = len(texts) if in_appendix else body.end
            title = _title(texts, i, h.rest, stop)
            if h.kind == "appendix":
                title = h.rest or title
            sections.append(
                Section(
                    label=h.label, level=level, title=title, path=current, anchor=lines[i].anchor()
                )
            )
        lines[i].section = current
    return sections


def body_span(doc: Document) -> tuple[int, int]:
    """First and last line numbers of the body (after the header, before `Nơi nhận`)."""
    lines = doc.lines
    if not lines:
        return 1, 0
    _, body = _parse_header(lines, [nfc(line.text) for line in lines])
    first = lines[body.start].number if body.start < len(lines) else lines[-1].number + 1
    last = lines[body.end - 1].number if body.end > 0 else 0
    return first, last
