"""Where a command may write a file it makes (an export, a report, a review render), and how.

Exports are written to a temporary name and renamed over the target (:func:`atomic_output`, the
one writer for text and timeline exports, the contact sheet and transcripts), so whatever the
target was is replaced whole. That is what re-running an export should do to the previous
export, and nothing else: a typo in ``-o`` must not replace a catalogued camera original
(originals are never modified), the catalog itself, a device or a pipe, nor create folders where
none were meant. Each refusal is one line naming the path.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Literal

from rushes.catalog import Catalog
from rushes.catalog.assets import location_at, path_key
from rushes.errors import UsageError


def check_output(path: Path, catalog: Catalog, project_dir: Path | None = None) -> Path:
    """``path`` if a command may write its file there; raises :class:`UsageError` otherwise.

    ``project_dir`` is the project's ``.rushes`` folder, whose catalog and settings files are
    refused as targets too.
    """
    if not str(path) or not path.name or path.name in {".", ".."}:
        raise UsageError(f"output {str(path)!r} is not a file name")
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    if path.is_symlink():
        raise UsageError(f"cannot write {path}: it is a symbolic link; name the file itself")
    if path.exists() and not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        raise UsageError(f"cannot write {path}: it is {what}")
    with catalog.read() as conn:
        for key in {path_key(path), path_key(path.resolve())}:
            loc = location_at(conn, key)
            if loc is not None:
                raise UsageError(
                    f"refusing to write {path}: it is a catalogued original (asset "
                    f"{loc.asset_id[:12]}), and rushes never modifies originals"
                )
    own = path.name in _PROJECT_FILES or path.name.startswith("catalog.db")
    if own and project_dir is not None and path.exists() and _inside(path, project_dir):
        raise UsageError(f"refusing to write {path}: it is the project's own {path.name}")
    return path


#: Files of ``.rushes`` that no export may replace (the catalog's are caught by prefix).
_PROJECT_FILES = frozenset({"config.toml"})


def _inside(path: Path, folder: Path) -> bool:
    try:
        return os.path.commonpath([path.resolve(), folder.resolve()]) == str(folder.resolve())
    except ValueError:
        return False


@contextmanager
def atomic_output(path: Path, mode: Literal["w", "wb"] = "w") -> Iterator[IO[str] | IO[bytes]]:
    """Write a file whole or not at all: a failed export never leaves half a file behind.

    The data goes to a new hidden file beside the target, renamed over it once complete. That
    file is made as any new file is, with the mode the umask gives (``rw-r--r--`` under the usual
    022), not the owner-only mode of :func:`tempfile.mkstemp`; a file it replaces keeps its own
    mode. Text is UTF-8, newlines as given. The data reaches the disk before the rename, and the
    rename before returning, so a power cut leaves the old file or the new one, never an empty
    one.
    """
    path = Path(path)
    fd, tmp = _new_file_beside(path)
    try:
        with suppress(FileNotFoundError):
            # A file being replaced keeps its mode (a config holding a password, made 0600).
            os.fchmod(fd, os.stat(path).st_mode & 0o7777)
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; best effort where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder
    finally:
        os.close(fd)


def write_text_atomic(path: Path, text: str) -> None:
    """A whole text file (UTF-8) or nothing."""
    with atomic_output(path, "w") as handle:
        handle.write(text)  # type: ignore[call-overload]


def _new_file_beside(path: Path) -> tuple[int, Path]:
    """An open descriptor of a new, unused hidden file next to ``path`` (never a link followed:
    ``O_EXCL`` refuses any name already there)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")
