"""OCR and input handling with the real Tesseract on small pages rendered here."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz.distance import Levenshtein

from pipeline import ocr
from pipeline.errors import InputFileError
from pipeline.ingest import ingest, judge_text_layer
from pipeline.model import Box, Document, Token

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH KHÁNH HÒA", "Số: 452/TB-UBND"]
RIGHT = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Khánh Hòa, ngày 09 tháng 12 năm 2025",
]
TITLE = "THÔNG BÁO"
BODY = [
    "Ngày 04 tháng 12 năm 2025, tại trụ sở Ủy ban nhân dân tỉnh, đồng chí Chủ tịch",
    "chủ trì cuộc họp đánh giá tiến độ thực hiện các nhiệm vụ năm 2025 và định hướng",
    "nhiệm vụ trọng tâm năm 2026. Tham dự cuộc họp có lãnh đạo Văn phòng, Sở Khoa",
    "học và Công nghệ, Sở Tài chính, Sở Nội vụ, Công an tỉnh và các xã, phường.",
    "Yêu cầu các sở, ban, ngành khẩn trương hoàn thành trước ngày 15/12/2025.",
]
TRUTH = "\n".join([*LEFT, *RIGHT, TITLE, *BODY])


def render_letter(rotate: float = 2.0, seal: bool = True) -> Image.Image:
    """A page of an administrative letter: two-column header, title, body, red seal."""
    page = Image.new("RGB", (2480, 1500), "white")
    draw = ImageDraw.Draw(page)
    regular, bold = ImageFont.truetype(FONT, 46), ImageFont.truetype(BOLD, 46)
    for i, (left, right) in enumerate(zip(LEFT, RIGHT, strict=True)):
        y = 150 + 75 * i + (40 if i == 2 else 0)  # the number sits below a gap, as in print
        for text, centre, font in ((left, 620, bold), (right, 1680, bold if i < 2 else regular)):
            width = draw.textlength(text, font=font)
            draw.text((centre - width / 2, y), text, font=font, fill="black")
    width = draw.textlength(TITLE, font=bold)
    draw.text((1240 - width / 2, 560), TITLE, font=bold, fill="black")
    for i, line in enumerate(BODY):
        draw.text((230, 700 + 80 * i), line, font=regular, fill="black")
    if seal:
        draw.ellipse((1700, 1000, 2150, 1450), outline=(215, 35, 45), width=14)
        draw.text((1760, 1200), "CON DẤU", font=bold, fill=(215, 35, 45))
    if rotate:
        page = page.rotate(rotate, fillcolor="white", resample=Image.Resampling.BILINEAR)
    return page


def cer(text: str, truth: str = TRUTH) -> float:
    hyp, ref = " ".join(text.split()), " ".join(truth.split())
    return Levenshtein.distance(hyp, ref) / len(ref)


def save(img: Image.Image, path: Path, **kw: Any) -> Path:
    img.save(path, dpi=(300, 300), **kw)
    return path


@pytest.fixture(scope="module")
def letter_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save(render_letter(), tmp_path_factory.mktemp("ocr") / "letter.png")


@pytest.fixture(scope="module")
def letter_doc(letter_png: Path) -> Document:
    return ingest(letter_png)


def line_index(doc: Document, start: str) -> int:
    texts = [line.text for line in doc.lines]
    return next(i for i, t in enumerate(texts) if t.startswith(start))


# --- reading --------------------------------------------------------------------------


def test_tilted_png_with_a_red_seal_is_read_nearly_exactly(letter_doc: Document) -> None:
    assert letter_doc.source.kind == "image"
    assert cer(letter_doc.text()) < 0.02
    assert "DẤU" not in letter_doc.text()


def test_words_keep_boxes_and_confidences(letter_doc: Document) -> None:
    tokens = [t for line in letter_doc.lines for t in line.tokens]
    assert tokens
    for token in tokens:
        assert token.box is not None and token.box.w > 0
        assert token.ocr_conf is not None and 0.0 <= token.ocr_conf <= 1.0
    page = letter_doc.pages[0]
    assert (page.width, page.height, page.dpi) == (2480, 1500, 300)
    assert all(line.box is not None and line.box.x + line.box.w <= 2480 for line in page.lines)


def test_two_column_header_reads_left_then_right(letter_doc: Document) -> None:
    order = [line_index(letter_doc, s) for s in [*LEFT, *RIGHT, TITLE]]
    assert order == sorted(order)
    assert letter_doc.lines[order[0]].text == "ỦY BAN NHÂN DÂN"  # no column run into another


def test_lines_are_numbered_from_one(letter_doc: Document) -> None:
    assert [line.number for line in letter_doc.lines] == list(range(1, len(letter_doc.lines) + 1))
    assert len(letter_doc.text().split("\n")) == len(letter_doc.lines)


@pytest.mark.slow
def test_upside_down_page_is_turned(tmp_path: Path) -> None:
    path = save(render_letter(seal=False).rotate(180), tmp_path / "upside.png")
    doc = ingest(path)
    assert doc.pages[0].rotation == 180
    assert cer(doc.text()) < 0.03


@pytest.mark.slow
def test_multi_page_tiff_gives_a_page_per_frame_and_a_blank_one_empty_line(
    tmp_path: Path,
) -> None:
    first = render_letter(rotate=0, seal=False).convert("L")
    blank = Image.new("L", first.size, 255)
    path = tmp_path / "two.tif"
    first.save(path, save_all=True, append_images=[blank], dpi=(300, 300))
    doc = ingest(path)
    assert len(doc.pages) == 2
    assert [ln.text for ln in doc.pages[1].lines] == [""]
    assert doc.pages[1].lines[0].number == doc.pages[0].lines[-1].number + 1
    assert doc.text().split("\f")[1] == ""


def test_one_bit_tiff_is_read(tmp_path: Path) -> None:
    img = render_letter(rotate=0, seal=False).convert("L").point(lambda v: 255 if v > 128 else 0)
    path = save(img.convert("1"), tmp_path / "bilevel.tif", compression="group4")
    assert Image.open(path).mode == "1"
    assert cer(ingest(path).text()) < 0.03


def test_jpeg_is_read(tmp_path: Path) -> None:
    path = save(render_letter(rotate=0), tmp_path / "letter.jpg", quality=80)
    assert cer(ingest(path).text()) < 0.03


def test_page_with_no_text_gives_one_empty_line(tmp_path: Path) -> None:
    path = save(Image.new("RGB", (1240, 1754), (245, 243, 238)), tmp_path / "blank.png")
    doc = ingest(path)
    assert [(ln.number, ln.text) for ln in doc.lines] == [(1, "")]
    assert doc.text() == ""


def test_progress_is_reported_on_stderr_for_long_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blank = Image.new("L", (600, 800), 255)
    path = tmp_path / "blanks.tif"
    blank.save(path, save_all=True, append_images=[blank] * 4)
    doc = ingest(path)
    assert len(doc.pages) == 5
    err = capsys.readouterr().err
    assert "page 5/5" in err and "ETA" in err


# --- PDFs -------------------------------------------------------------------------------


def pdf_of(img: Image.Image, path: Path) -> Path:
    img.convert("RGB").save(path, "PDF", resolution=300.0)
    return path


def tesseract_pdf(img: Image.Image, lang: str, path: Path) -> Path:
    """A searchable PDF: the image with an invisible text layer from Tesseract `lang`."""
    import pytesseract

    path.write_bytes(pytesseract.image_to_pdf_or_hocr(img, lang=lang, extension="pdf"))
    return path


def refuse(path: Path) -> str:
    with pytest.raises(InputFileError) as info:
        ingest(path)
    assert "\n" not in info.value.problem
    return info.value.problem


@pytest.mark.slow
def test_scanned_pdf_without_text_layer_is_ocred(tmp_path: Path) -> None:
    doc = ingest(pdf_of(render_letter(), tmp_path / "scan.pdf"))
    assert doc.source.kind == "pdf" and doc.source.text_layer == "none"
    assert cer(doc.text()) < 0.02


@pytest.mark.slow
def test_pdf_with_good_vietnamese_text_layer_is_used_without_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tesseract_pdf(render_letter(rotate=0, seal=False), "vie", tmp_path / "good.pdf")

    def no_ocr(*args: object, **kwargs: object) -> object:
        raise AssertionError("a page with a good text layer was OCR'd")

    monkeypatch.setattr(ocr, "read_page", no_ocr)
    doc = ingest(path)
    assert doc.source.text_layer == "good"
    # The layer keeps its own order (Tesseract's PDF runs header columns together).
    assert cer(" ".join(sorted(doc.text().split())), " ".join(sorted(TRUTH.split()))) < 0.03
    assert doc.lines[0].number == 1


@pytest.mark.slow
def test_legacy_english_ocr_layer_is_replaced_by_vietnamese_ocr(tmp_path: Path) -> None:
    img = render_letter(rotate=0, seal=False)
    path = tesseract_pdf(img, "eng", tmp_path / "legacy.pdf")
    doc = ingest(path)
    assert doc.source.text_layer == "legacy"
    assert cer(doc.text()) < 0.03


def test_legacy_layer_is_told_from_vietnamese() -> None:
    legacy = "UBND TINH QUANG NGAI CONG HOA XA HOI CHU NGHIA VIET NAM So 3540 ngay d6i s6 " * 3
    assert judge_text_layer([legacy]) == "legacy"
    assert judge_text_layer([TRUTH]) == "good"
    assert judge_text_layer(["", "12"]) == "none"


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = pdf_of(Image.new("RGB", (300, 300), "white"), tmp_path / "plain.pdf")
    writer = PdfWriter()
    writer.append(PdfReader(plain))
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert refuse(path) == "encrypted PDF (password required)"


def test_pdf_locked_only_by_an_owner_password_is_read(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = pdf_of(Image.new("RGB", (300, 300), "white"), tmp_path / "plain.pdf")
    writer = PdfWriter()
    writer.append(PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner")
    path = tmp_path / "owner.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert ingest(path).text() == ""


def test_empty_pdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    path = tmp_path / "empty.pdf"
    with path.open("wb") as fh:
        PdfWriter().write(fh)
    assert refuse(path) == "empty PDF (0 pages)"


def test_non_pdf_named_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("just some text, not a PDF\n", encoding="utf-8")
    assert "not a PDF" in refuse(path)


def test_pdf_with_broken_xref_is_repaired(tmp_path: Path) -> None:
    img = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(img).text((20, 100), "Số 12", font=ImageFont.truetype(FONT, 60), fill="black")
    data = pdf_of(img, tmp_path / "ok.pdf").read_bytes()
    start = data.rindex(b"startxref")
    broken = data[:start] + b"startxref\n999999\n%%EOF\n"  # points nowhere
    broken = broken.replace(b"xref\n0 ", b"xref\n7 ")  # and the table is numbered wrong
    path = tmp_path / "broken.pdf"
    path.write_bytes(broken)
    assert "12" in ingest(path).text()


def test_unrecoverable_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    assert refuse(path).startswith("corrupt PDF")


def test_truncated_pdf_is_refused_or_read_never_a_traceback(tmp_path: Path) -> None:
    data = pdf_of(render_letter(rotate=0), tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    try:
        ingest(path)
    except InputFileError as err:
        assert "\n" not in err.problem


# --- images that must be refused --------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG with a valid header claiming `width`×`height` and a token of pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(30_000, 30_000), (15_000, 15_000), (40_000, 10)])
def test_huge_image_is_refused_before_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, width: int, height: int
) -> None:
    def no_decoding(self: Image.Image) -> object:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    path = tmp_path / "huge.png"
    path.write_bytes(png_header(width, height))
    assert "too large" in refuse(path)


def test_huge_frame_in_a_tiff_is_refused(tmp_path: Path) -> None:
    buffer = BytesIO()
    Image.new("L", (64, 64), 255).save(buffer, "TIFF")
    data = bytearray(buffer.getvalue())
    # Rewrite the width and length tags (256, 257) of the one IFD to 25000.
    ifd = struct.unpack_from("<I", data, 4)[0]
    for i in range(struct.unpack_from("<H", data, ifd)[0]):
        at = ifd + 2 + 12 * i
        tag, kind = struct.unpack_from("<HH", data, at)
        if tag in (256, 257):
            if kind == 3:
                struct.pack_into("<H", data, at + 8, 25_000)
            else:
                struct.pack_into("<I", data, at + 8, 25_000)
    path = tmp_path / "huge.tif"
    path.write_bytes(bytes(data))
    assert "too large" in refuse(path)


def test_image_with_bad_data_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(png_header(800, 600))
    assert refuse(path).startswith("unreadable image data")


# --- layout, on boxes alone ---------------------------------------------------------------


def words(*items: tuple[str, int, int, int]) -> list[tuple[tuple[int, int, int], Token]]:
    """Tesseract-like words (text, x, y, width), one Tesseract line per distinct y."""
    return [
        ((1, 1, y), Token(raw=text, text=text, box=Box(x=x, y=y, w=w, h=50)))
        for text, x, y, w in items
    ]


def read(items: list[tuple[tuple[int, int, int], Token]]) -> list[str]:
    lines = ocr.reading_order(ocr.rows_of(ocr.pieces_of(items)))
    return [" ".join(t.raw for p in line for t in p.tokens) for line in lines]


def test_header_columns_are_cut_apart_even_when_tesseract_runs_them_together() -> None:
    header = words(
        ("UBND", 420, 240, 300),
        ("CỘNG-HÒA", 1235, 240, 1039),  # same Tesseract line, 500 px to the right
        ("SỞ-KHOA-HỌC-VÀ-CÔNG-NGHỆ", 334, 303, 821),  # reaches past the first gutter's middle
        ("Độc-lập", 1425, 307, 659),
        ("Số:", 521, 426, 448),
        ("Quảng-Ngãi,", 1291, 425, 930),
        ("BÁO-CÁO", 1196, 561, 265),
        ("Kết-quả-thực-hiện", 571, 635, 1516),
    )
    assert read(header) == [
        "UBND",
        "SỞ-KHOA-HỌC-VÀ-CÔNG-NGHỆ",
        "Số:",
        "CỘNG-HÒA",
        "Độc-lập",
        "Quảng-Ngãi,",
        "BÁO-CÁO",
        "Kết-quả-thực-hiện",
    ]


def test_signature_block_reads_recipients_then_signer() -> None:
    block = words(
        ("Nơi-nhận:", 230, 2000, 250),
        ("KT.-CHỦ-TỊCH", 1500, 2000, 420),
        ("-Như-trên;", 230, 2060, 300),
        ("PHÓ-CHỦ-TỊCH", 1480, 2060, 460),
        ("-Lưu:-VT.", 230, 2120, 280),
        ("Trần-Văn-Khiêm", 1450, 2400, 520),
    )
    assert read(block) == [
        "Nơi-nhận:",
        "-Như-trên;",
        "-Lưu:-VT.",
        "KT.-CHỦ-TỊCH",
        "PHÓ-CHỦ-TỊCH",
        "Trần-Văn-Khiêm",
    ]


def test_body_lines_and_justified_gaps_stay_whole() -> None:
    body = words(
        ("Ngày", 230, 700, 120),
        ("04", 400, 700, 60),  # a wide justified space, still one line
        ("tháng", 230, 780, 150),
        ("12", 420, 780, 60),
    )
    assert read(body) == ["Ngày 04", "tháng 12"]


def test_salutation_below_the_header_is_read_after_both_columns() -> None:
    header = words(
        ("ỦY-BAN", 245, 118, 253),
        ("CỘNG-HÒA", 611, 119, 526),
        ("Số:", 259, 211, 225),
        ("Đà-Nẵng,-ngày", 663, 209, 428),
        ("V/v-đẩy-mạnh", 157, 262, 429),
        ("và-nghĩa-vụ", 147, 320, 448),
        ("Kính-gửi:", 309, 450, 108),
    )
    assert read(header) == [
        "ỦY-BAN",
        "Số:",
        "V/v-đẩy-mạnh",
        "và-nghĩa-vụ",
        "CỘNG-HÒA",
        "Đà-Nẵng,-ngày",
        "Kính-gửi:",
    ]
