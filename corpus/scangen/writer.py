"""Write a `Scan`: an image-only PDF (JPEG inside) and its ground truth beside it.

`NAME.pdf` gets `NAME.gt.json`:
`{"source", "level", "seed", "pages": [{"number", "width", "height", "dpi",
"lines": [{"text", "box": [x, y, w, h]}]}]}` with boxes in page pixels, and `NAME.gt.txt`:
one rendered line per line, a form feed before the first line of every page after the
first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.scangen.degrade import scan_level
from corpus.scangen.scan import Scan


@dataclass(frozen=True)
class Written:
    """The three files written for one scan."""

    pdf: Path
    gt_txt: Path
    gt_json: Path


def ground_truth_paths(pdf: Path) -> tuple[Path, Path]:
    """`NAME.gt.txt` and `NAME.gt.json` beside `NAME.pdf`."""
    stem = pdf.with_suffix("")
    return stem.with_name(stem.name + ".gt.txt"), stem.with_name(stem.name + ".gt.json")


def ground_truth(scan: Scan) -> dict[str, Any]:
    """The JSON ground truth of `scan`."""
    return {
        "source": scan.source,
        "level": scan.level,
        "seed": scan.seed,
        "pages": [
            {
                "number": page.number,
                "width": page.image.width,
                "height": page.image.height,
                "dpi": page.dpi,
                "lines": [{"text": line.text, "box": list(line.box)} for line in page.lines],
            }
            for page in scan.pages
        ],
    }


def ground_truth_text(scan: Scan) -> str:
    """One line per rendered line; "\\f" opens each page after the first."""
    out: list[str] = []
    for index, page in enumerate(scan.pages):
        texts = [line.text for line in page.lines] or [""]
        if index:
            texts[0] = "\f" + texts[0]
        out.extend(texts)
    return "\n".join(out) + "\n"


def _compact_boxes(text: str) -> str:
    """Put each box on one line: a page of lines stays readable in a diff."""
    return re.sub(r"\[\s+(\d+),\s+(\d+),\s+(\d+),\s+(\d+)\s+\]", r"[\1, \2, \3, \4]", text) + "\n"


# Grey level below which a pixel turns black in a bilevel scan.
BILEVEL_THRESHOLD = 150


def write_scan(
    scan: Scan,
    pdf: Path,
    *,
    quality: int | None = None,
    grey: bool = False,
    bilevel: bool = False,
) -> Written:
    """Write the PDF and its ground truth; `quality` overrides the level's JPEG quality.

    `bilevel` stores 1-bit pages (CCITT G4 inside the PDF), as archive scanners often do:
    seals and signatures turn black like the text, and a page takes a tenth of the room.
    """
    pdf.parent.mkdir(parents=True, exist_ok=True)
    if bilevel:
        images = [
            page.image.convert("L")
            .point(lambda v: 255 if v > BILEVEL_THRESHOLD else 0)
            .convert("1")
            for page in scan.pages
        ]
    else:
        images = [page.image.convert("L") if grey else page.image for page in scan.pages]
    first, rest = images[0], images[1:]
    jpeg = {} if bilevel else {"quality": quality or scan_level(scan.level).jpeg_quality}
    first.save(
        pdf,
        "PDF",
        save_all=True,
        append_images=rest,
        resolution=float(scan.dpi),
        **jpeg,
        optimize=True,
        title=pdf.stem,
        creationDate=None,  # keep the bytes a function of the seed alone
        modDate=None,
    )
    txt, js = ground_truth_paths(pdf)
    txt.write_text(ground_truth_text(scan), encoding="utf-8")
    document = json.dumps(ground_truth(scan), ensure_ascii=False, indent=1)
    js.write_text(_compact_boxes(document), encoding="utf-8")
    return Written(pdf, txt, js)
