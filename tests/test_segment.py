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


# --- OCR'd and restored text --------------------------------------------------------------


def doc_with_raw(text: str, raw: dict[int, str]) -> Document:
    """A document whose lines (1-based numbers in `raw`) were OCR'd as given."""
    source = Source(path="t.txt", sha256="0", kind="text")
    doc = text_document(text, source)
    for line in doc.lines:
        line.raw = raw.get(line.number, line.text)
    return segment_document(doc)


def test_number_line_with_damaged_prefix_and_space_before_slash_is_read() -> None:
    text = HEADER.replace("Số: 3540/BC-SKHCN", "$6:1408 /BC-SKHCN") + FOOTER
    h = doc_of(text).header
    assert h.number == "1408/BC-SKHCN"
    assert h.type == "Báo cáo"
    assert h.date == "2025-12-12"


def test_month_with_ocr_lookalike_digits_is_read() -> None:
    text = HEADER.replace("ngày 12 tháng 12 năm 2025", "ngày 09 tháng /2năm 2025")
    assert doc_of(text).header.date == "2025-12-09"


def test_unreadable_date_gives_no_date() -> None:
    text = HEADER.replace("ngày 12 tháng 12 năm 2025", "ngày 09 tháng ?? năm 2025")
    assert doc_of(text).header.date is None


def test_type_comes_from_the_type_line_when_the_code_is_damaged() -> None:
    text = HEADER.replace("3540/BC-SKHCN", "3540/8C-SKHCN").replace("BÁO CÁO", "BẢO CẢO")
    assert doc_of(text).header.type == "Báo cáo"


def test_signer_is_found_behind_stamp_noise() -> None:
    text = HEADER + FOOTER.replace("Phan Văn Hiếu", "“Phan Văn Hiếu »")
    assert doc_of(text).header.signer == "Phan Văn Hiếu"


def test_stamp_noise_is_not_a_signer() -> None:
    text = HEADER + FOOTER.replace("Phan Văn Hiếu", "Là ở")
    assert doc_of(text).header.signer is None


def test_damaged_motto_is_cut_from_the_authority_line() -> None:
    text = HEADER.replace("Độc lập - Tự do", "Píc lập - Tự do") + FOOTER
    assert doc_of(text).header.issuer == "Sở Khoa học và Công nghệ"


def test_damaged_recipients_line_ends_the_body() -> None:
    text = HEADER + "I. KẾT QUẢ\nNội dung.\n\nNói nhGn:\n- Như trên;\n- Lưu: VT.\n"
    doc = doc_of(text)
    assert doc.lines[-2].section is None


BODY = """
I. KẾT QUẢ
Nội dung.
II. NHIỆM VỤ
1. Tuyên truyền
a) Sở Nội vụ chủ trì.
b) Sở Tài chính bảo đảm kinh phí.
c) Sở Xây dựng hướng dẫn.
d) Công an tỉnh kiểm tra.
e) Các xã thực hiện.
f) Các phường thực hiện.
2. Kiểm tra
Nội dung.
III. TỔ CHỨC THỰC HIỆN
Nội dung.
IV. KINH PHÍ
Nội dung.
"""


def body_lines(body: str) -> dict[str, int]:
    return {t: k for k, t in enumerate((HEADER + body).split("\n"), start=1)}


def test_label_restoration_turned_into_a_word_is_read_from_the_ocr_text() -> None:
    at = body_lines(BODY)
    text = (HEADER + BODY).replace("a) Sở Nội vụ", "là) Sở Nội vụ")
    doc = doc_with_raw(text, {at["a) Sở Nội vụ chủ trì."]: "a) So Noi vu chu tri."})
    assert (at["a) Sở Nội vụ chủ trì."], "a", 3) in labels(doc)


def test_one_damaged_letter_in_a_list_is_repaired_from_its_neighbours() -> None:
    at = body_lines(BODY)
    doc = doc_of((HEADER + BODY).replace("e) Các xã", "c) Các xã"))
    assert (at["e) Các xã thực hiện."], "e", 3) in labels(doc)
    assert (at["f) Các phường thực hiện."], "f", 3) in labels(doc)


def test_unreadable_letter_label_takes_its_place_in_the_list() -> None:
    at = body_lines(BODY)
    doc = doc_of((HEADER + BODY).replace("c) Sở Xây dựng", "¢) Sở Xây dựng"))
    assert (at["c) Sở Xây dựng hướng dẫn."], "c", 3) in labels(doc)
    assert (at["d) Công an tỉnh kiểm tra."], "d", 3) in labels(doc)


def test_d_for_đ_after_d_is_read_as_đ() -> None:
    body = "\nI. NHIỆM VỤ\na) Một việc.\nb) Hai việc.\nc) Ba việc.\nd) Bốn việc.\nd) Năm việc.\n"
    at = body_lines(body)
    assert (at["d) Năm việc."], "đ", 3) in labels(doc_of(HEADER + body))


def test_roman_heading_without_its_dot_is_read_where_expected() -> None:
    at = body_lines(BODY)
    doc = doc_of((HEADER + BODY).replace("I. KẾT QUẢ", "L KẾT QUẢ"))
    assert (at["I. KẾT QUẢ"], "I", 1) in labels(doc)


def test_roman_numeral_with_lost_strokes_is_repaired() -> None:
    at = body_lines(BODY)
    doc = doc_of((HEADER + BODY).replace("III. TỔ CHỨC", "II. TỔ CHỨC"))
    assert (at["III. TỔ CHỨC THỰC HIỆN"], "III", 1) in labels(doc)
    assert (at["IV. KINH PHÍ"], "IV", 1) in labels(doc)


def test_roman_numeral_in_mixed_case_is_read() -> None:
    at = body_lines(BODY)
    doc = doc_of((HEADER + BODY).replace("IV. KINH", "Iv. KINH"))
    assert (at["IV. KINH PHÍ"], "IV", 1) in labels(doc)


def test_arabic_heading_without_space_after_its_dot_is_read() -> None:
    at = body_lines(BODY)
    doc = doc_of((HEADER + BODY).replace("2. Kiểm tra", "2.Kiểm tra"))
    assert (at["2. Kiểm tra"], "2", 2) in labels(doc)


def test_page_number_between_pages_does_not_hide_a_heading() -> None:
    body = BODY.replace("b) Sở Tài chính", "2\nb) Sở Tài chính")
    at = body_lines(body)
    assert (at["b) Sở Tài chính bảo đảm kinh phí."], "b", 3) in labels(doc_of(HEADER + body))


def test_garbage_and_tables_give_no_header_and_no_sections() -> None:
    for text in ["", "@@@ ### \n\n|||", "| a | b |\n| 1 | 2 |\n", "L\n¢)\nIl.\n"]:
        doc = doc_of(text)
        assert doc.sections == [] and doc.header.number is None


def test_number_and_date_restoration_changed_are_read_from_the_ocr_text() -> None:
    text = HEADER.replace("3540/BC-SKHCN", "3540/TT-SKHCN").replace("tháng 12 năm", "tháng /năm")
    doc = doc_with_raw(text, {4: "S6: 3540/BC-SKHCN Quang Ngai, ngay 12 thang /2nam 2025"})
    assert doc.header.number == "3540/BC-SKHCN"
    assert doc.header.date == "2025-12-12"
    assert doc.header.place == "Quảng Ngãi"
