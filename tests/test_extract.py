from pipeline.extract import extract_items
from pipeline.ingest import text_document
from pipeline.model import Document, Source
from pipeline.segment import segment_document

HEADER = """UBND TỈNH QUẢNG NGÃI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Số: 452/TB-UBND Quảng Ngãi, ngày 09 tháng 12 năm 2025
THÔNG BÁO

Kết luận của Chủ tịch UBND tỉnh

Sau khi nghe báo cáo, Chủ tịch UBND tỉnh kết luận và chỉ đạo như sau:
"""

RESULTS = """
I. KẾT QUẢ NĂM 2025

Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị và Công văn số
3306/UBND-KTTH ngày 08/10/2025, toàn tỉnh đã có 48/96 xã đạt chuẩn; tỷ lệ hồ sơ đạt
99,77%. Giải ngân 84 tỷ/151 tỷ. Đã thành lập 1.720 Tổ Công nghệ số. Trong năm 2025
đã hoàn thành. Liên hệ 0255 3822 123. Chi tiết tại Phụ lục 03.
"""

TASKS = """
II. NHIỆM VỤ TRỌNG TÂM NĂM 2026

1. Các sở, ban, ngành, địa phương:

a) Rà soát, gửi kế hoạch về Sở KH&CN trước ngày 15/01/2026 để tổng hợp.

b) UBND các xã, phường phải phát huy vai trò của Tổ công nghệ số cộng đồng.

2. Sở Khoa học và Công nghệ:

a) Chủ trì, phối hợp với Sở Nội vụ, Sở Tài chính tham mưu ban hành kế hoạch;
hoàn thành trong Quý 1/2026.

b) Định kỳ 02 tuần một lần báo cáo kết quả triển khai thực hiện.

3. Công an tỉnh chủ trì, phối hợp với các cơ quan liên quan nâng cấp hệ thống,
hoàn thành trước ngày 31/02/2026.

UBND tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./.
"""


def run(text: str) -> Document:
    source = Source(path="t.txt", sha256="0", kind="text")
    return extract_items(segment_document(text_document(text, source)))


def test_references_with_type_date_and_issuer_but_not_own_number() -> None:
    doc = run(HEADER + RESULTS)
    refs = {(r.number, r.type, r.date) for r in doc.references}
    assert ("57-NQ/TW", "Nghị quyết", "2024-12-22") in refs
    assert ("3306/UBND-KTTH", "Công văn", "2025-10-08") in refs
    assert all(r.number != "452/TB-UBND" for r in doc.references)
    issuer = next(r.issuer for r in doc.references if r.number == "57-NQ/TW")
    assert issuer == "Bộ Chính trị"


def test_number_split_across_lines_is_one_reference() -> None:
    doc = run(HEADER + "\nI. Kết quả\n\nThực hiện Nghị quyết 57-\nNQ/TW của Bộ Chính trị.\n")
    assert [(r.number, r.anchor.line) for r in doc.references] == [("57-NQ/TW", 11)]


def test_indicators_read_vietnamese_figures_and_skip_dates_phones_and_labels() -> None:
    doc = run(HEADER + RESULTS)
    got = {(i.value, i.total, i.percent, i.unit) for i in doc.indicators}
    assert (48, 96, None, "xã") in got
    assert (None, None, 99.77, "%") in got
    assert (84, 151, None, "tỷ đồng") in got
    assert (1720, None, None, "Tổ") in got
    values = {i.value for i in doc.indicators} | {i.total for i in doc.indicators}
    assert not values & {2024, 2025, 3, 255, 3822, 123, 22, 12, 8, 10}


def test_deadlines_in_task_sections_and_issue_dates_are_not_deadlines() -> None:
    doc = run(HEADER + RESULTS + TASKS)
    got = [(d.date, d.period, d.invalid) for d in doc.deadlines]
    assert (None, "2026", False) in got  # the heading sets the time frame
    assert ("2026-01-15", None, False) in got
    assert (None, "2026-Q1", False) in got
    assert (None, "every 2 weeks", False) in got
    assert (None, None, True) in got  # 31/02/2026 is flagged, not invented
    assert all(d.date != "2024-12-22" for d in doc.deadlines)
    assert all(d.period != "2025" for d in doc.deadlines)  # results section


def test_tasks_take_the_heading_agency_unless_they_name_another() -> None:
    doc = run(HEADER + TASKS)
    got = [(t.anchor.line, t.responsible) for t in doc.directives]
    assert [r for _, r in got] == [
        "Các sở, ban, ngành, địa phương",
        "UBND các xã, phường",
        "Sở Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ",
        "Công an tỉnh",
    ]


def test_task_details_cooperation_and_deadline() -> None:
    doc = run(HEADER + TASKS)
    first = doc.directives[0]
    assert first.deadline == "2026-01-15"
    skhcn = doc.directives[2]
    assert skhcn.cooperating == ["Sở Nội vụ", "Sở Tài chính"]
    assert skhcn.deadline == "2026-Q1"
    assert skhcn.action.startswith("tham mưu ban hành kế hoạch")
    assert doc.directives[1].deadline == "2026"  # from the heading's time frame


def test_closing_formula_is_not_a_task() -> None:
    doc = run(HEADER + TASKS)
    assert all("thông báo để" not in t.action for t in doc.directives)


def test_recommendations_to_higher_levels() -> None:
    text = HEADER + "\nI. Kiến nghị\n\n1. Kiến nghị với Chính phủ\n\nSớm ban hành cơ chế đặc thù.\n"
    doc = run(text)
    assert [(t.responsible, t.kind) for t in doc.directives] == [("Chính phủ", "recommendation")]


def test_directive_inside_a_narrative_paragraph() -> None:
    text = HEADER.replace("kết luận và chỉ đạo như sau:", "báo cáo.") + (
        "\nI. Kết quả\n\nChủ tịch UBND tỉnh đã ban hành Công văn số 464/UBND-TTHC yêu cầu các"
        "\nsở, ban, ngành cụ thể hóa và triển khai nghiêm túc các nhiệm vụ.\n"
    )
    doc = run(text)
    assert [(t.anchor.line, t.responsible) for t in doc.directives] == [(11, "các sở, ban, ngành")]


def test_entities_include_agencies_places_and_signer() -> None:
    doc = run(HEADER + RESULTS + "\nNơi nhận:\n- Lưu: VT.\n\nCHỦ TỊCH\n\nNguyễn Văn An\n")
    kinds = {(e.kind, e.normalized) for e in doc.entities}
    assert ("agency", "Bộ Chính trị") in kinds
    assert ("person", "Nguyễn Văn An") in kinds
    assert any(k == "place" and "Quảng Ngãi" in n for k, n in kinds)


def test_bad_input_gives_empty_lists_not_errors() -> None:
    for text in [
        "",
        "\n\n",
        "||| a | b |||\n| 1 | 2 |",
        "#$%^&* 12/ab 3.4.5.6 ,,,",
        "STT | Nội dung",
    ]:
        doc = run(text)
        assert doc.references == [] and doc.directives == [] and doc.deadlines == []


def test_only_a_table_gives_no_tasks() -> None:
    table = (
        "STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian\n1 | Rà soát | Sở Tài chính | Quý 1/2026\n"
    )
    doc = run(table)
    assert doc.directives == []


# --- OCR'd and restored text --------------------------------------------------------------


def cited(text: str) -> list[str]:
    doc = run(HEADER + "\nI. Kết quả\n\n" + text + "\n")
    return [r.number for r in doc.references]


def test_ocr_damaged_document_numbers_are_given_in_canonical_form() -> None:
    assert cited("Thực hiện Kết luận số 148:KL/TW của Bộ Chính trị.") == ["148-KL/TW"]
    assert cited("Thực hiện Nghị quyết số 57-NQITW của Bộ Chính trị.") == ["57-NQ/TW"]
    assert cited("Theo Báo cáo số 1408 /BC-SKHCN của Sở.") == ["1408/BC-SKHCN"]
    assert cited("Theo Nghị quyết số 12/NQ-HDND của HĐND tỉnh.") == ["12/NQ-HĐND"]
    assert cited("Theo Quyết định số 12/QD-UBND của UBND tỉnh.") == ["12/QĐ-UBND"]


def test_a_times_colon_is_not_a_document_number() -> None:
    assert cited("Cuộc họp lúc 14:30 ngày 08/10/2025. Điều 5:Quy định chung.") == []


def test_type_named_before_a_number_repairs_its_code() -> None:
    assert cited("Thực hiện Công điện số 111/CP-TTg của Thủ tướng.") == ["111/CĐ-TTg"]
    assert cited("Thực hiện Nghị quyết số 71/2025/NQ-CP của Chính phủ.") == ["71/2025/NQ-CP"]


def test_a_code_damaged_once_takes_the_spelling_used_elsewhere() -> None:
    text = "Thông báo số 31-TB/TGV, Thông báo số 33-TB/TGV và Thông báo số 35-TB/TGYV."
    assert cited(text) == ["31-TB/TGV", "33-TB/TGV", "35-TB/TGV"]


def test_deadlines_survive_ocr_spellings_of_quy_and_a_horn_read_as_apostrophe() -> None:
    text = TASKS.replace("trong Quý 1/2026", "trong Quá 1/2026").replace(
        "trước ngày 15/01/2026", "trụ’ốc ngày 15/01/2026"
    )
    doc = run(HEADER + text)
    found = {(d.date, d.period) for d in doc.deadlines}
    assert ("2026-01-15", None) in found
    assert (None, "2026-Q1") in found


def test_quy_spelling_leniency_needs_the_slash_form() -> None:
    doc = run(HEADER + "\nII. NHIỆM VỤ\n\n1. Sở Nội vụ chủ trì, vượt quá 1 năm 2026.\n")
    assert all(d.period != "2026-Q1" for d in doc.deadlines)


def test_task_after_a_label_restoration_damaged_names_its_agency() -> None:
    text = TASKS.replace("b) UBND các xã", "là) UBND các xã")
    doc = run(HEADER + text)
    assert any(t.responsible == "UBND các xã, phường" for t in doc.directives)


def test_extraction_of_garbage_gives_empty_lists() -> None:
    for text in ["", "¢) Il. |.\n\n@@", "| Sở Nội vụ | 2026 |\n| x | y |\n"]:
        doc = run(text)
        assert doc.references == [] and doc.deadlines == [] and doc.indicators == []


def test_đ_read_as_db_in_a_code_is_repaired() -> None:
    assert cited("Theo Nghị định số 30/2020/NDB-CP của Chính phủ.") == ["30/2020/NĐ-CP"]


def test_road_chainage_is_not_a_document_number() -> None:
    assert cited("Đoạn Km+000 - Km+460 mở rộng.") == []
