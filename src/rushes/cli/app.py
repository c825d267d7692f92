"""Shared command-line plumbing: the per-invocation state, output helpers, error discipline."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from rushes.catalog import Catalog, open_catalog
from rushes.config import Settings
from rushes.outputs import check_output
from rushes.project import Project, find_project


@dataclass
class State:
    """What the top-level options decided; commands ask it for the project and catalog."""

    project_dir: str | None = None
    flags: list[str] = field(default_factory=list)
    debug: bool = False
    _project: Project | None = None
    _catalog: Catalog | None = None

    def project(self) -> Project:
        if self._project is None:
            self._project = find_project(self.project_dir, flags=self.flags)
        return self._project

    @property
    def settings(self) -> Settings:
        return self.project().settings

    def catalog(self) -> Catalog:
        if self._catalog is None:
            project = self.project()
            self._catalog = open_catalog(project.database_url, read_only=project.read_only)
        return self._catalog

    def output(self, path: str | Path, writes: str | None = None) -> Path:
        """A file a command is about to write, checked (:func:`rushes.outputs.check_output`);
        ``writes`` (the format, when known) refuses an original of another kind before the
        work rather than after it."""
        return check_output(Path(path), self.catalog(), self.project().dir, writes)

    @property
    def opened(self) -> Catalog | None:
        """The catalog, if a command opened it."""
        return self._catalog

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()


pass_state = click.make_pass_decorator(State)


def emit_json(data: Any) -> None:
    """One JSON document on stdout: the contract's only stdout output in --json mode."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


#: Characters that would break a line, drive the terminal or reorder what it shows: C0 and C1
#: controls, DEL, the Unicode line and paragraph separators, and bidirectional overrides.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """``text`` (a path, mostly) as a person's terminal should show it, on one line: control
    characters escaped as Python writes them (``\\n``, ``\\t``, ``\\x1b``), undecodable bytes
    as ``\\xe9`` (a ``Path`` holds them as lone surrogates, which would reach the terminal as
    raw bytes), everything else as it is. For human output only: ``--json`` keeps exact
    paths."""
    shown = str(text)
    try:
        shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no undecodable byte makes
        shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], shown)


def note(text: str) -> None:
    """A line for the person at the terminal, on stderr so stdout stays parseable."""
    click.echo(text, err=True)


def as_paths(values: tuple[str, ...]) -> list[Path]:
    return [Path(v) for v in values]

