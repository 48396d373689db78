"""Extraction: references, deadlines, directives, indicators and entities.

Reads the paragraphs of a segmented document. Whether a paragraph lies in *task
context* (a section of tasks, solutions, proposals or plans, or the body of a
directive after `… chỉ thị:` / `… yêu cầu:`) decides what counts as a directive and
which time expressions are deadlines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz.distance import Levenshtein

from pipeline.agencies import find_agencies, normalize_agency, starts_with_agency
from pipeline.dates import TimeExpr, find_dates, find_time_expressions
from pipeline.doctypes import (
    find_doc_numbers,
    is_known,
    reference_type,
    repair_segment,
    retyped,
    type_before,
)
from pipeline.indicators import find_indicators
from pipeline.model import (
    Deadline,
    Directive,
    Document,
    Entity,
    Indicator,
    Reference,
    Section,
)
from pipeline.paragraphs import Paragraph, paragraphs
from pipeline.segment import body_span
from pipeline.vietnamese import fold_key as fold
from pipeline.vntext import load_data, words_alternation

VERSION = "0.1.0"

DirectiveKind = Literal["directive", "recommendation", "plan"]
EntityKind = Literal["agency", "place", "person"]

_LABEL = re.compile(
    r"^\s*(?:[IVXLl1|]{1,5}\s*[.:]|\d{1,2}(?:\.\d{1,2})*[.)]?|[a-zđ]\s?[.)]|[-+•~*–]"
    r"|[^\s()]{1,3}\)(?=\s+[A-ZĐÀ-Ỹ]))\s*"  # the last: a list label restoration damaged (`là)`)
)
_FOOTNOTE = re.compile(r"^\d{1,2}\s?[A-ZĐ]")


@dataclass
class _Context:
    """What a paragraph's enclosing headings say about it."""

    task: bool
    agency: str | None
    recommendation: bool
    deadline: Deadline | None


def extract_items(doc: Document) -> Document:
    """Fill the extracted item lists of a segmented document."""
    heading_lines = {s.anchor.line for s in doc.sections}
    titled = {s.anchor.line for s in doc.sections if s.title}
    paras = paragraphs(doc.lines, heading_lines, body_span(doc))
    ref_year = int(doc.header.date[:4]) if doc.header.date else None
    heading_deadlines = _heading_deadlines(doc.sections, ref_year)
    contexts = _contexts(doc, paras, heading_deadlines)

    own_line = doc.header.anchor.line if doc.header.number and doc.header.anchor else None
    doc.references = _references(paras, doc.header.number, own_line)
    deadlines: list[Deadline] = list(heading_deadlines.values())
    doc.directives = []
    doc.indicators = []
    for para, ctx in zip(paras, contexts, strict=True):
        if not para.in_body:
            continue
        found = _deadlines(para, ctx, ref_year)
        deadlines.extend(d for d, _ in found)
        heading_title = para.opens_heading and para.lines[0].number in titled
        directive = None
        if ctx.task and not heading_title:
            directive = _directive(para, ctx, found, doc.header.type)
        if directive:
            doc.directives.append(directive)
        elif not heading_title:
            doc.directives.extend(_embedded_directives(para, ctx))
        if not ctx.task:
            doc.indicators.extend(_indicators(para))
    doc.deadlines = _unique(deadlines)
    doc.entities = _entities(doc)
    doc.stage_versions["extract"] = VERSION
    return doc


# --- context ----------------------------------------------------------------------------


@cache
def _cues() -> dict[str, re.Pattern[str]]:
    d = load_data("directives.json")

    def alt(key: str) -> str:
        return words_alternation(d[key])

    def nfc_alt(key: str) -> str:
        items = sorted(set(d[key]), key=len, reverse=True)
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)

    return {
        "result_start": re.compile(rf"^(?:{alt('result_heading')})"),
        "task": re.compile(rf"\b(?:{alt('task_heading')})\b"),
        "result": re.compile(rf"\b(?:{alt('result_heading')}|{alt('non_task_heading')})\b"),
        "recommend": re.compile(rf"\b(?:{alt('recommendation')})\b"),
        "intro": re.compile(rf"(?:{alt('directive_intro')})\s*$"),
        "addressing": re.compile(rf"^(?:{nfc_alt('addressing')})\s+", re.IGNORECASE),
        # verbs are lower case mid-sentence; `Ban Tổ chức` is a name, `tổ chức` a verb
        "subject_end": re.compile(
            rf"(?<!\w)(?<!các )(?<!những )(?<!cấp )(?:{nfc_alt('subject_end')})(?!\w)"
        ),
        "closing": re.compile(rf"\b(?:{alt('closing')})\b[^\w]*\./\.\W*\w{{0,4}}\W*$"),
        "embedded": re.compile(r"(?<!\w)(yêu cầu|giao|đề nghị)\s+", re.IGNORECASE),
        "not_before": re.compile(rf"\b(?:{alt('not_addressing_before')})\s*$"),
        "cooperate": re.compile(r"\bphoi\s+hop\s+(?:voi\s+|cung\s+)*", re.IGNORECASE),
    }


def _classify(title: str) -> str | None:
    """`task`, `result` or None (no say) for a heading title."""
    key = fold(title).strip()
    if not key:
        return None
    cues = _cues()
    if cues["result_start"].match(key):
        return "result"
    if cues["task"].search(key):
        return "task"
    if cues["result"].search(key):
        return "result"
    return None


def heading_agency(title: str) -> str | None:
    """The agency a heading names (`2. Sở Khoa học và Công nghệ:`), normalised, if any."""
    text = title.strip().rstrip(":").strip()
    text = _cues()["addressing"].sub("", text, count=1)
    if not text or not starts_with_agency(text):
        return None
    if _cues()["subject_end"].search(text):
        return None  # a sentence, not a name
    return normalize_agency(re.sub(r"\s*\([^)]*\)", "", text))


def _ancestors(path: str | None) -> list[str]:
    if not path:
        return []
    parts = path.split("/")
    return ["/".join(parts[: k + 1]) for k in range(len(parts))][::-1]


def _contexts(
    doc: Document, paras: list[Paragraph], heading_deadlines: dict[str, Deadline]
) -> list[_Context]:
    by_path: dict[str, Section] = {s.path: s for s in doc.sections}
    kinds = {p: _classify(s.title) for p, s in by_path.items()}
    agencies = {p: heading_agency(s.title) for p, s in by_path.items()}
    recommend = {p: bool(_cues()["recommend"].search(fold(s.title))) for p, s in by_path.items()}
    directive_types = set(load_data("directives.json")["directive_doc_types"])
    # the directive part starts after `… chỉ thị:` / `… yêu cầu:`; in a directive without
    # such a line, at its first heading (what comes before is background)
    intro = next(
        (p.lines[-1].number + 1 for p in paras if p.in_body and _cues()["intro"].search(p.folded)),
        None,
    )
    root_from = intro
    if root_from is None and doc.header.type in directive_types:
        root_from = min((s.anchor.line for s in doc.sections), default=0)
    out: list[_Context] = []
    for para in paras:
        chain = _ancestors(para.section)
        task = None
        for p in chain:
            if kinds.get(p):
                task = kinds[p] == "task"
                break
        if task is None:
            task = root_from is not None and para.lines[0].number >= root_from
        agency = next((agencies[p] for p in chain if agencies.get(p)), None)
        rec = any(recommend.get(p) for p in chain[:2])
        deadline = next((heading_deadlines[p] for p in chain if p in heading_deadlines), None)
        out.append(_Context(task, agency, rec, deadline))
    return out


# --- references -------------------------------------------------------------------------

_AFTER_DATE = re.compile(r"^\s*[,;]?\s*(?:ban\s+hanh\s+)?ngay\s+")
_ISSUER = re.compile(
    r"^\s*[,;]?\s*cua\s+(?P<who>.{3,80}?)(?=\s+(?:ve|v/v|thuc\s+hien|trien\s+khai|ban\s+hanh|"
    r"tai|da|nham|quy\s+dinh|huong\s+dan|ve\s+viec)\b|[;.()]|$)"
)


def _trim_issuer(who: str) -> str:
    """An issuer phrase without the clause that runs on after it."""
    names = words_alternation(load_data("doctypes.json")["names"])
    if m := re.search(rf"\s+va\s+(?:{names})\b", fold(who)):
        who = who[: m.start()]
    if cut := re.search(r",\s+[a-zđà-ỹ]|\s\d", who):
        who = who[: cut.start()]
    return who.strip(" ,")


def _references(
    paras: list[Paragraph], own: str | None, own_line: int | None = None
) -> list[Reference]:
    """Cited document numbers; not the document's own, however its line was restored."""
    refs: list[Reference] = []
    seen: set[tuple[int, str]] = set()
    own_key = re.sub(r"\s+", "", own or "").lower()
    for para in paras:
        for num in find_doc_numbers(para.text):
            if num.text.lower() == own_key:
                continue
            num = retyped(num, type_before(para.folded[: num.start]))
            line = para.line_at(num.start)
            if line.number == own_line or (line.number, num.text) in seen:
                continue
            seen.add((line.number, num.text))
            kind = reference_type(num, para.folded[: num.start])
            date, issuer, pos = None, None, num.end
            if m := _AFTER_DATE.match(para.folded[pos:]):
                dates = find_dates(para.folded[pos + m.end() : pos + m.end() + 30])
                if dates and dates[0].start == 0:
                    date = dates[0].iso
                    pos += m.end() + dates[0].end
            if m := _ISSUER.match(para.folded[pos:]):
                who = _trim_issuer(para.text[pos + m.start("who") : pos + m.end("who")])
                if starts_with_agency(who):
                    issuer = normalize_agency(who)
            refs.append(
                Reference(
                    number=num.text, type=kind, date=date, issuer=issuer, anchor=line.anchor()
                )
            )
    _agree_codes(refs)
    # a number cited several times keeps what any mention says about it
    known: dict[str, Reference] = {}
    for ref in refs:
        first = known.setdefault(ref.number, ref)
        first.date = first.date or ref.date
        first.issuer = first.issuer or ref.issuer
        first.type = first.type or ref.type
    for ref in refs:
        first = known[ref.number]
        ref.date, ref.issuer, ref.type = (
            ref.date or first.date,
            ref.issuer or first.issuer,
            (ref.type or first.type),
        )
    return refs


def _agree_codes(refs: list[Reference]) -> None:
    """Spell a code segment OCR damaged once (`TGYV`) as the document spells it elsewhere.

    A segment that is not a known code and is one letter away from exactly one segment
    the document uses more often takes that segment.
    """
    counts: Counter[str] = Counter()
    for ref in refs:
        counts.update(_code_segments(ref.number))
    for ref in refs:
        fixed = ref.number
        for seg in _code_segments(ref.number):
            if counts[seg] > 1 or len(seg) < 3 or repair_segment(seg) != seg or is_known(seg):
                continue
            near = [
                other
                for other, n in counts.items()
                if n > counts[seg] and Levenshtein.distance(seg, other, score_cutoff=1) <= 1
            ]
            if len(near) == 1:
                fixed = re.sub(rf"(?<=[-/]){re.escape(seg)}(?=[-/]|$)", near[0], fixed)
        ref.number = fixed


def _code_segments(number: str) -> list[str]:
    return [s for s in re.split(r"[-/]", number) if s and not s[0].isdigit()]


# --- deadlines --------------------------------------------------------------------------


def _heading_deadlines(sections: list[Section], ref_year: int | None) -> dict[str, Deadline]:
    """Time frames set by task headings (`NHIỆM VỤ TRỌNG TÂM NĂM 2026`), by section path."""
    out: dict[str, Deadline] = {}
    for s in sections:
        if not s.title or _classify(s.title) != "task":
            continue
        for expr in find_time_expressions(fold(s.title), ref_year):
            if expr.strength == "ongoing" or (expr.date is None and expr.period is None):
                continue
            out[s.path] = Deadline(
                date=expr.date,
                period=expr.period if expr.date is None else None,
                text=s.title[expr.start : expr.end],
                invalid=expr.invalid,
                anchor=s.anchor,
            )
            break
    return out


def _clause_start(folded: str, start: int) -> bool:
    before = _LABEL.sub("", folded[:start]).rstrip()
    return not before or before.endswith((";", ":", ","))


def _deadlines(
    para: Paragraph, ctx: _Context, ref_year: int | None
) -> list[tuple[Deadline, TimeExpr]]:
    exprs = find_time_expressions(para.folded, ref_year)
    binding = any(e.strength in ("strong", "recurring") for e in exprs)
    out = []
    for e in exprs:
        keep = e.strength == "strong" or (
            ctx.task
            and (
                e.strength == "recurring"
                or (e.strength == "weak" and not binding)
                or (e.strength == "ongoing" and not binding and _clause_start(para.folded, e.start))
            )
        )
        if not keep:
            continue
        deadline = Deadline(
            date=e.date,
            period=e.period,
            text=para.text[e.start : e.end],
            invalid=e.invalid,
            anchor=para.line_at(e.start).anchor(),
        )
        out.append((deadline, e))
    return out


def _unique(deadlines: list[Deadline]) -> list[Deadline]:
    seen: set[tuple[int, str | None, str | None]] = set()
    out = []
    for d in sorted(deadlines, key=lambda d: d.anchor.line):
        key = (d.anchor.line, d.date, d.period)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


# --- directives -------------------------------------------------------------------------


def _agency_phrase(text: str) -> str | None:
    """The agency subject that opens `text` (up to its verb), if it opens with one."""
    if not starts_with_agency(text):
        return None
    skip_to = 0
    for m in find_agencies(text):
        if m.start <= skip_to + 1:
            skip_to = m.end
    verb = _cues()["subject_end"].search(text, max(skip_to, 1))
    stop = min((i for i in (text.find(c) for c in ":;(") if i > 0), default=len(text))
    if verb is None or verb.start() > min(stop, 160):
        return None
    phrase = text[: verb.start()].strip(" ,")
    return phrase if phrase and len(phrase.split()) <= 24 else None


def _subject(text: str) -> tuple[str | None, str]:
    """The agency an item names at its start and the text after it."""
    text = _LABEL.sub("", text, count=1)
    if m := _cues()["addressing"].match(text):
        rest = text[m.end() :]
        phrase = _agency_phrase(rest)
        if phrase:
            return phrase, rest[len(phrase) :]
    phrase = _agency_phrase(text)
    if phrase:
        return phrase, text[len(phrase) :]
    return None, text


def _cooperating(text: str) -> list[str]:
    m = _cues()["cooperate"].search(fold(text))
    if not m:
        return []
    rest = text[m.end() :]
    verb = _cues()["subject_end"].search(rest, 1)
    stop = min((i for i in (rest.find(c) for c in ";:.(") if i > 0), default=len(rest))
    end = min(verb.start() if verb else len(rest), stop)
    chunk = rest[:end].strip(" ,")
    if not chunk or not starts_with_agency(chunk):
        return []
    pieces = re.split(r"(,\s+|\s+và\s+)", chunk)
    out: list[str] = []
    for k in range(0, len(pieces), 2):
        part, sep = pieces[k], pieces[k - 1] if k else ""
        if out and not starts_with_agency(part):
            out[-1] = f"{out[-1]}{sep}{part}"
        else:
            out.append(part)
    return [normalize_agency(p) for p in out if p.strip()]


def _action(rest: str) -> str:
    text = rest.strip(" ,:")
    text = re.sub(r"^(?:chủ\s+trì,?\s*)", "", text, flags=re.IGNORECASE)
    if m := re.match(r"phối\s+hợp\s+(?:với\s+)?", text, flags=re.IGNORECASE):
        after = text[m.end() :]
        verb = _cues()["subject_end"].search(after, 1)
        if verb and starts_with_agency(after):
            text = after[verb.start() :]
    text = re.split(r";|\.\s|\./|\.$", text)[0].strip()
    return (text[:1].lower() + text[1:])[:240]


def _is_closing(para: Paragraph) -> bool:
    return bool(_cues()["closing"].search(para.folded))


def _directive(
    para: Paragraph,
    ctx: _Context,
    found: list[tuple[Deadline, TimeExpr]],
    doc_type: str | None,
) -> Directive | None:
    text = para.text.strip()
    if (
        len(text.split()) < 4
        or text.count("|") >= 2  # a table row
        or (text.startswith("(") and text.endswith(")"))
        or text.rstrip().endswith(":")
        or _is_closing(para)
        or _FOOTNOTE.match(text)
    ):
        return None
    subject, rest = _subject(text)
    responsible = normalize_agency(subject) if subject else (ctx.agency or "")
    order = {"strong": 0, "recurring": 1, "weak": 2, "ongoing": 3}
    ranked = sorted(found, key=lambda f: order.get(f[1].strength, 9))
    deadline = ranked[0][0] if ranked else ctx.deadline
    recommendation = ctx.recommendation or bool(
        re.match(r"(?:kiến nghị|đề xuất)\b", _LABEL.sub("", text, count=1), re.IGNORECASE)
    )
    kind: DirectiveKind = (
        "recommendation" if recommendation else "plan" if doc_type == "Kế hoạch" else "directive"
    )
    return Directive(
        responsible=responsible,
        cooperating=_cooperating(rest),
        action=_action(rest),
        deadline=(deadline.date or deadline.period) if deadline else None,
        kind=kind,
        section=para.section,
        anchor=para.lines[0].anchor(),
    )


def _embedded_directives(para: Paragraph, ctx: _Context) -> list[Directive]:
    """`… yêu cầu các sở, ban, ngành … triển khai` inside a narrative paragraph."""
    if _is_closing(para):
        return []
    out = []
    for m in _cues()["embedded"].finditer(para.text):
        if _cues()["not_before"].search(para.folded[max(0, m.start() - 20) : m.start()]):
            continue
        rest = para.text[m.end() :]
        phrase = _agency_phrase(rest)
        if not phrase or fold(rest).startswith(("cua ", "ve ")):
            continue
        after = rest[len(phrase) :]
        out.append(
            Directive(
                responsible=normalize_agency(phrase),
                cooperating=_cooperating(after),
                action=_action(after),
                deadline=ctx.deadline.date or ctx.deadline.period if ctx.deadline else None,
                kind="directive",
                section=para.section,
                anchor=para.line_at(m.start()).anchor(),
            )
        )
    return out


# --- indicators and entities ------------------------------------------------------------


def _indicators(para: Paragraph) -> list[Indicator]:
    out = []
    for fig in find_indicators(para.text):
        out.append(
            Indicator(
                name=fig.name,
                value=fig.value,
                total=fig.total,
                percent=fig.percent,
                unit=fig.unit,
                text=fig.text,
                anchor=para.line_at(fig.start).anchor(),
            )
        )
    return out


def _entities(doc: Document) -> list[Entity]:
    from pipeline.places import find_places

    out: list[Entity] = []
    seen: set[tuple[str, str, int]] = set()

    def add(kind: EntityKind, text: str, normalized: str, line_no: int, anchor_line: int) -> None:
        key = (kind, normalized, line_no)
        if key in seen:
            return
        seen.add(key)
        line = doc.line(anchor_line)
        out.append(Entity(kind=kind, text=text, normalized=normalized, anchor=line.anchor()))

    for line in doc.lines:
        for m in find_agencies(line.text):
            add("agency", m.text, m.canonical, line.number, line.number)
        for place in find_places(line.text):
            add("place", place.text, place.normalized, line.number, line.number)
    if doc.header.signer:
        for line in reversed(doc.lines):
            if doc.header.signer in line.text:
                add("person", doc.header.signer, doc.header.signer, line.number, line.number)
                break
    return out
