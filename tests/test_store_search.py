"""Line search: diacritics ignored, OCR noise tolerated, any input harmless; both backends."""

from __future__ import annotations

import random
import unicodedata

import pytest
import sqlalchemy as sa

from pipeline.ingest import text_document
from pipeline.model import Source
from pipeline.store import Store
from pipeline.store.search import COLUMNS

LETTER = """UBND TỈNH QUẢNG NGÃI
Kế hoạch chuyển đổi số năm 2026
Đồng Nai và Quảng Ngãi phối hợp
Ủy ban nhân dân tỉnh chỉ đạo\fNgãi là tên sông, Quảng là vùng đất
Tỉnh Quàng Ngăl (OCR nhầm dấu)
Các sở chuyến đối sổ hồ sơ"""

OTHER = """Thông báo của Uỷ ban
Không liên quan đến tìm kiếm"""


def add(store: Store, text: str, sha: str) -> int:
    return store.save(text_document(text, Source(path=f"{sha}.txt", sha256=sha * 64, kind="text")))


@pytest.fixture
def stocked(store: Store) -> Store:
    add(store, LETTER, "a")
    add(store, OTHER, "b")
    return store


def texts(store: Store, query: str | bytes, limit: int = 20) -> list[str]:
    return list(store.search(query, limit=limit)["text"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quang ngai", "UBND TỈNH QUẢNG NGÃI"),
        ("QUANG NGAI", "UBND TỈNH QUẢNG NGÃI"),
        ("Quảng Ngãi", "UBND TỈNH QUẢNG NGÃI"),
        (unicodedata.normalize("NFD", "Quảng Ngãi"), "UBND TỈNH QUẢNG NGÃI"),
        ("chuyen doi so", "Kế hoạch chuyển đổi số năm 2026"),
        ("dong nai", "Đồng Nai và Quảng Ngãi phối hợp"),
        ("ĐỒNG NAI", "Đồng Nai và Quảng Ngãi phối hợp"),
    ],
)
def test_search_ignores_diacritics_and_case(stocked: Store, query: str, expected: str) -> None:
    assert expected in texts(stocked, query)


def test_both_spellings_of_uy_ban_are_found(stocked: Store) -> None:
    found = texts(stocked, "uy ban")
    assert "Ủy ban nhân dân tỉnh chỉ đạo" in found
    assert "Thông báo của Uỷ ban" in found


def test_search_tolerates_ocr_noise(stocked: Store) -> None:
    assert "Các sở chuyến đối sổ hồ sơ" in texts(stocked, "chuyen doi so")
    hits = stocked.search("quang ngai")
    noisy = hits[hits["text"] == "Tỉnh Quàng Ngăl (OCR nhầm dấu)"]
    assert list(noisy["match"]) == ["similar"]


def test_phrase_ranks_before_scattered_words_before_similar(stocked: Store) -> None:
    hits = stocked.search("quang ngai")
    assert list(hits["match"]) == sorted(hits["match"], key=["phrase", "words", "similar"].index)
    assert set(hits["match"]) == {"phrase", "words", "similar"}
    assert hits.iloc[-1]["text"] == "Tỉnh Quàng Ngăl (OCR nhầm dấu)"


def test_hits_name_document_page_and_line(stocked: Store) -> None:
    hit = stocked.search("ten song").iloc[0].to_dict()
    assert list(stocked.search("ten song").columns) == COLUMNS
    assert (hit["path"], hit["page"], hit["line"]) == ("a.txt", 2, 5)
    assert hit["text"] == "Ngãi là tên sông, Quảng là vùng đất"


def test_limit_and_no_match(stocked: Store) -> None:
    assert len(stocked.search("quang ngai", limit=2)) == 2
    assert stocked.search("quang ngai", limit=0).empty
    assert stocked.search("khong tim thay chu nay").empty
    assert stocked.search("").empty


def test_search_follows_corrections_and_resaves(stocked: Store) -> None:
    doc_id = int(stocked.search("ten song").iloc[0]["document_id"])
    stocked.revise_line(doc_id, 5, "Sông Trà Khúc", "lan")
    assert texts(stocked, "tra khuc") == ["Sông Trà Khúc"]
    assert "Ngãi là tên sông, Quảng là vùng đất" not in texts(stocked, "ten song")
    add(stocked, "Văn bản thay thế", "b")
    assert texts(stocked, "khong lien quan") == []
    assert texts(stocked, "van ban thay the") == ["Văn bản thay thế"]
    if stocked.dialect == "sqlite":  # the FTS5 indexes still match the lines table exactly
        with stocked.engine.begin() as conn:
            for index in ("line_fts", "line_trigram"):
                conn.execute(
                    sa.text(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
                )


ADVERSARIAL: list[str | bytes] = [
    '"',
    '""',
    "'",
    "' OR 1=1 --",
    '"; DROP TABLE lines; --',
    "quang ngai'); DELETE FROM documents; --",
    "NEAR(quang ngai, 2)",
    "quang*",
    "^quang",
    "folded:quang",
    "line_fts:quang",
    "{folded raw}: quang",
    "quang AND OR NOT ngai",
    "(((",
    ")",
    "*",
    "-quang",
    "+",
    ":",
    "%",
    "%_\\",
    "\\m.*\\M",
    "[[:alpha:]]",
    "\x00",
    "\x00quang\x00ngai",
    "\udcff\udc80 quang",
    "\ud800",
    "\u202e\ufeff\u200b",
    "🙂" * 50,
    "a" * 20_000,
    " ".join(["quang"] * 500),
    b"\xff\xfe\x00\x80 quang",
    random.Random(7).randbytes(300),
]


@pytest.mark.parametrize("query", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_any_input_is_harmless(stocked: Store, query: str | bytes) -> None:
    hits = stocked.search(query, limit=5)
    assert list(hits.columns) == COLUMNS
    assert len(hits) <= 5
    assert len(stocked.documents()) == 2
    assert "UBND TỈNH QUẢNG NGÃI" in texts(stocked, "quang ngai")


def test_words_inside_syntax_are_still_searched(stocked: Store) -> None:
    assert "UBND TỈNH QUẢNG NGÃI" in texts(stocked, "\x00quang\x00ngai")
    assert "UBND TỈNH QUẢNG NGÃI" in texts(stocked, 'NEAR("quang" ngai)*')
