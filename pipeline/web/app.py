"""The FastAPI application and the `vanthu serve` entry point.

Safety rules the application keeps:
- every database access goes through the `Store` (bound parameters only);
- no part of a request names a file: page images are found by document id and page
  number, the source path comes from the store;
- writes are POST only; a POST from another site (its `Origin` or `Sec-Fetch-Site` says
  so) is refused; when a token is configured every POST must carry it (form field
  `token` or header `X-Vanthu-Token`), and a server bound to anything but the loopback
  interface will not start without one;
- templates escape everything (Jinja autoescape), and the Content-Security-Policy lets
  the browser load nothing from anywhere but this server.
"""

from __future__ import annotations

import hmac
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from pipeline.errors import StoreError, UsageError
from pipeline.store import NotStoredError, Store
from pipeline.web.views import KIND_NAMES

HERE = Path(__file__).resolve().parent
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_HOST_HEADERS = ["127.0.0.1", "localhost", "[::1]"]  # as a Host header names them
TOKEN_HEADER = "x-vanthu-token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CSP = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class WebState:
    """What the routes share: the store, the write token and the template environment."""

    store: Store
    templates: Jinja2Templates
    token: str | None = None
    # one correction (revise, re-extract, re-save) at a time
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    def token_ok(self, given: str | None) -> bool:
        """Whether a write may proceed: no token is configured, or `given` is it."""
        if not self.token:
            return True
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def is_local(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    return host.strip("[]").lower() in LOCAL_HOSTS


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["kind_names"] = KIND_NAMES
    return Jinja2Templates(env=env)


def create_app(
    store: Store, *, token: str | None = None, trusted_hosts: list[str] | None = None
) -> FastAPI:
    """The application over `store`. With `token`, every POST must carry it; with
    `trusted_hosts`, requests naming another Host are refused (DNS rebinding)."""
    from pipeline.web.routes import router

    app = FastAPI(title="vanthu", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = WebState(store=store, templates=_templates(), token=token or None)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.middleware("http")(_guard)
    if trusted_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=trusted_hosts)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotStoredError, _not_stored)
    app.add_exception_handler(UsageError, _usage_error)
    app.add_exception_handler(StoreError, _store_error)
    return app


async def _raw_form(request: Request) -> bool:
    """Whether a url-encoded body carries bytes that are not percent-encoded."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return False
    return not (await request.body()).isascii()


def _cross_site(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    if request.method in _UNSAFE:
        if _cross_site(request):
            return error_page(request, 403, "Yêu cầu ghi từ trang khác bị từ chối (cross-site).")
        if await _raw_form(request):
            # the form parser reads such bytes as Latin-1: the text would be stored garbled
            return error_page(request, 400, "Form data must be percent-encoded UTF-8.")
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A page saying what went wrong, in one line."""
    return web_state(request).templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    messages = {404: "Không tìm thấy.", 405: "Phương thức không được phép."}
    message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
    return error_page(request, exc.status_code, message or messages.get(exc.status_code, "Lỗi."))


async def _not_stored(request: Request, exc: Exception) -> Response:
    return error_page(request, 404, str(exc))


async def _usage_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 400, str(exc))


async def _store_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 500, str(exc))


def check_bind(host: str, port: int, token: str | None) -> None:
    """Refuse a setup that would expose writes, or a port that is taken, as `UsageError`."""
    if not is_local(host) and not token:
        raise UsageError(
            f"refusing to serve on {host} without a token: pass --token or set $VANTHU_TOKEN"
        )
    if not 0 < port < 65536:
        raise UsageError(f"--port: {port} is not a port number")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise UsageError(f"--host: cannot resolve {host}: {err.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from None


def serve(db: str | None, host: str, port: int, token: str | None) -> None:
    """Open the store and serve the interface until interrupted."""
    import uvicorn

    from pipeline.store import open_store

    check_bind(host, port, token)
    store = open_store(db)
    trusted = LOCAL_HOST_HEADERS if is_local(host) else None
    app = create_app(store, token=token, trusted_hosts=trusted)
    shown = f"[{host}]" if ":" in host else host
    print(f"vanthu: serving http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
