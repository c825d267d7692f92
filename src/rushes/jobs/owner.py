"""Who holds a job: host, the run (the ``rushes`` command) and the worker process.

A process is named by its pid and start time, so a recycled pid is not mistaken for the worker
that died. When a run was killed whole (the user's SIGKILL), its jobs return to the queue at once
without counting an attempt; when only a worker died under a live run (a decoder crash), the
attempt counts, so a file that kills its worker every time ends as failed instead of looping.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

HOST = socket.gethostname()


def process_token(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{pid}.{_start_time(pid) or 0}"


def _start_time(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22 (starttime) counted after the parenthesised command name, which may hold spaces.
    return stat.rsplit(")", 1)[1].split()[19]


def is_alive(token: str) -> bool:
    pid_text, _, started = token.partition(".")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    now = _start_time(pid)
    return started in {"0", ""} or now is None or now == started


@dataclass(frozen=True)
class Owner:
    host: str
    run: str
    worker: str

    def __str__(self) -> str:
        return f"{self.host}|{self.run}|{self.worker}"

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        parts = text.split("|")
        return cls(*parts) if len(parts) == 3 else None

    @classmethod
    def here(cls, run: str) -> Owner:
        return cls(HOST, run, process_token())
