"""Where a command may write a file it makes (an export, a report, a review render), and how.

Exports are written to a temporary name and renamed over the target (:func:`atomic_output`, the
one writer for text and timeline exports, the contact sheet and transcripts), so whatever the
target was is replaced whole. That is what re-running an export should do to the previous
export, and nothing else: a typo in ``-o`` must not replace a catalogued camera original
(originals are never modified), the catalog itself, a device or a pipe, nor create folders where
none were meant. Each refusal is one line naming the path.

An original need not be catalogued to deserve that: a camera file that ``rushes add`` could not
read (truncated in transfer) is still the only copy, and so is a card not added yet. So a file
``add`` recorded as failed is refused as well, and so is any file named as a kind rushes ingests
(``.mp4``, ``.wav``, ``.jpg``, ``.pdf``…) when what would replace it is of another kind (an EDL
over ``.mp4``). The kind written is known for certain only once it is written, so
:func:`atomic_output` compares it just before the rename; a command that knows its format can
ask :func:`check_output` with ``writes`` to refuse before doing the work.

A target that cannot be written (a read-only or virtual file system such as ``/sys``, a name
longer than the file system takes, a full disk) is one line, ``cannot write FILE: reason``,
naming the user's path rather than the hidden temporary one, and leaves nothing behind.

Sound and picture are kinds of their own here: a review render (an MP4 with picture) never
replaces a ``.wav`` (the production sound of a shoot is as much an original as the camera
files), nor a sound-only file under a video name (a recorder's ``.mp4`` or ``.mov`` holding only
audio), while a re-render over the last ``review.mp4`` still replaces it. A command writing
media names its format (``writes="mp4"``), and its file must then be named as that kind even
when none is there yet: ``cut render -o mix.wav`` would make an MP4 named as sound, which a
player, an NLE and ``rushes add`` would all take for something it is not.
"""

from __future__ import annotations

import errno
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Literal, NoReturn

from rushes.catalog import Catalog
from rushes.catalog.assets import list_problems, location_at, path_key
from rushes.errors import MediaError, UsageError


def check_output(
    path: Path, catalog: Catalog, project_dir: Path | None = None, writes: str | None = None
) -> Path:
    """``path`` if a command may write its file there; raises :class:`UsageError` otherwise.

    ``project_dir`` is the project's ``.rushes`` folder, whose catalog and settings files are
    refused as targets too. ``writes`` is the format the command will write (an export format
    such as ``edl``, or ``mp4``), when it knows: an existing file named as another ingestible
    kind is then refused now rather than after the work (:func:`atomic_output` refuses it in
    any case).
    """
    if not str(path) or not path.name or path.name in {".", ".."}:
        raise UsageError(f"output {str(path)!r} is not a file name")
    try:
        _check_target(path)
    except OSError as exc:  # a name too long, a folder that cannot be searched
        raise cannot_write(path, exc) from None
    keys = {path_key(path), path_key(path.resolve())}
    with catalog.read() as conn:
        for key in keys:
            loc = location_at(conn, key)
            if loc is not None:
                raise UsageError(
                    f"refusing to write {path}: it is a catalogued original (asset "
                    f"{loc.asset_id[:12]}), and rushes never modifies originals"
                )
        failed = list_problems(conn, "ingest", keys) if path.is_file() else []
    if failed:
        _refuse_original(path, f"`rushes add` could not catalogue it: {failed[0].error}")
    if writes is not None:
        _check_writes(path, writes)
    own = path.name in _PROJECT_FILES or path.name.startswith("catalog.db")
    if own and project_dir is not None and path.exists() and _inside(path, project_dir):
        raise UsageError(f"refusing to write {path}: it is the project's own {path.name}")
    return path


def _check_target(path: Path) -> None:
    """Refuse a target whose folder is missing, or that is a link, a folder or a device."""
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    if path.is_symlink():
        raise UsageError(f"cannot write {path}: it is a symbolic link; name the file itself")
    if path.exists() and not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file"
        raise UsageError(f"cannot write {path}: it is {what}")


def cannot_write(path: Path, exc: OSError) -> UsageError:
    """The one line for a file that could not be written: the user's path and the system's
    reason (``Permission denied``, ``File name too long``), never a temporary name."""
    return UsageError(f"cannot write {path}: {exc.strerror or exc}")


#: Files of ``.rushes`` that no export may replace (the catalog's are caught by prefix).
_PROJECT_FILES = frozenset({"config.toml"})

#: Groups of kinds that may replace one another: a review render over ``review.mp4``, an SRT over
#: ``captions.srt``, a script over ``script.docx``. Plain text in all its names is one group.
#: Video and audio are two: a take's sound is no review render's to replace.
_VIDEO, _AUDIO, _TEXT = "video", "audio", "text"
_MEDIA = frozenset({_VIDEO, _AUDIO})
_DOCUMENT_GROUPS = {".pdf": "pdf", ".docx": "docx", ".odt": "odt", ".rtf": "rtf"}
_FORMAT_GROUPS = {"mp4": _VIDEO, "docx": "docx", "otioz": "zip bundle"}


def name_group(path: Path) -> str | None:
    """The kind a file's name says it holds, if rushes would ingest files of that name; None
    for names of no such kind (``.edl``, ``.xml``, ``.otio``, ``.csv``)."""
    from rushes.media.identify import EXTENSION_KINDS  # PyAV and Pillow: only when needed

    ext = path.suffix.lower()
    kind = next((k for k, exts in EXTENSION_KINDS.items() if ext in exts), None)
    if kind == "document":
        return _DOCUMENT_GROUPS.get(ext, _TEXT)
    return kind


def format_group(fmt: str) -> str:
    """The group of what an export format writes (the text formats, and the few that are not)."""
    return _FORMAT_GROUPS.get(fmt.lower().lstrip("."), _TEXT)


def is_text_format(fmt: str) -> bool:
    """Whether an export format is text, which ``-o -`` may send to standard output (a zip
    bundle or a Word file there would only garble a terminal or a pipe)."""
    return format_group(fmt) == _TEXT


def written_bytes(write: Callable[[Path], object], suffix: str) -> bytes:
    """What ``write`` writes to a file named ``*suffix``, for ``-o -``: the writer runs into a
    private temporary folder (removed after), so standard output gets byte for byte what the
    file would hold, from the one writer of the format rather than a second rendering."""
    with tempfile.TemporaryDirectory(prefix="rushes-export-") as folder:
        target = Path(folder) / f"export{suffix}"
        write(target)
        return target.read_bytes()


def _check_writes(path: Path, writes: str) -> None:
    """Refuse, before the work, a target that the format about to be written does not fit: an
    existing file named as another ingestible kind; a sound file, whatever its name, under
    media of another kind; and, for media formats, a name of another kind even for a new file
    (the extension is all a player or NLE goes by, and ``cut render`` writes MP4 whatever
    it is)."""
    group = format_group(writes)
    named = name_group(path)
    if path.is_file():
        if named is not None and named != group:
            _refuse_original(path, _mismatch(path, named, writes))
        if group in _MEDIA:
            held = _media_held(path)
            if held is not None and held != group:
                what = "only audio" if held == _AUDIO else held
                _refuse_original(path, f"it holds {what}; what would replace it is {writes}")
    elif named is not None and group in _MEDIA and named != group:
        raise UsageError(
            f"cannot write {path}: a name ending {path.suffix} says {named}, but what is "
            f"written is {writes} ({group}); name it .{writes.lower().lstrip('.')}"
        )


def _media_held(path: Path) -> str | None:
    """Whether an existing file holds ``video`` or only ``audio``, whatever its name says; None
    when it holds neither or cannot be read (a broken earlier render is the target's name to
    reuse)."""
    group = _content_group(path)
    return group if group in _MEDIA else None


def _content_group(path: Path) -> str:
    """The group of what ``path`` holds, read from its bytes as ``add`` reads them."""
    from rushes.media.identify import identify

    try:
        if path.stat().st_size == 0:
            return _TEXT  # captions of a cut with no speech: an empty text file
        found = identify(path)
    except (MediaError, OSError):
        return "unrecognised content"
    if found.kind in _MEDIA:
        return str(found.kind)
    if found.kind == "document":
        return found.format if found.format in {"pdf", "docx", "rtf"} else _TEXT
    return found.kind


def _mismatch(path: Path, named: str, written: str) -> str:
    return f"named {path.suffix}: {named}; what would replace it is {written}"


def _refuse_original(path: Path, why: str) -> NoReturn:
    raise UsageError(
        f"refusing to overwrite {path}: it looks like an original ({why}); choose another name"
    )


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
    try:
        fd, tmp = _new_file_beside(path)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    in_body = False
    try:
        with suppress(FileNotFoundError):
            # A file being replaced keeps its mode (a config holding a password, made 0600).
            os.fchmod(fd, os.stat(path).st_mode & 0o7777)
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            in_body = True
            yield handle
            in_body = False
            handle.flush()
            os.fsync(handle.fileno())
        _check_kind(path, tmp)
        os.replace(tmp, path)
        _sync_folder(path.parent)
    except BaseException as exc:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        # Our own steps failing is the target's fault; an error of the caller's (reading a
        # source, say) is its own, unless it is writing that failed (a full disk).
        if isinstance(exc, OSError) and (not in_body or _writing_failed(exc)):
            raise cannot_write(path, exc) from None
        raise


#: What writing to a file (not reading another) fails with: a full disk or quota, a file
#: bigger than the file system takes, a file system gone read-only or failing.
_WRITE_ERRNOS = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EIO")
    if hasattr(errno, name)
)


def _writing_failed(exc: OSError) -> bool:
    """Whether an error raised while a caller wrote to the handle was the write failing (no
    file named: reading a source names it)."""
    return exc.errno in _WRITE_ERRNOS and exc.filename is None


def _check_kind(path: Path, new: Path) -> None:
    """Refuse to replace a file named as an ingestible kind (an original not catalogued yet)
    by a file of another kind; a new export of the same kind replaces the old one."""
    if not path.is_file():
        return
    named = name_group(path)
    if named is None:
        return
    written = _content_group(new)
    if written != named:
        _refuse_original(path, _mismatch(path, named, written))


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
    ``O_EXCL`` refuses any name already there). Its name is cut to what the file system takes,
    so a target whose name is near the limit can still be written."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    limit = _name_max(path.parent)
    for _ in range(100):
        tag = f".{secrets.token_hex(4)}.part"
        stem = path.name
        while stem and len(os.fsencode(f".{stem}{tag}")) > limit:
            stem = stem[:-1]
        tmp = path.with_name(f".{stem}{tag}")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _name_max(folder: Path) -> int:
    """The longest file name (in bytes) the file system holding ``folder`` takes."""
    try:
        return int(os.pathconf(folder if str(folder) else ".", "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255
