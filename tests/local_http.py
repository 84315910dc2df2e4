"""A small real HTTP(S) server on loopback for tests of code that fetches URLs.

    server = LocalHTTPServer().start()          # or LocalHTTPServer(ssl_context=...) for HTTPS
    server.route("/feed.xml", body=b"...", headers={"Content-Type": "application/rss+xml"})
    server.route("/moved", status=302, headers={"Location": "/feed.xml"})
    server.url("/feed.xml", host="site.example")  # http://site.example:PORT/feed.xml
    server.requests                               # [(method, path, headers, body), ...]
    server.stop()

A route may also be a callable ``handler(request) -> (status, headers, body)``. A host name in
``url()`` needs ``FETCHER_TEST_RESOLVE`` and ``FETCHER_ALLOW_LOOPBACK_HOSTS`` (the fixture
``loopback_sites`` in tests/conftest.py sets both).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    def _serve(self):
        server: LocalHTTPServer = self.server.owner  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path
        server.requests.append((self.command, path, dict(self.headers), body))
        route = server.routes.get(path.split("?", 1)[0])
        if route is None:
            status, headers, content = 404, {"Content-Type": "text/plain"}, b"not found"
        elif callable(route):
            status, headers, content = route(self)
        else:
            status, headers, content = route
        if isinstance(content, str):
            content = content.encode()
        headers = dict(headers or {})
        slow = headers.pop("X-Test-Drip", None)
        unsized = headers.pop("X-Test-No-Length", None)  # no Content-Length, close at the end
        if unsized:
            headers["Connection"] = "close"
            self.close_connection = True
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers and not unsized:
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if slow:  # drip the body one byte at a time, `slow` seconds apart
            for byte in content:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(float(slow))
        else:
            self.wfile.write(content)

    do_GET = do_POST = do_HEAD = do_PUT = _serve


class LocalHTTPServer:
    def __init__(self, ssl_context=None, address: str = "127.0.0.1"):
        self.routes: dict = {}
        self.requests: list = []
        self._ssl_context = ssl_context
        self._address = address

    def start(self) -> LocalHTTPServer:
        self._httpd = ThreadingHTTPServer((self._address, 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        if self._ssl_context is not None:
            self._httpd.socket = self._ssl_context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def route(self, path: str, *, status: int = 200, headers=None, body=b"", handler=None):
        self.routes[path] = handler or (status, dict(headers or {}), body)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}{path}"
