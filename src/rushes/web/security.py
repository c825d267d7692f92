"""The web app's defences that sit below the routes: the session secret, CSRF tokens, the
log-in rate limit, the request size limit and the response headers every page carries.

Sessions are Starlette's signed cookies (``SessionMiddleware``), not a sessions table: the
catalog schema is shared with the command line and PostgreSQL servers, a cookie needs no write
per request, and what a session holds (a user id, a password stamp, a CSRF token) is small and
not secret from its owner. Revocation still works because every request re-reads the user by id
and compares the stamp: removing a user or changing a password ends their sessions at once.
"""

from __future__ import annotations

import hmac
import os
import secrets
import stat
import threading
import time
from collections import deque
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rushes.errors import UsageError

SECRET_FILE = "web-secret"
#: Form field and header that carry the CSRF token.
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Host names a browser uses for an app on this computer (IPv6 literals keep their brackets).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def session_secret(rushes_dir: Path, keep: bool = True) -> str:
    """The project's signing key: made once (0600, owner only) and kept, so sessions survive a
    restart. A key others can read would let them forge any session, so looser permissions are
    tightened and said so rather than silently trusted.

    ``keep`` False (a read-only project): the kept key if there is one this user alone can
    read, else a key for this run only (sessions then end with the server)."""
    path = rushes_dir / SECRET_FILE
    if not keep:
        try:
            loose = stat.S_IMODE(path.stat().st_mode) & 0o077
        except OSError:
            loose = True
        return secrets.token_hex(32) if loose else _existing_secret(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _existing_secret(path)
    value = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def _existing_secret(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        os.chmod(path, 0o600)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < 32:
        raise UsageError(f"{path} is damaged (too short); delete it to make a new one")
    return value


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """This session's CSRF token, made on first use. One per session (not per form), so a page
    with several forms and the JavaScript calls all share it."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], given: str | None) -> bool:
    expected = session.get("csrf")
    if not isinstance(expected, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class LoginLimiter:
    """Failed log-ins per client address and per name within a sliding window; past the limit
    further tries are refused until the oldest failure leaves the window. Memory is bounded:
    only failures are kept, and a key with none left is dropped."""

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def retry_after(self, *keys: str) -> float:
        """Seconds until a blocked key may try again; 0 when none is blocked."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.max_failures:
                    wait = max(wait, self.window_s - (now - times[0]))
        return wait

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, whether announced by Content-Length
    or streamed in chunks, before a route reads them into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    announced = 0
                if announced > self.max_bytes:
                    await _too_large(send, self.max_bytes)
                    return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(send, self.max_bytes)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"error": "request body is larger than {limit} bytes"}}'.encode()
    await send({
        "type": "http.response.start", "status": 413,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


#: No inline script or style anywhere: the pages pass data in data- attributes and JSON blocks.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Add the headers above to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
