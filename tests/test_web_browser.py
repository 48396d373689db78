"""The web interface in a real headless Chromium against a real `vanthu serve` process.

The store holds one sample scan OCR'd for real (the shortest PDF of corpus/samples/) and
one text document with directives (corpus/admin/a-003.txt). Chromium is Debian's package,
driven by Playwright's Python package; nothing is downloaded.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.store import Store, open_store

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "corpus" / "samples"
NOTICE = REPO / "corpus" / "admin" / "a-003.txt"

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium chromium-driver, or `make setup`)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def shortest_sample() -> Path:
    """The sample PDF with the fewest pages: OCR takes 10–20 s a page."""
    from pypdf import PdfReader

    return min(sorted(SAMPLES.glob("*.pdf")), key=lambda p: len(PdfReader(p).pages))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.run import process_file

    path = tmp_path_factory.mktemp("browser") / "store.db"
    store = open_store(str(path))
    assert store.save(process_file(shortest_sample())) == 1
    assert store.save(process_file(NOTICE)) == 2
    store.close()
    return path


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "VANTHU_TOKEN"}
    script = Path(sys.executable).with_name("vanthu")  # the console script beside python
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]
    process = subprocess.Popen(
        [*command, "serve", "--db", str(store_path), "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as answer:
                    assert answer.status == 200
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    out = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"vanthu serve did not start: {out}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Browser, server: str, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server, viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture()
def store(store_path: Path) -> Iterator[Store]:
    s = open_store(str(store_path))
    yield s
    s.close()


def test_document_page_shows_the_scan_with_a_box_per_line(
    page: Page, store: Store, tmp_path: Path
) -> None:
    page.goto("/documents/1")
    image = page.locator(".frame img")
    expect(image).to_have_count(1)
    for _ in range(100):  # the page image is rendered from the PDF at request time
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(100)
    assert image.evaluate("img => img.naturalWidth") == 1200
    boxed = [ln for ln in store.load(1).lines if ln.box is not None]
    boxes = page.locator("rect.box")
    assert boxes.count() == len(boxed) > 10
    # the boxes are drawn over the image, not beside it
    img, svg = image.bounding_box(), page.locator("svg.boxes").bounding_box()
    assert img and svg and abs(img["width"] - svg["width"]) < 1 and abs(img["y"] - svg["y"]) < 1
    first = page.locator(f"#box-{boxed[0].number}").bounding_box()
    assert first and img["x"] <= first["x"] < img["x"] + img["width"]
    page.screenshot(path=str(tmp_path / "document.png"))


def test_clicking_a_box_marks_its_line(page: Page, store: Store) -> None:
    page.goto("/documents/1")
    line = next(ln for ln in store.load(1).lines if ln.box is not None and ln.number > 3)
    page.locator(f"#box-{line.number}").click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#line-{line.number}")
    expect(page.locator(f"#line-{line.number}")).to_have_class("line current")
    expect(page.locator(f"#box-{line.number}")).to_have_class("box current")


def test_an_archivist_corrects_a_line(page: Page, store: Store, tmp_path: Path) -> None:
    line = next(ln for ln in store.load(1).lines if ln.box is not None and len(ln.text) > 20)
    corrected = line.text + " (đã đối chiếu bản gốc)"
    page.goto(f"/documents/1#line-{line.number}")
    row = page.locator(f"#line-{line.number}")
    row.locator("summary").click()
    row.locator("input[name=text]").fill(corrected)
    row.locator("input[name=author]").fill("Lan")
    with page.expect_navigation():
        row.locator("button").click()
    expect(page.locator(".notice")).to_contain_text(f"dòng {line.number}")
    row = page.locator(f"#line-{line.number}")
    expect(row.locator(".text")).to_have_text(corrected)
    expect(row.locator(".tag-revised")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Lan")
    page.screenshot(path=str(tmp_path / "corrected.png"))
    stored = store.load(1).line(line.number)
    assert (stored.text, stored.raw, stored.revised) == (corrected, line.raw, True)
    assert store.revisions(1)["new_text"].tolist()[-1] == corrected


def test_directives_export_downloads_a_csv(page: Page, store: Store, tmp_path: Path) -> None:
    page.goto("/directives")
    page.locator("input[name=responsible]").fill("Sở KH&CN")
    with page.expect_navigation():
        page.locator("form.filters button").click()
    expected = store.tasks(responsible="Sở KH&CN")
    expect(page.locator("table.tasks tbody tr")).to_have_count(len(expected))
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    saved = tmp_path / "directives.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["action"] for r in rows] == list(expected["action"]) and rows
    assert all("Khoa học và Công nghệ" in r["responsible"] for r in rows)


def test_overdue_rows_are_highlighted(page: Page, store: Store) -> None:
    page.goto("/directives?overdue=1")
    overdue = store.tasks(overdue=True)
    if overdue.empty:
        pytest.skip("no deadline of the sample has passed yet (they are in late 2025)")
    expect(page.locator("tr.overdue")).to_have_count(len(overdue))
    colour = page.locator("tr.overdue td").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colour != "rgba(0, 0, 0, 0)"
