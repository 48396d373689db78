"""The store against SQLite (a temp file) and a real PostgreSQL server."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pg_server import PostgresServer

from pipeline import __version__
from pipeline.errors import StoreError, UsageError
from pipeline.ingest import text_document
from pipeline.model import (
    Anchor,
    Box,
    Deadline,
    Directive,
    Document,
    Entity,
    Header,
    Indicator,
    Reference,
    Section,
    Source,
    Token,
)
from pipeline.store import NotStoredError, Store, open_store, schema
from pipeline.store.engine import resolve_url
from pipeline.store.keys import folded
from pipeline.store.schema import metadata

TEXT = """UBND TỈNH QUẢNG NGÃI
SỞ KHOA HỌC VÀ CÔNG NGHỆ
Số: 3540/BC-SKHCN
Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị;
I. KẾT QUẢ THỰC HIỆN
Đã hoàn thành 14/20 nhiệm vụ, đạt 70%.
II. NHIỆM VỤ
1. Sở Khoa học và Công nghệ chủ trì chuyển đổi số, hoàn thành trước ngày 15/12/2025.
2. Sở Tài chính bố trí kinh phí trong quý IV/2025.\fTrang hai: Sở Nội vụ phối hợp thường xuyên."""


def make_document(
    text: str = TEXT, sha: str = "a", path: str = "corpus/3540-BC-SKHCN.txt"
) -> Document:
    """A document as the stages would leave it, with items filled in by hand."""
    doc = text_document(text, Source(path=path, sha256=(sha * 64)[:64], kind="text"))
    for line in doc.lines:
        line.box = Box(x=10, y=20 * line.number, w=500, h=18)
        line.conf = 0.875
        for token in line.tokens:
            token.ocr_conf = 0.9
    first = doc.line(8)
    first.tokens[0] = Token(raw="1.", text="1.", box=Box(x=10, y=160, w=8, h=18), ocr_conf=0.5)
    first.tokens[1].restore_conf = 0.75
    doc.header = Header(
        parent_authority="UBND TỈNH QUẢNG NGÃI",
        issuer="Sở Khoa học và Công nghệ",
        number="3540/BC-SKHCN",
        type="Báo cáo",
        place="Quảng Ngãi",
        date="2025-12-12",
        subject="Kết quả chuyển đổi số",
        recipients=["UBND tỉnh", "Sở Tài chính"],
        signer="Nguyễn Văn A",
        signer_title="GIÁM ĐỐC",
        authority_mark="KT.",
        anchor=Anchor(page=1, line=1, box=Box(x=0, y=0, w=600, h=60)),
    )
    doc.sections = [
        Section(
            label="I", level=1, title="KẾT QUẢ THỰC HIỆN", path="I", anchor=doc.line(5).anchor()
        ),
        Section(label="II", level=1, title="NHIỆM VỤ", path="II", anchor=doc.line(7).anchor()),
        Section(label="1", level=2, title="", path="II/1", anchor=doc.line(8).anchor()),
    ]
    for line in doc.lines[4:]:
        line.section = "I" if line.number < 7 else "II"
    doc.references = [
        Reference(
            number="57-NQ/TW",
            type="Nghị quyết",
            date="2024-12-22",
            issuer="Bộ Chính trị",
            anchor=doc.line(4).anchor(),
        )
    ]
    doc.deadlines = [
        Deadline(date="2025-12-15", text="trước ngày 15/12/2025", anchor=doc.line(8).anchor()),
        Deadline(period="2025-Q4", text="trong quý IV/2025", anchor=doc.line(9).anchor()),
        Deadline(
            date=None, period=None, text="31/02/2025", invalid=True, anchor=doc.line(9).anchor()
        ),
    ]
    doc.directives = [
        Directive(
            responsible="Sở Khoa học và Công nghệ",
            cooperating=["Sở Tài chính", "Sở Nội vụ"],
            action="chủ trì chuyển đổi số",
            deadline="2025-12-15",
            section="II/1",
            anchor=doc.line(8).anchor(),
        ),
        Directive(
            responsible="Sở Tài chính",
            action="bố trí kinh phí",
            deadline="2025-Q4",
            kind="plan",
            section="II",
            anchor=doc.line(9).anchor(),
        ),
        Directive(
            responsible="Sở Nội vụ",
            action="phối hợp",
            deadline="ongoing",
            kind="recommendation",
            anchor=doc.line(10).anchor(),
        ),
    ]
    doc.indicators = [
        Indicator(
            name="nhiệm vụ đã hoàn thành",
            value=14,
            total=20,
            percent=70.0,
            unit="nhiệm vụ",
            text="14/20 nhiệm vụ",
            anchor=doc.line(6).anchor(),
        )
    ]
    doc.entities = [
        Entity(
            kind="place", text="QUẢNG NGÃI", normalized="Quảng Ngãi", anchor=doc.line(1).anchor()
        )
    ]
    doc.pages[0].width, doc.pages[0].height, doc.pages[0].dpi = 2480, 3508, 300
    doc.pages[1].rotation = 90
    doc.source.text_layer = "legacy"
    doc.stage_versions = {"restore": "0.0.1", "segment": "0.2", "extract": "0.3"}
    return doc


def citing_document(sha: str = "b") -> Document:
    doc = text_document(
        "Thực hiện Báo cáo số 3540 / BC-SKHCN của Sở KH&CN;\nBáo cáo tiến độ.",
        Source(path="corpus/other.txt", sha256=sha * 64, kind="text"),
    )
    doc.header.number = "12/BC-UBND"
    doc.header.date = "2026-01-05"
    doc.references = [Reference(number="3540/BC-SKHCN", anchor=doc.line(1).anchor())]
    doc.directives = [
        Directive(responsible="Sở KH&CN", action="báo cáo tiến độ", anchor=doc.line(2).anchor())
    ]
    doc.indicators = [
        Indicator(name="tiến độ", percent=85.5, unit="%", anchor=doc.line(2).anchor())
    ]
    return doc


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one())


# -- opening and migrating -----------------------------------------------------------------


def test_open_store_migrates_to_head_and_reopens(store_url: str) -> None:
    first = open_store(store_url)
    first.close()
    again = open_store(store_url)
    with again.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    assert again.documents().empty
    again.close()


def test_open_store_on_a_new_postgres_database(pg_server: PostgresServer) -> None:
    store = open_store(pg_server.create_database().replace("+psycopg", ""))
    with store.engine.connect() as conn:
        extensions = conn.execute(sa.text("SELECT extname FROM pg_extension")).scalars().all()
    assert {"unaccent", "pg_trgm"} <= set(extensions)
    assert store.search("anything").empty
    store.close()


def test_migrations_create_exactly_the_schema(store: Store) -> None:
    search_only = {"line_fts", "line_trigram", "ix_lines_folded_trgm"}

    def ours(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
        return not (name or "").startswith(tuple(search_only)) and name != "alembic_version"

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": ours})
        assert compare_metadata(context, metadata) == []


def test_plain_path_is_sqlite_and_postgresql_url_uses_psycopg(tmp_path: Path) -> None:
    assert resolve_url(str(tmp_path / "x.db")).get_backend_name() == "sqlite"
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert resolve_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"
    with pytest.raises(StoreError, match="unsupported"):
        resolve_url("mysql://u@h/db")


def test_default_store_is_vanthu_db_env_or_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VANTHU_DB", raising=False)
    open_store(None).close()
    assert (tmp_path / "vanthu.db").is_file()
    monkeypatch.setenv("VANTHU_DB", str(tmp_path / "env.db"))
    open_store(None).close()
    assert (tmp_path / "env.db").is_file()


def test_store_in_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store(str(tmp_path / "no" / "such" / "vanthu.db"))


# -- saving and loading --------------------------------------------------------------------


def test_saved_document_loads_back_unchanged(store: Store) -> None:
    doc = make_document()
    doc_id = store.save(doc)
    assert store.load(doc_id) == doc
    assert store.load(doc_id).to_json() == doc.to_json()


def test_save_does_not_change_the_callers_document(store: Store) -> None:
    doc = make_document()
    before = doc.to_json()
    store.save(doc)
    assert doc.to_json() == before


def test_rows_carry_anchor_box_and_versions(store: Store) -> None:
    doc_id = store.save(make_document())
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT document_id, page, line, box_x, box_y, box_w, box_h, stage_version,"
                " pipeline_version, deadline_date, deadline_period, due, responsible_key"
                " FROM directives ORDER BY position"
            )
        ).all()
        sections = conn.execute(sa.text("SELECT stage_version FROM sections")).scalars().all()
        lines = schema.lines
        line = conn.execute(sa.select(lines).where(lines.c.number == 8)).one()
    first, second, third = row
    assert tuple(first[:7]) == (doc_id, 1, 8, 10, 160, 500, 18)
    assert (first.stage_version, first.pipeline_version) == ("0.3", __version__)
    assert str(first.deadline_date) == "2025-12-15" and first.deadline_period is None
    assert second.deadline_date is None and second.deadline_period == "2025-Q4"
    assert str(second.due) == "2025-12-31"
    assert third.due is None
    assert first.responsible_key == "so khoa hoc va cong nghe"
    assert set(sections) == {"0.2"}
    assert line.raw == line.text and line.folded == folded(line.text)
    assert line.tokens[0] == {
        "raw": "1.",
        "text": "1.",
        "box": {"x": 10, "y": 160, "w": 8, "h": 18},
        "ocr_conf": 0.5,
        "restore_conf": None,
    }
    assert line.tokens[1]["restore_conf"] == 0.75


def test_resaving_a_source_replaces_its_rows_and_keeps_its_id(store: Store) -> None:
    doc = make_document()
    doc_id = store.save(doc)
    doc.directives = doc.directives[:1]
    doc.source.path = "moved/3540.txt"
    assert store.save(doc) == doc_id
    assert count(store, "documents") == 1
    assert count(store, "directives") == 1
    assert count(store, "lines") == len(doc.lines)
    assert store.documents().loc[0, "path"] == "moved/3540.txt"


def test_a_failed_save_leaves_nothing_behind(store: Store) -> None:
    doc = make_document()
    doc.pages[1].lines[0].number = 1  # two lines numbered 1 break the unique key
    with pytest.raises(StoreError, match="cannot save"):
        store.save(doc)
    assert not store.has_source(doc.source.sha256)
    assert count(store, "lines") == 0


def test_stored_versions_filter_by_date_column_pattern_and_id(store: Store) -> None:
    first = store.save(make_document())
    second = store.save(citing_document())
    every = store.stored_versions()
    assert [v.doc_id for v in every] == [first, second]
    assert every[0].stage_versions["restore"] == "0.0.1"
    assert every[0].path == "corpus/3540-BC-SKHCN.txt" and every[0].kind == "text"
    assert [v.doc_id for v in store.stored_versions(since=date(2026, 1, 1))] == [second]
    by_path = store.stored_versions(where=[("source_path", "corpus/3540*")])
    assert [v.doc_id for v in by_path] == [first]
    assert store.stored_versions(where=[("source_path", "corpus/3540_BC*")]) == []
    assert [v.doc_id for v in store.stored_versions(only_ids={second})] == [second]


def test_open_failures_are_those_not_put_right_since(store: Store) -> None:
    doc = make_document()
    store.record_error("inbox/broken.pdf", "corrupt PDF", sha256="f" * 64)
    store.record_error(doc.source.path, "restore failed", "restore", sha256=doc.source.sha256)
    doc_id = store.save(doc)  # saved after its failure: put right
    store.record_error(doc.source.path, "extract failed", "extract", sha256=doc.source.sha256)
    assert sorted(store.open_failures(), key=str) == [
        (doc.source.path, doc_id),
        ("inbox/broken.pdf", None),
    ]
    store.save(doc)
    assert store.open_failures() == [("inbox/broken.pdf", None)]


def test_has_source(store: Store) -> None:
    doc = make_document()
    assert not store.has_source(doc.source.sha256)
    store.save(doc)
    assert store.has_source(doc.source.sha256)


def test_loading_an_unknown_document_raises(store: Store) -> None:
    with pytest.raises(NotStoredError):
        store.load(12345)


# -- human corrections ---------------------------------------------------------------------


def test_revision_keeps_ocr_text_and_history(store: Store) -> None:
    doc_id = store.save(make_document())
    store.revise_line(doc_id, 6, "Đã hoàn thành 15/20 nhiệm vụ, đạt 75%.", "lan")
    store.revise_line(doc_id, 6, "Đã hoàn thành 15/20 nhiệm vụ, đạt 75 %.", "minh")
    line = store.load(doc_id).line(6)
    assert line.revised and line.text == "Đã hoàn thành 15/20 nhiệm vụ, đạt 75 %."
    assert line.raw == "Đã hoàn thành 14/20 nhiệm vụ, đạt 70%."
    history = store.revisions(doc_id)
    assert list(history["author"]) == ["lan", "minh"]
    assert list(history["old_text"]) == [line.raw, "Đã hoàn thành 15/20 nhiệm vụ, đạt 75%."]


def test_revision_survives_resaving_the_document(store: Store) -> None:
    doc = make_document()
    doc_id = store.save(doc)
    store.revise_line(doc_id, 2, "SỞ KHOA HỌC VÀ CÔNG NGHỆ (đã sửa)", "lan")
    store.save(doc)
    line = store.load(doc_id).line(2)
    assert (line.text, line.revised) == ("SỞ KHOA HỌC VÀ CÔNG NGHỆ (đã sửa)", True)
    assert len(store.revisions()) == 1
    assert store.search("da sua").loc[0, "line"] == 2


def test_revision_follows_its_line_when_lines_shift(store: Store) -> None:
    doc_id = store.save(make_document())
    store.revise_line(doc_id, 3, "Số: 3540/BC-SKHCN (sửa)", "lan")
    shifted = make_document("Dòng mới ở đầu\n" + TEXT)
    store.save(shifted)
    loaded = store.load(doc_id)
    assert loaded.line(4).text == "Số: 3540/BC-SKHCN (sửa)" and loaded.line(4).revised
    assert not loaded.line(3).revised


def test_revising_an_unknown_line_raises(store: Store) -> None:
    doc_id = store.save(make_document())
    with pytest.raises(NotStoredError):
        store.revise_line(doc_id, 999, "x", "lan")
    assert store.revisions().empty


# -- errors and runs -----------------------------------------------------------------------


def test_errors_are_recorded_with_sha256_when_the_file_exists(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    store.record_error(str(bad), "named .pdf but is not a PDF")
    store.record_error("/gone/\udcff\udcfe.pdf", "no such file \x00", stage="ocr")
    errors = store.errors()
    assert list(errors["stage"]) == ["ingest", "ocr"]
    assert errors.loc[0, "sha256"] == hashlib.sha256(b"not a pdf").hexdigest()
    assert errors["sha256"].isna().tolist() == [False, True]
    assert errors.loc[1, "path"] == "/gone/\\xff\\xfe.pdf"


def test_a_run_counts_what_was_saved_and_what_failed(store: Store) -> None:
    with store.run(note="nightly") as run_id:
        store.save(make_document())
        store.save(citing_document())
        store.record_error("x.pdf", "broken")
    run = store.runs().iloc[0].to_dict()
    assert run["id"] == run_id
    assert (run["saved"], run["failed"], run["note"]) == (2, 1, "nightly")
    assert run["finished_at"] >= run["started_at"]
    assert run["stage_versions"]["extract"] == "0.3"
    assert store.errors().loc[0, "run_id"] == run_id


# -- queries -------------------------------------------------------------------------------


def test_documents_lists_what_is_stored(store: Store) -> None:
    store.save(make_document())
    store.save(citing_document())
    docs = store.documents()
    assert list(docs["number"]) == ["3540/BC-SKHCN", "12/BC-UBND"]
    assert list(docs["directives"]) == [3, 1]
    assert list(docs["pages"]) == [2, 1]


@pytest.mark.parametrize(
    "asked", ["Sở KH&CN", "Sở Khoa học và Công nghệ", "so khoa hoc va cong nghe", "SỞ KH&CN"]
)
def test_tasks_match_an_agency_however_it_is_written(store: Store, asked: str) -> None:
    store.save(make_document())
    store.save(citing_document())
    found = store.tasks(responsible=asked)
    assert list(found["action"]) == ["chủ trì chuyển đổi số", "báo cáo tiến độ"]


def test_tasks_by_due_day_and_overdue(store: Store) -> None:
    store.save(make_document())
    tasks = store.tasks()
    assert list(tasks["due"].fillna("")) == ["2025-12-15", "2025-12-31", ""]
    assert list(store.tasks(due_before="2025-12-15")["action"]) == ["chủ trì chuyển đổi số"]
    assert len(store.tasks(overdue=True, today="2025-12-20")) == 1
    assert len(store.tasks(overdue=True, today="2026-01-01")) == 2
    assert store.tasks(overdue=True, today="2025-01-01").empty
    assert list(tasks.columns[:5]) == ["document_id", "document_number", "path", "page", "line"]


def test_tasks_refuse_a_malformed_date(store: Store) -> None:
    with pytest.raises(UsageError, match="due_before"):
        store.tasks(due_before="15/12/2025")


def test_indicators_by_unit_and_since(store: Store) -> None:
    store.save(make_document())
    store.save(citing_document())
    assert list(store.indicators()["name"]) == ["nhiệm vụ đã hoàn thành", "tiến độ"]
    assert list(store.indicators(unit="nhiem vu")["value"]) == [14.0]
    assert list(store.indicators(since="2026-01-01")["name"]) == ["tiến độ"]
    assert store.indicators(unit="ha").empty


def test_cites_finds_citing_documents_and_links_the_cited_one(store: Store) -> None:
    cited_id = store.save(make_document())
    citing_id = store.save(citing_document())
    edges = store.cites("3540/BC-SKHCN")
    assert list(edges["citing_id"]) == [citing_id]
    assert edges.loc[0, "cited_id"] == cited_id
    assert (edges.loc[0, "page"], edges.loc[0, "line"]) == (1, 1)
    assert list(store.cites("57-nq/tw")["citing_id"]) == [cited_id]
    assert len(store.cites()) == 2
    assert store.cites("99/XX").empty


# -- PostgreSQL folds lines itself ---------------------------------------------------------


def test_postgres_folding_agrees_with_python(pg_session_store: Store) -> None:
    """PostgreSQL folds stored lines itself (unaccent, lower); queries are folded in Python."""
    store = pg_session_store
    letters = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
    text = letters + letters.upper() + " Quảng Ngãi, Đồng Nai; Uỷ ban"
    with store.engine.connect() as conn:
        got = conn.execute(sa.text("SELECT lower(unaccent(:t))"), {"t": text}).scalar_one()
    assert got == folded(text)


def test_concurrent_writers_all_succeed(store: Store) -> None:
    """Batch saves and corrections from the web can overlap without 'database is locked'."""
    url = store.engine.url.render_as_string(hide_password=False)
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        own = open_store(url)
        try:
            for i in range(5):
                doc = make_document(sha=f"{worker}{i}")
                doc_id = own.save(doc)
                own.revise_line(doc_id, 1, f"sửa {worker} {i}", f"người {worker}")
        except BaseException as err:
            failures.append(err)
        finally:
            own.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert count(store, "documents") == 15
    assert len(store.revisions()) == 15
