"""Helpers for the browser tests: a reader logged in without the login form, and a plain
static site on another origin (a creator's blog that embeds the button)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from django.test import Client


def log_in(context, user, platform: str) -> None:
    """Put ``user``'s session cookie for ``platform`` in the browser ``context``."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": platform}])


@contextlib.contextmanager
def static_site() -> Iterator[ThreadingHTTPServer]:
    """A plain static site on 127.0.0.1 (the platform's live server is on localhost):
    ``site.pages[path] = html`` serves a page at ``site.url + path``."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.pages = pages
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def blog_with_widget(platform: str, thing) -> str:
    """A creator's page with the script embed of ``thing``."""
    return (
        "<!doctype html><html><head><title>My blog</title></head><body>"
        "<h1>My blog</h1><p>A post worth a flattr.</p>"
        f'<script async src="{platform}/static/tips/embed.js"></script>'
        f'<a class="flattr-button" href="{platform}/t/{thing.pk}/">Flattr</a>'
        "</body></html>"
    )
