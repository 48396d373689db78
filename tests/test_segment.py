from pipeline.ingest import text_document
from pipeline.model import Document, Source
from pipeline.segment import segment_document

HEADER = """UBND TỈNH QUẢNG NGÃI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM

SỞ KHOA HỌC VÀ CÔNG NGHỆ Độc lập - Tự do - Hạnh phúc
Số: 3540/BC-SKHCN Quảng Ngãi, ngày 12 tháng 12 năm 2025
BÁO CÁO

Kết quả thực hiện Kết luận số 148-KL/TW
của Bộ Chính trị

Thực hiện chỉ đạo của UBND tỉnh, Sở báo cáo như sau:
"""

FOOTER = """
Nơi nhận: KT. GIÁM ĐỐC
- Sở Tài chính; PHÓ GIÁM ĐỐC
- Lưu: VT, KH.

SỞ KHOA HỌC VÀ J&
CÔNG NGHỆ/ »1

Phan Văn Hiếu
"""


def doc_of(text: str) -> Document:
    source = Source(path="t.txt", sha256="0", kind="text")
    return segment_document(text_document(text, source))


def labels(doc: Document) -> list[tuple[int, str, int]]:
    return [(s.anchor.line, s.label, s.level) for s in doc.sections]


def test_header_fields_are_read() -> None:
    h = doc_of(HEADER + FOOTER).header
    assert h.number == "3540/BC-SKHCN"
    assert h.type == "Báo cáo"
    assert h.date == "2025-12-12"
    assert h.place == "Quảng Ngãi"
    assert h.parent_authority == "UBND tỉnh Quảng Ngãi"
    assert h.issuer == "Sở Khoa học và Công nghệ"
    assert h.subject == "Kết quả thực hiện Kết luận số 148-KL/TW của Bộ Chính trị"


def test_signature_block_survives_stamp_noise() -> None:
    h = doc_of(HEADER + FOOTER).header
    assert h.signer == "Phan Văn Hiếu"
    assert h.signer_title == "PHÓ GIÁM ĐỐC"
    assert h.authority_mark == "KT."
    assert h.recipients == ["Sở Tài chính"]


def test_type_comes_from_type_line_when_number_has_no_type_code() -> None:
    text = "Số: 6318/UBND-KT Quảng Ngãi, ngày 14 tháng 11 năm 2025\nTHÔNG BÁO\n\nVề việc x\n"
    assert doc_of(text).header.type == "Thông báo"


def test_letter_without_type_line_is_a_cong_van() -> None:
    text = "Số: 6318/UBND-KT Quảng Ngãi, ngày 14 tháng 11 năm 2025\nV/v đẩy nhanh giải ngân\n\n"
    h = doc_of(text).header
    assert h.type == "Công văn"
    assert h.subject == "đẩy nhanh giải ngân"


def test_section_tree_with_paths_and_levels() -> None:
    body = """
I. Kết quả thực hiện

1. Ưu điểm

1.1. Về thể chế

1.2. Về hạ tầng

2. Hạn chế

II. Nhiệm vụ

1. Sở Tài chính:

a) Chủ trì rà soát kinh phí.

b) Tham mưu UBND tỉnh.
"""
    doc = doc_of(HEADER + body + FOOTER)
    got = [(s.label, s.level, s.path) for s in doc.sections]
    assert got == [
        ("I", 1, "I"),
        ("1", 2, "I/1"),
        ("1.1", 2, "I/1/1.1"),
        ("1.2", 2, "I/1/1.2"),
        ("2", 2, "I/2"),
        ("II", 1, "II"),
        ("1", 2, "II/1"),
        ("a", 3, "II/1/a"),
        ("b", 3, "II/1/b"),
    ]
    assert doc.sections[6].title == "Sở Tài chính"
    line = next(ln for ln in doc.lines if ln.text.startswith("b)"))
    assert line.section == "II/1/b"


def test_ocr_damaged_roman_numerals_are_read() -> None:
    body = "\nL. Kết quả\n\nI1. Tồn tại\n\nII1. Kiến nghị\n"
    assert [s.label for s in doc_of(HEADER + body).sections] == ["I", "II", "III"]


def test_wrapped_line_starting_with_a_number_is_not_a_heading() -> None:
    body = "\nI. Kết quả\n\nTổng số nhiệm vụ được giao là\n20. Đã hoàn thành 14 nhiệm vụ.\n"
    assert labels(doc_of(HEADER + body)) == [(12, "I", 1)]


def test_figures_and_dates_at_line_start_are_not_headings() -> None:
    body = "\nI. Kết quả\n\n1.720 Tổ công nghệ số.\n\n08/4/2025 họp.\n\n3. Không theo thứ tự.\n"
    assert [s.label for s in doc_of(HEADER + body).sections] == ["I"]


def test_appendix_is_a_level_one_section() -> None:
    body = "\nI. Kết quả\n\nPhụ lục 01\nDanh mục nhiệm vụ\n"
    doc = doc_of(HEADER + body)
    assert [(s.label, s.level) for s in doc.sections] == [("I", 1), ("Phụ lục 01", 1)]


def test_appendix_named_mid_sentence_is_not_a_section() -> None:
    body = "\nI. Kết quả\n\nKết quả cụ thể tại\nPhụ lục 02 (kèm theo)\n"
    assert [s.label for s in doc_of(HEADER + body).sections] == ["I"]


def test_document_without_header_or_sections_gives_empty_results() -> None:
    doc = doc_of("Một đoạn văn bản bình thường không có tiêu đề.\nDòng thứ hai.")
    assert doc.sections == []
    assert doc.header.number is None and doc.header.signer is None


def test_garbage_and_empty_text_do_not_fail() -> None:
    for text in ["", "\n\n\n", "|||| ---- %%%% 12/ab", "a) b) c)\n1.\nI."]:
        doc = doc_of(text)
        assert doc.header.number is None
