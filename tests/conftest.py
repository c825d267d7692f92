"""Shared fixtures: projects on SQLite and on a real PostgreSQL server this test run starts.

The PostgreSQL server is a throwaway cluster in a temporary folder on 127.0.0.1 (initdb and
pg_ctl refuse to run as root, so as root they run as the ``postgres`` user). Set
``RUSHES_TEST_DATABASE_URL`` to use an existing server instead; ``RUSHES_REQUIRE_PG=1`` (set by
scripts/test.sh) turns a missing PostgreSQL into a failure instead of a skip.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))
sys.path.append(str(Path(__file__).parents[1] / "bench"))  # for pgserver, the shared server

from pgserver import find_bindir
from pgserver import postgres_server as pg_server
from rushes.analyzers import analyzers
from rushes.catalog import Catalog, open_catalog
from rushes.config import load_settings
from rushes.project import Project, init_project


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL (without database name) of a PostgreSQL server for this session."""
    url = os.environ.get("RUSHES_TEST_DATABASE_URL")
    if url:
        yield url.rsplit("/", 1)[0]
        return
    if find_bindir() is None:
        message = "PostgreSQL is not installed (scripts/setup.sh installs it)"
        if os.environ.get("RUSHES_REQUIRE_PG"):
            pytest.fail(message)
        pytest.skip(message)
    with pg_server("postgres", options="") as url:
        yield url.rsplit("/", 1)[0]


@pytest.fixture
def new_postgres_database(postgres_server: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty databases on the session's server, dropped afterwards."""
    admin = sa.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"rushes_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"{postgres_server}/{name}"

    yield make
    with admin.connect() as conn:
        for name in made:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def postgres_url(new_postgres_database: Callable[[], str]) -> str:
    """A fresh, empty database on the session's server."""
    return new_postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each catalog test runs twice: on SQLite and on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalog.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def project(tmp_path: Path, database_url: str) -> Project:
    """An initialised project whose catalog is on each database in turn; workers=1 runs inline."""
    env = {"RUSHES_DATABASE_URL": database_url, "RUSHES_WORKERS": "1", "RUSHES_PROGRESS": "none"}
    root = tmp_path / "project"
    init_project(root, environ=env)
    return Project(root.resolve(), load_settings(root / ".rushes" / "config.toml", env))


@pytest.fixture
def catalog(project: Project) -> Iterator[Catalog]:
    cat = open_catalog(project.database_url)
    yield cat
    cat.close()


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    """Tests may register extra analyzers; the next test starts from the built-ins again."""
    analyzers.cache_clear()
    yield
    analyzers.cache_clear()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated media shared (read-only!) by tests in this session."""
    return tmp_path_factory.mktemp("media")
