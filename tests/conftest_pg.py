"""Fixtures that run store tests against SQLite and a real PostgreSQL server.

Test modules load them with `pytest_plugins = ["conftest_pg"]`; tests/conftest.py may
load this module the same way. One PostgreSQL cluster serves the whole test session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_server import INSTALL_HINT, PostgresServer, find_bindir, shared_server

from pipeline.store import Store, open_store
from pipeline.store.schema import metadata

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> PostgresServer:
    if find_bindir() is None:
        pytest.skip(f"PostgreSQL server binaries not installed ({INSTALL_HINT})")
    return shared_server()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL where no store is yet: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "vanthu.db")
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.create_schema()


@pytest.fixture(scope="session")
def pg_session_store(pg_server: PostgresServer) -> Iterator[Store]:
    """One migrated PostgreSQL store for the session; `store` empties it for each test."""
    opened = open_store(pg_server.create_schema())
    yield opened
    opened.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store: a new SQLite file, or the emptied PostgreSQL one
    (migrating a new schema for every test would take most of the test time)."""
    if request.param == "sqlite":
        opened = open_store(str(tmp_path / "vanthu.db"))
        yield opened
        opened.close()
        return
    shared: Store = request.getfixturevalue("pg_session_store")
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with shared.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield shared
