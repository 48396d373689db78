"""The store's commands (`tasks`, `indicators`, `documents`, `show`, `cites`, `search`,
`errors`, `serve`) through click's runner, over a real SQLite store in a temp dir."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.ingest import read_text, sha256_of, text_document
from pipeline.model import Source
from pipeline.run import run_text_stages
from pipeline.store import open_store

ADMIN = Path(__file__).resolve().parent.parent / "corpus" / "admin"
REPORT, NOTICE = ADMIN / "a-001.txt", ADMIN / "a-003.txt"  # 412/BC-SKHCN, 517/TB-VPUBND
COMMANDS = ["tasks", "indicators", "documents", "show", "cites", "search", "errors", "serve"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "store.db")
    store = open_store(path)
    for file in (REPORT, NOTICE):
        source = Source(path=str(file), sha256=sha256_of(file), kind="text")
        store.save(run_text_stages(text_document(read_text(file), source), {"segment", "extract"}))
    store.record_error("/archive/hỏng.pdf", "corrupt PDF, cannot be repaired")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line_failure(result: Result, code: int) -> str:
    """The message of a failure that exits `code` with one line and no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 or code == 2  # click's usage errors add a usage line
    return lines[-1]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_documents_itself(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0 and "Usage: " in result.output and "--db" in result.output


def test_tasks_as_table_csv_json_and_xlsx(db: str, tmp_path: Path) -> None:
    table = run("tasks", "--db", db, "--responsible", "Sở KH&CN")
    assert table.exit_code == 0 and "khắc phục dứt điểm lỗi kết nối" in table.output
    rows = list(csv.DictReader(io.StringIO(run("tasks", "--db", db, "--format", "csv").output)))
    assert len(rows) == len(open_store(db).tasks()) > 10
    assert {"document_id", "page", "line", "responsible", "action", "due"} <= set(rows[0])
    due = run("tasks", "--db", db, "--due-before", "2025-11-30", "--overdue", "--format", "json")
    assert all(r["due"] <= "2025-11-30" for r in json.loads(due.output))
    out = tmp_path / "tasks.xlsx"
    assert run("tasks", "--db", db, "--format", "xlsx", "-o", str(out)).exit_code == 0
    assert len(pd.read_excel(out)) == len(rows)


def test_usage_errors_exit_2_with_one_line(db: str) -> None:
    message = one_line_failure(run("tasks", "--db", db, "--format", "xlsx"), 2)
    assert message == "vanthu: --format xlsx needs --output FILE.xlsx"
    message = one_line_failure(run("tasks", "--db", db, "--due-before", "2026-02-30"), 2)
    assert "expected a date YYYY-MM-DD" in message
    one_line_failure(run("indicators", "--db", db, "--since", "yesterday"), 2)
    one_line_failure(run("tasks", "--db", db, "--format", "pdf"), 2)
    one_line_failure(run("show", "--db", db, "12/XYZ"), 2)


def test_failures_exit_1_with_one_line(db: str, tmp_path: Path) -> None:
    message = one_line_failure(run("show", "--db", db, "99"), 1)
    assert message == "vanthu: no document 99 in the store"
    missing = tmp_path / "no" / "such" / "folder.csv"
    message = one_line_failure(run("tasks", "--db", db, "--format", "csv", "-o", str(missing)), 1)
    assert message.startswith(f"vanthu: {missing}: ")
    one_line_failure(run("documents", "--db", str(tmp_path / "nowhere" / "x.db")), 1)


def test_indicators_by_unit_and_date(db: str) -> None:
    frame = pd.read_csv(io.StringIO(run("indicators", "--db", db, "--format", "csv").output))
    xa = pd.read_csv(
        io.StringIO(run("indicators", "--db", db, "--unit", "xã", "--format", "csv").output)
    )
    assert 0 < len(xa) < len(frame) and set(xa["unit"]) == {"xã"}
    late = run("indicators", "--db", db, "--since", "2026-01-01", "--format", "json").output
    assert {r["document_number"] for r in json.loads(late)} == {"412/BC-SKHCN"}


def test_documents_lists_both(db: str) -> None:
    rows = json.loads(run("documents", "--db", db, "--format", "json").output)
    assert [r["number"] for r in rows] == ["412/BC-SKHCN", "517/TB-VPUBND"]


def test_show_prints_header_sections_and_items_with_page_and_line(db: str) -> None:
    by_id = run("show", "--db", db, "2")
    by_number = run("show", "--db", db, "517/tb-vpubnd")
    assert by_id.exit_code == 0 and by_id.output == by_number.output
    out = by_id.output
    assert out.startswith("Thông báo 517/TB-VPUBND\n")
    assert "  date: 2025-11-14" in out
    for kind in ("sections", "references", "deadlines", "directives", "indicators"):
        assert f"\n{kind} (" in out
    assert "page line" in out and "khắc phục dứt điểm" in out
    text = run("show", "--db", db, "2", "--text").output
    assert "  1   51  thành trước ngày 30/11/2025." in text
    full = json.loads(run("show", "--db", db, "2", "--format", "json").output)
    assert full["header"]["number"] == "517/TB-VPUBND" and full["directives"]


def test_cites_finds_the_citing_documents(db: str) -> None:
    rows = json.loads(run("cites", "57-NQ/TW", "--db", db, "--format", "json").output)
    assert {r["citing_number"] for r in rows} == {"412/BC-SKHCN", "517/TB-VPUBND"}
    assert all(r["page"] >= 1 and r["line"] >= 1 for r in rows)
    assert run("cites", "999-NQ/TW", "--db", db).output.strip() == "(none)"


def test_search_ignores_diacritics(db: str) -> None:
    rows = json.loads(run("search", "lam sach du lieu", "--db", db, "--format", "json").output)
    assert rows and "làm sạch dữ liệu" in rows[0]["text"].lower()


def test_errors_lists_failed_files(db: str) -> None:
    rows = list(csv.DictReader(io.StringIO(run("errors", "--db", db, "--format", "csv").output)))
    assert [(r["path"], r["reason"]) for r in rows] == [
        ("/archive/hỏng.pdf", "corrupt PDF, cannot be repaired")
    ]


def test_serve_refuses_to_listen_beyond_localhost_without_a_token(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VANTHU_TOKEN", raising=False)
    message = one_line_failure(run("serve", "--db", db, "--host", "0.0.0.0"), 2)
    assert "without a token" in message
