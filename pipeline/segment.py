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
from pipeline.doctypes import DocNumber, find_doc_numbers, type_from_line, type_of_code
from pipeline.model import Document, Header, Line, Section
from pipeline.vietnamese import fold_key as fold
from pipeline.vietnamese import nfc
from pipeline.vntext import load_data, words_alternation

VERSION = "0.1.0"

_HEADER_SCAN = 30
_ROMAN = {"I": 1, "V": 5, "X": 10}
_LETTERS = "abcdđefghijklmnopqrstuvwxyz"
_OPTIONAL_LETTERS = "đfjwz"  # in one of the two alphabets lists follow, not both
_NUMBER_LINE = re.compile(r"^\W{0,3}s[o0-9]\w?\s*[:.;]?\s*(?=\d)")
# what OCR leaves of `Số:` before the number (`$6:1408`, `S6: 452`, `So 12`)
_NUMBER_PREFIX = re.compile(r"^\W{0,3}(?:[s$5§][o0-9]?\w?)?\s*[:.;,]?\s*$")
# folded text; day and month may carry OCR look-alikes of digits (`tháng /2năm` is 12)
_OCR_DIGITS = r"[\doil|!/]"
_DATE_LINE = re.compile(
    rf"(?P<place>[^\d,]{{2,40}}?)\s*[,.]?\s+ng\w{{0,3}}\s+(?P<d>{_OCR_DIGITS}{{1,2}})\s*"
    rf"th\w{{1,5}}\s*(?P<m>{_OCR_DIGITS}{{1,3}})\s*n\w{{1,3}}\s*(?P<y>(?:19|20)[\do]{{2}})"
)
_DIGIT_OF = str.maketrans("oil|!/", "011111")
_TERMINAL = tuple(".:;!?…")


@dataclass
class _Heading:
    kind: str  # roman, arabic, letter, appendix
    label: str
    rest: str
    value: tuple[int, ...] = field(default_factory=tuple)
    # False for a label OCR left unpunctuated (`L Việc`) or unreadable (`¢)`): taken only
    # where the numbering expects a heading of its kind
    sure: bool = True


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


@cache
def _motto_parts() -> list[tuple[re.Pattern[str], int]]:
    """Fragments of the motto that survive OCR, each with how many words precede it."""
    return [
        (re.compile(rf"(?<!\w){pattern}"), int(before))
        for pattern, before in load_data("header.json")["motto_fragments"]
    ]


def _left_column(text: str) -> str:
    """The part of a header line before the national motto (two columns read as one).

    A damaged motto (`Píc lập - Tự do - Hạnh phúc`) is found by a fragment that OCR left
    whole; the words the fragment says come before it are cut too.
    """
    folded = fold(text)
    if m := _motto_re().search(folded):
        return text[: m.start()].strip()
    for pattern, before in _motto_parts():
        if m := pattern.search(folded):
            words = list(re.finditer(r"\S+", folded[: m.start()]))
            cut = words[-before].start() if before and len(words) >= before else m.start()
            return text[:cut].strip()
    return text.strip()


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
        # codes and figures are no words to restore: the OCR text has the last say on them
        raw = nfc(lines[i].raw)
        on_raw = _number_on_line(raw, fold(raw)) if raw != text else None
        on_text = _number_on_line(text, folded)
        if num_idx is None and (found := on_raw or on_text):
            num = found[0]
            num_idx = i
            header.number = num.text
            header.type = type_of_code(num.type_code)
            issuer_code = num.issuer_code
            rests = [text[on_text[1] + on_text[0].end :]] if on_text else []
            rests += [raw[on_raw[1] + on_raw[0].end :]] if on_raw else []
            if date_idx is None and any(_header_date(header, rest) for rest in rests):
                date_idx = i
                _place_from_text(header, rests[0])
            continue
        if date_idx is None and (_header_date(header, text) or _header_date(header, raw)):
            date_idx = i
            _place_from_text(header, text)
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


def _number_on_line(text: str, folded: str) -> tuple[DocNumber, int] | None:
    """The document's own number on a `Số: …` line, and the offset its match is relative to.

    OCR may damage the `Số:` prefix (`$6:1408 /BC-SKHCN`); a number with a known type
    code right at the start of a line counts too.
    """
    if m := _NUMBER_LINE.match(folded):
        nums = find_doc_numbers(text[m.end() :])
        if nums:
            return nums[0], m.end()
    nums = find_doc_numbers(text)
    if nums and nums[0].type_code and _NUMBER_PREFIX.match(folded[: nums[0].start]):
        return nums[0], 0
    return None


def _ocr_int(text: str) -> int | None:
    """A figure read through OCR look-alikes (`/2` → 12, `O9` → 9), if it is one."""
    digits = text.translate(_DIGIT_OF)
    return int(digits) if digits.isdigit() else None


def _header_date(header: Header, text: str) -> bool:
    m = _DATE_LINE.search(fold(text))
    if not m:
        return False
    if not all(any(ch.isdigit() for ch in m.group(k)) for k in ("d", "m")):
        return False  # `tháng /năm`: the month is lost, not 1
    d, mo, y = (_ocr_int(m.group(k)) for k in ("d", "m", "y"))
    if d is None or mo is None or y is None:
        return False
    iso, _ = make_date(d, mo, y)
    if iso is None:
        return False
    header.date = iso
    place = text[m.start("place") : m.end("place")].strip(" :;,.-")
    place = re.sub(r"^(?:.*\s)?(?:\d\S*)\s+", "", place)  # what is left of a number column
    header.place = place or None
    return True


_PLACE_BEFORE_DATE = re.compile(r"(?P<place>[^\d,]{2,40}?)\s*,\s*ng\w{0,3}\s")


def _place_from_text(header: Header, text: str) -> None:
    """The place as restored (with its diacritics), when the date came from the OCR text."""
    if m := _PLACE_BEFORE_DATE.search(fold(text)):
        place = text[m.start("place") : m.end("place")].strip(" :;,.-")
        place = re.sub(r"^(?:.*\s)?(?:\d\S*)\s+", "", place)
        header.place = place or header.place


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


# `Nơi nhận:` as OCR and restoration leave it (`Nói nhGn:`, `Noi nhan`)
_RECIPIENTS_LINE = re.compile(r"^\W{0,2}n\S{1,2}i\s+nh\S{1,3}n?(?:\s*:|\s*$|\s+kt\b)")


def _body_end(texts: list[str], start: int) -> int:
    for i in range(start, len(texts)):
        folded = fold(texts[i]).lstrip()
        if folded.startswith("noi nhan") or _RECIPIENTS_LINE.match(folded):
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
    """A personal name standing alone at the end of a line (`Phan Văn Hiếu`), else None.

    Stamp and signature noise that OCR leaves around the name (`“Phan Văn Hiếu`,
    `Phan Văn Hiếu »`) is dropped.
    """
    chunk = re.split(r"[;:]|\.\s|\s{3,}", text.strip())[-1].strip()
    chunk = re.sub(r"^[^\w(]+|[^\w.)]+$", "", chunk)
    for rank in load_data("header.json")["rank_prefixes"]:
        if chunk.startswith(rank + " "):
            chunk = chunk[len(rank) :].strip()
            break
    words = chunk.split()
    whole_line = chunk == text.strip()
    if not 2 <= len(words) <= 5 or (whole_line and text.strip().startswith(("-", "+"))):
        return None
    if sum(len(w) < 2 for w in words) > 1 or len(words[-1]) < 2:
        return None  # stamp noise (`Là ở`), not a name
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
    token = re.sub(r"[Ll1|!]", "I", token).upper()  # `Iv.`: a case slip beside a capital
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


_ROMAN_HEAD = re.compile(r"^([IVXLl1|][IVXLl1|vx]{0,4})\s*[.:]\s*(\S.*)$")
_ARABIC_HEAD = re.compile(
    r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?:(\.|\))?\s+(\S.*)|(\.)(?=[A-ZĐÀ-Ỹ])(\S.*))$"
)
_BARE_ROMAN_HEAD = re.compile(r"^([IVXLl|]{1,4})\s+(\S.*)$")
_DAMAGED_LETTER_HEAD = re.compile(r"^([^\s()\d.,;:]{1,3})\s?\)\s+(\S.*)$")
_LABEL_TOKEN = re.compile(r"^\s*(?:\S{1,6}?[.):](?=\s*\S)|\S{1,4}\s)\s*")
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
        label = m.group(1)
        closer, rest = (m.group(2), m.group(3)) if m.group(3) else (m.group(4), m.group(5))
        parts = tuple(int(p) for p in label.split("."))
        if (closer or len(parts) > 1) and _starts_upper(rest) and all(p > 0 for p in parts):
            return _Heading("arabic", label, rest, parts)
    if (m := _LETTER_HEAD.match(s)) and _starts_upper(m.group(2)):
        letter = m.group(1)
        return _Heading("letter", letter, m.group(2), (_LETTERS.index(letter) + 1,))
    return None


def _unsure_heading(text: str) -> _Heading | None:
    """A heading whose label OCR damaged: a Roman numeral without its dot, a letter unread."""
    s = text.strip()
    if (m := _BARE_ROMAN_HEAD.match(s)) and _starts_upper(m.group(2)):
        value = _roman_value(m.group(1))
        if value:
            return _Heading("roman", _to_roman(value), m.group(2), (value,), sure=False)
    m = _DAMAGED_LETTER_HEAD.match(s)
    if m and not re.fullmatch(r"[a-zđ]", m.group(1)) and _starts_upper(m.group(2)):
        return _Heading("letter", "?", m.group(2), (0,), sure=False)
    return None


def _strip_label(text: str) -> str:
    """A numbered line without its (maybe damaged) label."""
    return _LABEL_TOKEN.sub("", text, count=1).strip()


def _candidates(text: str, raw: str) -> list[_Heading]:
    """Readings of a line as a heading: of the restored text, then of the OCR text.

    Restoration may turn a label into a word (`a)` → `là)`, `I.` → `Lỡ`), so the OCR
    text is read too; titles always come from the restored text.
    """
    out: list[_Heading] = []
    for parse in (_parse_heading, _unsure_heading):
        for source in (text, raw) if raw != text else (text,):
            h = parse(source)
            if h is None or any((h.kind, h.value) == (o.kind, o.value) for o in out):
                continue
            if source is not text:
                h.rest = _strip_label(text)
            out.append(h)
    return out


@dataclass
class _Counters:
    roman: int = 0
    arabic: tuple[int, ...] = ()
    letter: int = 0
    path_roman: str | None = None
    path_arabic: list[str] = field(default_factory=list)
    appendix: bool = False  # an appendix has begun; its numbering is its own


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


def _expected(kind: str, c: _Counters) -> tuple[int, ...] | None:
    """The value the next heading of a kind would have; None where that is not one value."""
    if kind == "roman":
        return (c.roman + 1,)
    if kind == "letter":
        return (c.letter + 1,)
    if kind == "arabic" and c.arabic:
        return (c.arabic[0] + 1,)
    return None


def _relabel(h: _Heading, value: tuple[int, ...]) -> _Heading:
    if h.kind == "roman":
        label = _to_roman(value[0])
    elif h.kind == "letter":
        label = _LETTERS[value[0] - 1]
    else:
        label = ".".join(str(p) for p in value)
    return _Heading(h.kind, label, h.rest, value)


def _next_of_kind(
    cands: list[list[_Heading]], i: int, kind: str, parents: tuple[str, ...]
) -> _Heading | None:
    """The next sure heading of `kind` after line `i`, unless a parent heading comes first."""
    for j in range(i + 1, min(len(cands), i + 120)):
        for h in cands[j]:
            if h.sure and h.kind == kind:
                return h
            if h.sure and h.kind in parents:
                return None
    return None


def _choose(cands: list[list[_Heading]], i: int, c: _Counters) -> _Heading | None:
    """The reading of line `i` that continues the numbering, repairing one damaged label.

    A label that does not fit (`c)` read for `e)`, `II.` for `III.`) or could not be read
    is taken as the expected one when the next heading of its kind confirms the sequence
    (`f)` follows), or when it is the last of its list.
    """
    for h in cands[i]:
        if h.sure and _fits(h, c):
            return h
    parents = {"roman": ("appendix",), "arabic": ("roman", "appendix")}
    # a letter list ends at any heading above it
    for h in cands[i]:
        expected = _expected(h.kind, c)
        if expected is None or (h.kind == "arabic" and len(h.value) != 1):
            continue
        if not h.sure and h.value == expected:
            return _relabel(h, expected)
        nxt = _next_of_kind(cands, i, h.kind, parents.get(h.kind, ("roman", "arabic", "appendix")))
        if h.kind == "letter":
            if h.sure and h.value == (c.letter,) and _LETTERS[c.letter : c.letter + 1] == "đ":
                h = _Heading(h.kind, "d", h.rest, (0,), sure=False)  # OCR drops the bar of đ
                nxt = nxt if nxt is None or nxt.value[0] > c.letter + 1 else None
                if nxt is None:
                    return _relabel(h, (c.letter + 1,))
            if nxt is None and (c.letter == 0 or h.sure):
                continue
            value = _letter_between(c.letter, nxt.value[0] if nxt else None)
            if value:
                return _relabel(h, (value,))
        elif (nxt and nxt.value == (expected[0] + 1,)) or _strokes_lost(h, expected, nxt, c):
            return _relabel(h, expected)
    return None


def _strokes_lost(
    h: _Heading, expected: tuple[int, ...], nxt: _Heading | None, c: _Counters
) -> bool:
    """An upper-case Roman heading whose numeral lost strokes to OCR (III. read as I.)."""
    return (
        h.kind == "roman"
        and h.sure
        and h.value < expected
        and not c.appendix
        and _is_upper_line(h.rest)
        and (nxt is None or nxt.value[0] > expected[0])
    )


def _letter_between(prev: int, nxt: int | None) -> int | None:
    """The letter of a list item between `prev` and `nxt` (0: none), if one fits.

    Lists follow the Vietnamese alphabet (d, đ, e, g) or the Latin one (d, e, f, g);
    the letters only one of them has are taken only when the next item demands them.
    """
    value = prev + 1
    while value <= len(_LETTERS) and _LETTERS[value - 1] in _OPTIONAL_LETTERS:
        value += 1
    if nxt is not None and value >= nxt:
        value = prev + 1
    if value > len(_LETTERS) or (nxt is not None and value >= nxt):
        return None
    return value


def _advance(h: _Heading, c: _Counters) -> str:
    """Record a heading; return its section path."""
    if h.kind == "appendix":
        # the main Roman numbering may resume after an appendix placed mid-document
        c.arabic, c.letter, c.path_roman, c.path_arabic = (), 0, h.label, []
        c.appendix = True
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


_PAGE_NUMBER = re.compile(r"^\s*[-–]?\s*\d{1,3}\s*[-–]?\s*$")


def _paragraph_start(texts: list[str], i: int, start: int, heading_lines: set[int]) -> bool:
    if i == start:
        return True
    if _PAGE_NUMBER.match(texts[i - 1]) and i - 1 > start:
        i -= 1  # a page number between two pages does not join them
    prev = texts[i - 1].rstrip()
    if not prev.strip() or (i - 1) in heading_lines:
        return True
    if prev.endswith(_TERMINAL) or prev.endswith("./."):
        return True
    # a page-break line (leading space) after a footnote block also starts afresh
    return texts[i].startswith(" ") and not prev[-1:].isalpha()


def _title(texts: list[str], i: int, rest: str, end: int, numbered: list[bool]) -> str:
    """The heading's title, or '' when the numbered line opens running text.

    `numbered` tells which lines read as headings (however damaged their label).
    """
    rest = rest.strip()
    nxt = texts[i + 1].strip() if i + 1 < end else ""
    if rest and not rest.endswith(_TERMINAL) and nxt:
        # a heading line of its own: upper case, or clearly shorter than the text below,
        # or followed at once by a heading under it
        if _is_upper_line(rest) and not _is_upper_line(nxt):
            return rest
        if numbered[i + 1] and len(rest) < 120:
            return rest
        if _starts_upper(nxt) and len(rest) < 0.6 * len(nxt):
            return rest
    para = [rest]
    j = i + 1
    while j < end and texts[j].strip() and not numbered[j]:
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
    cands = [
        _candidates(texts[i], nfc(lines[i].raw)) if i >= body.start else []
        for i in range(len(lines))
    ]
    numbered = [bool(c) for c in cands]
    for i in range(len(lines)):
        h = cands[i][0] if cands[i] else None
        outside = i < body.start or (i >= body.end and not in_appendix)
        opens_appendix = h and h.kind == "appendix" and _paragraph_start(texts, i, 0, heading_lines)
        if outside and not opens_appendix:
            lines[i].section = None
            continue
        if h and _paragraph_start(texts, i, body.start, heading_lines):
            h = _choose(cands, i, counters)
        else:
            h = None
        if h:
            in_appendix = in_appendix or h.kind == "appendix"
            current = _advance(h, counters)
            heading_lines.add(i)
            level = {"roman": 1, "arabic": 2, "letter": 3, "appendix": 1}[h.kind]
            stop = len(texts) if in_appendix else body.end
            title = _title(texts, i, h.rest, stop, numbered)
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
