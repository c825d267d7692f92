"""Who holds a job: host, the run (the ``rushes`` command) and the worker process.

A process is named by its pid and start time, so a recycled pid is not mistaken for the worker
that died, and a zombie counts as dead: a SIGKILLed worker whose new parent (a container's PID 1)
never reaps it still answers ``kill(pid, 0)``.

When a run was killed whole (the user's SIGKILL), its jobs return to the queue at once without
counting an attempt; when only a worker died under a live run (a decoder crash), the attempt
counts, so a file that kills its worker every time ends as failed instead of looping.
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


def _stat(pid: int) -> list[str] | None:
    """Fields of ``/proc/PID/stat`` from the third (state) on; None where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Counted after the parenthesised command name, which may hold spaces.
    return stat.rsplit(")", 1)[1].split()


def _start_time(pid: int) -> str | None:
    fields = _stat(pid)
    return None if fields is None else fields[19]  # field 22, starttime


def is_alive(token: str) -> bool:
    """Whether the process a :func:`process_token` names still runs (a bare pid is accepted)."""
    pid_text, _, started = token.partition(".")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    fields = _stat(pid)
    if fields is None:
        return True
    if fields[0] in {"Z", "X"}:
        return False
    return started in {"0", ""} or fields[19] == started


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
