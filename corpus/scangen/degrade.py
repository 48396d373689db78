"""Scan degradation at graded levels, and the matching move of ground-truth boxes.

| level | dpi (seed picks) | skew | blur | noise | s&p    | JPEG | light | copy | show |
|------:|------------------|-----:|-----:|------:|-------:|-----:|------:|------|-----:|
| 0     | 300              | 0°   | 0    | 0     | 0      | 92   | 0     | no   | 0    |
| 1     | 300, 400         | 0.6° | 0.5  | 3     | 0      | 80   | 0.06  | no   | 0.03 |
| 2     | 200, 300         | 1.5° | 0.9  | 6     | 0.0005 | 65   | 0.12  | no   | 0.06 |
| 3     | 150, 200, 250    | 2.2° | 1.1  | 9     | 0.002  | 50   | 0.18  | yes  | 0.09 |
| 4     | 150              | 3.0° | 1.4  | 14    | 0.005  | 35   | 0.28  | yes  | 0.12 |

skew: largest rotation either way; blur: Gaussian σ in pixels at 300 dpi (scaled with
dpi); noise: Gaussian σ in grey levels; s&p: share of pixels turned into dust or toner
specks; JPEG: quality the page is stored at; light: share of light lost at the darkest
part of the sheet (plus an off-white paper tint from level 1); copy: photocopy
binarisation of an earlier copy; show: strength of the mirrored back page showing through.

The steps run in the order a real copy goes through them: show-through of the back page
(paper), photocopy binarisation (an earlier copy), skew (placing the sheet), paper tint
and uneven light, optical blur, sensor noise; the JPEG quality is applied when the page
is written. Every random choice comes from the generator passed in, so a seed fixes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from corpus.scangen.errors import UsageError

Image8 = NDArray[np.uint8]
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class ScanLevel:
    """How hard a scan is; see the module table."""

    level: int
    dpis: tuple[int, ...]
    skew_deg: float
    blur_sigma: float  # pixels at 300 dpi
    noise_sigma: float  # grey levels
    salt_pepper: float  # share of pixels flipped
    jpeg_quality: int
    uneven_light: float  # darkest corner loses this share of light
    photocopy: bool
    show_through: float  # strength of the mirrored back page


LEVELS: dict[int, ScanLevel] = {
    0: ScanLevel(0, (300,), 0.0, 0.0, 0.0, 0.0, 92, 0.0, False, 0.0),
    1: ScanLevel(1, (300, 400), 0.6, 0.5, 3.0, 0.0, 80, 0.06, False, 0.03),
    2: ScanLevel(2, (200, 300), 1.5, 0.9, 6.0, 0.0005, 65, 0.12, False, 0.06),
    3: ScanLevel(3, (150, 200, 250), 2.2, 1.1, 9.0, 0.002, 50, 0.18, True, 0.09),
    4: ScanLevel(4, (150,), 3.0, 1.4, 14.0, 0.005, 35, 0.28, True, 0.12),
}


def scan_level(level: int) -> ScanLevel:
    """The parameters of `level`; raises `UsageError` for an unknown level."""
    if level not in LEVELS:
        raise UsageError(f"unknown level {level}: choose one of {sorted(LEVELS)}")
    return LEVELS[level]


@dataclass(frozen=True)
class Degraded:
    """A degraded page and the affine map (2x3) that moved its content."""

    image: Image8  # H x W x 3 RGB, or H x W grey after a photocopy
    matrix: NDArray[np.float64]


def degrade(
    page: Image8, back: Image8, level: ScanLevel, dpi: int, rng: np.random.Generator
) -> Degraded:
    """Apply `level` to the RGB `page`; `back` is the grey page printed on the other side."""
    scale = dpi / 300
    image = page.astype(np.float32)
    if level.show_through:
        image = _show_through(image, back, level.show_through, scale)
    if level.photocopy:
        image = _photocopy(image, rng)
    angle = float(rng.uniform(-level.skew_deg, level.skew_deg)) if level.skew_deg else 0.0
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    if angle:
        border = (255.0,) * (1 if image.ndim == 2 else 3)
        image = _f32(
            cv2.warpAffine(
                image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=border
            )
        )
    if level.level > 0:
        image = _paper_and_light(image, level.uneven_light, rng)
    if level.blur_sigma:
        image = _f32(cv2.GaussianBlur(image, (0, 0), level.blur_sigma * scale))
    if level.noise_sigma:
        noise = rng.normal(0.0, level.noise_sigma, image.shape[:2]).astype(np.float32)
        image += noise[..., None] if image.ndim == 3 else noise
    if level.salt_pepper:
        image = _salt_and_pepper(image, level.salt_pepper, rng)
    return Degraded(np.clip(image, 0, 255).round().astype(np.uint8), matrix.astype(np.float64))


def _show_through(
    image: NDArray[np.float32], back: Image8, strength: float, scale: float
) -> NDArray[np.float32]:
    """Darken where the mirrored, paper-blurred back page has ink."""
    mirrored = _f32(cv2.GaussianBlur(_f32(cv2.flip(back, 1)), (0, 0), 3.0 * scale))
    ink = 1.0 - mirrored / 255.0
    shade = 1.0 - strength * ink
    return image * (shade[..., None] if image.ndim == 3 else shade)


def _photocopy(image: NDArray[np.float32], rng: np.random.Generator) -> NDArray[np.float32]:
    """Grey, noisy threshold: colours turn to toner, mid-greys to a speckle."""
    grey = image @ np.array([0.299, 0.587, 0.114], dtype=np.float32) if image.ndim == 3 else image
    grey = _f32(cv2.GaussianBlur(grey, (0, 0), 0.7))
    grey = grey + rng.normal(0.0, 22.0, grey.shape).astype(np.float32)
    threshold = float(rng.uniform(135, 165))
    toner = np.where(grey < threshold, 25.0, 250.0).astype(np.float32)
    return _f32(cv2.GaussianBlur(toner, (0, 0), 0.6))


def _paper_and_light(
    image: NDArray[np.float32], strength: float, rng: np.random.Generator
) -> NDArray[np.float32]:
    """Off-white paper under light that falls off across the sheet and towards one corner."""
    height, width = image.shape[:2]
    small_h, small_w = 64, max(1, round(64 * width / height))
    ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    ys, xs = ys / small_h, xs / small_w
    direction = rng.uniform(0, 2 * math.pi)
    ramp = (xs - 0.5) * math.cos(direction) + (ys - 0.5) * math.sin(direction) + 0.5
    cy, cx = rng.uniform(0, 1, 2)
    spot = np.hypot(xs - cx, ys - cy) / math.sqrt(2)
    fall = np.clip(0.6 * ramp + 0.4 * spot, 0.0, 1.0)
    small = (1.0 - strength * fall).astype(np.float32)
    light = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    if image.ndim == 2:
        image *= light * np.float32(0.97)
        return image
    for channel, tint in enumerate((0.985, 0.975, 0.95)):  # off-white, a little warm
        image[..., channel] *= light * np.float32(tint)
    return image


def _salt_and_pepper(
    image: NDArray[np.float32], share: float, rng: np.random.Generator
) -> NDArray[np.float32]:
    """Dust and toner specks: `share` of pixels set black or white, in small clumps."""
    height, width = image.shape[:2]
    hits = rng.random((height, width)) < share / 4
    specks = cv2.dilate(hits.astype(np.uint8), np.ones((2, 2), np.uint8)).astype(bool)
    dark = rng.random((height, width)) < 0.6
    image = image.copy()
    image[specks & dark] = 30.0
    image[specks & ~dark] = 250.0
    return image


def _f32(array: object) -> NDArray[np.float32]:
    """OpenCV results as float32 arrays, typed."""
    return np.asarray(array, dtype=np.float32)


def move_box(box: Box, matrix: NDArray[np.float64], width: int, height: int) -> Box:
    """The upright box around `box` after the affine `matrix`, clipped to the page."""
    x, y, w, h = box
    corners = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], float)
    moved = corners @ matrix.T
    x0 = int(max(0, math.floor(moved[:, 0].min())))
    y0 = int(max(0, math.floor(moved[:, 1].min())))
    x1 = int(min(width, math.ceil(moved[:, 0].max())))
    y1 = int(min(height, math.ceil(moved[:, 1].max())))
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))
