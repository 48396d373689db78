"""Progress of a batch and its run report.

On a terminal a single live line (documents and pages done, pages per minute, ETA);
elsewhere one plain log line per document, for cron mail and log files. The same
counts become the JSON run report (`--report FILE`).
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

LIVE_INTERVAL = 0.25  # seconds between redraws of the live line


@dataclass(frozen=True)
class Failure:
    path: str
    stage: str
    reason: str


@dataclass
class Progress:
    """Counts of one batch, told to a person or a log as they change."""

    command: str
    total: int  # documents to process (skipped ones not included)
    pages_expected: int = 0  # estimate, for the ETA
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    live: bool | None = None  # None: live when `stream` is a terminal
    started: float = field(default_factory=time.monotonic)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    pages_finished_expected: int = 0
    failures: list[Failure] = field(default_factory=list)
    document_seconds: list[float] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # in the workers, for every document that came back
    _drawn: float = 0.0
    _line_width: int = 0

    def __post_init__(self) -> None:
        if self.live is None:
            self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    # -- events ----------------------------------------------------------------------

    def skip(self, path: str, why: str) -> None:
        """A document not processed: already stored, or the same content twice."""
        self.skipped += 1
        if not self.live:
            self._log(f"{path}: {why}, skipped")

    def success(
        self,
        path: str,
        *,
        pages: int,
        seconds: float,
        detail: str = "",
        expected_pages: int = 1,
        stage_seconds: dict[str, float] | None = None,
    ) -> None:
        self.succeeded += 1
        self.pages += pages
        self.pages_finished_expected += expected_pages
        self.document_seconds.append(seconds)
        for stage, spent in (stage_seconds or {}).items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + spent
        if self.live:
            self._draw()
        else:
            extra = f", {detail}" if detail else ""
            self._log(
                f"[{self.finished}/{self.total}] {path}: {pages} page(s){extra}, {seconds:.1f} s"
            )

    def failure(self, path: str, stage: str, reason: str, *, expected_pages: int = 1) -> None:
        self.failed += 1
        self.pages_finished_expected += expected_pages
        self.failures.append(Failure(path, stage, reason))
        self._clear()
        self._log(f"[{self.finished}/{self.total}] {path}: failed at {stage}: {reason}")
        if self.live:
            self._draw(force=True)

    def worker_usage(self, worker: str, peak_rss_mb: float | None, cpu: float | None) -> None:
        """What a worker reported with a job: its peak memory, the job's CPU time."""
        if worker and peak_rss_mb is not None:
            self.worker_peak_rss_mb[worker] = max(
                peak_rss_mb, self.worker_peak_rss_mb.get(worker, 0.0)
            )
        self.cpu_seconds += cpu or 0.0

    def close(self) -> None:
        """End the live line and say what the batch did."""
        self._clear()
        self._log(self.summary())

    # -- figures ---------------------------------------------------------------------

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def per_minute(self, count: int) -> float:
        return count * 60 / self.elapsed if self.elapsed > 0 else 0.0

    def eta(self) -> float | None:
        """Seconds left, from the pages expected and the pace so far."""
        done = self.pages_finished_expected
        left = max(0, self.pages_expected - done)
        if not done:
            return None
        return self.elapsed * left / done

    def summary(self) -> str:
        return (
            f"{self.command}: {self.succeeded} stored, {self.skipped} skipped, "
            f"{self.failed} failed; {self.pages} page(s) in {_duration(self.elapsed)}"
            f" ({self.per_minute(self.pages):.1f} pages/min)"
        )

    def report(self, **context: Any) -> dict[str, Any]:
        """The run report: counts, rates, durations, failures; `context` adds the
        executor, store, stage versions and whatever else the caller knows."""
        times = sorted(self.document_seconds)
        return {
            "command": self.command,
            **context,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(self.elapsed, 3),
            "documents": {
                "total": self.total + self.skipped,
                "succeeded": self.succeeded,
                "skipped": self.skipped,
                "failed": self.failed,
            },
            "pages": self.pages,
            "pages_per_minute": round(self.per_minute(self.pages), 2),
            "documents_per_minute": round(self.per_minute(self.succeeded), 2),
            "document_seconds": {
                "mean": round(statistics.fmean(times), 3) if times else None,
                "p50": round(_quantile(times, 0.5), 3) if times else None,
                "p95": round(_quantile(times, 0.95), 3) if times else None,
                "max": round(times[-1], 3) if times else None,
            },
            "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
            "worker_cpu_seconds": round(self.cpu_seconds, 3),
            "worker_peak_rss_mb": {
                k: round(v, 1) for k, v in sorted(self.worker_peak_rss_mb.items())
            },
            "failures": [f.__dict__ for f in self.failures],
        }

    # -- output ----------------------------------------------------------------------

    def _log(self, text: str) -> None:
        print(f"vanthu: {text}", file=self.stream, flush=True)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < LIVE_INTERVAL and self.finished < self.total:
            return
        self._drawn = now
        eta = self.eta()
        text = (
            f"{self.command}: {self.finished}/{self.total} documents, {self.pages} pages,"
            f" {self.per_minute(self.pages):.1f} pages/min"
            + (f", {self.failed} failed" if self.failed else "")
            + (f", ETA {_duration(eta)}" if eta is not None and self.finished < self.total else "")
        )
        pad = max(0, self._line_width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._line_width = len(text)

    def _clear(self) -> None:
        if self.live and self._line_width:
            self.stream.write("\r" + " " * self._line_width + "\r")
            self.stream.flush()
            self._line_width = 0


def write_report(report: dict[str, Any], path: Path) -> None:
    """Write the report as JSON, atomically: cron never reads half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    partial.replace(path)


def _quantile(values: list[float], q: float) -> float:
    """The q-quantile of sorted values (nearest rank)."""
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
