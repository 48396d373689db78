"""Paint a laid-out page: black text and rules on white paper, as a grayscale image."""

from __future__ import annotations

from PIL import Image, ImageDraw

from corpus.scangen.fonts import load_font
from corpus.scangen.layout import PageLayout

INK = 0
PAPER = 255


def paint_page(page: PageLayout) -> Image.Image:
    """The page as an 8-bit grayscale image of `page.width` x `page.height` pixels."""
    image = Image.new("L", (page.width, page.height), PAPER)
    draw = ImageDraw.Draw(image)
    for line in page.lines:
        for placed in line.pieces:
            piece = placed.piece
            draw.text(
                (placed.x, placed.baseline - piece.rise),
                piece.text,
                font=load_font(piece.face, piece.size),
                fill=INK,
                anchor="ls",
            )
    for rule in page.rules:
        draw.rectangle((rule.x0, rule.y, rule.x1, rule.y + rule.thickness - 1), fill=INK)
    return image
