"""What the document page shows, prepared from a `Document`: lines cut into plain and
doubtful pieces, boxes in page pixels, and every extracted item with the line it stands on."""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model import Anchor, Box, Document, Line, Token

DOUBT = 0.6  # a word below this OCR or restoration confidence is shown as doubtful
KIND_NAMES = {"directive": "chỉ đạo", "recommendation": "kiến nghị", "plan": "kế hoạch"}


@dataclass(frozen=True)
class Piece:
    """A run of a line's text; `token` is set when the run is a doubtful word."""

    text: str
    token: Token | None = None

    @property
    def note(self) -> str:
        """The tooltip of a doubtful word: what OCR read and how sure each stage was."""
        t = self.token
        if t is None:
            return ""
        parts = [f"OCR: {t.raw}"]
        if t.ocr_conf is not None:
            parts.append(f"OCR {t.ocr_conf:.2f}")
        if t.restore_conf is not None:
            parts.append(f"khôi phục {t.restore_conf:.2f}")
        return " · ".join(parts)


@dataclass
class LineView:
    line: Line
    pieces: list[Piece]
    doubtful_boxes: list[Box]
    items: list[str] = field(default_factory=list)  # kinds of item anchored here


@dataclass
class PageView:
    number: int
    width: int | None
    height: int | None
    lines: list[LineView]

    @property
    def boxed(self) -> bool:
        """Whether boxes can be drawn: the page has a size and some line a box."""
        return bool(self.width and self.height and any(lv.line.box for lv in self.lines))


@dataclass(frozen=True)
class ItemView:
    """One extracted item as a row: its cells and the line it came from."""

    cells: list[str]
    anchor: Anchor


@dataclass
class DocumentView:
    doc: Document
    pages: list[PageView]
    items: dict[str, list[ItemView]]
    doubtful: int


def doubtful(token: Token) -> bool:
    """A word that OCR or restoration was unsure of."""
    return any(c is not None and c < DOUBT for c in (token.ocr_conf, token.restore_conf))


def pieces(line: Line) -> list[Piece]:
    """The line's text cut at its doubtful words. A corrected line, or one whose words
    cannot be found in order in its text, is one plain piece."""
    if line.revised or not any(doubtful(t) for t in line.tokens):
        return [Piece(line.text)]
    out: list[Piece] = []
    pos = 0
    for token in line.tokens:
        at = line.text.find(token.text, pos) if token.text else -1
        if at < 0:
            return [Piece(line.text)]
        if doubtful(token):
            if at > pos:
                out.append(Piece(line.text[pos:at]))
            out.append(Piece(token.text, token))
            pos = at + len(token.text)
    if pos < len(line.text):
        out.append(Piece(line.text[pos:]))
    return out


def _cells(*values: object) -> list[str]:
    out = []
    for v in values:
        if v is None:
            out.append("")
        elif isinstance(v, list):
            out.append(", ".join(map(str, v)))
        elif isinstance(v, float):
            out.append(f"{v:g}")
        else:
            out.append(str(v))
    return out


ITEM_COLUMNS = {
    "sections": ["Mục", "Tiêu đề"],
    "references": ["Số hiệu", "Loại", "Ngày", "Cơ quan"],
    "deadlines": ["Thời hạn", "Ngày", "Kỳ"],
    "directives": ["Chủ trì", "Phối hợp", "Nhiệm vụ", "Thời hạn", "Loại"],
    "indicators": ["Chỉ tiêu", "Giá trị", "Tổng", "%", "Đơn vị", "Tính đến"],
}


def items(doc: Document) -> dict[str, list[ItemView]]:
    """Every extracted item, by kind, as table cells with its anchor."""
    return {
        "sections": [ItemView(_cells(s.path, s.title), s.anchor) for s in doc.sections],
        "references": [
            ItemView(_cells(r.number, r.type, r.date, r.issuer), r.anchor) for r in doc.references
        ],
        "deadlines": [
            ItemView(
                _cells(d.text + (" (ngày không có thật)" if d.invalid else ""), d.date, d.period),
                d.anchor,
            )
            for d in doc.deadlines
        ],
        "directives": [
            ItemView(
                _cells(d.responsible, d.cooperating, d.action, d.deadline, KIND_NAMES.get(d.kind)),
                d.anchor,
            )
            for d in doc.directives
        ],
        "indicators": [
            ItemView(_cells(i.name, i.value, i.total, i.percent, i.unit, i.as_of), i.anchor)
            for i in doc.indicators
        ],
    }


def document_view(doc: Document) -> DocumentView:
    """Everything the document page shows."""
    found = items(doc)
    kinds_at: dict[int, list[str]] = {}
    for kind, rows in found.items():
        for row in rows:
            at = kinds_at.setdefault(row.anchor.line, [])
            if kind not in at:
                at.append(kind)
    pages = []
    count = 0
    for page in doc.pages:
        views = []
        for line in page.lines:
            unsure = [] if line.revised else [t for t in line.tokens if doubtful(t)]
            boxes = [t.box for t in unsure if t.box]
            views.append(LineView(line, pieces(line), boxes, kinds_at.get(line.number, [])))
            count += len(unsure)
        pages.append(PageView(page.number, page.width, page.height, views))
    return DocumentView(doc, pages, found, count)
