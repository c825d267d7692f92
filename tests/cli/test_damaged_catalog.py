"""A catalog that fails under a command (a damaged file, a server gone) is one readable line
naming the catalog, exit 1: the database's trouble, not an internal error of rushes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from cli.runner import rushes
from damage import damage_table
from rushes.catalog.db import database_failure


@pytest.fixture
def project(tmp_path: Path) -> Path:
    rushes("init", str(tmp_path), cwd=tmp_path)
    (tmp_path / "notes.txt").write_text("The ferry leaves at dawn.\n")
    rushes("add", "notes.txt", "--no-analyze", cwd=tmp_path)
    rushes("note", "add", "notes.txt", "The ferry leaves at dawn.", cwd=tmp_path)
    assert "ferry" in rushes("search", "ferry", cwd=tmp_path).stdout
    return tmp_path


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return lines[0]


def test_a_file_that_is_not_a_catalog_is_one_line(project: Path) -> None:
    (project / ".rushes" / "catalog.db").write_bytes(b"not a database at all\n" * 200)
    proc = rushes("search", "ferry", cwd=project, check=False)
    assert proc.returncode == 1
    line = _one_error_line(proc.stderr)
    assert line.startswith("rushes: error: cannot open the catalog at sqlite:")
    assert "catalog.db" in line and "not a database" in line


def test_a_damaged_page_met_mid_command_is_one_line_naming_the_catalog(project: Path) -> None:
    """The schema and the migration check read fine; the search meets the damaged page."""
    damage_table(project / ".rushes" / "catalog.db", "search_entries")

    proc = rushes("search", "ferry", cwd=project, check=False)
    assert proc.returncode == 1
    line = _one_error_line(proc.stderr)
    assert line.startswith("rushes: error: the catalog at sqlite:")
    assert "catalog.db failed: " in line and "malformed" in line
    # --debug still shows where it happened.
    debug = rushes("--debug", "search", "ferry", cwd=project, check=False)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


@pytest.mark.parametrize(
    ("exc", "shown"),
    [
        (sqlite3.OperationalError("database is locked"), "database is locked"),
        (sqlite3.DatabaseError("database disk image is malformed\nmore"),
         "database disk image is malformed"),
        (sa.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error")),
         "disk I/O error"),
        (psycopg.OperationalError("server closed the connection unexpectedly\n\tdetail"),
         "server closed the connection unexpectedly"),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
         "terminating connection due to administrator command"),
        # Faults in rushes' own SQL stay internal errors.
        (sqlite3.IntegrityError("UNIQUE constraint failed: assets.id"), None),
        (sa.exc.ProgrammingError("SELEC", {}, sqlite3.ProgrammingError("syntax")), None),
        (psycopg.errors.UndefinedTable('relation "nope" does not exist'), None),
        (ValueError("not a database error"), None),
    ],
)
def test_which_errors_are_the_databases_trouble(exc: BaseException, shown: str | None) -> None:
    assert database_failure(exc) == shown
