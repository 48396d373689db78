"""Batches: ingest and reprocess many documents, idempotently, failures recorded."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from executor_steps import crash, nap

from pipeline.batch import (
    BatchOptions,
    Rerun,
    ingest_paths,
    older,
    open_failures,
    parse_where,
    reprocess,
    rerun_step,
    select_for_rerun,
    stages_to_rerun,
)
from pipeline.cli import cli
from pipeline.errors import UsageError
from pipeline.executors import Job, ProcessExecutor
from pipeline.progress import Progress, write_report
from pipeline.run import process_file
from pipeline.store import open_store

REPO = Path(__file__).resolve().parents[1]
SERIAL = BatchOptions(executor="serial")
# An English-model OCR of a Vietnamese plan: restoration changes most of its lines.
LEGACY = REPO / "corpus" / "heldout" / "eng" / "a-002.ocr.txt"
ADMIN = sorted((REPO / "corpus" / "admin").glob("*.txt"))


def small_texts(folder: Path, count: int, lines: int = 25) -> list[Path]:
    """`count` short documents with distinct content."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        source = ADMIN[i % len(ADMIN)].read_text(encoding="utf-8").split("\n")[:lines]
        path = folder / f"doc-{i:03d}.txt"
        path.write_text("\n".join([*source, f"Trang {i}"]) + "\n", encoding="utf-8")
        out.append(path)
    return out


def test_ingest_stores_each_file_once_and_skips_it_next_time(tmp_path: Path) -> None:
    files = small_texts(tmp_path / "in", 3)
    db = str(tmp_path / "v.db")
    first = ingest_paths([tmp_path / "in"], db, options=SERIAL)
    assert first["documents"] == {"total": 3, "succeeded": 3, "skipped": 0, "failed": 0}
    assert first["exit_code"] == 0
    again = ingest_paths(files, db, options=SERIAL)
    assert again["documents"]["skipped"] == 3 and again["documents"]["succeeded"] == 0
    forced = ingest_paths(files[:1], db, force=True, options=SERIAL)
    assert forced["documents"]["succeeded"] == 1
    with open_store(db) as store:
        assert len(store.documents()) == 3


def test_the_same_content_twice_in_one_batch_is_stored_once(tmp_path: Path) -> None:
    (a,) = small_texts(tmp_path / "in", 1)
    copy = tmp_path / "in" / "copy.txt"
    copy.write_bytes(a.read_bytes())
    report = ingest_paths([tmp_path / "in"], str(tmp_path / "v.db"), options=SERIAL)
    assert report["documents"]["succeeded"] == 1 and report["documents"]["skipped"] == 1


def test_a_bad_file_is_recorded_and_the_batch_goes_on(tmp_path: Path) -> None:
    small_texts(tmp_path / "in", 2)
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    db = str(tmp_path / "v.db")
    report = ingest_paths([tmp_path / "in", tmp_path / "gone.txt"], db, options=SERIAL)
    assert report["documents"]["succeeded"] == 2
    assert report["exit_code"] == 3
    reasons = {Path(f["path"]).name: f["reason"] for f in report["failures"]}
    assert reasons["gone.txt"] == "no such file"
    assert "corrupt PDF" in reasons["broken.pdf"]
    with open_store(db) as store:
        errors = store.errors()
    assert sorted(Path(p).name for p in errors["path"]) == ["broken.pdf", "gone.txt"]
    assert set(errors["stage"]) == {"ingest"}


def test_the_report_file_is_json_with_counts_versions_and_failures(tmp_path: Path) -> None:
    small_texts(tmp_path / "in", 1)
    out = tmp_path / "report.json"
    ingest_paths(
        [tmp_path / "in", tmp_path / "gone.txt"],
        str(tmp_path / "v.db"),
        options=BatchOptions(executor="serial", report=out),
    )
    report = json.loads(out.read_text())
    assert report["documents"]["succeeded"] == 1 and report["documents"]["failed"] == 1
    assert set(report["stage_versions"]) == {"ocr", "restore", "segment", "extract"}
    assert report["pages"] == 1 and report["pages_per_minute"] > 0
    assert report["failures"][0]["stage"] == "ingest"
    assert report["interrupted"] is False


# --- reprocess ------------------------------------------------------------------------


def store_with_old_versions(db: str, paths: list[Path], **old: str) -> list[int]:
    """Documents processed by the current code, then marked as made by older stages."""
    ids = []
    with open_store(db) as store:
        for path in paths:
            doc = process_file(path)
            doc.stage_versions.update(old)
            ids.append(store.save(doc))
    return ids


def test_versions_compare_as_numbers() -> None:
    assert older("0.9.0", "0.10.0")
    assert older(None, "0.1.0")
    assert not older("1.0.0", "1.0.0")
    assert not older("1.1.0", "1.0.0")


def test_a_stage_is_rerun_with_every_stage_after_it() -> None:
    now = {"ocr": "1", "restore": "1", "segment": "1", "extract": "1"}
    assert stages_to_rerun({**now, "segment": "0"}, "pdf", "all", now) == ("segment", "extract")
    assert stages_to_rerun(now, "pdf", "all", now) == ()
    assert stages_to_rerun(now, "pdf", "extract", now, force=True) == ("extract",)
    # OCR only when asked for, and never for a text file
    assert stages_to_rerun({**now, "ocr": "0"}, "pdf", "all", now) == ()
    assert stages_to_rerun({**now, "ocr": "0"}, "pdf", "ocr", now)[0] == "ocr"
    assert stages_to_rerun({**now, "ocr": "0"}, "text", "ocr", now) == ()


def test_reprocess_reruns_outdated_documents_only_and_then_none(tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    paths = small_texts(tmp_path / "in", 3)
    (old,) = store_with_old_versions(db, paths[:1], extract="0.0.1")
    store_with_old_versions(db, paths[1:])
    with open_store(db) as store:
        chosen = select_for_rerun(store)
    assert [(c.doc_id, c.stages) for c in chosen] == [(old, ("extract",))]
    report = reprocess(db, options=SERIAL)
    assert report["documents"]["succeeded"] == 1
    assert reprocess(db, options=SERIAL)["documents"]["total"] == 0
    with open_store(db) as store:
        assert store.load(old).stage_versions["extract"] != "0.0.1"
        assert len(store.documents()) == 3


def test_reprocess_restores_from_stored_ocr_text_and_keeps_corrections(tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    (doc_id,) = store_with_old_versions(db, [LEGACY], restore="0.0.1")
    with open_store(db) as store:
        before = store.load(doc_id)
        changed = next(ln for ln in before.lines if ln.text != ln.raw)
        store.revise_line(doc_id, changed.number, "Dòng do người sửa", "tester")
        other = next(ln for ln in before.lines if ln.text != ln.raw and ln is not changed)
    report = reprocess(db, stage="restore", options=SERIAL)
    assert report["documents"]["succeeded"] == 1
    with open_store(db) as store:
        after = store.load(doc_id)
    assert after.line(changed.number).text == "Dòng do người sửa"
    assert after.line(changed.number).revised
    assert after.line(changed.number).raw == changed.raw
    assert after.line(other.number).text == other.text  # restored again, the same way
    assert after.stage_versions["restore"] != "0.0.1"


def test_reprocess_rerun_step_runs_only_the_stages_asked(tmp_path: Path) -> None:
    doc = process_file(LEGACY)
    for line in doc.lines:
        line.text = "x"
    outcome = rerun_step(Rerun(doc, ("segment", "extract")))
    assert outcome.error is None and outcome.document is not None
    assert {ln.text for ln in outcome.document.lines} == {"x"}  # restore did not run
    assert set(outcome.stage_seconds) == {"segment", "extract"}


def test_reprocess_is_limited_by_since_and_where(tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    paths = small_texts(tmp_path / "in", 3)
    store_with_old_versions(db, paths, extract="0.0.1")
    with open_store(db) as store:
        everything = select_for_rerun(store)
        named = select_for_rerun(store, where=parse_where([f"path={paths[1]}"]))
        pattern = select_for_rerun(store, where=parse_where(["path=*doc-00[02].txt"]))
        glob = select_for_rerun(store, where=parse_where(["path=*doc-002.txt"]))
        future = select_for_rerun(store, since=date(2100, 1, 1))
    assert len(everything) == 3
    assert [c.path for c in named] == [str(paths[1])]
    assert pattern == []  # * is the only wildcard; brackets are literal
    assert [c.path for c in glob] == [str(paths[2])]
    assert future == []


def test_where_refuses_unknown_fields_and_bad_syntax() -> None:
    with pytest.raises(UsageError):
        parse_where(["colour=red"])
    with pytest.raises(UsageError):
        parse_where(["kind"])


def test_failed_retries_open_failures_only(tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    late = tmp_path / "in" / "late.txt"
    small_texts(tmp_path / "in", 1)
    ingest_paths([tmp_path / "in", late], db, options=SERIAL)
    with open_store(db) as store:
        assert [p.name for p in open_failures(store).paths] == ["late.txt"]
    late.write_text("Công văn đến muộn\n", encoding="utf-8")
    report = reprocess(db, failed=True, options=SERIAL)
    assert report["documents"]["succeeded"] == 1
    with open_store(db) as store:
        assert len(store.documents()) == 2
        assert open_failures(store).paths == []
        assert open_failures(store).doc_ids == set()


# --- executors ------------------------------------------------------------------------


def test_process_pool_returns_every_job_on_several_workers() -> None:
    pool = ProcessExecutor(2)
    try:
        done = list(pool.map(nap, [Job(str(i), 0.2) for i in range(6)]))
    finally:
        pool.close()
    assert sorted(d.job.key for d in done) == [str(i) for i in range(6)]
    assert all(d.failure is None for d in done)
    assert len({d.result for d in done}) == 2  # two worker processes shared the work


def test_a_job_over_its_time_limit_is_killed_and_the_rest_go_on() -> None:
    pool = ProcessExecutor(1)
    try:
        done = {d.job.key: d for d in pool.map(nap, [Job("slow", 30, 1.0), Job("quick", 0.0)])}
    finally:
        pool.close()
    assert done["slow"].failure is not None and "timed out" in done["slow"].failure
    assert done["slow"].seconds < 10
    assert done["quick"].failure is None


def test_a_worker_that_dies_fails_its_job_only() -> None:
    pool = ProcessExecutor(1)
    try:
        done = list(pool.map(crash, [Job("dies", 7)]))
        done += list(pool.map(nap, [Job("after", 0.0)]))
    finally:
        pool.close()
    assert done[0].failure == "worker process died (exit code 7)"
    assert done[1].failure is None


# --- progress -------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_live_line_on_a_terminal() -> None:
    out = Terminal()
    progress = Progress("ingest", total=4, pages_expected=8, stream=out)
    progress.success("a.pdf", pages=2, seconds=1.0, expected_pages=2)
    progress.success("b.pdf", pages=2, seconds=1.0, expected_pages=2)
    progress.failure("c.pdf", "ingest", "corrupt PDF", expected_pages=2)
    text = out.getvalue()
    assert "\r" in text and "pages/min" in text and "ETA" in text
    assert "c.pdf: failed at ingest: corrupt PDF\n" in text
    assert "a.pdf" not in text  # successes only move the line


def test_progress_is_plain_lines_elsewhere() -> None:
    out = io.StringIO()
    progress = Progress("ingest", total=2, stream=out)
    progress.success("a.pdf", pages=2, seconds=1.5, detail="3 directive(s)")
    progress.skip("b.pdf", "already stored")
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "vanthu: [1/2] a.pdf: 2 page(s), 3 directive(s), 1.5 s"
    assert lines[1] == "vanthu: b.pdf: already stored, skipped"
    assert lines[2].startswith("vanthu: ingest: 1 stored, 1 skipped, 0 failed; 2 page(s)")
    assert "\r" not in out.getvalue()


def test_report_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    write_report({"a": 1}, out)
    assert json.loads(out.read_text()) == {"a": 1}
    assert list(tmp_path.iterdir()) == [out]


# --- command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "x.txt", "--jobs", "0"],
        ["ingest", "x.txt", "--executor", "dask"],
        ["ingest", "x.txt", "--scheduler", "local:2"],
        ["reprocess", "--where", "colour=red"],
        ["reprocess", "--since", "last week"],
        ["reprocess", "--stage", "everything"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "v.db")])
    assert result.exit_code == 2, result.output


def test_ingest_command_exits_3_when_some_documents_failed(tmp_path: Path) -> None:
    small_texts(tmp_path / "in", 1)
    args = ["ingest", str(tmp_path / "in"), str(tmp_path / "gone.txt"), "--executor", "serial"]
    result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "v.db")])
    assert result.exit_code == 3
    assert "gone.txt: failed at ingest: no such file" in result.output
    listed = CliRunner().invoke(cli, ["errors", "--db", str(tmp_path / "v.db"), "--format", "csv"])
    assert "gone.txt" in listed.output


def test_reprocess_dry_run_lists_and_changes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    (doc_id,) = store_with_old_versions(db, small_texts(tmp_path / "in", 1), segment="0.0.1")
    result = CliRunner().invoke(cli, ["reprocess", "--dry-run", "--db", db])
    assert result.exit_code == 0
    assert result.output.split("\t")[0] == str(doc_id)
    assert result.output.rstrip().endswith("segment,extract")
    with open_store(db) as store:
        assert store.load(doc_id).stage_versions["segment"] == "0.0.1"


def test_stage_ocr_reads_the_source_again_and_refuses_a_changed_file(tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    kept, changed = small_texts(tmp_path / "in", 2)
    store_with_old_versions(db, [kept, changed])
    changed.write_text("Nội dung khác\n", encoding="utf-8")
    report = reprocess(db, stage="ocr", force=True, options=SERIAL)
    assert report["documents"]["succeeded"] == 1
    assert report["stage_seconds"].keys() == {"ocr", "restore", "segment", "extract"}
    (failure,) = report["failures"]
    assert failure["stage"] == "ocr" and "changed since it was stored" in failure["reason"]
