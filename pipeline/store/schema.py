"""The tables of the store, as SQLAlchemy Core metadata.

The migrations in `pipeline/migrations/versions` create exactly these tables (a test
compares them); queries are written against this metadata. Every extracted item row
carries its document, page, line and box, and the stage and pipeline versions that
produced it. Times are naive UTC.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def _document_fk() -> sa.Column[int]:
    return sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def _box() -> list[sa.Column[int]]:
    return [sa.Column(f"box_{c}", sa.Integer) for c in "xywh"]


def _item(name: str, *columns: sa.Column[object]) -> sa.Table:
    """An extracted-item table: position in the document's list, anchor, versions."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        _document_fk(),
        sa.Column("position", sa.Integer, nullable=False),
        *columns,
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        *_box(),
        sa.Column("stage_version", sa.Text),
        sa.Column("pipeline_version", sa.Text, nullable=False),
    )


runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("saved", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("pipeline_version", sa.Text, nullable=False),
    sa.Column("stage_versions", Json, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("text_layer", sa.Text),
    sa.Column("parent_authority", sa.Text),
    sa.Column("issuer", sa.Text),
    sa.Column("number", sa.Text),
    sa.Column("number_key", sa.Text, index=True),
    sa.Column("type", sa.Text),
    sa.Column("place", sa.Text),
    sa.Column("date", sa.Text),
    sa.Column("date_value", sa.Date),
    sa.Column("subject", sa.Text),
    sa.Column("recipients", Json, nullable=False),
    sa.Column("signer", sa.Text),
    sa.Column("signer_title", sa.Text),
    sa.Column("authority_mark", sa.Text),
    sa.Column("page_count", sa.Integer, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    sa.Column("stage_versions", Json, nullable=False),
    sa.Column("pipeline_version", sa.Text, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),  # json, not jsonb: keeps key order
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
)

pages = sa.Table(
    "pages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _document_fk(),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer),
    sa.Column("height", sa.Integer),
    sa.Column("dpi", sa.Integer),
    sa.Column("rotation", sa.Integer, nullable=False),
    sa.UniqueConstraint("document_id", "number"),
)

lines = sa.Table(
    "lines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _document_fk(),
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # lower-case text without diacritics (đ → d): what search matches against
    sa.Column("folded", sa.Text, nullable=False),
    *_box(),
    sa.Column("conf", sa.Float),
    sa.Column("section", sa.Text),
    sa.Column("tokens", Json, nullable=False),
    sa.Column("revised", sa.Boolean, nullable=False),
    sa.UniqueConstraint("document_id", "number"),
)

# Human corrections, keyed by document and line number (not by line row, which a re-save
# replaces); `raw` is the OCR text the correction was made against.
line_revisions = sa.Table(
    "line_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _document_fk(),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("old_text", sa.Text, nullable=False),
    sa.Column("new_text", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("revised_at", sa.DateTime, nullable=False),
)

sections = _item(
    "sections",
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
)

references = _item(
    "references",
    sa.Column("number", sa.Text, nullable=False),
    sa.Column("number_key", sa.Text, nullable=False, index=True),
    sa.Column("type", sa.Text),
    sa.Column("date", sa.Text),
    sa.Column("date_value", sa.Date),
    sa.Column("issuer", sa.Text),
)

deadlines = _item(
    "deadlines",
    sa.Column("date", sa.Text),
    sa.Column("date_value", sa.Date),
    sa.Column("period", sa.Text),
    sa.Column("due", sa.Date),  # the day itself, or the last day of the period
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("invalid", sa.Boolean, nullable=False),
)

directives = _item(
    "directives",
    sa.Column("responsible", sa.Text, nullable=False),
    sa.Column("responsible_key", sa.Text, nullable=False, index=True),
    sa.Column("cooperating", Json, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("deadline", sa.Text),
    sa.Column("deadline_date", sa.Date),
    sa.Column("deadline_period", sa.Text),
    sa.Column("due", sa.Date, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("section", sa.Text),
)

indicators = _item(
    "indicators",
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("total", sa.Float),
    sa.Column("percent", sa.Float),
    sa.Column("unit", sa.Text),
    sa.Column("unit_key", sa.Text, index=True),
    sa.Column("as_of", sa.Text),
    sa.Column("as_of_value", sa.Date),
    sa.Column("text", sa.Text, nullable=False),
)

entities = _item(
    "entities",
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("normalized", sa.Text, nullable=False),
)

errors = sa.Table(
    "errors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64)),
    sa.Column("stage", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL"), index=True),
)

# Which stage produced each item table (its `stage_version` is that stage's version).
ITEM_STAGES = {
    "sections": "segment",
    "references": "extract",
    "deadlines": "extract",
    "directives": "extract",
    "indicators": "extract",
    "entities": "extract",
}
