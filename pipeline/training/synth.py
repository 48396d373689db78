"""Channel training pairs from the real channel: render corpus text, OCR it, align.

`python -m pipeline.training.synth [--lang eng] [--docs N]` renders documents of
`corpus/admin/` (not the held-out ones) as scans with `corpus.scangen` at several
degradation levels, OCRs each page with Tesseract, puts every OCR word on the ground-truth
line whose box holds it, aligns the words of each line and appends (true word, OCR word)
pairs to `models/channel_pairs.tsv` (or `models/channel_pairs_vie.tsv` for `--lang vie`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.training.sources import ADMIN_CORPUS, REPO, aligned_words, is_heldout


def _ocr_words(image_path: Path, lang: str) -> list[tuple[str, int, int]]:
    """(word, centre x, centre y) of every word Tesseract reads on a page image."""
    import pytesseract
    from PIL import Image

    data = pytesseract.image_to_data(
        Image.open(image_path), lang=lang, output_type=pytesseract.Output.DICT
    )
    out = []
    for i, word in enumerate(data["text"]):
        if word.strip():
            cx = data["left"][i] + data["width"][i] // 2
            cy = data["top"][i] + data["height"][i] // 2
            out.append((word, cx, cy))
    return out


def ocr_lines_of_document(text_path: Path, level: int, lang: str) -> list[tuple[str, str]]:
    """Render one document, OCR it: (true line, OCR words inside that line's box) in order."""
    from pdf2image import convert_from_path

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "doc.pdf"
        subprocess.run(
            [
                *(sys.executable, "-m", "corpus.scangen", "render", str(text_path), str(pdf)),
                *("--level", str(level), "--seed", str(zlib.crc32(text_path.name.encode()) % 1000)),
            ],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        truth = json.loads(pdf.with_suffix(".gt.json").read_text(encoding="utf-8"))
        lines: list[tuple[str, str]] = []
        for page in truth["pages"]:
            image = convert_from_path(
                str(pdf), dpi=page["dpi"], first_page=page["number"], last_page=page["number"]
            )[0]
            png = Path(tmp) / f"p{page['number']}.png"
            image.save(png)
            words = _ocr_words(png, lang)
            for line in page["lines"]:
                x, y, w, h = line["box"]
                inside = [
                    (cx, word) for word, cx, cy in words if x <= cx <= x + w and y <= cy <= y + h
                ]
                lines.append((line["text"], " ".join(word for _, word in sorted(inside))))
        return lines


def pairs_of_document(text_path: Path, level: int, lang: str) -> list[tuple[str, str]]:
    """(true word, OCR word) pairs of one rendered and OCR'd document."""
    return [
        (g, o)
        for gold, ocr in ocr_lines_of_document(text_path, level, lang)
        for g, o in aligned_words(ocr, gold)
    ]


def _job(args: tuple[Path, int, str]) -> list[tuple[str, str]]:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        return pairs_of_document(*args)
    except (subprocess.CalledProcessError, OSError) as err:
        print(f"synth: {args[0].name}: skipped ({err})", file=sys.stderr)
        return []


def write_test_set(out_dir: Path, level: int, lang: str, limit: int = 0) -> None:
    """Line-aligned `NAME.ocr.txt` / `NAME.gold.txt` of the held-out corpus documents."""
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = [p for p in sorted(ADMIN_CORPUS.glob("*.txt")) if is_heldout(p.stem)]
    texts = texts[:limit] if limit else texts
    for i, path in enumerate(texts, start=1):
        lines = ocr_lines_of_document(path, level, lang)
        (out_dir / f"{path.stem}.gold.txt").write_text(
            "\n".join(g for g, _ in lines) + "\n", encoding="utf-8"
        )
        (out_dir / f"{path.stem}.ocr.txt").write_text(
            "\n".join(o for _, o in lines) + "\n", encoding="utf-8"
        )
        print(f"synth: test set {i}/{len(texts)} documents", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", default="eng", choices=["eng", "vie"])
    ap.add_argument("--docs", type=int, default=0, help="at most this many documents (0: all)")
    ap.add_argument("--levels", default="0,1,2")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument(
        "--test-set", type=Path, default=None, help="write the held-out test set here instead"
    )
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    if args.test_set is not None:
        write_test_set(args.test_set, levels[-1], args.lang, args.docs)
        return 0
    texts = [p for p in sorted(ADMIN_CORPUS.glob("*.txt")) if not is_heldout(p.stem)]
    if args.docs:
        texts = texts[: args.docs]
    jobs = [(p, levels[i % len(levels)], args.lang) for i, p in enumerate(texts)]
    suffix = "" if args.lang == "eng" else "_vie"
    out = REPO / "models" / f"channel_pairs{suffix}.tsv"
    start = time.perf_counter()
    rows: list[str] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for i, pairs in enumerate(pool.map(_job, jobs), start=1):
            rows += [f"{g}\t{o}" for g, o in pairs if "\t" not in g + o]
            eta = (time.perf_counter() - start) / i * (len(jobs) - i)
            print(
                f"synth: {i}/{len(jobs)} documents, {len(rows)} pairs, ETA {eta:.0f} s",
                file=sys.stderr,
            )
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(rows)} pairs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
