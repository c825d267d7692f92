"""Progress on stderr that stays clean without a terminal.

On a terminal: rich progress bars. Elsewhere (CI logs, pipes): a plain line every few seconds
and one at the end, never carriage returns or escape codes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from rushes.cli.app import printable


class Reporter:
    """A single task's progress: ``update(done, total, detail)``."""

    def __init__(self, label: str, mode: str) -> None:
        self.label = label
        self.mode = mode
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._last_line = 0.0
        self._last: tuple[int, int | None] = (0, None)

    def __enter__(self) -> Reporter:
        if self.mode == "bars":
            self._progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=None, detail="")
        return self

    def update(self, done: int, total: int | None = None, detail: str = "") -> None:
        self._last = (done, total)
        if self._progress is not None and self._task is not None:
            # The detail is a file's name: rich must not read its brackets as markup.
            self._progress.update(
                self._task, completed=done, total=total, detail=escape(detail[-50:])
            )
        elif self.mode == "lines":
            now = time.monotonic()
            if now - self._last_line >= 5:
                self._last_line = now
                self._line(detail)

    def tick(self, item: object) -> None:
        """One more item done (a file): counts it and shows the end of its name."""
        self.update(self._last[0] + 1, self._last[1], printable(item)[-60:])

    def _line(self, detail: str = "") -> None:
        done, total = self._last
        of = f"/{total}" if total is not None else ""
        extra = f" {detail}" if detail else ""
        sys.stderr.write(f"{self.label}: {done}{of}{extra}\n")
        sys.stderr.flush()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
        elif self.mode == "lines" and self._last_line:
            self._line()


def resolve_mode(setting: str) -> str:
    if setting == "auto":
        return "bars" if sys.stderr.isatty() else "lines"
    return setting


@contextmanager
def progress(label: str, setting: str) -> Iterator[Reporter]:
    with Reporter(label, resolve_mode(setting)) as reporter:
        yield reporter
