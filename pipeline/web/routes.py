"""The pages: documents, one document beside its scan, directives, search, errors; and the
one write, a line correction."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Depends, Form, Header, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import UsageError
from pipeline.report import flat_lists
from pipeline.store import NotStoredError
from pipeline.store.days import iso_day
from pipeline.store.keys import folded
from pipeline.web.app import TOKEN_HEADER, WebState, error_page, web_state
from pipeline.web.pages import NoPageImage, page_image
from pipeline.web.views import ITEM_COLUMNS, document_view

router = APIRouter()
State = Annotated[WebState, Depends(web_state)]
Text = Annotated[str, Query(max_length=500)]
MAX_LINE_CHARS = 2000
SEARCH_LIMIT = 50
SEARCH_DOCUMENTS_LINES = 1000  # lines searched for the documents list's text filter
ITEM_TITLES = {
    "directives": "Nhiệm vụ, chỉ đạo",
    "deadlines": "Thời hạn",
    "indicators": "Chỉ tiêu, số liệu",
    "references": "Văn bản được dẫn",
    "sections": "Mục",
}


def _page(state: WebState, request: Request, name: str, **context: Any) -> HTMLResponse:
    context.setdefault("token_required", bool(state.token))
    return state.templates.TemplateResponse(request, name, context)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with missing values as None (templates test `if value`)."""
    return [
        {str(k): (None if _missing(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def _day(text: str, name: str) -> str | None:
    if not text:
        return None
    day = iso_day(text)
    if day is None:
        raise UsageError(f"{name}: cần ngày dạng YYYY-MM-DD, nhận được {text!r}")
    return day.isoformat()


# -- documents ----------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def documents(
    request: Request,
    state: State,
    type: Text = "",
    issuer: Text = "",
    date_from: Text = "",
    date_to: Text = "",
    q: Text = "",
) -> HTMLResponse:
    """Stored documents, filtered by type, issuer, date range and text."""
    frame = state.store.documents()
    types = sorted({t for t in frame["type"] if isinstance(t, str)})
    start, end = _day(date_from, "Từ ngày"), _day(date_to, "Đến ngày")
    if type:
        frame = frame[frame["type"] == type]
    if issuer:
        key = folded(issuer)
        frame = frame[frame["issuer"].map(lambda v: isinstance(v, str) and key in folded(v))]
    if start:
        frame = frame[frame["date"].map(lambda v: isinstance(v, str) and v >= start)]
    if end:
        frame = frame[frame["date"].map(lambda v: isinstance(v, str) and v <= end)]
    if q.strip() and not frame.empty:
        # a line of the text (diacritics ignored), or the number or subject, holds it
        key = folded(q)
        hits = set(state.store.search(q, limit=SEARCH_DOCUMENTS_LINES)["document_id"])
        in_header = frame.apply(
            lambda r: any(isinstance(v, str) and key in folded(v) for v in (r.number, r.subject)),
            axis=1,
        )
        frame = frame[frame["id"].isin(hits) | in_header]
    filters = {"type": type, "issuer": issuer, "date_from": date_from, "date_to": date_to, "q": q}
    return _page(state, request, "documents.html", rows=_records(frame), types=types, f=filters)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, state: State, doc_id: int, revised: int | None = None) -> Response:
    """A document: its pages with OCR boxes, its text line by line, what was extracted."""
    doc = state.store.load(doc_id)
    view = document_view(doc)
    history = _records(state.store.revisions(doc_id))
    return _page(
        state,
        request,
        "document.html",
        doc_id=doc_id,
        view=view,
        h=doc.header,
        images=doc.source.kind != "text",
        columns=ITEM_COLUMNS,
        titles=ITEM_TITLES,
        history=history,
        revised=revised,
    )


@router.get("/documents/{doc_id}/pages/{page_no}/image")
def image(request: Request, state: State, doc_id: int, page_no: int) -> Response:
    """The page image, found by document id and page number only."""
    doc = state.store.load(doc_id)
    try:
        data = page_image(doc, page_no)
    except NoPageImage as err:
        return error_page(request, 404, str(err))
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-cache"})


@router.post("/documents/{doc_id}/lines/{line_no}")
def revise(
    request: Request,
    state: State,
    doc_id: int,
    line_no: int,
    text: Annotated[str, Form(max_length=MAX_LINE_CHARS)],
    author: Annotated[str, Form(max_length=100)] = "",
    token: Annotated[str | None, Form(max_length=200)] = None,
    header_token: Annotated[str | None, Header(alias=TOKEN_HEADER)] = None,
) -> Response:
    """Correct a line as a person: stored as a revision (the OCR text stays), then the
    document is segmented and extracted again from its corrected text and saved."""
    from pipeline.run import run_text_stages

    if not state.token_ok(token or header_token):
        return error_page(request, 403, "Cần mã truy cập (token) đúng để sửa văn bản.")
    new_text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").strip()
    with state.write_lock:
        doc = state.store.load(doc_id)
        try:
            current = doc.line(line_no).text
        except KeyError:
            raise NotStoredError(f"văn bản {doc_id} không có dòng {line_no}") from None
        if new_text != current:
            state.store.revise_line(doc_id, line_no, new_text, author.strip() or "web")
            doc = run_text_stages(state.store.load(doc_id), only={"segment", "extract"})
            state.store.save(doc)
    return RedirectResponse(
        f"/documents/{doc_id}?revised={line_no}#line-{line_no}", status_code=303
    )


# -- directives ---------------------------------------------------------------------------


def _tasks(state: WebState, responsible: str, due_before: str, overdue: bool) -> pd.DataFrame:
    return state.store.tasks(
        responsible=responsible.strip() or None,
        due_before=_day(due_before, "Hạn trước ngày"),
        overdue=overdue,
    )


@router.get("/directives", response_class=HTMLResponse)
def directives(
    request: Request,
    state: State,
    responsible: Text = "",
    due_before: Text = "",
    overdue: bool = False,
) -> HTMLResponse:
    """Directives, soonest due first; those past due are marked."""
    frame = _tasks(state, responsible, due_before, overdue)
    today = date.today().isoformat()
    rows = _records(frame)
    for row in rows:
        row["overdue"] = bool(row["due"]) and row["due"] < today
    query = urlencode(
        {k: v for k, v in [("responsible", responsible), ("due_before", due_before)] if v}
        | ({"overdue": "1"} if overdue else {})
    )
    filters = {"responsible": responsible, "due_before": due_before, "overdue": overdue}
    return _page(state, request, "directives.html", rows=rows, f=filters, query=query, today=today)


@router.get("/directives.csv")
def directives_csv(
    state: State, responsible: Text = "", due_before: Text = "", overdue: bool = False
) -> Response:
    frame = flat_lists(_tasks(state, responsible, due_before, overdue))
    return Response(
        frame.to_csv(index=False),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="directives.csv"'},
    )


@router.get("/directives.xlsx")
def directives_xlsx(
    state: State, responsible: Text = "", due_before: Text = "", overdue: bool = False
) -> Response:
    frame = flat_lists(_tasks(state, responsible, due_before, overdue))
    out = io.BytesIO()
    frame.to_excel(out, index=False, sheet_name="directives")
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="directives.xlsx"'},
    )


# -- search and errors --------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, state: State, q: Text = "") -> HTMLResponse:
    """Lines matching the words of `q`, diacritics ignored."""
    rows = _records(state.store.search(q, limit=SEARCH_LIMIT)) if q.strip() else []
    return _page(state, request, "search.html", q=q, rows=rows, limit=SEARCH_LIMIT)


@router.get("/errors", response_class=HTMLResponse)
def errors(request: Request, state: State) -> HTMLResponse:
    """Files that failed, and why."""
    return _page(state, request, "errors.html", rows=_records(state.store.errors()))
