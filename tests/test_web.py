"""The web interface through FastAPI's TestClient, over a real SQLite store in a temp dir."""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from pipeline.errors import UsageError
from pipeline.ingest import read_text, sha256_of, text_document
from pipeline.model import Box, Document, Line, Page, Source, Token
from pipeline.run import run_text_stages
from pipeline.store import Store, open_store
from pipeline.web import create_app
from pipeline.web.app import check_bind

REPO = Path(__file__).resolve().parent.parent
NOTICE = REPO / "corpus" / "admin" / "a-003.txt"  # 517/TB-VPUBND: 13 directives
SCAN = REPO / "corpus" / "samples" / "002.pdf"
DEADLINE_LINE = 51  # "thành trước ngày 30/11/2025." ends directive 2.2 a) of line 48


def notice() -> Document:
    """A real text document, segmented and extracted (no OCR, no restoration)."""
    return _notice().model_copy(deep=True)


@cache
def _notice() -> Document:
    source = Source(path=str(NOTICE), sha256=sha256_of(NOTICE), kind="text")
    return run_text_stages(text_document(read_text(NOTICE), source), {"segment", "extract"})


def scanned(image: Path) -> Document:
    """A one-page 'scan' with line and word boxes; one word OCR was unsure of."""
    words = [("Giao", 0.95), ("Sở", 0.93), ("Tài", 0.96), ("chính", 0.3)]
    tokens = [
        Token(raw=w, text=w, box=Box(x=20 + 60 * i, y=20, w=50, h=20), ocr_conf=c)
        for i, (w, c) in enumerate(words)
    ]
    lines = [
        Line(
            number=1,
            page=1,
            raw="Giao Sở Tài chính",
            text="Giao Sở Tài chính",
            box=Box(x=20, y=20, w=230, h=20),
            conf=0.8,
            tokens=tokens,
        ),
        Line(
            number=2,
            page=1,
            raw="<script>alert(1)</script>",
            text="<script>alert(1)</script>",
            box=Box(x=20, y=60, w=230, h=20),
            conf=0.9,
            tokens=[Token(raw="<script>alert(1)</script>", text="<script>alert(1)</script>")],
        ),
    ]
    doc = Document(
        source=Source(path=str(image), sha256=sha256_of(image), kind="image", text_layer="none"),
        pages=[Page(number=1, width=300, height=400, dpi=72, lines=lines)],
    )
    doc.header.subject = '<img src=x onerror="alert(2)">'
    return doc


def filled_store(folder: Path) -> Store:
    image = folder / "scan.png"
    Image.new("RGB", (300, 400), "white").save(image)
    s = open_store(str(folder / "web.db"))
    assert s.save(notice()) == 1
    assert s.save(scanned(image)) == 2
    return s


@pytest.fixture()
def image(tmp_path: Path) -> Path:
    return tmp_path / "scan.png"


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    """A store of its own, for a test that writes."""
    return filled_store(tmp_path)


@pytest.fixture()
def client(store: Store) -> TestClient:
    return TestClient(create_app(store))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One store shared by the tests that only read."""
    return filled_store(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def reader(archive: Store) -> TestClient:
    return TestClient(create_app(archive))


# -- reading ------------------------------------------------------------------------------


def test_documents_page_lists_and_filters(reader: TestClient) -> None:
    page = reader.get("/").text
    assert "517/TB-VPUBND" in page and 'href="/documents/2"' in page
    by_type = reader.get("/", params={"type": "Thông báo"}).text
    assert "517/TB-VPUBND" in by_type and 'href="/documents/2"' not in by_type
    assert "517/TB-VPUBND" in reader.get("/", params={"issuer": "van phong"}).text
    assert "517/TB-VPUBND" not in reader.get("/", params={"date_from": "2025-12-01"}).text
    assert "517/TB-VPUBND" in reader.get("/", params={"date_to": "2025-11-14"}).text
    by_text = reader.get("/", params={"q": "lam sach du lieu dat dai"}).text
    assert "517/TB-VPUBND" in by_text and 'href="/documents/2"' not in by_text
    bad = reader.get("/", params={"date_from": "14/11/2025"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_document_page_links_every_item_to_its_line(reader: TestClient, archive: Store) -> None:
    page = reader.get("/documents/1").text
    doc = archive.load(1)
    assert len(doc.directives) >= 10
    for line in doc.lines:
        assert f'id="line-{line.number}"' in page
    for item in [*doc.directives, *doc.deadlines, *doc.references, *doc.sections]:
        assert f'href="#line-{item.anchor.line}"' in page
    assert "Sở Khoa học và Công nghệ" in page
    assert "<img src=" not in page  # a text document has no page image


def test_scanned_page_has_its_image_a_box_per_line_and_doubtful_words(reader: TestClient) -> None:
    page = reader.get("/documents/2").text
    assert 'src="/documents/2/pages/1/image"' in page
    assert 'viewBox="0 0 300 400"' in page
    assert page.count('<rect class="box') == 2
    assert 'id="box-1"' in page and 'x="20" y="60" width="230" height="20"' in page
    assert page.count('class="doubt-box"') == 1
    assert '<mark class="doubt" title="OCR: chính · OCR 0.30">chính</mark>' in page


def test_stored_text_is_escaped(reader: TestClient) -> None:
    page = reader.get("/documents/2").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<img src=x onerror="alert(2)">' not in page and "&lt;img src=x" in page


def test_page_image_is_served_by_document_and_page_number(reader: TestClient) -> None:
    got = reader.get("/documents/2/pages/1/image")
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(got.content)).size == (1200, 1600)
    assert reader.get("/documents/2/pages/2/image").status_code == 404
    assert reader.get("/documents/1/pages/1/image").status_code == 404  # a text source
    assert reader.get("/documents/9/pages/1/image").status_code == 404
    for path in ("/documents/2/pages/..%2F..%2Fetc%2Fpasswd/image", "/documents/x/pages/1/image"):
        assert reader.get(path).status_code in (404, 422)


def test_a_changed_source_file_is_not_shown_under_old_boxes(
    client: TestClient, image: Path
) -> None:
    Image.new("RGB", (300, 400), "black").save(image)
    got = client.get("/documents/2/pages/1/image")
    assert got.status_code == 404 and "is not the one that was read" in got.text


def test_pdf_page_is_rendered_in_the_frame_of_its_boxes(tmp_path: Path) -> None:
    doc = Document(
        source=Source(path=str(SCAN), sha256=sha256_of(SCAN), kind="pdf", text_layer="none"),
        pages=[
            Page(
                number=1,
                width=2481,
                height=3509,
                dpi=300,
                lines=[
                    Line(number=1, page=1, raw="Số", text="Số", box=Box(x=538, y=290, w=417, h=40))
                ],
            )
        ],
    )
    store = open_store(str(tmp_path / "pdf.db"))
    doc_id = store.save(doc)
    got = TestClient(create_app(store)).get(f"/documents/{doc_id}/pages/1/image")
    assert got.status_code == 200
    assert Image.open(io.BytesIO(got.content)).size == (1200, round(1200 * 3509 / 2481))


def test_security_headers_keep_the_browser_on_this_server(reader: TestClient) -> None:
    got = reader.get("/")
    assert "default-src 'self'" in got.headers["content-security-policy"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "http" not in got.text.replace("http-equiv", "")  # nothing from elsewhere


def test_unknown_document_is_a_404_page(reader: TestClient) -> None:
    got = reader.get("/documents/99")
    assert got.status_code == 404 and "no document 99" in got.text


# -- correcting ---------------------------------------------------------------------------


def _directive_deadline(store: Store, line: int) -> str | None:
    return next(d.deadline for d in store.load(1).directives if d.anchor.line == line)


def test_correcting_a_line_keeps_the_ocr_text_and_extracts_again(
    client: TestClient, store: Store
) -> None:
    before = store.load(1).line(DEADLINE_LINE)
    assert before.text == "thành trước ngày 30/11/2025."
    assert _directive_deadline(store, 48) == "2025-11-30"
    got = client.post(
        f"/documents/1/lines/{DEADLINE_LINE}",
        data={"text": "thành trước ngày 20/12/2025.", "author": "lan"},
        follow_redirects=False,
    )
    assert got.status_code == 303
    assert got.headers["location"] == f"/documents/1?revised={DEADLINE_LINE}#line-{DEADLINE_LINE}"
    after = store.load(1).line(DEADLINE_LINE)
    assert (after.text, after.raw, after.revised) == (
        "thành trước ngày 20/12/2025.",
        "thành trước ngày 30/11/2025.",
        True,
    )
    assert _directive_deadline(store, 48) == "2025-12-20"  # extraction re-ran
    history = store.revisions(1)
    assert list(history[["line", "old_text", "new_text", "author"]].iloc[0]) == [
        DEADLINE_LINE,
        "thành trước ngày 30/11/2025.",
        "thành trước ngày 20/12/2025.",
        "lan",
    ]
    page = client.get(got.headers["location"]).text
    assert "Đã lưu bản sửa dòng 51" in page and "thành trước ngày 20/12/2025." in page
    tasks = client.get("/directives").text
    assert "2025-12-20" in tasks


def test_resaving_the_document_keeps_the_human_version(client: TestClient, store: Store) -> None:
    client.post(
        f"/documents/1/lines/{DEADLINE_LINE}", data={"text": "thành trước ngày 20/12/2025."}
    )
    assert store.save(notice()) == 1  # the pipeline runs again on the same file
    line = store.load(1).line(DEADLINE_LINE)
    assert (line.text, line.revised) == ("thành trước ngày 20/12/2025.", True)
    assert store.search("trước ngày 20/12/2025")["line"].iloc[0] == DEADLINE_LINE


def test_an_unchanged_line_records_no_revision(client: TestClient, store: Store) -> None:
    text = store.load(1).line(10).text
    assert client.post("/documents/1/lines/10", data={"text": text}).status_code == 200
    assert store.revisions(1).empty


def test_correcting_an_unknown_line_is_a_404(client: TestClient, store: Store) -> None:
    assert client.post("/documents/1/lines/9999", data={"text": "x"}).status_code == 404
    assert client.post("/documents/99/lines/1", data={"text": "x"}).status_code == 404
    assert store.revisions().empty


def test_writes_are_post_only(reader: TestClient) -> None:
    assert reader.get("/documents/1/lines/10", params={"text": "x"}).status_code == 405


def test_a_post_from_another_site_is_refused(client: TestClient, store: Store) -> None:
    for headers in (
        {"Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "null"},
    ):
        got = client.post("/documents/1/lines/10", data={"text": "x"}, headers=headers)
        assert got.status_code == 403
    assert store.revisions().empty
    same = client.post(
        "/documents/1/lines/10",
        data={"text": "x"},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_a_form_with_raw_utf8_bytes_is_refused_not_stored_garbled(
    client: TestClient, store: Store
) -> None:
    got = client.post(
        "/documents/1/lines/10",
        content="text=Sở Tài chính".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert got.status_code == 400 and "percent-encoded" in got.text
    assert store.revisions().empty
    encoded = client.post("/documents/1/lines/10", data={"text": "Sở Tài chính"})
    assert encoded.status_code == 200 and store.load(1).line(10).text == "Sở Tài chính"


def test_with_a_token_every_correction_must_carry_it(store: Store) -> None:
    client = TestClient(create_app(store, token="s3cret"))
    url = "/documents/1/lines/10"
    assert client.post(url, data={"text": "a"}).status_code == 403
    assert client.post(url, data={"text": "a", "token": "wrong"}).status_code == 403
    assert store.revisions().empty
    assert 'name="token"' in client.get("/documents/1").text
    ok = client.post(url, data={"text": "a", "token": "s3cret"}, follow_redirects=False)
    assert ok.status_code == 303
    ok = client.post(
        url, data={"text": "b"}, headers={"X-Vanthu-Token": "s3cret"}, follow_redirects=False
    )
    assert ok.status_code == 303
    assert store.revisions(1)["new_text"].tolist() == ["a", "b"]


def test_requests_naming_another_host_are_refused(archive: Store) -> None:
    client = TestClient(
        create_app(archive, trusted_hosts=["127.0.0.1", "localhost"]),
        base_url="http://127.0.0.1:8000",
    )
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"Host": "rebound.example"}).status_code == 400


def test_refuses_to_serve_off_localhost_without_a_token() -> None:
    with pytest.raises(UsageError, match="without a token"):
        check_bind("0.0.0.0", 8000, None)


# -- directives, search, errors -----------------------------------------------------------


def test_directives_are_filtered_and_overdue_ones_marked(reader: TestClient) -> None:
    page = reader.get("/directives").text
    assert page.count('<tr class="overdue">') >= 5  # deadlines of late 2025
    mine = reader.get("/directives", params={"responsible": "Sở KH&CN"}).text
    assert "khắc phục dứt điểm lỗi kết nối" in mine and "Công an tỉnh" not in mine
    early = reader.get("/directives", params={"due_before": "2025-11-30"}).text
    assert "khắc phục dứt điểm lỗi kết nối" in early and "2025-12-05" not in early
    bad = reader.get("/directives", params={"due_before": "2025-02-30"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_directives_export_as_csv_and_xlsx(reader: TestClient, archive: Store) -> None:
    expected = archive.tasks(responsible="Sở KH&CN")
    params = {"responsible": "Sở KH&CN"}
    got = reader.get("/directives.csv", params=params)
    assert got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert len(rows) == len(expected) > 0
    assert rows[0]["cooperating"] == "; ".join(expected["cooperating"][0])
    page = reader.get("/directives", params=params).text
    assert 'href="/directives.csv?responsible=S%E1%BB%9F+KH%26CN"' in page
    xlsx = reader.get("/directives.xlsx", params=params)
    sheet = pd.read_excel(io.BytesIO(xlsx.content))
    assert list(sheet["action"]) == list(expected["action"])


def test_search_ignores_diacritics_and_links_the_line(reader: TestClient, archive: Store) -> None:
    page = reader.get("/search", params={"q": "lam sach du lieu dat dai"}).text
    hit = archive.search("lam sach du lieu dat dai").iloc[0]
    assert f'href="/documents/{hit.document_id}#line-{hit.line}"' in page
    assert "làm sạch dữ liệu đất đai" in page


@pytest.mark.parametrize(
    "query",
    [
        "\x00",
        "'; DROP TABLE lines; --",
        '"unclosed',
        "NEAR(a b) OR * ^",
        "%",
        "\ufffd",
        "<script>alert(3)</script>",
        "a" * 500,
        "\\x",
        "lam sach " * 40,
    ],
)
def test_any_search_string_is_harmless(reader: TestClient, query: str) -> None:
    got = reader.get("/search", params={"q": query})
    assert got.status_code in (200, 422)
    assert "<script>alert(3)" not in got.text
    raw = reader.get("/search?q=%FF%FE%00%C3%28")
    assert raw.status_code == 200


def test_errors_page_lists_failed_files(client: TestClient, store: Store) -> None:
    store.record_error("/tmp/hỏng.pdf", "corrupt PDF, cannot be repaired")
    page = client.get("/errors").text
    assert "/tmp/hỏng.pdf" in page and "corrupt PDF" in page
