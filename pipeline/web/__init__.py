"""The web interface: browse documents beside their scans, correct lines, list directives.

`create_app(store)` builds the FastAPI application; `serve(db, host, port, token)` runs it
(`vanthu serve`). Pages are rendered on the server with Jinja2; everything the browser
loads comes from this server.
"""

from __future__ import annotations

from pipeline.web.app import create_app, serve

__all__ = ["create_app", "serve"]
