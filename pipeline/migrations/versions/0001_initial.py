"""The first schema: documents, pages, lines, revisions, items, runs, errors, line search.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_ITEM_TABLES = ("sections", "references", "deadlines", "directives", "indicators", "entities")

# SQLite: two external-content FTS5 indexes over lines.folded, kept in sync by triggers.
# unicode61 finds whole words; trigram finds words mangled by OCR.
_SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE line_fts USING fts5(folded, content='lines', content_rowid='id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE line_trigram USING fts5(folded, content='lines',"
    " content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER lines_search_insert AFTER INSERT ON lines BEGIN"
    " INSERT INTO line_fts(rowid, folded) VALUES (new.id, new.folded);"
    " INSERT INTO line_trigram(rowid, folded) VALUES (new.id, new.folded); END",
    "CREATE TRIGGER lines_search_delete AFTER DELETE ON lines BEGIN"
    " INSERT INTO line_fts(line_fts, rowid, folded) VALUES ('delete', old.id, old.folded);"
    " INSERT INTO line_trigram(line_trigram, rowid, folded)"
    " VALUES ('delete', old.id, old.folded); END",
    "CREATE TRIGGER lines_search_update AFTER UPDATE OF folded ON lines BEGIN"
    " INSERT INTO line_fts(line_fts, rowid, folded) VALUES ('delete', old.id, old.folded);"
    " INSERT INTO line_trigram(line_trigram, rowid, folded)"
    " VALUES ('delete', old.id, old.folded);"
    " INSERT INTO line_fts(rowid, folded) VALUES (new.id, new.folded);"
    " INSERT INTO line_trigram(rowid, folded) VALUES (new.id, new.folded); END",
]

# PostgreSQL: the database folds each line itself (unaccent, then lower case) and a
# trigram index serves both exact and OCR-tolerant matches.
_POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE FUNCTION vanthu_fold_line() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN NEW.folded := lower(unaccent(NEW.text)); RETURN NEW; END $$",
    "CREATE TRIGGER lines_fold BEFORE INSERT OR UPDATE OF text ON lines"
    " FOR EACH ROW EXECUTE FUNCTION vanthu_fold_line()",
    "CREATE INDEX ix_lines_folded_trgm ON lines USING gin (folded gin_trgm_ops)",
]


def _document_fk(table: str) -> sa.Column[Any]:
    return sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE", name=f"fk_{table}_document_id_documents"),
        nullable=False,
    )


def _box() -> list[sa.Column[Any]]:
    return [sa.Column(f"box_{c}", sa.Integer) for c in "xywh"]


def _item(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer, primary_key=True),
        _document_fk(name),
        sa.Column("position", sa.Integer, nullable=False),
        *columns,
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        *_box(),
        sa.Column("stage_version", sa.Text),
        sa.Column("pipeline_version", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    )
    op.create_index(f"ix_{name}_document_id", name, ["document_id"])


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("saved", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pipeline_version", sa.Text, nullable=False),
        sa.Column("stage_versions", _JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text_layer", sa.Text),
        sa.Column("parent_authority", sa.Text),
        sa.Column("issuer", sa.Text),
        sa.Column("number", sa.Text),
        sa.Column("number_key", sa.Text),
        sa.Column("type", sa.Text),
        sa.Column("place", sa.Text),
        sa.Column("date", sa.Text),
        sa.Column("date_value", sa.Date),
        sa.Column("subject", sa.Text),
        sa.Column("recipients", _JSON, nullable=False),
        sa.Column("signer", sa.Text),
        sa.Column("signer_title", sa.Text),
        sa.Column("authority_mark", sa.Text),
        sa.Column("page_count", sa.Integer, nullable=False),
        sa.Column("line_count", sa.Integer, nullable=False),
        sa.Column("stage_versions", _JSON, nullable=False),
        sa.Column("pipeline_version", sa.Text, nullable=False),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="SET NULL", name="fk_documents_run_id_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.UniqueConstraint("sha256", name="uq_documents_sha256"),
    )
    op.create_index("ix_documents_number_key", "documents", ["number_key"])
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True),
        _document_fk("pages"),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("dpi", sa.Integer),
        sa.Column("rotation", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pages"),
        sa.UniqueConstraint("document_id", "number", name="uq_pages_document_id_number"),
    )
    op.create_index("ix_pages_document_id", "pages", ["document_id"])
    op.create_table(
        "lines",
        sa.Column("id", sa.Integer, primary_key=True),
        _document_fk("lines"),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("folded", sa.Text, nullable=False),
        *_box(),
        sa.Column("conf", sa.Float),
        sa.Column("section", sa.Text),
        sa.Column("tokens", _JSON, nullable=False),
        sa.Column("revised", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lines"),
        sa.UniqueConstraint("document_id", "number", name="uq_lines_document_id_number"),
    )
    op.create_index("ix_lines_document_id", "lines", ["document_id"])
    op.create_table(
        "line_revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        _document_fk("line_revisions"),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("old_text", sa.Text, nullable=False),
        sa.Column("new_text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("revised_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_line_revisions"),
    )
    op.create_index("ix_line_revisions_document_id", "line_revisions", ["document_id"])
    _item(
        "sections",
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
    )
    _item(
        "references",
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("number_key", sa.Text, nullable=False),
        sa.Column("type", sa.Text),
        sa.Column("date", sa.Text),
        sa.Column("date_value", sa.Date),
        sa.Column("issuer", sa.Text),
    )
    op.create_index("ix_references_number_key", "references", ["number_key"])
    _item(
        "deadlines",
        sa.Column("date", sa.Text),
        sa.Column("date_value", sa.Date),
        sa.Column("period", sa.Text),
        sa.Column("due", sa.Date),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("invalid", sa.Boolean, nullable=False),
    )
    _item(
        "directives",
        sa.Column("responsible", sa.Text, nullable=False),
        sa.Column("responsible_key", sa.Text, nullable=False),
        sa.Column("cooperating", _JSON, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("deadline", sa.Text),
        sa.Column("deadline_date", sa.Date),
        sa.Column("deadline_period", sa.Text),
        sa.Column("due", sa.Date),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("section", sa.Text),
    )
    op.create_index("ix_directives_responsible_key", "directives", ["responsible_key"])
    op.create_index("ix_directives_due", "directives", ["due"])
    _item(
        "indicators",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("total", sa.Float),
        sa.Column("percent", sa.Float),
        sa.Column("unit", sa.Text),
        sa.Column("unit_key", sa.Text),
        sa.Column("as_of", sa.Text),
        sa.Column("as_of_value", sa.Date),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_indicators_unit_key", "indicators", ["unit_key"])
    _item(
        "entities",
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("normalized", sa.Text, nullable=False),
    )
    op.create_table(
        "errors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="SET NULL", name="fk_errors_run_id_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name="pk_errors"),
    )
    op.create_index("ix_errors_run_id", "errors", ["run_id"])

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_SEARCH, "postgresql": _POSTGRES_SEARCH}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("line_trigram", "line_fts"):
            op.execute(f"DROP TABLE IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS lines_fold ON lines")
        op.execute("DROP FUNCTION IF EXISTS vanthu_fold_line()")
    for name in (
        "errors",
        *reversed(_ITEM_TABLES),
        "line_revisions",
        "lines",
        "pages",
        "documents",
        "runs",
    ):
        op.drop_table(name)
