"""Running analysis from the jobs page: ``rushes analyze`` in a child process.

A child process, not a thread in the server: decoding and transcription are CPU-bound and would
starve the pages of the GIL, and the command already has the worker pool, leases and kill-safety
the CLI relies on. One run at a time per server; a second request while it runs is a no-op, and
the jobs page shows progress from the catalog's job counts as the child works.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from rushes.project import Project


class AnalysisRunner:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def command(self) -> list[str]:
        """The command line, carrying over settings the server was given as ``-c`` flags."""
        args = [sys.executable, "-m", "rushes", "--project", str(self.project.root)]
        settings = self.project.settings
        for name, origin in settings.origins.items():
            if origin == "flag":
                value = settings.get(name)
                text = ("true" if value else "false") if isinstance(value, bool) else str(value)
                args += ["-c", f"{name}={text}"]
        return [*args, "analyze"]

    @property
    def running(self) -> bool:
        with self._lock:
            return self._proc is not None and self._proc.poll() is None

    def start(self) -> bool:
        """Start a run unless one is going; True when this call started it."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return False
            env = {**os.environ, "RUSHES_PROGRESS": "none"}
            self._proc = subprocess.Popen(
                self.command(), env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            return True

    def stop(self) -> None:
        """Stop a run this server started (the server is shutting down); its unfinished jobs
        go back to the queue when their leases expire or the next run recovers them."""
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
