"""Pooled PostgreSQL connections: a session the server ended is replaced before it is used,
and a connection in steady use is not pinged each time it is handed out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from rushes.catalog import Catalog, db, open_catalog

pytestmark = pytest.mark.postgres


@pytest.fixture
def server_catalog(postgres_url: str) -> Iterator[Catalog]:
    catalog = open_catalog(postgres_url)
    yield catalog
    catalog.close()


@pytest.fixture
def pings(server_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per ping the checkout sends."""
    sent: list[int] = []
    dialect = server_catalog.engine.dialect
    ping = dialect.do_ping

    def counting(dbapi_conn: Any) -> bool:
        sent.append(1)
        return ping(dbapi_conn)

    monkeypatch.setattr(dialect, "do_ping", counting)
    return sent


def _backend_pid(catalog: Catalog) -> int:
    with catalog.reads() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _end_session(postgres_url: str, pid: int) -> None:
    """What a server restart or an administrator does to a session, and wait until it is gone."""
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()
            for _ in range(200):
                alive = conn.exec_driver_sql(
                    f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}").scalar_one()
                if not alive:
                    return
                time.sleep(0.01)
        raise AssertionError(f"session {pid} did not end")
    finally:
        admin.dispose()


def test_a_connection_in_steady_use_is_not_pinged(
    server_catalog: Catalog, pings: list[int]
) -> None:
    pids = {_backend_pid(server_catalog) for _ in range(20)}
    assert len(pids) == 1, "the pool reuses one connection"
    assert pings == []


def test_an_ended_session_is_replaced_before_use(
    server_catalog: Catalog, postgres_url: str, pings: list[int]
) -> None:
    first = _backend_pid(server_catalog)
    _end_session(postgres_url, first)
    second = _backend_pid(server_catalog)  # no error: the dead connection was replaced
    assert second != first
    assert pings == [1], "the server's goodbye made the checkout ping"
    assert _backend_pid(server_catalog) == second
    assert pings == [1]


def test_a_long_idle_connection_is_pinged(
    server_catalog: Catalog, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(server_catalog)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    assert _backend_pid(server_catalog) == first
    assert _backend_pid(server_catalog) == first
    assert pings == [1, 1]
