"""Executors: one step applied to many jobs, in this process, on a pool of worker
processes, or on a Dask cluster.

A step is a plain top-level function `item -> result` that reports a bad document in its
result rather than raising. An executor adds what a step cannot do for itself: a time
limit per job, and carrying on when the process running a job dies (a crashing OCR
engine, the kernel's OOM killer). Results come back as jobs finish, in any order.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, Protocol, TypeVar

from pipeline.errors import UsageError, VanthuError

T = TypeVar("T")
R = TypeVar("R")

# Tesseract's OpenMP threads fight each other when one Tesseract runs per core.
WORKER_ENV = {"OMP_THREAD_LIMIT": "1"}


@dataclass(frozen=True)
class Job(Generic[T]):
    """One item of work; `timeout` is the seconds it may take (None: no limit)."""

    key: str
    item: T
    timeout: float | None = None


@dataclass(frozen=True)
class Done(Generic[T, R]):
    """A finished job: its result, or why the executor got none (`failure`)."""

    job: Job[T]
    result: R | None
    failure: str | None
    seconds: float
    worker: str = ""
    peak_rss_mb: float | None = None  # the worker process's peak resident memory so far
    cpu_seconds: float | None = None  # CPU time of the job, OCR engine processes included


class Executor(Protocol):
    """Runs a step over jobs, yielding each as it finishes."""

    name: str

    @property
    def workers(self) -> int: ...

    def map(self, step: Callable[[T], R], jobs: Iterable[Job[T]]) -> Iterator[Done[T, R]]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class _Measured(Generic[R]):
    result: R
    worker: str
    peak_rss_mb: float
    cpu_seconds: float


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (Tesseract)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(step: Callable[[T], R], item: T) -> _Measured[R]:
    """Run the step and note which process ran it, the CPU time it took and the
    process's memory high-water mark."""
    for name, value in WORKER_ENV.items():
        os.environ.setdefault(name, value)
    cpu = _cpu_seconds()
    result = step(item)
    return _Measured(
        result,
        f"{socket.gethostname()}:{os.getpid()}",
        _peak_rss_mb(),
        _cpu_seconds() - cpu,
    )


def _done(job: Job[T], measured_result: _Measured[R], started: float) -> Done[T, R]:
    return Done(
        job,
        measured_result.result,
        None,
        time.monotonic() - started,
        measured_result.worker,
        measured_result.peak_rss_mb,
        measured_result.cpu_seconds,
    )


# --- in this process ------------------------------------------------------------------


class SerialExecutor:
    """Jobs one after another in this process: no time limit, no isolation. For
    debugging and tests; a step that hangs hangs the batch."""

    name = "serial"

    @property
    def workers(self) -> int:
        return 1

    def map(self, step: Callable[[T], R], jobs: Iterable[Job[T]]) -> Iterator[Done[T, R]]:
        for job in jobs:
            started = time.monotonic()
            yield _done(job, measured(step, job.item), started)

    def close(self) -> None:
        pass


# --- a pool of worker processes ---------------------------------------------------------


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (SIGKILL'd batch: no orphans)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before the request took effect
            os._exit(1)


def _serve(conn: Connection) -> None:
    """A worker's loop: receive (step, item), send back ('ok', result) or ('error', text).

    The worker leads its own process group so that a timeout kills the OCR engine it
    started along with it; Ctrl-C is the parent's to handle.
    """
    os.setpgrp()
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(WORKER_ENV)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:  # nothing to clean up: skip waiting for library threads
            conn.close()
            os._exit(0)
        step, item = message
        try:
            reply: tuple[str, Any] = ("ok", measured(step, item))
        except BaseException as err:  # a step should not raise; if it does, say how
            reply = ("error", f"{type(err).__name__}: {err}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child,), daemon=True
        )
        self.process.start()
        child.close()
        self.job: Job[Any] | None = None
        self.started = 0.0
        self.deadline: float | None = None

    def give(self, step: Callable[[Any], Any], job: Job[Any]) -> None:
        self.job = job
        self.started = time.monotonic()
        self.deadline = self.started + job.timeout if job.timeout else None
        self.conn.send((step, job.item))

    def kill(self) -> None:
        pid = self.process.pid
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # the worker and the OCR engine it started
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)  # before it had its own group
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _death(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        return f"worker process died (signal {signal.Signals(-code).name})"
    return f"worker process died (exit code {code})"


class ProcessExecutor:
    """A pool of worker processes, each running one job at a time. A job over its time
    limit is killed with its process group (the OCR engine included) and the worker
    replaced; so is a worker that dies. Jobs are drawn from the iterable only as workers
    come free, so a lazy iterable is read lazily."""

    name = "process"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise UsageError(f"--jobs must be at least 1, got {workers}")
        self._size = workers
        # spawn, not fork: the parent holds database connections and threads
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []

    @property
    def workers(self) -> int:
        return self._size

    def map(self, step: Callable[[T], R], jobs: Iterable[Job[T]]) -> Iterator[Done[T, R]]:
        todo = iter(jobs)
        busy: list[_Worker] = []
        exhausted = False
        try:
            while True:
                while not exhausted and len(busy) < self._size:
                    job = next(todo, None)
                    if job is None:
                        exhausted = True
                        break
                    worker = self._idle.pop() if self._idle else _Worker(self._ctx)
                    try:
                        worker.give(step, job)
                    except OSError:  # it died while idle; its sentinel tells how
                        worker.process.join(5)
                        failure = _death(worker.process)
                        worker.kill()
                        yield Done(job, None, failure, 0.0)
                        continue
                    busy.append(worker)
                if not busy:
                    return
                yield from self._collect(busy)
        except BaseException:
            for worker in busy:
                worker.kill()
            raise

    def _collect(self, busy: list[_Worker]) -> Iterator[Done[Any, Any]]:
        """Wait for the first worker to answer, die or run out of time; yield what ended."""
        now = time.monotonic()
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        wait_for = max(0.0, min(deadlines) - now) if deadlines else None
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], wait_for))
        now = time.monotonic()
        for worker in list(busy):
            job = worker.job
            assert job is not None
            seconds = now - worker.started
            if worker.conn in ready:
                try:
                    kind, payload = worker.conn.recv()
                except (EOFError, OSError):
                    worker.process.join(5)
                    kind, payload = "died", _death(worker.process)
                busy.remove(worker)
                if kind == "ok":
                    self._idle.append(worker)
                    yield _done(job, payload, worker.started)
                    continue
                if kind == "died":
                    worker.kill()
                else:
                    self._idle.append(worker)
                yield Done(job, None, payload, seconds, f"pid {worker.process.pid}")
            elif worker.process.sentinel in ready:
                busy.remove(worker)
                worker.process.join(5)
                failure = _death(worker.process)
                worker.kill()
                yield Done(job, None, failure, seconds, f"pid {worker.process.pid}")
            elif worker.deadline is not None and now >= worker.deadline:
                busy.remove(worker)
                worker.kill()
                yield Done(job, None, f"timed out after {seconds:.0f} s", seconds)

    def close(self) -> None:
        for worker in self._idle:
            worker.stop()
        self._idle.clear()


# --- a Dask cluster ---------------------------------------------------------------------


class DaskExecutor:
    """Jobs on a Dask distributed cluster: `tcp://HOST:8786` (a running `dask scheduler`)
    or `local:N` (a LocalCluster of N single-threaded worker processes on this machine).

    As many jobs are in flight as the cluster has worker threads, so a job's time limit
    counts from about when it starts. A job over its limit is given up (reported as timed
    out) but Dask cannot stop a running task: its worker thread stays busy until it ends.
    A worker that dies has its job retried elsewhere by Dask, then reported as failed.
    """

    name = "dask"

    def __init__(self, scheduler: str, connect_timeout: float = 30.0) -> None:
        import distributed

        dask: Any = distributed  # untyped
        self._cluster: Any = None
        os.environ.update(WORKER_ENV)  # inherited by the local cluster's workers
        if scheduler.startswith("local:"):
            count = scheduler.removeprefix("local:")
            if not count.isdigit() or int(count) < 1:
                raise UsageError(f"--scheduler local:N needs a worker count, got {scheduler!r}")
            self._cluster = dask.LocalCluster(
                n_workers=int(count),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self._client: Any = dask.Client(self._cluster)
        else:
            if not scheduler.startswith(("tcp://", "tls://", "inproc://")):
                raise UsageError(
                    f"--scheduler must be tcp://HOST:PORT or local:N, got {scheduler!r}"
                )
            try:
                self._client = dask.Client(scheduler, timeout=connect_timeout)
                self._client.wait_for_workers(1, timeout=connect_timeout)
            except (OSError, TimeoutError) as err:
                raise VanthuError(f"cannot reach the Dask scheduler {scheduler}: {err}") from err

    @property
    def workers(self) -> int:
        info = self._client.scheduler_info()
        return max(1, sum(int(w.get("nthreads", 1)) for w in info["workers"].values()))

    def map(self, step: Callable[[T], R], jobs: Iterable[Job[T]]) -> Iterator[Done[T, R]]:
        import distributed

        dask_wait: Any = distributed.wait
        todo: deque[Job[T]] = deque()
        source = iter(jobs)
        running: dict[Any, tuple[Job[T], float]] = {}
        capacity = self.workers
        try:
            while True:
                while len(running) < capacity:
                    job = todo.popleft() if todo else next(source, None)
                    if job is None:
                        break
                    future = self._client.submit(measured, step, job.item, pure=False)
                    running[future] = (job, time.monotonic())
                if not running:
                    return
                now = time.monotonic()
                limits = [
                    started + job.timeout - now for job, started in running.values() if job.timeout
                ]
                try:
                    finished = dask_wait(
                        list(running),
                        timeout=max(0.01, min(limits)) if limits else None,
                        return_when="FIRST_COMPLETED",
                    ).done
                except TimeoutError:
                    finished = set()
                now = time.monotonic()
                for future in finished:
                    job, started = running.pop(future)
                    yield self._outcome(future, job, started)
                for future, (job, started) in list(running.items()):
                    if job.timeout and now - started >= job.timeout:
                        del running[future]
                        future.cancel()
                        yield Done(
                            job, None, f"timed out after {now - started:.0f} s", now - started
                        )
        except BaseException:
            self._client.cancel(list(running))
            raise

    @staticmethod
    def _outcome(future: Any, job: Job[T], started: float) -> Done[T, R]:
        seconds = time.monotonic() - started
        if future.status == "finished":
            result: _Measured[R] = future.result()
            return _done(job, result, started)
        try:
            error = future.exception()
        except Exception as err:  # a cancelled future raises instead of returning it
            error = err
        name = type(error).__name__
        reason = "worker process died" if name == "KilledWorker" else f"{name}: {error}"
        return Done(job, None, reason, seconds)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(kind: str, jobs: int = 1, scheduler: str | None = None) -> Executor:
    """The executor named on the command line (`--executor`)."""
    if kind == "dask":
        if not scheduler:
            raise UsageError("--executor dask needs --scheduler tcp://HOST:8786 or local:N")
        return DaskExecutor(scheduler)
    if scheduler:
        raise UsageError("--scheduler is only for --executor dask")
    if kind == "serial":
        return SerialExecutor()
    if kind == "process":
        return ProcessExecutor(jobs)
    raise UsageError(f"unknown executor {kind!r}: serial, process or dask")
