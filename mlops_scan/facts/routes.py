"""The literal route paths a Python module serves (``@app.post("/train")``), read from its text: the python kind
collects them as it scans each module, the project index follows HTTP calls to them."""

from __future__ import annotations

import re

_ROUTE = re.compile(
    r"""^[ \t]*@[\w.]+\.(?:post|put|get|patch|route|api_route|websocket)\(\s*["'](/[^"'\s{}<]+)/?["']""", re.M
)
"""A route decorator with a literal path (FastAPI, Flask, Starlette, Quart, Sanic style)."""
_SERVER_HINTS = ("fastapi", "flask", "starlette", "quart", "sanic", "litestar", "aiohttp")


def routes_of(text: str) -> list[tuple[str, int]]:
    """The literal route paths a module serves, with their lines (empty for a module that serves none)."""
    if "@" not in text or not any(hint in text for hint in _SERVER_HINTS):
        return []
    return [(m.group(1).rstrip("/"), text.count("\n", 0, m.start(1)) + 1) for m in _ROUTE.finditer(text)]
