"""A small local HTTP server that imitates the Stripe API endpoints the platform uses.

The real ``stripe`` library talks to it (its API base is pointed here), so the
code under test is exactly the code that runs in production. Handlers for the
endpoints live beside this file and register themselves with ``FakeStripe.route``.

What it imitates:
- form-encoded requests with nested keys (``metadata[topup]=7``), bearer auth;
- ``Idempotency-Key``: the same key with the same request replays the first
  response; the same key with a different request is a 400 ``idempotency_error``;
- injected failures, before the work is done (``fail_next``) or after it
  (``fail_next(..., after_work=True)``, the answer is lost as in a timeout).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

Handler = Callable[["FakeStripe", dict, re.Match], tuple[int, dict]]


@dataclass
class Failure:
    method: str
    pattern: re.Pattern
    status: int
    body: dict
    after_work: bool = False  # do the work, then drop the answer (a timeout seen by the client)


@dataclass
class Request:
    method: str
    path: str
    params: dict
    idempotency_key: str | None
    stripe_account: str | None
    answered: int = 0


@dataclass
class FakeStripe:
    objects: dict[str, dict[str, dict]] = field(default_factory=lambda: defaultdict(dict))
    requests: list[Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    balance_cents: int = 10_000_000  # the platform's available balance, for transfers
    _idempotent: dict[str, tuple[str, int, dict]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    # Shared by every instance: handler modules register at import time, see route().
    _registry: ClassVar[list[tuple[str, re.Pattern, Handler]]] = []

    # --- registration -----------------------------------------------------------

    @classmethod
    def route(cls, method: str, pattern: str):
        def register(handler: Handler) -> Handler:
            cls._registry.append((method, re.compile(f"^{pattern}$"), handler))
            return handler

        return register

    # --- life cycle -------------------------------------------------------------

    def start(self) -> FakeStripe:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                fake._handle(self, "GET")

            def do_POST(self):  # noqa: N802
                fake._handle(self, "POST")

            def do_DELETE(self):  # noqa: N802
                fake._handle(self, "DELETE")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- helpers for handlers and tests ------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._counter):06d}{secrets.token_hex(4)}"

    def store(self, collection: str, obj: dict) -> dict:
        self.objects[collection][obj["id"]] = obj
        return obj

    def get(self, collection: str, object_id: str) -> dict | None:
        return self.objects[collection].get(object_id)

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int = 500,
        body: dict | None = None,
        after_work: bool = False,
        times: int = 1,
    ) -> None:
        body = body or {"error": {"type": "api_error", "message": "Injected failure"}}
        for _ in range(times):
            self.failures.append(
                Failure(method, re.compile(f"^{path_pattern}$"), status, body, after_work)
            )

    def calls(self, method: str, path_pattern: str) -> list[Request]:
        """Requests that reached a handler (replays and injected failures before work excluded)."""
        pattern = re.compile(f"^{path_pattern}$")
        return [
            r for r in self.requests if r.method == method and pattern.match(r.path) and r.answered
        ]

    @staticmethod
    def error(
        status: int, message: str, *, code: str | None = None, type_: str = "invalid_request_error"
    ) -> tuple[int, dict]:
        error: dict[str, Any] = {"type": type_, "message": message}
        if code:
            error["code"] = code
        return status, {"error": error}

    # --- request handling ----------------------------------------------------------

    def _handle(self, http: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length).decode() if length else ""
        pairs = parse_qsl(raw or split.query, keep_blank_values=True)
        params = decode_form(pairs)
        if not (http.headers.get("Authorization") or "").startswith("Bearer sk_"):
            return self._respond(http, *self.error(401, "Invalid API Key provided"))
        key = http.headers.get("Idempotency-Key") if method == "POST" else None
        request = Request(method, split.path, params, key, http.headers.get("Stripe-Account"))
        with self._lock:
            self.requests.append(request)
            if key and key in self._idempotent:
                fingerprint, status, body = self._idempotent[key]
                if fingerprint != _fingerprint(method, split.path, params):
                    return self._respond(
                        http,
                        *self.error(
                            400,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with.",
                            type_="idempotency_error",
                        ),
                    )
                return self._respond(http, status, body, replay=True)
            failure = self._take_failure(method, split.path)
            if failure and not failure.after_work:
                return self._respond(http, failure.status, failure.body)
            status, body = self._dispatch(method, split.path, params)
            request.answered = status
            if key and status < 500:
                self._idempotent[key] = (_fingerprint(method, split.path, params), status, body)
        if failure and failure.after_work:
            # The work is done and stored; the client never hears back.
            time.sleep(0.05)
            http.close_connection = True
            with contextlib.suppress(OSError):
                http.connection.shutdown(2)
            return None
        return self._respond(http, status, body)

    def _take_failure(self, method: str, path: str) -> Failure | None:
        for i, failure in enumerate(self.failures):
            if failure.method == method and failure.pattern.match(path):
                return self.failures.pop(i)
        return None

    def _dispatch(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        for route_method, pattern, handler in self._registry:
            if route_method == method:
                match = pattern.match(path)
                if match:
                    return handler(self, params, match)
        return self.error(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _respond(
        http: BaseHTTPRequestHandler, status: int, body: dict, replay: bool = False
    ) -> None:
        data = json.dumps(body).encode()
        http.send_response(status)
        http.send_header("Content-Type", "application/json")
        http.send_header("Content-Length", str(len(data)))
        http.send_header("Request-Id", f"req_fake{secrets.token_hex(6)}")
        if replay:
            http.send_header("Idempotent-Replayed", "true")
        http.end_headers()
        http.wfile.write(data)


def _fingerprint(method: str, path: str, params: dict) -> str:
    return hashlib.sha256(json.dumps([method, path, params], sort_keys=True).encode()).hexdigest()


def decode_form(pairs: list[tuple[str, str]]) -> dict:
    """Turn Stripe's ``a[b][0][c]=v`` form keys into nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            container_for_next = [] if (nxt is not None and nxt.isdigit()) else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                else:
                    if node[index] is None:
                        node[index] = container_for_next
                    node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, container_for_next)
    return root


def sign_payload(payload: str, secret: str, *, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header value, built the way Stripe signs webhooks."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={signature.hexdigest()}"
