"""The document model: one typed object that every stage takes and returns.

A `Document` holds its `Source`, its `Page`s of `Line`s of `Token`s (each with the
text as OCR'd, the current text, a box and a confidence), and everything the later
stages extract from it. Every extracted item carries an `Anchor` back to page, line
and box. The model serialises to JSON and back without loss.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SourceKind = Literal["pdf", "image", "text"]


class Box(BaseModel):
    """A rectangle in page pixels (origin top-left)."""

    x: int
    y: int
    w: int
    h: int

    def union(self, other: Box) -> Box:
        """The smallest box holding both."""
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        x1 = max(self.x + self.w, other.x + other.w)
        y1 = max(self.y + self.h, other.y + other.h)
        return Box(x=x0, y=y0, w=x1 - x0, h=y1 - y0)


class Anchor(BaseModel):
    """Where an extracted item stands: 1-based page, 1-based document line, box."""

    page: int
    line: int
    box: Box | None = None


class Token(BaseModel):
    """One word as OCR'd (`raw`) and as it now reads (`text`)."""

    raw: str
    text: str
    box: Box | None = None
    ocr_conf: float | None = None  # 0..1 from the OCR engine
    restore_conf: float | None = None  # 0..1 from restoration, set when it changed the word

    @property
    def changed(self) -> bool:
        return self.raw != self.text


class Line(BaseModel):
    """One text line. `number` is 1-based across the whole document."""

    number: int
    page: int
    raw: str
    text: str
    box: Box | None = None
    conf: float | None = None
    tokens: list[Token] = Field(default_factory=list)
    section: str | None = None  # label path of the enclosing section, e.g. "III/1/1.2"
    revised: bool = False  # True when a person corrected `text`

    def anchor(self) -> Anchor:
        return Anchor(page=self.page, line=self.number, box=self.box)


class Page(BaseModel):
    number: int
    width: int | None = None
    height: int | None = None
    dpi: int | None = None
    rotation: int = 0
    lines: list[Line] = Field(default_factory=list)


class Source(BaseModel):
    path: str
    sha256: str
    kind: SourceKind
    text_layer: Literal["none", "good", "legacy"] | None = None


class Header(BaseModel):
    """Header fields of Nghị định 30/2020/NĐ-CP."""

    parent_authority: str | None = None
    issuer: str | None = None
    number: str | None = None
    type: str | None = None
    place: str | None = None
    date: str | None = None
    subject: str | None = None
    recipients: list[str] = Field(default_factory=list)
    signer: str | None = None
    signer_title: str | None = None
    authority_mark: str | None = None  # KT., TL., TM., Q.
    anchor: Anchor | None = None


class Section(BaseModel):
    label: str
    level: int
    title: str
    path: str  # labels from the root, e.g. "III/1/1.2"
    anchor: Anchor


class Reference(BaseModel):
    number: str
    type: str | None = None
    date: str | None = None
    issuer: str | None = None
    anchor: Anchor


class Deadline(BaseModel):
    """A time by which something is due. `date` when a day is known, else `period`."""

    date: str | None = None
    period: str | None = None
    text: str
    invalid: bool = False  # the text names a day that does not exist (31/02)
    anchor: Anchor


class Directive(BaseModel):
    """A task someone must carry out; `kind` tells directives from recommendations."""

    responsible: str
    cooperating: list[str] = Field(default_factory=list)
    action: str
    deadline: str | None = None
    kind: Literal["directive", "recommendation", "plan"] = "directive"
    section: str | None = None
    anchor: Anchor


class Indicator(BaseModel):
    name: str
    value: float | None = None
    total: float | None = None
    percent: float | None = None
    unit: str | None = None
    as_of: str | None = None
    text: str = ""
    anchor: Anchor


class Entity(BaseModel):
    kind: Literal["agency", "place", "person"]
    text: str
    normalized: str
    anchor: Anchor


class Document(BaseModel):
    """A document and all that the stages found in it."""

    source: Source
    pages: list[Page] = Field(default_factory=list)
    header: Header = Field(default_factory=Header)
    sections: list[Section] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    directives: list[Directive] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    stage_versions: dict[str, str] = Field(default_factory=dict)

    @property
    def lines(self) -> list[Line]:
        """All lines in reading order."""
        return [line for page in self.pages for line in page.lines]

    def line(self, number: int) -> Line:
        """The line with this 1-based document number."""
        for page in self.pages:
            for line in page.lines:
                if line.number == number:
                    return line
        raise KeyError(number)

    def text(self) -> str:
        """Current text, one line per line, a form feed before each page after the first."""
        return render_lines([(p.number, [ln.text for ln in p.lines]) for p in self.pages])

    def raw_text(self) -> str:
        """Text as OCR'd, laid out like `text()`."""
        return render_lines([(p.number, [ln.raw for ln in p.lines]) for p in self.pages])

    def to_json(self) -> str:
        return self.model_dump_json(indent=1)

    @classmethod
    def from_json(cls, data: str | bytes) -> Document:
        return cls.model_validate_json(data)


def render_lines(pages: list[tuple[int, list[str]]]) -> str:
    """Join pages of lines; each page after the first starts with a form feed."""
    out: list[str] = []
    for i, (_, lines) in enumerate(pages):
        page_lines = list(lines) or [""]
        if i:
            page_lines[0] = "\f" + page_lines[0]
        out.extend(page_lines)
    return "\n".join(out)
