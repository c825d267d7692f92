"""HTTP range requests read as RFC 9110 (section 14) says, in front of Starlette's FileResponse.

Starlette answers some Range headers in ways a player or a download tool does not expect: a
malformed or backwards range (``bytes=5-2``, ``bytes=abc``) is a bare 400, an unknown unit is
a 400 where the RFC says to ignore it, and one unsatisfiable range among good ones refuses
them all. :class:`RangedFile` decides first, then hands Starlette a Range header it reads
correctly (the satisfiable ranges, spelled out), none at all, or answers 416 itself with
``Content-Range: bytes */SIZE`` and the one-line JSON error every media error has.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

_SPEC = re.compile(r"^(\d*)-(\d*)$")
#: More ranges than this in one header is an abuse of the feature; Starlette's own limit.
MAX_RANGES = 100


class Ignore:
    """The Range header is to be ignored (another unit, too many ranges): send the whole file."""


IGNORE = Ignore()


def parse_byte_ranges(header: str, size: int) -> list[tuple[int, int]] | Ignore:
    """The satisfiable ``[start, end)`` ranges of ``header`` for a file of ``size`` bytes,
    merged; ``[]`` when the header is malformed or nothing in it is satisfiable (416);
    :data:`IGNORE` for a unit other than bytes (the RFC says to ignore those)."""
    unit, eq, spec = header.partition("=")
    if not eq:
        return []
    if unit.strip().lower() != "bytes":
        return IGNORE
    parts = [p.strip() for p in spec.split(",")]
    parts = [p for p in parts if p]  # empty list elements are allowed by the #rule
    if len(parts) > MAX_RANGES:
        return IGNORE
    found: list[tuple[int, int]] = []
    for part in parts:
        match = _SPEC.match(part)
        if match is None or match.group(0) == "-":
            return []
        first, last = match.group(1), match.group(2)
        if not first:  # suffix range: the last N bytes
            length = int(last)
            if length > 0 and size > 0:
                found.append((max(size - length, 0), size))
            continue
        start = int(first)
        if last and int(last) < start:
            return []  # a backwards range makes the whole header invalid
        if start >= size:
            continue  # unsatisfiable, but others may be fine
        end = min(int(last) + 1, size) if last else size
        found.append((start, end))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _with_range(scope: Scope, value: bytes | None) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k != b"range"]
    if value is not None:
        headers.append((b"range", value))
    return {**scope, "headers": headers}


class RangedFile(FileResponse):
    """A FileResponse whose Range handling follows :func:`parse_byte_ranges`."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_headers = Headers(scope=scope)
        header = request_headers.get("range")
        if header is None or scope.get("method", "GET").upper() not in {"GET", "HEAD"}:
            await super().__call__(scope, receive, send)
            return
        stat_result = self.stat_result or os.stat(self.path)
        self.stat_result = stat_result
        self.set_stat_headers(stat_result)
        if_range = request_headers.get("if-range")
        if if_range is not None and if_range not in {
            self.headers.get("etag"), self.headers.get("last-modified")
        }:
            # The file changed since the client's copy: the RFC says send all of it.
            await super().__call__(_with_range(scope, None), receive, send)
            return
        size = stat_result.st_size
        ranges = parse_byte_ranges(header, size)
        if isinstance(ranges, Ignore):
            await super().__call__(_with_range(scope, None), receive, send)
            return
        if not ranges:
            await _not_satisfiable(send, header, size, scope)
            return
        spelled = ",".join(f"{start}-{end - 1}" for start, end in ranges)
        await super().__call__(_with_range(scope, f"bytes={spelled}".encode()), receive, send)


async def _not_satisfiable(send: Send, header: str, size: int, scope: Scope) -> None:
    message: dict[str, Any] = {
        "error": f"range {header[:80]!r} is not satisfiable: the file has {size} bytes"
    }
    body = json.dumps(message).encode()
    await send({
        "type": "http.response.start", "status": 416,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"content-range", f"bytes */{size}".encode()),
                    (b"accept-ranges", b"bytes")],
    })
    head_only = scope.get("method", "GET").upper() == "HEAD"
    await send({"type": "http.response.body", "body": b"" if head_only else body})
