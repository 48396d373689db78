from pipeline.dates import find_time_expressions, make_date, parse_date
from pipeline.vietnamese import fold_key as fold


def one(text: str, ref_year: int | None = 2025):
    found = find_time_expressions(fold(text), ref_year)
    assert len(found) == 1, found
    return found[0]


def test_numeric_and_spelled_dates_become_iso() -> None:
    assert parse_date("ngày 08/4/2025") == "2025-04-08"
    assert parse_date("Quảng Ngãi, ngày 12 tháng 12 năm 2025") == "2025-12-12"


def test_impossible_day_is_flagged_not_invented() -> None:
    assert make_date(31, 2, 2026) == (None, True)
    expr = one("hoàn thành trước ngày 31/02/2026")
    assert expr.invalid and expr.date is None and expr.strength == "strong"


def test_truoc_ngay_is_a_strong_dated_deadline() -> None:
    expr = one("gửi kế hoạch trước ngày 15/01/2026 để tổng hợp")
    assert (expr.date, expr.strength) == ("2026-01-15", "strong")


def test_quarters_in_arabic_and_roman_numerals() -> None:
    assert one("chậm nhất trong Quý 1/2026").period == "2026-Q1"
    assert one("trong Quý I/2026").period == "2026-Q1"
    assert one("hoàn thành trong quý IV năm 2025").period == "2025-Q4"


def test_marker_is_part_of_the_expression_across_a_line_break() -> None:
    text = "hoàn thành\ntrong Quý 1/2026"
    expr = one(text)
    assert expr.start == 0 and expr.strength == "strong"


def test_half_years_months_and_years() -> None:
    assert one("trong 6 tháng đầu năm 2026").period == "2026-H1"
    assert one("hoàn thành trong tháng 01/2026").period == "2026-01"
    assert one("trong năm 2026").period == "2026"


def test_relative_period_uses_the_document_year() -> None:
    assert one("trong 3 tháng cuối năm", ref_year=2025).period == "2025-Q4"


def test_recurrences_and_ongoing() -> None:
    assert one("định kỳ 02 tuần một lần báo cáo").period == "every 2 weeks"
    assert one("định kỳ hằng tháng").period == "every month"
    assert one("thường xuyên kiểm tra").period == "ongoing"


def test_a_bare_date_is_not_a_deadline() -> None:
    assert find_time_expressions(fold("Nghị quyết số 57-NQ/TW ngày 22/12/2024")) == ()


def test_a_year_in_a_name_has_no_marker() -> None:
    expr = one("Kế hoạch chuyển đổi số năm 2026")
    assert expr.strength == "bare"


def test_ocr_spellings_of_quy_count_in_the_slash_form() -> None:
    assert one("hoàn thành trong Quá 1/2026").period == "2026-Q1"
    assert one("hoàn thành trong Qui 1/2026").strength == "strong"


def test_horn_read_as_apostrophe_keeps_the_marker_strong() -> None:
    expr = one("trụ’ốc ngày 30/9/2026")
    assert expr.date == "2026-09-30" and expr.strength == "strong"
