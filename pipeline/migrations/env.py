"""Alembic environment: migrations run on the connection `pipeline.store` hands over."""

from __future__ import annotations

from alembic import context

from pipeline.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through pipeline.store.open_store")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
