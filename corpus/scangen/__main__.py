"""Command line: `python -m corpus.scangen {render,batch,levels,fonts} ...` (see --help)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corpus.scangen.batch import find_inputs, scan_batch
from corpus.scangen.degrade import LEVELS
from corpus.scangen.errors import InputFileError, ScangenError, UsageError
from corpus.scangen.fonts import check_vietnamese_coverage, vietnamese_repertoire
from corpus.scangen.scan import scan_text
from corpus.scangen.writer import write_scan


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m corpus.scangen",
        description="Render Vietnamese administrative text as scanned PDFs with ground truth.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    render = commands.add_parser("render", help="one text to one PDF (+ .gt.txt, .gt.json)")
    render.add_argument("input", type=Path, help="plain text document")
    render.add_argument("output", type=Path, help="PDF to write")
    render.add_argument("--level", type=int, default=0, help="degradation level 0..4")
    render.add_argument("--seed", type=int, default=0)
    render.add_argument("--dpi", type=int, help="override the level's resolution")
    render.add_argument("--max-pages", type=int, help="keep only the first N pages")
    render.add_argument("--quality", type=int, help="override the level's JPEG quality")
    render.add_argument("--grey", action="store_true", help="store pages as greyscale")
    render.add_argument("--bilevel", action="store_true", help="store 1-bit pages (CCITT G4)")

    batch = commands.add_parser("batch", help="a folder of texts to PDFs at several levels")
    batch.add_argument("input_dir", type=Path)
    batch.add_argument("output_dir", type=Path)
    batch.add_argument("--levels", default="0,1,2,3,4", help="comma-separated levels")
    batch.add_argument("--pages-per-level", type=int, default=6)
    batch.add_argument("--max-pages-per-doc", type=int, default=2)
    batch.add_argument("--pattern", default="*.txt", help="glob of input names")
    batch.add_argument("--seed", type=int, default=0)

    commands.add_parser("levels", help="print the table of degradation levels")
    commands.add_parser("fonts", help="check the fonts cover Vietnamese")
    return parser


def _levels(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise UsageError(f"--levels wants numbers like 0,1,2: {text!r}") from err


def _render(args: argparse.Namespace) -> None:
    if args.max_pages is not None and args.max_pages < 1:
        raise UsageError("--max-pages must be at least 1")
    try:
        text = args.input.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputFileError(f"{args.input}: {err}") from err
    scan = scan_text(
        text,
        level=args.level,
        seed=args.seed,
        dpi=args.dpi,
        pages=slice(0, args.max_pages) if args.max_pages else None,
        source=str(args.input),
    )
    written = write_scan(
        scan, args.output, quality=args.quality, grey=args.grey, bilevel=args.bilevel
    )
    size_kb = written.pdf.stat().st_size / 1024
    print(
        f"{written.pdf}: {len(scan.pages)} pages, level {scan.level}, {scan.dpi} dpi, "
        f"{size_kb:.0f} KB; ground truth {written.gt_txt.name}, {written.gt_json.name}"
    )


def _batch(args: argparse.Namespace) -> None:
    inputs = find_inputs(args.input_dir, args.pattern)
    items = scan_batch(
        inputs,
        args.output_dir,
        levels=_levels(args.levels),
        pages_per_level=args.pages_per_level,
        seed=args.seed,
        max_pages_per_doc=args.max_pages_per_doc,
    )
    for item in items:
        print(f"level {item.level}  {item.pages} p  {item.dpi:>3} dpi  {item.pdf}")
    total = sum(item.pages for item in items)
    print(f"{total} pages in {len(items)} PDFs; manifest {args.output_dir / 'manifest.json'}")


def _print_levels() -> None:
    print("level  dpi          skew  blur  noise  s&p     jpeg  light  copy  show")
    for lv in LEVELS.values():
        dpis = ",".join(str(d) for d in lv.dpis)
        print(
            f"{lv.level:>5}  {dpis:<11}  {lv.skew_deg:>3.1f}°  {lv.blur_sigma:>4.1f}  "
            f"{lv.noise_sigma:>5.0f}  {lv.salt_pepper:<6}  {lv.jpeg_quality:>4}  "
            f"{lv.uneven_light:>5.2f}  {'yes' if lv.photocopy else 'no':<4}  {lv.show_through:.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "render":
            _render(args)
        elif args.command == "batch":
            _batch(args)
        elif args.command == "levels":
            _print_levels()
        else:
            check_vietnamese_coverage()
            print(f"fonts cover all {len(vietnamese_repertoire())} characters of the repertoire")
    except ScangenError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
