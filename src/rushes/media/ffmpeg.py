"""Running ffmpeg, ffprobe and exiftool as subprocesses, with failures reduced to one line.

These tools write pages of banner, configuration and per-stream chatter to stderr; a person
looking at a failed job needs the one line that says what went wrong, so every failure here is a
:class:`~rushes.errors.MediaError` (or :class:`ToolNotFound`) carrying just that line. Nothing
here reads or parses media: callers build the arguments and interpret the output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from rushes.errors import MediaError, RushesError

#: Lines ffmpeg prints after the real error, which would hide it if taken as the last line.
_NOISE = re.compile(
    r"^(conversion failed!?|exiting normally.*|error opening (input|output) files?:.*"
    r"|error while (opening|filtering).*|press \[q\].*|\s*last message repeated.*)$",
    re.IGNORECASE,
)
#: The ``[mov,mp4,m4a @ 0x55d1c0]`` prefix: an address means nothing to a person.
_CONTEXT = re.compile(r"^\[([^\]@]+?)\s*@\s*(0x)?[0-9a-fA-F]+\]\s*")

#: Longest error line kept; beyond this a line is a dump, not a message.
_MAX_LINE = 300


class ToolNotFound(RushesError):
    """A required program is not on PATH: the installation, not the file, is at fault."""


def tool_path(tool: str) -> str:
    """The executable for ``tool``, or :class:`ToolNotFound` with the fix in the message."""
    exe = shutil.which(tool)
    if exe is None:
        raise ToolNotFound(f"{tool} is not installed (run scripts/setup.sh)")
    return exe


def media_arg(path: Path) -> str:
    """A path as ffmpeg should read it: ``file:`` stops a name like ``take:2.mov`` or one
    starting with ``-`` from being taken as a protocol or an option."""
    return "file:" + os.fspath(path.absolute())


def last_error_line(stderr: str, hide: Iterable[str] = ()) -> str:
    """The last line of ``stderr`` that says something, without addresses or the given paths.

    ``hide`` lists strings (usually the input's path) removed from the line: the job record
    already names the file, and a long path would push the reason off the screen.
    """
    hidden = [h for h in hide if h]
    for raw in reversed(stderr.splitlines()):
        line = raw.strip()
        if not line or _NOISE.match(line):
            continue
        line = _CONTEXT.sub(lambda m: f"{m.group(1).strip()}: ", line)
        for h in hidden:
            line = line.replace(f"{h}: ", "").replace(h, "the file")
        line = line.strip().rstrip(".")
        if line:
            return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 1] + "…"
    return "failed without saying why"


def run_tool(
    tool: str,
    args: Sequence[str],
    *,
    timeout: float | None = None,
    hide: Iterable[str] = (),
) -> str:
    """Run ``tool`` with ``args`` and return its stdout as text.

    Raises :class:`ToolNotFound` when the program is missing and :class:`MediaError` with the
    last meaningful stderr line when it fails, so the caller records a reason, not a traceback.
    stdin is closed: ffmpeg otherwise reads keystrokes and stalls in a background worker.
    """
    exe = tool_path(tool)
    try:
        proc = subprocess.run(
            [exe, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MediaError(f"{tool} took longer than {timeout:g} s and was stopped") from None
    except OSError as exc:
        raise MediaError(f"{tool} could not start: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", errors="replace")
        raise MediaError(f"{tool}: {last_error_line(stderr, hide)}")
    return proc.stdout.decode("utf-8", errors="replace")
