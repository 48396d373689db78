"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, pg_ctl on a free port.

Uses the server binaries of Debian's `postgresql` package (/usr/lib/postgresql/*/bin).
As root the cluster runs as the `postgres` user, since PostgreSQL refuses to run as root.
One cluster serves a whole test session; every test gets a fresh database in it.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = "apt-get install -y postgresql postgresql-contrib"


def find_bindir() -> Path | None:
    """The bin folder of the newest installed PostgreSQL server, if any."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """A running cluster with trust authentication for `postgres` on 127.0.0.1."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="vanthu-pg-"))
        self.datadir = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)
        self._schemas_db: str | None = None
        self._user = "postgres" if os.geteuid() == 0 else None
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run(
            "initdb", "-D", str(self.datadir), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.datadir),
            "-l", str(self.root / "server.log"), "-o", options,
        )  # fmt: skip

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if done.returncode:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr.strip()}\n{tail}")

    def url(self, database: str = "postgres", schema: str | None = None) -> str:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"
        return f"{url}?options=-csearch_path%3D{schema},public" if schema else url

    def _execute(self, database: str, statement: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        ) as conn:
            conn.execute(statement.encode())

    def create_database(self) -> str:
        """A new empty database (about half a second); returns its URL."""
        name = f"test_{next(self._names)}"
        self._execute("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def create_schema(self) -> str:
        """A new empty schema, first on the search path of the returned URL: a fresh store
        in milliseconds, sharing one database (and its extensions) with the others."""
        if self._schemas_db is None:
            self._schemas_db = self.create_database().rsplit("/", 1)[1]
            # in public, shared: else the first store's schema would hold them
            for extension in ("unaccent", "pg_trgm"):
                self._execute(self._schemas_db, f"CREATE EXTENSION {extension} SCHEMA public")
        name = f"test_{next(self._names)}"
        self._execute(self._schemas_db, f'CREATE SCHEMA "{name}"')
        return self.url(self._schemas_db, name)

    def stop(self) -> None:
        if self.datadir.exists():
            try:
                self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.datadir))
            finally:
                shutil.rmtree(self.root, ignore_errors=True)


_shared: PostgresServer | None = None


def shared_server() -> PostgresServer:
    """The session's cluster, started on first use and stopped when Python exits."""
    global _shared
    if _shared is None:
        bindir = find_bindir()
        if bindir is None:
            raise FileNotFoundError(f"PostgreSQL server binaries not found ({INSTALL_HINT})")
        _shared = PostgresServer(bindir)
        atexit.register(_shared.stop)
    return _shared
