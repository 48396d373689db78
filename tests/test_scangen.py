"""The scan generator: layout, ground truth, PDF output, determinism and OCR round trip."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `corpus` is not an installed package; run from a checkout
    sys.path.insert(0, str(REPO))

from corpus.scangen.__main__ import main  # noqa: E402
from corpus.scangen.document import Footnote, Role  # noqa: E402
from corpus.scangen.errors import FontCoverageError, UsageError  # noqa: E402
from corpus.scangen.fonts import (  # noqa: E402
    Face,
    check_vietnamese_coverage,
    missing_glyphs,
    vietnamese_letters,
)
from corpus.scangen.layout import lay_out  # noqa: E402
from corpus.scangen.reader import read_document  # noqa: E402
from corpus.scangen.scan import Scan, scan_text  # noqa: E402
from corpus.scangen.writer import ground_truth_text, write_scan  # noqa: E402

PARAGRAPH = (
    "Để chủ động phòng ngừa, ứng phó hiệu quả với thiên tai, giảm thiểu thấp nhất thiệt hại "
    "về người và tài sản, Chủ tịch Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành và địa "
    "phương khẩn trương rà soát phương án ứng phó, bố trí lực lượng, phương tiện, vật tư cần "
    "thiết; đồng thời thường xuyên theo dõi chặt chẽ diễn biến thời tiết để kịp thời thông "
    "tin đến người dân."
)

# A tidy two-page document: header columns split by wide gaps, as in corpus/admin.
NOTICE = (
    "ỦY BAN NHÂN DÂN                         CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "TỈNH NGHỆ AN                                  Độc lập - Tự do - Hạnh phúc\n"
    "\n"
    "Số: 18/CT-UBND                            Nghệ An, ngày 22 tháng 7 năm 2025\n"
    "\n"
    "CHỈ THỊ\n"
    "Về tăng cường công tác phòng, chống thiên tai\n"
    "\n"
    + "\n\n".join(
        f"{n}. Nhiệm vụ thứ {n}\n\n{PARAGRAPH} Thông tin bổ sung đợt {n}1.\n\n1 Ghi chú số {n}."
        if n == 1
        else f"{n}. Nhiệm vụ thứ {n}\n\n{PARAGRAPH}"
        for n in range(1, 8)
    )
    + "\n\nGiao Văn phòng UBND tỉnh theo dõi, đôn đốc việc thực hiện./.\n"
    "\n"
    "Nơi nhận:\n"
    "- Văn phòng Chính phủ (b/c);\n"
    "- Lưu: VT, NN.\n"
    "\n"
    "KT. CHỦ TỊCH\n"
    "PHÓ CHỦ TỊCH\n"
    "\n"
    "Hoàng Văn Phúc\n"
)


def _pages_in(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def test_fonts_cover_every_vietnamese_letter() -> None:
    check_vietnamese_coverage()
    assert {"ệ", "Ở", "ữ", "Đ", "đ", "ơ", "Ư", "ỹ", "Ỵ"} <= set(vietnamese_letters())
    # 12 vowels x 6 tones, 16 consonants, f j w z, đ: each in both cases
    assert len(vietnamese_letters()) == 2 * (12 * 6 + 16 + 4 + 1)


def test_coverage_check_names_what_is_missing() -> None:
    assert missing_glyphs(Face.REGULAR, "Hà Nội 漢") == ["漢"]
    with pytest.raises(FontCoverageError, match="U\\+6F22"):
        scan_text(f"{PARAGRAPH} 漢", level=0)


def test_reader_splits_run_together_header_and_closing() -> None:
    doc = read_document(
        "UBND TỈNH QUẢNG NGÃI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n"
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ Độc lập - Tự do - Hạnh phúc\n"
        "Số: 3540/BC-SKHCN Quảng Ngãi, ngày 12 tháng 12 năm 2025\n"
        "BÁO CÁO\n\nKết quả thực hiện Kết luận số 148-KL/TW\n\n"
        "I. Việc khắc phục tồn tại\n\n"
        f"{PARAGRAPH}\n\n"
        "Nơi nhận: KT. GIÁM ĐỐC\n- Sở Tài chính; PHÓ GIÁM ĐỐC\n- Lưu: VT.\n\n"
        "SỞ KHOA HỌC VÀ J&\n\nPhan Văn Hiếu\n"
    )
    assert doc.authority == ["UBND TỈNH QUẢNG NGÃI", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert doc.national == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert doc.number == "Số: 3540/BC-SKHCN"
    assert doc.place_date == "Quảng Ngãi, ngày 12 tháng 12 năm 2025"
    assert doc.doc_type == "BÁO CÁO"
    assert doc.subject == ["Kết quả thực hiện Kết luận số 148-KL/TW"]
    assert [p.role for p in doc.body if not isinstance(p, Footnote)] == [Role.HEADING, Role.BODY]
    assert doc.recipients == ["Nơi nhận:", "- Sở Tài chính;", "- Lưu: VT."]
    assert doc.signature == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert doc.signer == "Phan Văn Hiếu"


def test_unrecognised_text_is_laid_out_as_body() -> None:
    doc = read_document(PARAGRAPH)
    assert doc.number is None and not doc.authority
    assert [(p.role, p.text) for p in doc.body if not isinstance(p, Footnote)] == [
        (Role.BODY, PARAGRAPH)
    ]


def test_signer_name_run_into_the_last_recipient_is_split_off() -> None:
    doc = read_document(
        f"{PARAGRAPH}\n\nNơi nhận: KT. CHỦ TỊCH\n- Như Điều 3; PHÓ CHỦ TỊCH\n"
        "- Lưu: VT, NC. Rơ Châm H'Yên\n"
    )
    assert doc.recipients == ["Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, NC."]
    assert doc.signature == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert doc.signer == "Rơ Châm H'Yên"


def test_two_column_signatures_give_a_cosigner() -> None:
    doc = read_document(
        f"{PARAGRAPH}\n\nTHƯ KÝ                                CHỦ TRÌ\n"
        "                                      PHÓ CHỦ TỊCH UBND PHƯỜNG\n\n"
        "Huỳnh Thị Kim Ngân                    Lâm Quốc Thái\n"
    )
    assert (doc.cosignature, doc.cosigner) == (["THƯ KÝ"], "Huỳnh Thị Kim Ngân")
    assert (doc.signature, doc.signer) == (["CHỦ TRÌ", "PHÓ CHỦ TỊCH UBND PHƯỜNG"], "Lâm Quốc Thái")
    page = lay_out(doc, 100)[-1]
    assert len(page.signature_areas) == 2


def test_text_after_the_signer_starts_an_annex_on_a_new_page() -> None:
    head = NOTICE.split("\n\n1. ")[0]
    closing = "Nơi nhận:\n- Lưu: VT.\n\nCHỦ TỊCH\n\nHoàng Văn Phúc"
    text = f"{head}\n\n{PARAGRAPH}\n\n{closing}\n\nPHỤ LỤC\n\n{PARAGRAPH}\n"
    doc = read_document(text)
    assert doc.annex is not None and doc.signer == "Hoàng Văn Phúc"
    pages = lay_out(doc, 100)
    assert [line.text for line in pages[-1].lines][:2] == ["2", "PHỤ LỤC"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Scan, Path]]:
    out = tmp_path_factory.mktemp("scans")
    result = {}
    for level, dpi in ((0, 150), (3, None)):
        scan = scan_text(NOTICE, level=level, seed=7, dpi=dpi)
        pdf = out / f"notice-{level}.pdf"
        write_scan(scan, pdf)
        result[level] = (scan, pdf)
    return result


@pytest.mark.parametrize("level", [0, 3])
def test_pdf_opens_with_the_expected_page_count(
    rendered: dict[int, tuple[Scan, Path]], level: int
) -> None:
    scan, pdf = rendered[level]
    assert len(scan.pages) == 2
    assert _pages_in(pdf) == 2
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        assert re.search(r"^Pages:\s+2$", info.stdout, re.MULTILINE)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
        assert len(fonts.stdout.strip().splitlines()) == 2  # header only: no text layer


@pytest.mark.parametrize("level", [0, 3])
def test_boxes_lie_inside_their_page(rendered: dict[int, tuple[Scan, Path]], level: int) -> None:
    _, pdf = rendered[level]
    truth = json.loads(pdf.with_name(pdf.stem + ".gt.json").read_text(encoding="utf-8"))
    for page in truth["pages"]:
        assert page["lines"]
        for line in page["lines"]:
            x, y, w, h = line["box"]
            assert w > 0 and h > 0, line
            assert x >= 0 and x + w <= page["width"], line
            assert y >= 0 and y + h <= page["height"], line


def test_ground_truth_text_has_one_form_feed_per_new_page(
    rendered: dict[int, tuple[Scan, Path]],
) -> None:
    scan, pdf = rendered[0]
    text = pdf.with_name(pdf.stem + ".gt.txt").read_text(encoding="utf-8")
    lines = text.rstrip("\n").split("\n")  # not splitlines(): it breaks at "\f" too
    assert text == ground_truth_text(scan)
    assert lines[0] == "ỦY BAN NHÂN DÂN"
    assert sum(line.startswith("\f") for line in lines) == len(scan.pages) - 1
    assert lines[len(scan.pages[0].lines)] == "\f2"  # page 2 opens with its page number
    assert lines[-1] == "Hoàng Văn Phúc"


def test_reading_order_is_left_header_block_then_right(
    rendered: dict[int, tuple[Scan, Path]],
) -> None:
    scan, _ = rendered[0]
    texts = [line.text for line in scan.pages[0].lines]
    assert texts[:6] == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH NGHỆ AN",
        "Số: 18/CT-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Nghệ An, ngày 22 tháng 7 năm 2025",
    ]


def test_same_seed_gives_same_pixels_other_seed_does_not() -> None:
    first = scan_text(PARAGRAPH, level=2, seed=5, dpi=100)
    again = scan_text(PARAGRAPH, level=2, seed=5, dpi=100)
    other = scan_text(PARAGRAPH, level=2, seed=6, dpi=100)
    assert first.pages[0].image.tobytes() == again.pages[0].image.tobytes()
    assert first.pages[0].image.tobytes() != other.pages[0].image.tobytes()


def test_cli_render_writes_pdf_and_ground_truth(tmp_path: Path) -> None:
    source = tmp_path / "doc.txt"
    source.write_text(PARAGRAPH, encoding="utf-8")
    out = tmp_path / "out" / "doc.pdf"
    assert main(["render", str(source), str(out), "--level", "1", "--dpi", "100"]) == 0
    assert out.is_file() and (tmp_path / "out" / "doc.gt.txt").is_file()
    assert (tmp_path / "out" / "doc.gt.json").is_file()


def test_cli_refuses_an_unknown_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "doc.txt"
    source.write_text(PARAGRAPH, encoding="utf-8")
    code = main(["render", str(source), str(tmp_path / "x.pdf"), "--level", "9"])
    assert code == UsageError.exit_code
    assert capsys.readouterr().err.startswith("error: unknown level 9")


def test_cli_batch_fills_each_level(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    args = ["batch", str(folder), str(tmp_path / "out"), "--levels", "3,4"]
    assert main([*args, "--pages-per-level", "2"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [sum(i["pages"] for i in manifest if i["level"] == lv) for lv in (3, 4)] == [2, 2]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract is not installed")
def test_tesseract_reads_a_clean_render_back() -> None:
    pytesseract = pytest.importorskip("pytesseract")
    from rapidfuzz.distance import Levenshtein

    if "vie" not in pytesseract.get_languages():
        pytest.skip("tesseract has no Vietnamese model")
    page = scan_text(PARAGRAPH, level=0, seed=0).pages[0]
    boxes = [line.box for line in page.lines]
    pad = 30
    crop = page.image.convert("L").crop(
        (
            min(b[0] for b in boxes) - pad,
            min(b[1] for b in boxes) - pad,
            max(b[0] + b[2] for b in boxes) + pad,
            max(b[1] + b[3] for b in boxes) + pad,
        )
    )
    read = pytesseract.image_to_string(crop, lang="vie", config="--psm 6")

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).split())

    truth = norm(" ".join(line.text for line in page.lines))
    assert truth == PARAGRAPH
    assert Levenshtein.distance(truth, norm(read)) / len(truth) < 0.02
