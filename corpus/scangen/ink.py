"""Ink that is not type: the red round seal and the blue signature over the signature area.

Both are painted as coverage masks (0..1) and laid on the page by multiplying, as ink
soaks into paper: a seal over black type leaves the type black. Neither adds a line to
the ground truth.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from corpus.scangen.fonts import Face, load_font

SEAL_RED = (200, 28, 38)
SIGNATURE_BLUE = (22, 44, 150)
SEAL_DIAMETER_MM = 36.0

Mask = NDArray[np.float32]


def lay_ink(
    page: NDArray[np.uint8], mask: Mask, colour: tuple[int, int, int], x: int, y: int
) -> None:
    """Multiply `colour` into the RGB `page` where `mask` covers, top-left at (x, y); in place."""
    height, width = page.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + mask.shape[1], width), min(y + mask.shape[0], height)
    if x0 >= x1 or y0 >= y1:
        return
    cover = mask[y0 - y : y1 - y, x0 - x : x1 - x, None]
    tint = np.asarray(colour, dtype=np.float32) / 255.0
    region = page[y0:y1, x0:x1].astype(np.float32)
    page[y0:y1, x0:x1] = np.clip(region * (1.0 - cover * (1.0 - tint)), 0, 255).astype(np.uint8)


def seal_mask(text: str, diameter: int, rng: np.random.Generator) -> Mask:
    """A round seal: double rim, `text` around the ring, a star in the middle.

    Ink is uneven (thin and thick patches, a few dropouts) and the seal is turned by a
    random angle, as a hand-pressed seal is.
    """
    size = diameter + 8
    canvas = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(canvas)
    centre = size / 2
    radius = diameter / 2
    rim = max(2, round(radius * 0.05))
    draw.ellipse(_square(centre, radius), outline=255, width=rim)
    draw.ellipse(_square(centre, radius * 0.66), outline=255, width=max(1, rim // 2))
    _ring_text(canvas, text.upper(), centre, radius * 0.73, radius * 0.2)
    draw.polygon(_star(centre, centre, radius * 0.36), fill=255)
    turned = canvas.rotate(float(rng.uniform(-25, 25)), resample=Image.Resampling.BICUBIC)
    mask = np.asarray(turned, dtype=np.float32) / 255.0
    return (mask * _uneven_ink(mask.shape, rng, 0.55, 1.0)).astype(np.float32)


def _square(centre: float, radius: float) -> tuple[float, float, float, float]:
    return (centre - radius, centre - radius, centre + radius, centre + radius)


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    points = []
    for k in range(10):
        r = outer if k % 2 == 0 else outer * 0.4
        angle = math.pi * k / 5 - math.pi / 2
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def _ring_text(
    canvas: Image.Image, text: str, centre: float, baseline_r: float, height: float
) -> None:
    """Set `text` clockwise round a circle, centred on the top, tops of letters outward."""
    size = max(6, round(height))
    font = load_font(Face.SEAL, size)
    span = 2 * math.pi * 0.78  # leave a gap at the bottom
    while size > 6 and font.getlength(text) * 1.08 > span * baseline_r:
        size -= 1
        font = load_font(Face.SEAL, size)
    tracking = (span * baseline_r - font.getlength(text)) / max(1, len(text) - 1)
    tracking = min(tracking, size * 0.6)
    total = font.getlength(text) + tracking * (len(text) - 1)
    angle = -total / baseline_r / 2  # radians from the top, clockwise
    for char in text:
        advance = font.getlength(char)
        middle = angle + advance / 2 / baseline_r
        if not char.isspace():
            glyph = Image.new("L", (size * 2, size * 2), 0)
            ImageDraw.Draw(glyph).text((size, size), char, font=font, fill=255, anchor="ms")
            glyph = glyph.rotate(-math.degrees(middle), resample=Image.Resampling.BICUBIC)
            gx = centre + baseline_r * math.sin(middle) - size
            gy = centre - baseline_r * math.cos(middle) - size
            canvas.paste(255, (round(gx), round(gy)), glyph)
        angle += (advance + tracking) / baseline_r


def _uneven_ink(shape: tuple[int, ...], rng: np.random.Generator, low: float, high: float) -> Mask:
    """A smooth random field between `low` and `high`, with a few pin-hole dropouts."""
    coarse = rng.random((8, 8)).astype(np.float32)
    field = cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    field = np.clip(field, 0.0, 1.0)
    grain = (rng.random(shape[:2]) > 0.04).astype(np.float32)
    grain = np.asarray(cv2.GaussianBlur(grain, (0, 0), 0.8), dtype=np.float32)
    return (low + (high - low) * field) * grain


def signature_mask(width: int, height: int, rng: np.random.Generator) -> Mask:
    """A handwritten-looking signature: a looped cursive stroke and a flourish under it."""
    canvas = np.zeros((height, width), dtype=np.uint8)
    thickness = max(1, round(height * 0.035))
    steps = 500
    t = np.linspace(0.0, 1.0, steps)
    loops = rng.uniform(3.5, 6.5)
    phase = 2 * np.pi * loops * (t + 0.06 * np.sin(2 * np.pi * rng.uniform(1, 3) * t))
    envelope = _smooth_walk(steps, rng) * 0.6 + 0.5
    envelope[: steps // 7] *= 1.8  # a tall first letter
    amplitude = height * rng.uniform(0.16, 0.24) * envelope
    xs = width * (0.06 + 0.78 * t) + amplitude * 0.6 * np.cos(phase)
    ys = height * 0.45 + amplitude * np.sin(phase + rng.uniform(0, np.pi))
    ys += _smooth_walk(steps, rng) * height * 0.15
    xs -= (ys - height * 0.45) * rng.uniform(0.2, 0.45)  # slant
    _stroke(canvas, xs, ys, thickness)
    u = np.linspace(0.0, 1.0, 120)
    flourish_y = height * (0.72 + 0.1 * np.sin(np.pi * u + rng.uniform(-0.5, 0.5)))
    _stroke(canvas, width * (0.1 + 0.85 * u), flourish_y, thickness)
    mask = cv2.GaussianBlur(canvas.astype(np.float32) / 255.0, (0, 0), 0.6)
    return (mask * _uneven_ink(mask.shape, rng, 0.7, 1.0)).astype(np.float32)


def _smooth_walk(steps: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """A smooth random curve in [-0.5, 0.5] over `steps` samples."""
    knots = rng.uniform(-0.5, 0.5, 6)
    return np.interp(np.linspace(0, 5, steps), np.arange(6), knots)


def _stroke(
    canvas: NDArray[np.uint8], xs: NDArray[np.float64], ys: NDArray[np.float64], thickness: int
) -> None:
    points = np.stack([xs, ys], axis=1).round().astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(canvas, [points], False, 255, thickness, lineType=cv2.LINE_AA)


def sign_and_seal(
    page: NDArray[np.uint8],
    area: tuple[int, int, int, int],
    seal_text: str | None,
    dpi: int,
    rng: np.random.Generator,
) -> None:
    """Sign inside `area` and, given its text, press the seal over the signature's left
    third; in place."""
    x, y, w, h = area
    sig_w, sig_h = round(min(w * 0.6, dpi * 50 / 25.4)), round(h * 0.8)
    sig_x = x + (w - sig_w) // 2 + round(rng.uniform(-0.05, 0.05) * w)
    sig_y = y + (h - sig_h) // 2
    lay_ink(page, signature_mask(sig_w, sig_h, rng), SIGNATURE_BLUE, sig_x, sig_y)
    if seal_text is None:
        return
    diameter = round(SEAL_DIAMETER_MM / 25.4 * dpi)
    seal = seal_mask(seal_text, diameter, rng)
    cx = sig_x + round(sig_w * rng.uniform(0.12, 0.25))
    cy = y + h // 2 + round(rng.uniform(-0.08, 0.08) * h)
    lay_ink(page, seal * 0.85, SEAL_RED, cx - seal.shape[1] // 2, cy - seal.shape[0] // 2)
