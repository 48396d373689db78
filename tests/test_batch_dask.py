"""Batches on a real Dask cluster (LocalCluster of worker processes) into PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pg_server import PostgresServer

from pipeline.batch import BatchOptions, ingest_paths, reprocess
from pipeline.executors import DaskExecutor, Job
from pipeline.run import process_file
from pipeline.store import open_store

REPO = Path(__file__).resolve().parents[1]
ADMIN = sorted((REPO / "corpus" / "admin").glob("*.txt"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as running:
        yield running


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    return pg_server.create_schema()


def archive(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        lines = ADMIN[i].read_text(encoding="utf-8").split("\n")[:30]
        (folder / f"cv-{i:02d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_ingest_on_a_dask_cluster_into_postgresql(
    cluster: Any, pg_url: str, tmp_path: Path
) -> None:
    folder = archive(tmp_path / "in", 6)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    options = BatchOptions(executor="dask", scheduler=cluster.scheduler_address, live=False)
    report = ingest_paths([folder], pg_url, options=options)
    assert report["documents"]["succeeded"] == 6
    assert report["documents"]["failed"] == 1
    assert "corrupt PDF" in report["failures"][0]["reason"]
    assert report["workers"] == 2
    assert report["worker_peak_rss_mb"]  # measured in the worker processes
    again = ingest_paths([folder], pg_url, options=options)
    assert again["documents"]["skipped"] == 6
    with open_store(pg_url) as store:
        assert len(store.documents()) == 6
        assert len(store.errors()) == 2  # the broken file, once per run


def test_reprocess_on_a_dask_cluster(cluster: Any, pg_url: str, tmp_path: Path) -> None:
    folder = archive(tmp_path / "in", 3)
    with open_store(pg_url) as store:
        for path in sorted(folder.iterdir()):
            doc = process_file(path)
            doc.stage_versions["segment"] = "0.0.1"
            store.save(doc)
    options = BatchOptions(executor="dask", scheduler=cluster.scheduler_address, live=False)
    report = reprocess(pg_url, options=options)
    assert report["documents"]["succeeded"] == 3
    assert set(report["stage_seconds"]) == {"segment", "extract"}
    assert reprocess(pg_url, options=options)["documents"]["total"] == 0


def test_a_dask_job_over_its_time_limit_is_reported_and_the_rest_go_on(cluster: Any) -> None:
    executor = DaskExecutor(cluster.scheduler_address)
    try:
        started = time.monotonic()
        done = {d.job.key: d for d in executor.map(time.sleep, [Job("slow", 5, 0.5), Job("ok", 0)])}
    finally:
        executor.close()
    assert done["slow"].failure is not None and "timed out" in done["slow"].failure
    assert done["ok"].failure is None
    assert time.monotonic() - started < 4


def test_local_n_starts_its_own_cluster(pg_url: str, tmp_path: Path) -> None:
    folder = archive(tmp_path / "in", 2)
    options = BatchOptions(executor="dask", scheduler="local:2", live=False)
    report = ingest_paths([folder], pg_url, options=options)
    assert report["documents"]["succeeded"] == 2 and report["workers"] == 2
