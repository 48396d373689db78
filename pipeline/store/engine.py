"""Opening a database: which URL, which engine, and migrating it to the newest schema."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from pipeline.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
DEFAULT_PATH = "vanthu.db"
_BEGIN = "vanthu_sqlite_begin"
_MIGRATION_LOCK_KEY = 0x76616E746875  # "vanthu": one migrating process at a time
_migrating = threading.Lock()  # alembic's command API keeps global state


def resolve_url(url: str | None) -> sa.URL:
    """The SQLAlchemy URL for a store: $VANTHU_DB or ./vanthu.db by default, a plain path
    for SQLite, `postgresql://` (driven by psycopg 3) or `postgresql+psycopg://`."""
    text = url or os.environ.get("VANTHU_DB") or DEFAULT_PATH
    if "://" not in text:
        return sa.URL.create("sqlite", database=str(Path(text).expanduser().resolve()))
    try:
        parsed = make_url(text)
    except ArgumentError as err:
        raise StoreError(f"not a database URL: {text}") from err
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed
    raise StoreError(f"unsupported database {parsed.drivername!r}: use SQLite or PostgreSQL")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling commits before DDL; take it over so that a
    # migration, like a save, is one transaction (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "foreign_keys = ON",
        "busy_timeout = 10000",
        "journal_mode = WAL",  # readers (the web interface) do not block the writer
        "synchronous = NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN, "BEGIN"))


def writer(engine: sa.Engine) -> sa.Engine:
    """The engine for transactions that write. On SQLite they take the write lock as they
    begin (waiting up to the busy timeout): a transaction that read first and then tried
    to write would fail at once if another writer had committed in between."""
    return engine.execution_options(**{_BEGIN: "BEGIN IMMEDIATE"})


def create_engine(url: sa.URL) -> sa.Engine:
    """An engine for the URL; SQLite gets real transactions, foreign keys and WAL."""
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            folder = Path(url.database).parent
            if not folder.is_dir():
                raise StoreError(f"cannot create the store {url.database}: no folder {folder}")
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to `revision` with the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migrating, writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def connect(url: str | None) -> sa.Engine:
    """An engine on a migrated database; failures become one-line `StoreError`s."""
    resolved = resolve_url(url)
    try:
        engine = create_engine(resolved)
        upgrade(engine)
    except SQLAlchemyError as err:
        shown = resolved.render_as_string(hide_password=True)
        raise StoreError(
            f"cannot open the store {shown}: {err.__class__.__name__}: {str(err).splitlines()[0]}"
        ) from err
    return engine
