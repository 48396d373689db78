"""Preprocessing steps on small pages rendered here (Liberation Serif at 300 dpi)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import preprocess
from pipeline.preprocess import (
    DEFAULT_CHAIN,
    PageImage,
    crop_border,
    denoise,
    deskew,
    despeckle,
    detect_rotation,
    enlarge,
    is_blank,
    normalise_illumination,
    normalise_resolution,
    prepare,
    remove_colour_ink,
)

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
PARAGRAPH = [
    "Ngày 04 tháng 12 năm 2025, tại trụ sở Ủy ban nhân dân tỉnh, đồng chí",
    "Chủ tịch chủ trì cuộc họp đánh giá tiến độ thực hiện các nhiệm vụ năm",
    "2025 và định hướng nhiệm vụ trọng tâm năm 2026. Tham dự cuộc họp có",
    "lãnh đạo Văn phòng, Sở Khoa học và Công nghệ, Sở Tài chính, Sở Nội vụ,",
    "Công an tỉnh, Trung tâm Phục vụ hành chính công và các xã, phường.",
    "Yêu cầu các sở, ban, ngành khẩn trương hoàn thành trước ngày 15/12/2025.",
]


def render(
    lines: list[str] = PARAGRAPH, size: tuple[int, int] = (2480, 1100), font_px: int = 50
) -> Image.Image:
    """An RGB page: the lines in Liberation Serif (50 px: 12 pt at 300 dpi), black on white."""
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, font_px)
    for i, line in enumerate(lines):
        draw.text((200, 150 + 80 * i), line, font=font, fill="black")
    return page


def pixels(img: Image.Image) -> np.ndarray:
    return np.asarray(img, dtype=np.uint8)


def ink(gray: np.ndarray) -> int:
    return int((gray < 128).sum())


def test_two_degree_skew_is_measured_and_removed() -> None:
    tilted = render().rotate(2.0, fillcolor="white", resample=Image.Resampling.BILINEAR)
    page = deskew(PageImage(pixels(tilted.convert("L"))))
    assert page.skew == pytest.approx(-2.0, abs=0.3)
    angle, _ = preprocess.estimate_skew(page.gray)
    assert abs(angle) < 0.3


def test_level_page_is_not_rotated() -> None:
    page = deskew(PageImage(pixels(render().convert("L"))))
    assert page.skew == 0.0


def test_red_seal_and_blue_signature_become_paper_but_text_stays() -> None:
    img = render()
    draw = ImageDraw.Draw(img)
    draw.ellipse((1500, 100, 2100, 700), outline=(210, 30, 40), width=16)  # over the text
    draw.line((300, 900, 1200, 1000), fill=(30, 50, 190), width=8)  # below the text
    gray = remove_colour_ink(PageImage(pixels(img))).gray
    plain = pixels(render().convert("L"))
    assert gray.ndim == 2
    assert ink(gray[850:1050, 250:1250]) == 0  # the signature stroke is gone
    # Black text under the seal is still there, and the seal's ring is not.
    assert abs(ink(gray) - ink(plain)) < 0.02 * ink(plain)


def test_uneven_lighting_is_flattened() -> None:
    gray = pixels(render().convert("L")).astype(np.float64)
    shade = np.linspace(0.55, 1.0, gray.shape[1])[None, :]
    dim = (gray * shade).astype(np.uint8)
    flat = normalise_illumination(PageImage(dim)).gray
    paper = flat[950:1050, 100:2400]  # below the text
    assert paper.min() > 230
    assert ink(flat) == pytest.approx(ink(pixels(render().convert("L"))), rel=0.05)


def test_dark_scanner_border_is_painted_white() -> None:
    gray = pixels(render().convert("L")).copy()
    gray[:, :60] = 20  # the scanner lid along the left edge
    gray[-40:, :] = 30
    out = crop_border(PageImage(gray)).gray
    assert out[:, :60].min() > 200 and out[-40:, :].min() > 200
    assert ink(out) == pytest.approx(ink(pixels(render().convert("L"))), rel=0.02)
    assert out.shape == gray.shape


def test_specks_between_lines_are_erased_but_tone_marks_stay() -> None:
    clean = pixels(render().convert("L"))
    noisy = clean.copy()
    rng = np.random.default_rng(7)
    for y, x in zip(rng.integers(700, 1050, 200), rng.integers(100, 2400, 200), strict=True):
        noisy[y : y + 4, x : x + 4] = 0  # specks below the paragraph
    out = despeckle(PageImage(noisy)).gray
    assert ink(out[700:, :]) < 0.05 * ink(noisy[700:, :])
    assert ink(out[:700, :]) == ink(clean[:700, :])  # every letter and mark kept


@pytest.mark.parametrize("dpi", [150, 200, None])
def test_low_resolution_page_is_scaled_until_letters_suit_tesseract(dpi: int | None) -> None:
    shrink = (dpi or 120) / 300
    small = render().convert("L").resize((round(2480 * shrink), round(1100 * shrink)))
    page = normalise_resolution(PageImage(pixels(small), dpi=dpi))
    assert page.scale > 1.4
    letters = preprocess.x_height(page.gray)
    assert letters is not None and preprocess.MIN_X_HEIGHT <= letters <= preprocess.MAX_X_HEIGHT


def test_page_without_letters_is_scaled_by_its_dpi() -> None:
    page = normalise_resolution(PageImage(np.full((400, 300), 255, np.uint8), dpi=150))
    assert page.scale == 1.0  # blank: nothing to read, nothing to scale
    lines = np.full((400, 300), 255, np.uint8)
    lines[100:104, 20:280] = 0  # a rule, no letters
    page = normalise_resolution(PageImage(lines, dpi=150))
    assert page.scale == pytest.approx(2.0) and page.dpi == 300


def test_300_dpi_page_keeps_its_size() -> None:
    page = normalise_resolution(PageImage(pixels(render().convert("L")), dpi=300))
    assert page.scale == 1.0


def test_upright_page_does_not_ask_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_osd(gray: np.ndarray) -> int:
        raise AssertionError("OSD should not run on an upright page")

    monkeypatch.setattr(preprocess, "_osd_rotation", no_osd)
    tilted = render().rotate(1.5, fillcolor="white")
    assert detect_rotation(pixels(tilted.convert("L"))) == 0


@pytest.mark.slow
@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_page_is_detected(turn: int) -> None:
    # PIL turns counter-clockwise; the answer is the clockwise turn that undoes it.
    page = render(PARAGRAPH * 2, (2480, 1900)).rotate(turn, expand=True, fillcolor="white")
    assert detect_rotation(pixels(page.convert("L"))) == turn


def test_blank_page_is_blank_and_a_text_page_is_not() -> None:
    white = np.full((3508, 2480), 250, np.uint8)
    assert is_blank(white)
    assert is_blank(prepare(white, 300).pixels)
    assert not is_blank(pixels(render().convert("L")))


def test_default_chain_is_cheap_on_an_a4_page() -> None:
    img = render(PARAGRAPH * 5, (2480, 3508)).rotate(1.0, fillcolor="white")
    prepare(pixels(img), 300)  # warm OpenCV up
    start = time.process_time()  # CPU time: other work on the machine does not count
    out = prepare(pixels(img), 300, DEFAULT_CHAIN)
    assert time.process_time() - start < 1.5  # ~0.35 s on an idle core
    assert out.pixels.ndim == 2 and out.pixels.shape == (3508, 2480)


def test_unknown_step_is_refused() -> None:
    with pytest.raises(ValueError, match="sharpen"):
        prepare(pixels(render()), 300, ["ink", "sharpen"])


def test_grainy_page_is_median_filtered() -> None:
    gray = pixels(render().convert("L")).astype(np.int16)
    grain = np.random.default_rng(3).normal(0, 12, gray.shape)
    noisy = np.clip(gray + grain, 0, 255).astype(np.uint8)
    out = denoise(PageImage(noisy)).gray
    assert np.abs(out.astype(np.int16) - noisy).mean() > 1.0


def test_sharp_300_dpi_text_is_enlarged_and_low_resolution_text_is_not() -> None:
    sharp = PageImage(pixels(render(font_px=62).convert("L")), dpi=300)
    page = enlarge(sharp)
    assert page.scale > 1.2 and page.dpi is not None and page.dpi > 300
    letters = preprocess.x_height(page.gray)
    assert letters == pytest.approx(preprocess.ENLARGED_X_HEIGHT, rel=0.15)
    low = render().convert("L").resize((1240, 550))
    assert enlarge(PageImage(pixels(low), dpi=150)).scale == 1.0
