"""A project: a folder holding ``.rushes/`` (catalog, cache, config).

Commands find it from ``--project``, then ``RUSHES_PROJECT``, then by walking up from the
current directory, the way git finds its repository.

A project that cannot be written from here (a delivered drive, a restored tape mounted
read-only, a colleague's project on a read-only share) is still found: reading commands work
on it, and the first attempt to change it is refused in one line (:attr:`Project.read_only`).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from rushes.config import Settings, load_settings
from rushes.errors import ProjectNotFound, RushesError

MARKER = ".rushes"


@dataclass(frozen=True)
class Project:
    """Where a project lives on disk, and its loaded settings."""

    root: Path
    settings: Settings
    #: Why the project cannot be changed from here, as a person should read it; None when it
    #: can. Archives are often mounted read-only, and reading them must not need more.
    read_only: str | None = None

    @property
    def dir(self) -> Path:
        return self.root / MARKER

    def check_writable(self) -> None:
        """Refuse, in one line, a command that would change a read-only project: before it
        starts, rather than at the first file it cannot write."""
        if self.read_only is not None:
            raise RushesError(f"{self.read_only}: this command would change it")

    @property
    def config_file(self) -> Path:
        return self.dir / "config.toml"

    @property
    def cache_dir(self) -> Path:
        return self.dir / "cache"

    @property
    def catalog_file(self) -> Path | None:
        """The project's own SQLite catalog; None when the catalog is on a database server."""
        return None if self.settings.database_url else self.dir / "catalog.db"

    @property
    def database_url(self) -> str:
        url: str = self.settings.database_url
        return url or f"sqlite:///{self.dir / 'catalog.db'}"

    def asset_cache(self, asset_id: str) -> Path:
        """Per-asset folder for derived files (thumbnails, proxies): fanned out by id prefix."""
        return self.cache_dir / asset_id[:2] / asset_id


def init_project(
    directory: Path, environ: Mapping[str, str] | None = None, flags: Iterable[str] = ()
) -> Project:
    """Create ``.rushes/`` in ``directory`` (idempotent) and migrate its catalog to the newest
    schema. The one place a missing catalog is made: every other command finds the project
    with :func:`find_project`, which refuses one."""
    from rushes.catalog import open_catalog

    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / MARKER
    (marker / "cache").mkdir(parents=True, exist_ok=True)
    config = marker / "config.toml"
    if not config.exists():
        config.write_text(
            "# rushes project settings; `rushes config show` lists every setting.\n",
            encoding="utf-8",
        )
    project = Project(directory, load_settings(config, environ, flags))
    read_only = _read_only(project)
    if read_only is not None:
        # Even an existing, up-to-date project: init may migrate and would make what is missing.
        replace(project, read_only=read_only).check_writable()
    open_catalog(project.database_url).close()
    return project


def find_project(
    explicit: str | Path | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    flags: Iterable[str] = (),
) -> Project:
    """Locate the project: explicit path, ``RUSHES_PROJECT``, or the nearest ``.rushes`` upwards."""
    environ = os.environ if environ is None else environ
    candidate = explicit or environ.get("RUSHES_PROJECT")
    if candidate:
        root = Path(candidate).expanduser().resolve()
        if not (root / MARKER).is_dir():
            raise ProjectNotFound(
                f"{root} is not a rushes project (no {MARKER} folder); "
                f"run `rushes init {candidate}`"
            )
    else:
        here = (cwd or Path.cwd()).resolve()
        for root in (here, *here.parents):
            if (root / MARKER).is_dir():
                break
        else:
            raise ProjectNotFound(
                "no rushes project here or above; run `rushes init` or pass --project DIR"
            )
    project = Project(root, load_settings(root / MARKER / "config.toml", environ, flags))
    _check_catalog_file(project)
    read_only = _read_only(project)
    return project if read_only is None else replace(project, read_only=read_only)


def _read_only(project: Project) -> str | None:
    """Why ``project`` cannot be changed from here, or None: its ``.rushes`` folder, or its
    SQLite catalog file, is not writable by this user (a read-only file system says so).

    Decided by :func:`os.access`, which asks the kernel rather than reading mode bits: root may
    write a folder of mode 555, and does; a read-only mount refuses even root. A catalog file
    not made yet (``rushes init``) is the folder's business."""
    for path in (project.dir, project.catalog_file):
        if path is None or (path != project.dir and not path.exists()):
            continue
        if not os.access(path, os.W_OK):
            return f"the project {project.root} is read-only here ({path} {_why_unwritable(path)})"
    return None


def _why_unwritable(path: Path) -> str:
    """A read-only mount is named as such: no chmod will help there, a writable copy will."""
    try:
        on_read_only_fs = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        on_read_only_fs = False
    return "is on a read-only file system" if on_read_only_fs else "is not writable by this user"


def _check_catalog_file(project: Project) -> None:
    """Refuse an existing project whose SQLite catalog is gone or empty.

    SQLite would quietly make a new, empty catalog in its place, and every command would go on
    as if the archive held nothing: the logging of years lost without a word, and a backup
    restore made harder by the new file. Only ``rushes init`` makes a catalog (see
    :func:`init_project`); a catalog that SQLite itself made always has its header, so a file of
    0 bytes was emptied by something else."""
    path = project.catalog_file
    if path is None:
        return
    try:
        empty = path.stat().st_size == 0
    except FileNotFoundError:
        state = "missing"
    except OSError:
        return  # unreadable and the like: opening it gives the precise reason
    else:
        if not empty:
            return
        state = "empty (0 bytes)"
    raise RushesError(
        f"the catalog {path} is {state}; restore it from a backup, or run "
        f"`rushes init {shlex.quote(str(project.root))}` to start a new one"
    )
