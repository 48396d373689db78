"""Batches: many documents through the stages into the store.

`ingest_paths` and `reprocess` decide what needs doing (which files are already stored,
which stored stage versions are older than the code's), hand one job per document to an
executor (`pipeline/executors.py`: this process, a process pool, a Dask cluster), and
save each document that comes back in its own transaction. The per-document steps,
`ingest_step` and `rerun_step`, run in the workers and never touch the store.

The parent writes, whatever the executor: SQLite takes one writer at a time, the store's
run (its counts, the run id on every document and error) lives in one process, and
workers need neither database credentials nor a route to the database. A save costs
milliseconds against seconds of OCR or restoration per document, so the one writer is
not the bottleneck until dozens of workers do text-only work.

Killing a batch loses at most the documents in flight: each save is one transaction,
and the next run skips what is stored (and reprocesses only what is still out of date).
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError, VanthuError
from pipeline.executors import Executor, Job, make_executor
from pipeline.model import Document
from pipeline.progress import Progress, write_report
from pipeline.store import Store, open_store

_SKIP_SUFFIXES = {".json", ".md"}
TEXT_STAGES = ("restore", "segment", "extract")
ORDER = ("ocr", *TEXT_STAGES)  # `--stage X` re-runs X and every stage after it
DEFAULT_PAGE_TIMEOUT = 300.0
# `--where FIELD=VALUE`: the document columns a reprocess may be limited by.
WHERE_FIELDS = {
    "path": "source_path",
    "sha256": "sha256",
    "kind": "kind",
    "text_layer": "text_layer",
    "type": "type",
    "number": "number",
    "issuer": "issuer",
    "parent_authority": "parent_authority",
    "place": "place",
    "date": "date",
    "signer": "signer",
    "subject": "subject",
    "pipeline_version": "pipeline_version",
}


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch: executor, parallelism, time limit per page, report file."""

    jobs: int = 1
    executor: str = "process"
    scheduler: str | None = None
    page_timeout: float | None = DEFAULT_PAGE_TIMEOUT
    report: Path | None = None
    live: bool | None = None  # None: a live line when stderr is a terminal


# --- the per-document steps (run in workers) ----------------------------------------------


@dataclass(frozen=True)
class Rerun:
    """A stored document and the stages to run on it again, in order."""

    doc: Document
    stages: tuple[str, ...]


@dataclass
class Outcome:
    """What a worker hands back: the document, or the stage it failed at and why."""

    document: Document | None
    stage: str
    error: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)


def ingest_step(path: str) -> Outcome:
    """Read a file (OCR'ing scans) and run the text stages: `pipeline.run.process_file`,
    one stage at a time so that a failure names its stage."""
    return _run_stages(None, path, ("ingest", *TEXT_STAGES))


def rerun_step(task: Rerun) -> Outcome:
    """Run stages again on a stored document: the text stages from its stored OCR text
    (`line.raw`); `ocr` reads the source file again first. Lines a person corrected keep
    their text (restoration skips them; the store re-applies corrections on save)."""
    return _run_stages(task.doc, task.doc.source.path, task.stages)


def _run_stages(doc: Document | None, path: str, stages: tuple[str, ...]) -> Outcome:
    from pipeline.ingest import ingest
    from pipeline.run import text_stages

    by_name = dict(text_stages())
    spent: dict[str, float] = {}
    stage = stages[0]
    try:
        for stage in stages:
            started = time.monotonic()
            if stage in ("ingest", "ocr"):
                # In a worker process other documents use the other cores: one page at a time.
                in_worker = multiprocessing.parent_process() is not None
                fresh = ingest(path, jobs=1 if in_worker else None)
                if doc is not None and fresh.source.sha256 != doc.source.sha256:
                    raise VanthuError(f"{path}: the file has changed since it was stored")
                doc = fresh
            else:
                assert doc is not None
                doc = by_name[stage](doc)
            spent[stage] = time.monotonic() - started
        return Outcome(doc, stage, None, spent)
    except VanthuError as err:
        return Outcome(None, stage, str(err), spent)
    except Exception as err:  # a bug on one document must not stop the batch
        return Outcome(None, stage, f"{type(err).__name__}: {err}", spent)


# --- ingest ---------------------------------------------------------------------------


def expand(paths: list[Path]) -> Iterator[Path]:
    """Files named, and the files inside folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from (
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not p.name.startswith(".") and p.suffix not in _SKIP_SUFFIXES
            )
        else:
            yield path


def page_count(path: Path) -> int:
    """Pages a file will have, read cheaply from its header (1 when that fails): what the
    time limit and the ETA are scaled by."""
    from pipeline.ingest import detect_kind

    try:
        kind = detect_kind(path)
        if kind == "pdf":
            from pypdf import PdfReader

            quiet = logging.getLogger("pypdf")
            level = quiet.level
            quiet.setLevel(logging.CRITICAL)  # the worker will say what is wrong with it
            try:
                return max(1, len(PdfReader(str(path), strict=False).pages))
            finally:
                quiet.setLevel(level)
        if kind == "image":
            from PIL import Image

            with Image.open(path) as img:
                return max(1, int(getattr(img, "n_frames", 1)))
        with path.open("rb") as fh:
            return 1 + fh.read().count(b"\f")
    except Exception:  # a damaged file: the worker will say what is wrong with it
        return 1


@dataclass
class _Planned:
    """A job's bookkeeping in the parent."""

    path: str
    sha256: str | None
    pages: int
    first_stage: str


def ingest_paths(
    paths: list[Path],
    db: str | None,
    *,
    force: bool = False,
    options: BatchOptions | None = None,
) -> dict[str, Any]:
    """Process files (and folders of them) into the store; returns the run report.

    A file whose content (sha256) is stored is skipped unless `force`; a file that fails
    is recorded in the errors table and the batch goes on.
    """
    from pipeline.ingest import sha256_of

    options = options or BatchOptions()
    store = open_store(db)
    planned: dict[str, _Planned] = {}
    refused: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for path in expand(paths):
        key = str(path)
        if key in planned:
            continue
        try:
            sha = sha256_of(path)
        except OSError as err:
            refused.append((key, "no such file" if not path.exists() else str(err.strerror)))
            continue
        if sha in seen:
            skipped.append((key, f"same content as {seen[sha]}"))
            continue
        seen[sha] = key
        if not force and store.has_source(sha):
            skipped.append((key, "already stored"))
            continue
        planned[key] = _Planned(key, sha, page_count(path), "ingest")
    jobs = [Job(p.path, p.path, _limit(options, p.pages)) for p in planned.values()]
    try:
        return _execute(
            store,
            "ingest",
            options,
            planned,
            [(ingest_step, jobs)],
            refused=refused,
            skipped=skipped,
        )
    finally:
        store.close()


def _limit(options: BatchOptions, pages: int) -> float | None:
    return options.page_timeout * max(1, pages) if options.page_timeout else None


# --- reprocess ------------------------------------------------------------------------


def code_versions() -> dict[str, str]:
    """The version of each stage in this code."""
    from pipeline.extract import VERSION as EXTRACT
    from pipeline.ocr import VERSION as OCR
    from pipeline.restore import VERSION as RESTORE
    from pipeline.segment import VERSION as SEGMENT

    return {"ocr": OCR, "restore": RESTORE, "segment": SEGMENT, "extract": EXTRACT}


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.\-+]", version))


def older(stored: str | None, current: str) -> bool:
    """Whether a stored stage version is older than the code's (a missing one is)."""
    return stored is None or _version_key(stored) < _version_key(current)


def stages_to_rerun(
    stored: dict[str, str], kind: str, stage: str, current: dict[str, str], force: bool = False
) -> tuple[str, ...]:
    """The stages to run again: from the first one at or after `stage` whose stored
    version is older than the code's, to the end (later stages read earlier ones'
    output); all of them from `stage` when `force`; none when all are up to date. A text
    file was never OCR'd, so for it `ocr` is never out of date."""
    first = ORDER.index("restore" if stage == "all" else stage)
    for i in range(first, len(ORDER)):
        name = ORDER[i]
        outdated = older(stored.get(name), current[name])
        if name == "ocr" and kind == "text":
            outdated = False
        if force or outdated:
            return ORDER[i:]
    return ()


@dataclass(frozen=True)
class Candidate:
    doc_id: int
    path: str
    sha256: str
    pages: int
    stages: tuple[str, ...]


def parse_where(items: Iterable[str]) -> list[tuple[str, str]]:
    """`FIELD=VALUE` conditions, checked against `WHERE_FIELDS`."""
    out: list[tuple[str, str]] = []
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--where expects FIELD=VALUE, got {item!r}")
        if name not in WHERE_FIELDS:
            known = ", ".join(sorted(WHERE_FIELDS))
            raise UsageError(f"--where: unknown field {name!r} (one of {known})")
        out.append((name, value))
    return out


def parse_day(text: str | None, option: str = "--since") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: expected a date YYYY-MM-DD, got {text!r}") from None


def select_for_rerun(
    store: Store,
    stage: str = "all",
    *,
    since: date | None = None,
    where: list[tuple[str, str]] | None = None,
    force: bool = False,
    only_ids: set[int] | None = None,
) -> list[Candidate]:
    """Stored documents to reprocess, oldest id first: dated `since` or later (the
    document's own date), matching every `where` (`*` matches any text), with a stage
    version older than the code's (any, when `force`)."""
    current = code_versions()
    out: list[Candidate] = []
    for stored in store.stored_versions(
        since=since,
        where=[(WHERE_FIELDS[name], value) for name, value in where or []],
        only_ids=only_ids,
    ):
        stages = stages_to_rerun(stored.stage_versions, stored.kind, stage, current, force)
        if stages:
            out.append(Candidate(stored.doc_id, stored.path, stored.sha256, stored.pages, stages))
    return out


@dataclass
class Retries:
    """Failures still open: stored documents to rerun, files to ingest again."""

    doc_ids: set[int] = field(default_factory=set)
    paths: list[Path] = field(default_factory=list)


def open_failures(store: Store) -> Retries:
    """The store's failures not since put right, as work: a stored document's failure (a
    reprocess) is retried by reprocessing it; any other by ingesting its file again."""
    out = Retries()
    for path, doc_id in store.open_failures():
        if doc_id is not None:
            out.doc_ids.add(doc_id)
        else:
            out.paths.append(Path(path))
    return out


def reprocess(
    db: str | None,
    *,
    stage: str = "all",
    since: date | None = None,
    where: list[tuple[str, str]] | None = None,
    failed: bool = False,
    force: bool = False,
    options: BatchOptions | None = None,
) -> dict[str, Any]:
    """Run stages again on stored documents whose stage versions are out of date (or on
    open failures, with `failed`); returns the run report."""
    if stage not in (*ORDER, "all"):
        raise UsageError(f"--stage must be one of {', '.join((*ORDER, 'all'))}, got {stage!r}")
    options = options or BatchOptions()
    store = open_store(db)
    try:
        retries = open_failures(store) if failed else None
        candidates = select_for_rerun(
            store,
            stage,
            since=since,
            where=where,
            force=force or failed,
            only_ids=retries.doc_ids if retries else None,
        )
        planned = {
            f"#{c.doc_id}": _Planned(c.path, c.sha256, c.pages, c.stages[0]) for c in candidates
        }
        reruns = (
            Job(f"#{c.doc_id}", Rerun(store.load(c.doc_id), c.stages), _limit(options, c.pages))
            for c in candidates
        )
        steps: list[tuple[Callable[[Any], Outcome], Iterable[Job[Any]]]] = [(rerun_step, reruns)]
        refused: list[tuple[str, str]] = []
        skipped: list[tuple[str, str]] = []
        if retries and retries.paths:
            from pipeline.ingest import sha256_of

            files: list[Job[str]] = []
            for path in retries.paths:
                key = str(path)
                try:
                    sha = sha256_of(path)
                except OSError:
                    refused.append((key, "no such file"))
                    continue
                if store.has_source(sha):
                    skipped.append((key, "already stored"))
                    continue
                planned[key] = _Planned(key, sha, page_count(path), "ingest")
                files.append(Job(key, key, _limit(options, planned[key].pages)))
            steps.append((ingest_step, files))
        return _execute(
            store, "reprocess", options, planned, steps, refused=refused, skipped=skipped
        )
    finally:
        store.close()


# --- running a batch ------------------------------------------------------------------


def _execute(
    store: Store,
    command: str,
    options: BatchOptions,
    planned: dict[str, _Planned],
    steps: list[tuple[Callable[[Any], Outcome], Iterable[Job[Any]]]],
    *,
    refused: list[tuple[str, str]],
    skipped: list[tuple[str, str]],
) -> dict[str, Any]:
    """Run the steps' jobs on the executor, saving each document as it comes back;
    returns (and writes, with `options.report`) the run report."""
    progress = Progress(
        command,
        total=len(planned) + len(refused),
        pages_expected=sum(p.pages for p in planned.values()) + len(refused),
        live=options.live,
    )
    context: dict[str, Any] = {
        "store": store.engine.url.render_as_string(hide_password=True),
        "executor": options.executor,
        "stage_versions": code_versions(),
        "page_timeout": options.page_timeout,
    }
    executor: Executor | None = None
    interrupted = True
    try:
        with _terminate_as_interrupt(), store.run(note=f"{command} ({options.executor})") as run_id:
            context["run_id"] = run_id
            for path, why in skipped:
                progress.skip(path, why)
            for path, reason in refused:
                store.record_error(path, reason, "ingest")
                progress.failure(path, "ingest", reason)
            if planned:
                executor = make_executor(options.executor, options.jobs, options.scheduler)
                context["workers"] = executor.workers
                for step, jobs in steps:
                    for done in executor.map(step, jobs):
                        progress.worker_usage(done.worker, done.peak_rss_mb, done.cpu_seconds)
                        _finish(store, progress, planned[done.job.key], done.result, done)
        interrupted = False
    finally:
        if executor is not None:
            executor.close()
        progress.close()
        report = progress.report(**context, interrupted=interrupted)
        report["exit_code"] = 130 if interrupted else 3 if progress.failed else 0
        if options.report is not None:
            write_report(report, options.report)
    return report


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a cron timeout, a service stop) ends the batch as Ctrl-C does: workers
    stopped, the run closed, the report written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _finish(
    store: Store, progress: Progress, plan: _Planned, outcome: Outcome | None, done: Any
) -> None:
    """Save a returned document, or record why there is none."""
    if outcome is None:  # the executor's failure: a time limit, a dead worker
        stage, reason = plan.first_stage, str(done.failure)
    elif outcome.error is not None or outcome.document is None:
        stage, reason = outcome.stage, str(outcome.error)
    else:
        doc = outcome.document
        try:
            store.save(doc)
        except VanthuError as err:
            stage, reason = "store", str(err)
        else:
            progress.success(
                plan.path,
                pages=len(doc.pages),
                seconds=done.seconds,
                detail=f"{len(doc.directives)} directive(s)",
                expected_pages=plan.pages,
                stage_seconds=outcome.stage_seconds,
            )
            return
    store.record_error(plan.path, reason, stage, sha256=plan.sha256)
    progress.failure(plan.path, stage, reason, expected_pages=plan.pages)
