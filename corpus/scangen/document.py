"""The parts of a Vietnamese administrative document, as the layout needs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """How a body paragraph is set."""

    BODY = "body"  # justified, first-line indent
    HEADING = "heading"  # numbered section heading, bold
    CENTERED = "centered"  # "QUYẾT ĐỊNH:", "Chương I", the issuing title in a decision
    PREAMBLE = "preamble"  # "Căn cứ ...", "Theo đề nghị ...": italic
    ADDRESSEES = "addressees"  # "Kính gửi: ..." with its list


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body; `lines` keeps the source lines of an addressee list."""

    text: str
    role: Role = Role.BODY
    bold_words: int = 0  # leading words set bold, as in "Điều 1."
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Footnote:
    """A footnote; its marker is the number written right after a word in the body."""

    number: int
    text: str


@dataclass
class AdminDocument:
    """The text of a document split into the places Nghị định 30/2020 gives them."""

    authority: list[str] = field(default_factory=list)  # left header, top to bottom
    national: list[str] = field(default_factory=list)  # quốc hiệu, tiêu ngữ
    number: str | None = None  # "Số: 452/TB-UBND"
    summary: list[str] = field(default_factory=list)  # "V/v ..." of a công văn
    urgency: str | None = None  # "HỎA TỐC", "KHẨN"
    place_date: str | None = None
    doc_type: str | None = None  # "BÁO CÁO"
    subject: list[str] = field(default_factory=list)  # trích yếu, in its source lines
    body: list[Paragraph | Footnote] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # the lines after "Nơi nhận:"
    signature: list[str] = field(default_factory=list)  # "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"
    signer: str | None = None
    cosignature: list[str] = field(default_factory=list)  # left signature of a biên bản
    cosigner: str | None = None
    postscript: list[str] = field(default_factory=list)  # closing-area text no rule knew
    annex: AdminDocument | None = None  # a document issued with this one, with its own header

    @property
    def has_closing(self) -> bool:
        """Whether there is a Nơi nhận or signature block to set."""
        return bool(self.recipients or self.signature or self.signer or self.cosigner)

    @property
    def seal_text(self) -> str:
        """The ring text of the issuing body's seal."""
        names = [line for line in self.authority if any(ch.isalpha() for ch in line)]
        return " ".join(names) if names else "CƠ QUAN BAN HÀNH"
