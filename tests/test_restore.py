"""Restoration with the shipped model, on small texts written for these tests."""

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.model import Document
from pipeline.restore import detect_regime, restore_lines, restore_text

CORRECT = (
    "Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ngành triển khai\n"
    "thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá\n"
    "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia."
)


def test_legacy_english_ocr_line_is_restored() -> None:
    got = restore_text("S& Khoa hoc va Cong nghé bao cao két qua thuc hién nhu sau:")
    assert got == "Sở Khoa học và Công nghệ báo cáo kết quả thực hiện như sau:"


def test_stripped_text_gets_its_diacritics_back() -> None:
    got = restore_text("Day manh chuyen doi so va doi moi sang tao tren dia ban tinh")
    assert got == "Đẩy mạnh chuyển đổi số và đổi mới sáng tạo trên địa bàn tỉnh"


def test_correct_vietnamese_is_left_alone() -> None:
    assert restore_text(CORRECT) == CORRECT


def test_numbers_codes_and_urls_are_kept_as_printed() -> None:
    line = "Nghi quyét s6 57-NQ/TW, 84 ty/151 ty, 99,77% tai https://dichvucong.gov.vn"
    got = restore_text(line)
    for kept in ["57-NQ/TW", "84", "151", "99,77%", "https://dichvucong.gov.vn"]:
        assert kept in got


def test_misread_digits_and_symbols_inside_words_are_restored() -> None:
    got = restore_text("nguoi dan da tham gia 01 16p tap huan vé k¥ ning s6")
    assert got == "người dân đã tham gia 01 lớp tập huấn về kỹ năng số"


def test_a_short_number_stays_a_number_where_a_number_belongs() -> None:
    got = restore_text("ngay 16 thang 10 nam 2025, co 18 xa dat chuan theo Diéu 6")
    assert got == "ngày 16 tháng 10 năm 2025, có 18 xã đạt chuẩn theo Điều 6"


def test_capital_p_at_the_start_of_a_word_is_read_as_d_bar() -> None:
    assert restore_text("Pa phéi hop cac nganh") == "Đã phối hợp các ngành"


def test_a_word_broken_by_a_stray_mark_is_joined_and_restored() -> None:
    assert (
        restore_text("Thong b;io két luan cua dia phu:ong") == "Thông báo kết luận của địa phương"
    )


def test_the_letters_of_a_document_code_broken_over_two_lines_are_kept() -> None:
    got = restore_lines(["Nghi dinh s6 45/2020/NP-", "CP ngay 01/4/2025 cua Chinh phu"])
    assert got == ["Nghị định số 45/2020/NĐ-", "CP ngày 01/4/2025 của Chính phủ"]


def test_abbreviations_in_correct_text_are_left_as_written() -> None:
    line = "CP ngày 01/4/2025 của Chính phủ về chuyển đổi số và các văn bản của UBND tỉnh"
    assert restore_text(line) == line


def test_line_count_and_blank_lines_are_kept() -> None:
    lines = ["", "Bao cao", "", " ", "két qua", ""]
    got = restore_lines(lines)
    assert len(got) == len(lines)
    assert got[0] == "" and got[2] == "" and got[3] == " " and got[5] == ""


def test_regimes_are_told_apart() -> None:
    assert detect_regime(["Sở", "Khoa", "học", "và", "Công", "nghệ"]) == "vie"
    assert detect_regime(["So", "Khoa", "hoc", "va", "Cong", "nghe"]) == "stripped"
    assert detect_regime(["S&", "Khoa", "hoc", "va", "Cong", "nghé", "d6i", "méi"]) == "eng"


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], input=stdin, capture_output=True
    )


def test_cli_restores_stdin_with_windows_line_endings() -> None:
    done = run_cli("restore", "-", stdin=b"Bao cao\r\nket qua\r\n")
    assert done.returncode == 0
    assert done.stdout.decode().split("\n")[:2] == ["Báo cáo", "kết quả"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"\x00\x01\x02binary\x00", "binary data"), (b"B\xe1o c\xe1o", "not UTF-8")],
)
def test_cli_refuses_unreadable_text_in_one_line(tmp_path: Path, data: bytes, problem: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    done = run_cli("restore", str(path))
    assert done.returncode == 1
    err = done.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and str(path) in err and problem in err


def test_cli_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("restore", str(tmp_path / "missing.txt"))
    assert done.returncode == 2
    assert "no such file" in done.stderr.decode()


def test_document_tokens_carry_restored_text_and_confidence() -> None:
    from pipeline.ingest import text_document
    from pipeline.model import Source
    from pipeline.restore import restore_document

    doc = text_document(
        "S& Khoa hoc va Cong nghé\n\nUBND tinh", Source(path="x", sha256="0", kind="text")
    )
    doc = restore_document(doc)
    first = doc.lines[0]
    assert first.raw == "S& Khoa hoc va Cong nghé"
    assert first.text == "Sở Khoa học và Công nghệ"
    assert [t.text for t in first.tokens] == ["Sở", "Khoa", "học", "và", "Công", "nghệ"]
    changed = [t for t in first.tokens if t.changed]
    assert changed and all(t.restore_conf is not None and 0 < t.restore_conf <= 1 for t in changed)
    assert all(t.restore_conf is None for t in first.tokens if not t.changed)
    assert doc.stage_versions["restore"]


def test_two_syllables_run_together_are_split() -> None:
    got = restore_text("- Két qua thuc hiéncac nhiém vu tai cac Thong bao két luan")
    assert got == "- Kết quả thực hiện các nhiệm vụ tại các Thông báo kết luận"


def test_heading_labels_are_repaired_not_decoded() -> None:
    got = restore_lines(["a) Nguoi dung dau cac so", "¢) Khai thac toi da", "II1. Panh gia chung"])
    assert got == ["a) Người đứng đầu các sở", "c) Khai thác tối đa", "III. Đánh giá chung"]


def test_document_codes_get_their_d_bar_back_and_urls_stay() -> None:
    got = restore_text(
        "Quyết định 608/QD-UBND, 45/2020/Nb-CP; thư điện tử qlkh.skhcn@nghean.gov.vn"
    )
    assert "608/QĐ-UBND" in got and "45/2020/NĐ-CP" in got
    assert "qlkh.skhcn@nghean.gov.vn" in got


def _vie_line(word_conf: float) -> Document:
    from pipeline.model import Line, Page, Source, Token

    words = [
        "Sở",
        "Khoa",
        "học",
        "và",
        "Công",
        "nghệ",
        "báo",
        "cáo",
        "kết",
        "quà",
        "thực",
        "hiện",
        "nhiệm",
        "vụ",
    ]
    tokens = [Token(raw=w, text=w, ocr_conf=word_conf if w == "quà" else 0.95) for w in words]
    raw = " ".join(words)
    line = Line(number=1, page=1, raw=raw, text=raw, tokens=tokens)
    source = Source(path="scan.png", sha256="0", kind="image")
    return Document(source=source, pages=[Page(number=1, lines=[line])])


def test_a_doubtful_vietnamese_ocr_word_is_corrected_and_carries_its_confidence() -> None:
    from pipeline.restore import restore_document

    doc = restore_document(_vie_line(0.3))
    assert doc.lines[0].text == "Sở Khoa học và Công nghệ báo cáo kết quả thực hiện nhiệm vụ"
    fixed = [t for t in doc.lines[0].tokens if t.changed]
    assert [t.text for t in fixed] == ["quả"] and fixed[0].restore_conf is not None


def test_doubtful_words_are_cheaper_to_change_than_confident_ones() -> None:
    from pipeline.restore import _vie_channel

    assert _vie_channel("quà", "quả", doubtful=True) > _vie_channel("quà", "quả")
    assert _vie_channel("quà", "quà") == 0.0
