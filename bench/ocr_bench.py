"""OCR benchmark: raw Tesseract against vanthu's OCR stage, per degradation level.

    python -m corpus.scangen batch corpus/admin /tmp/scans --levels 0,1,2,3,4 --pages-per-level 6
    python -m bench.ocr_bench /tmp/scans [--restore] [--ablate] [--json]

Reads the scans (`*.pdf` beside `*.gt.txt`, pages split by form feeds; the level from
`manifest.json` or a `level<N>` folder) and OCRs every page twice: raw Tesseract `vie`
with its default settings on the page image (rasterised at the scan's own resolution),
and vanthu's preprocessing and OCR. Both run one Tesseract per core. It prints CER and
WER (Levenshtein on the page text, whitespace normalised), pages per minute and CPU
seconds per page, per level, as a Markdown table. On a busy machine pages per minute
say little; CPU seconds per page (Tesseract and pdftoppm included) hardly depend on the
load, and 2 idle cores give about 120 / (CPU s/page) pages per minute.

`--restore` adds a column with the vanthu text passed through
`pipeline.restore.restore_text`; `--ablate` measures each preprocessing step by running
the default chain without it (or with it, for a step outside the default chain).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from bench.common import markdown_table
from pipeline.ingest import PageRef, load_page, open_pdf
from pipeline.ocr import ocr_pages
from pipeline.preprocess import DEFAULT_CHAIN, STEPS

_LEVEL_DIR = re.compile(r"level(\d+)")


@dataclass(frozen=True)
class Scan:
    pdf: Path
    level: int
    truth: list[str]  # one text per page


@dataclass
class Score:
    """Edit distances summed over pages, and the time the pages took."""

    pages: int = 0
    char_errors: int = 0
    chars: int = 0
    word_errors: int = 0
    words: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process and its children (Tesseract, pdftoppm)
    per_page: list[float] = field(default_factory=list)

    def add(self, hypothesis: str, truth: str) -> None:
        hyp, ref = normalise(hypothesis), normalise(truth)
        self.pages += 1
        errors = Levenshtein.distance(hyp, ref)
        self.char_errors += errors
        self.chars += len(ref)
        self.word_errors += Levenshtein.distance(hyp.split(), ref.split())
        self.words += len(ref.split())
        self.per_page.append(errors / max(1, len(ref)))

    @property
    def cer(self) -> float:
        return self.char_errors / max(1, self.chars)

    @property
    def wer(self) -> float:
        return self.word_errors / max(1, self.words)

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_page(self) -> float:
        return self.cpu_seconds / max(1, self.pages)


def normalise(text: str) -> str:
    """NFC, whitespace runs (newlines, form feeds) as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def find_scans(folder: Path) -> list[Scan]:
    """The scans under `folder` with their ground truth and level."""
    levels: dict[str, int] = {}
    manifest = folder / "manifest.json"
    if manifest.is_file():
        for item in json.loads(manifest.read_text(encoding="utf-8")):
            levels[str((folder / item["pdf"]).resolve())] = int(item["level"])
    scans: list[Scan] = []
    for pdf in sorted(folder.rglob("*.pdf")):
        gt = pdf.with_suffix(".gt.txt")
        if not gt.is_file():
            continue
        level = levels.get(str(pdf.resolve()))
        if level is None:
            match = _LEVEL_DIR.search(str(pdf.relative_to(folder)))
            level = int(match.group(1)) if match else 0
        truth = gt.read_text(encoding="utf-8").split("\f")
        scans.append(Scan(pdf, level, truth))
    return scans


def _pool_map(work: Callable[[PageRef], str], refs: list[PageRef], jobs: int) -> list[str]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(work, refs))


def raw_tesseract(ref: PageRef) -> str:
    """Tesseract `vie`, default settings, on the page as rasterised at 300 dpi."""
    import pytesseract

    pixels, dpi = load_page(ref)
    text: str = pytesseract.image_to_string(pixels, lang="vie", config=f"--dpi {dpi}")
    return text


def page_refs(scans: Sequence[Scan]) -> list[PageRef]:
    refs: list[PageRef] = []
    with tempfile.TemporaryDirectory() as workdir:
        for scan in scans:
            refs.extend(open_pdf(scan.pdf, Path(workdir)).refs())
    return refs


def cpu_time() -> float:
    """CPU seconds used so far by this process and the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Run:
    texts: list[str]
    seconds: float
    cpu_seconds: float


def run_raw(scans: Sequence[Scan], jobs: int) -> Run:
    start, cpu = time.monotonic(), cpu_time()
    texts = _pool_map(raw_tesseract, page_refs(scans), jobs)
    return Run(texts, time.monotonic() - start, cpu_time() - cpu)


def run_vanthu(scans: Sequence[Scan], jobs: int, steps: Sequence[str]) -> Run:
    start, cpu = time.monotonic(), cpu_time()
    refs = page_refs(scans)
    pages = ocr_pages(refs, jobs=jobs, steps=steps, progress=_quiet)
    texts = ["\n".join(line.text for line in pages[i].lines) for i in range(len(refs))]
    return Run(texts, time.monotonic() - start, cpu_time() - cpu)


def _quiet(done: int, total: int, elapsed: float) -> None:
    pass


def score(scans: Sequence[Scan], run: Run) -> Score:
    result = Score(seconds=run.seconds, cpu_seconds=run.cpu_seconds)
    texts = run.texts
    truths = [page for scan in scans for page in scan.truth]
    if len(truths) != len(texts):
        raise SystemExit(f"ground truth has {len(truths)} pages, the PDFs {len(texts)}")
    for hypothesis, truth in zip(texts, truths, strict=True):
        result.add(hypothesis, truth)
    return result


def restored(run: Run) -> Run:
    """The run's texts through restoration, its time added to the run's."""
    from pipeline.restore import restore_text

    start, cpu = time.monotonic(), cpu_time()
    out = [restore_text(text) for text in run.texts]
    return Run(out, run.seconds + time.monotonic() - start, run.cpu_seconds + cpu_time() - cpu)


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def compare(scans: list[Scan], jobs: int, with_restore: bool) -> list[dict[str, object]]:
    """Per level: raw Tesseract and vanthu (and vanthu + restoration) scores."""
    rows: list[dict[str, object]] = []
    for level in sorted({s.level for s in scans}):
        group = [s for s in scans if s.level == level]
        ours = run_vanthu(group, jobs, DEFAULT_CHAIN)
        raw, vanthu = score(group, run_raw(group, jobs)), score(group, ours)
        row: dict[str, object] = {
            "level": level,
            "pages": raw.pages,
            "raw_cer": raw.cer,
            "raw_wer": raw.wer,
            "raw_ppm": raw.pages_per_minute,
            "raw_cpu": raw.cpu_per_page,
            "vanthu_cer": vanthu.cer,
            "vanthu_wer": vanthu.wer,
            "vanthu_ppm": vanthu.pages_per_minute,
            "vanthu_cpu": vanthu.cpu_per_page,
            "vanthu_worst_page_cer": max(vanthu.per_page),
        }
        if with_restore:
            both = score(group, restored(ours))
            row.update(
                restore_cer=both.cer,
                restore_wer=both.wer,
                restore_ppm=both.pages_per_minute,
                restore_cpu=both.cpu_per_page,
            )
        rows.append(row)
        print(f"level {level}: done", file=sys.stderr)
    return rows


def comparison_table(rows: list[dict[str, object]], with_restore: bool) -> str:
    head = ["level", "pages", "raw CER", "raw WER", "raw p/min", "raw CPU s/p"]
    head += ["vanthu CER", "vanthu WER", "vanthu p/min", "vanthu CPU s/p"]
    if with_restore:
        head += ["+restore CER", "+restore WER", "+restore p/min", "+restore CPU s/p"]
    table: list[list[str]] = []
    for r in rows:
        cells = [str(r["level"]), str(r["pages"])]
        keys = ["raw", "vanthu"] + (["restore"] if with_restore else [])
        for key in keys:
            cells += [_pct(float(str(r[f"{key}_cer"]))), _pct(float(str(r[f"{key}_wer"])))]
            cells.append(f"{float(str(r[f'{key}_ppm'])):.1f}")
            cells.append(f"{float(str(r[f'{key}_cpu'])):.2f}")
        table.append(cells)
    return markdown_table(head, table)


def ablation_chains() -> dict[str, tuple[str, ...]]:
    """The default chain, and one variant per step: without it, or with it added."""
    chains = {"default": DEFAULT_CHAIN, "none": ()}
    order = list(STEPS)
    for name in order:
        if name in DEFAULT_CHAIN:
            chains[f"-{name}"] = tuple(s for s in DEFAULT_CHAIN if s != name)
        else:
            chains[f"+{name}"] = tuple(s for s in order if s in DEFAULT_CHAIN or s == name)
    return chains


def ablate(scans: list[Scan], jobs: int) -> list[dict[str, object]]:
    """CER per level and pages per minute for each chain variant."""
    rows: list[dict[str, object]] = []
    levels = sorted({s.level for s in scans})
    for label, chain in ablation_chains().items():
        row: dict[str, object] = {"chain": label}
        cpu = 0.0
        pages = 0
        for level in levels:
            group = [s for s in scans if s.level == level]
            result = score(group, run_vanthu(group, jobs, chain))
            row[f"L{level}"] = result.cer
            cpu += result.cpu_seconds
            pages += result.pages
        row["cpu"] = cpu / max(1, pages)
        rows.append(row)
        print(f"chain {label}: done", file=sys.stderr)
    return rows


def ablation_table(rows: list[dict[str, object]]) -> str:
    levels = [k for k in rows[0] if k.startswith("L")]
    head = ["chain", *[f"CER {k}" for k in levels], "CPU s/page"]
    table = [
        [str(r["chain"]), *[_pct(float(str(r[k]))) for k in levels], f"{float(str(r['cpu'])):.2f}"]
        for r in rows
    ]
    return markdown_table(head, table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="scans: *.pdf with *.gt.txt beside them")
    parser.add_argument("--restore", action="store_true", help="add vanthu OCR + restoration")
    parser.add_argument("--ablate", action="store_true", help="measure each preprocessing step")
    parser.add_argument("--levels", default=None, help="only these levels, e.g. 0,4")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    scans = find_scans(args.folder)
    if args.levels:
        wanted = {int(x) for x in args.levels.split(",")}
        scans = [s for s in scans if s.level in wanted]
    if not scans:
        print(f"{args.folder}: no *.pdf with a *.gt.txt beside it", file=sys.stderr)
        return 2
    if args.ablate:
        rows = ablate(scans, args.jobs)
        print(json.dumps(rows, indent=1) if args.json else ablation_table(rows))
        return 0
    rows = compare(scans, args.jobs, args.restore)
    print(json.dumps(rows, indent=1) if args.json else comparison_table(rows, args.restore))
    return 0


if __name__ == "__main__":
    sys.exit(main())
