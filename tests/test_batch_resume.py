"""A batch killed with SIGKILL halfway loses nothing: the rerun finishes the rest, with no
duplicate and no half-written document. Real `vanthu ingest` processes, real stores."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa

from pipeline.store.engine import create_engine, resolve_url

REPO = Path(__file__).resolve().parents[1]
ADMIN = sorted((REPO / "corpus" / "admin").glob("*.txt"))
DOCUMENTS = 30
KILL_AFTER = 4  # documents stored


def vanthu() -> list[str]:
    script = Path(sys.executable).parent / "vanthu"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def write_documents(folder: Path) -> None:
    folder.mkdir()
    for i in range(DOCUMENTS):
        lines = ADMIN[i % len(ADMIN)].read_text(encoding="utf-8").split("\n")[:30]
        (folder / f"cv-{i:02d}.txt").write_text("\n".join([*lines, f"Số thứ tự {i}"]) + "\n")


def scalar(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def stored(engine: sa.Engine) -> int:
    try:
        return scalar(engine, "SELECT count(*) FROM documents")
    except sa.exc.SQLAlchemyError:  # not created yet
        return 0


@pytest.mark.slow
def test_a_killed_ingest_resumes_without_loss_or_duplicates(store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    write_documents(folder)
    command = [*vanthu(), "ingest", str(folder), "--db", store_url, "--jobs", "2"]
    engine = create_engine(resolve_url(store_url))

    batch = subprocess.Popen(command, stderr=subprocess.DEVNULL, cwd=tmp_path)
    deadline = time.monotonic() + 180
    while stored(engine) < KILL_AFTER:
        assert batch.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline, "nothing was stored in three minutes"
        time.sleep(0.02)
    workers = psutil.Process(batch.pid).children(recursive=True)
    batch.send_signal(signal.SIGKILL)
    batch.wait()
    before = stored(engine)
    assert KILL_AFTER <= before < DOCUMENTS, "killed too late to test a resume"
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == [], "worker processes outlived the killed batch"

    report_file = tmp_path / "report.json"
    rerun = subprocess.run(
        [*command, "--report", str(report_file)], capture_output=True, text=True, cwd=tmp_path
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(report_file.read_text())
    assert report["documents"]["skipped"] == before
    assert report["documents"]["succeeded"] == DOCUMENTS - before

    assert stored(engine) == DOCUMENTS
    assert scalar(engine, "SELECT count(DISTINCT source_path) FROM documents") == DOCUMENTS
    assert scalar(engine, "SELECT count(DISTINCT sha256) FROM documents") == DOCUMENTS
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT d.id, d.page_count, d.line_count, d.stage_versions, d.document,"
                " (SELECT count(*) FROM pages p WHERE p.document_id = d.id),"
                " (SELECT count(*) FROM lines l WHERE l.document_id = d.id)"
                " FROM documents d"
            )
        ).all()
    for doc_id, pages, lines, versions, document, page_rows, line_rows in rows:
        versions = json.loads(versions) if isinstance(versions, str) else versions
        document = json.loads(document) if isinstance(document, str) else document
        assert (page_rows, line_rows) == (pages, lines), f"document {doc_id} is half-written"
        assert sum(len(p["lines"]) for p in document["pages"]) == lines
        assert set(versions) >= {"restore", "segment", "extract"}
    engine.dispose()


@pytest.mark.slow
def test_a_killed_batch_leaves_no_worker_behind_even_mid_document(tmp_path: Path) -> None:
    """SIGKILL while workers are busy: they die with the batch (PR_SET_PDEATHSIG)."""
    folder = tmp_path / "archive"
    write_documents(folder)
    batch = subprocess.Popen(
        [*vanthu(), "ingest", str(folder), "--db", str(tmp_path / "v.db"), "--jobs", "2"],
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = psutil.Process(batch.pid).children(recursive=True)
        time.sleep(0.05)
    assert len(workers) >= 2
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait()
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert alive == []
