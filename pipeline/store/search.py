"""Line search that ignores diacritics and tolerates OCR noise.

Both backends match the folded form of each line (lower case, no diacritics, đ → d) and
rank in three tiers: the query as a phrase, then lines holding every query word, then
lines whose trigrams resemble the query's (a word or two mangled by OCR). SQLite uses two
FTS5 indexes (unicode61 words and trigrams); PostgreSQL uses pg_trgm on `lines.folded`.
Whatever the query holds, it reaches SQL only as bound parameters or quoted FTS strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from pipeline.store import schema
from pipeline.store.keys import folded

COLUMNS = ["document_id", "path", "number", "page", "line", "text", "match", "score"]
TIERS = {2: "phrase", 1: "words", 0: "similar"}
MAX_QUERY_CHARS = 500
MAX_WORDS = 16
SIMILARITY = 0.6  # as pg_trgm.word_similarity_threshold
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Query:
    words: list[str]

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


def parse(text: str | bytes) -> Query:
    """The folded words of a search string, from any bytes or characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    # lone surrogates cannot reach a database driver; NUL cannot reach PostgreSQL
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    words = _WORD.findall(folded(text[:MAX_QUERY_CHARS]))
    return Query(words=words[:MAX_WORDS])


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in _WORD.findall(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(query: Query, line_folded: str) -> float:
    """Share of the query's trigrams found in the line (1.0 when every one is)."""
    wanted = trigrams(query.phrase)
    return len(wanted & trigrams(line_folded)) / len(wanted) if wanted else 0.0


def search_lines(conn: sa.Connection, text: str | bytes, limit: int = 20) -> pd.DataFrame:
    """The best-matching lines, best first: document, page, line number and text."""
    query = parse(text)
    limit = max(0, int(limit))
    if not query.words or not limit:
        return pd.DataFrame(columns=COLUMNS)
    if conn.dialect.name == "sqlite":
        hits = _sqlite(conn, query, limit)
    else:
        hits = _postgres(conn, query, limit)
    return _frame(conn, hits)


@dataclass(frozen=True)
class _Hit:
    line_id: int
    tier: int
    score: float


def _fts_string(term: str) -> str:
    """An FTS5 string literal: the term is searched for, never parsed as syntax."""
    return '"' + term.replace('"', '""') + '"'


def _sqlite(conn: sa.Connection, query: Query, limit: int) -> list[_Hit]:
    rows = conn.execute(
        sa.text(
            "SELECT l.id, instr(l.folded, :phrase) > 0 AS phrase, l.folded"
            " FROM line_fts JOIN lines AS l ON l.id = line_fts.rowid"
            " WHERE line_fts MATCH :match"
            " ORDER BY phrase DESC, bm25(line_fts), l.id LIMIT :limit"
        ),
        {
            "phrase": query.phrase,
            "match": " ".join(_fts_string(w) for w in query.words),
            "limit": limit,
        },
    ).all()
    hits = [_Hit(r[0], 2 if r[1] else 1, similarity(query, r[2])) for r in rows]
    grams = sorted({w[i : i + 3] for w in query.words for i in range(len(w) - 2)})
    if len(hits) >= limit or not grams:
        return hits
    seen = {h.line_id for h in hits}
    candidates = conn.execute(
        sa.text(
            "SELECT l.id, l.folded FROM line_trigram JOIN lines AS l ON l.id = line_trigram.rowid"
            " WHERE line_trigram MATCH :match ORDER BY bm25(line_trigram), l.id LIMIT :limit"
        ),
        {"match": " OR ".join(_fts_string(g) for g in grams), "limit": max(200, 20 * limit)},
    ).all()
    similar = [
        _Hit(line_id, 0, score)
        for line_id, line_folded in candidates
        if line_id not in seen and (score := similarity(query, line_folded)) >= SIMILARITY
    ]
    similar.sort(key=lambda h: (-h.score, h.line_id))
    return hits + similar[: limit - len(hits)]


def _postgres(conn: sa.Connection, query: Query, limit: int) -> list[_Hit]:
    lines = schema.lines
    phrase = sa.literal(query.phrase, sa.Text)
    all_words = sa.and_(*(lines.c.folded.regexp_match(rf"\m{w}\M") for w in query.words))
    tier = sa.case((sa.func.strpos(lines.c.folded, phrase) > 0, 2), (all_words, 1), else_=0).label(
        "tier"
    )
    score = sa.func.word_similarity(phrase, lines.c.folded).label("score")
    rows = conn.execute(
        sa.select(lines.c.id, tier, score)
        .where(sa.or_(phrase.op("<%")(lines.c.folded), all_words))
        .order_by(tier.desc(), score.desc(), lines.c.id)
        .limit(limit)
    ).all()
    return [_Hit(r[0], r[1], float(r[2])) for r in rows]


def _frame(conn: sa.Connection, hits: list[_Hit]) -> pd.DataFrame:
    if not hits:
        return pd.DataFrame(columns=COLUMNS)
    lines, docs = schema.lines, schema.documents
    rows = conn.execute(
        sa.select(
            lines.c.id,
            lines.c.document_id,
            docs.c.source_path,
            docs.c.number,
            lines.c.page,
            lines.c.number,
            lines.c.text,
        )
        .join(docs, docs.c.id == lines.c.document_id)
        .where(lines.c.id.in_([h.line_id for h in hits]))
    ).all()
    by_id = {r[0]: r[1:] for r in rows}
    return pd.DataFrame(
        [[*by_id[h.line_id], TIERS[h.tier], round(h.score, 3)] for h in hits if h.line_id in by_id],
        columns=COLUMNS,
    )
