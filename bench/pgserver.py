"""A throwaway PostgreSQL server for the test suite and the benchmarks: initdb + pg_ctl in a
temporary folder on 127.0.0.1, run as the ``postgres`` user when we are root (both tools refuse
root). A UTF-8 locale, so pg_trgm sees CJK characters as word characters; benchmarks add more
memory for index builds through ``options``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bindir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if not found:
        raise SystemExit("PostgreSQL is not installed (scripts/setup.sh installs it)")
    return Path(found).parent


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


BENCH_OPTIONS = (
    "-c shared_buffers=512MB -c maintenance_work_mem=1GB -c work_mem=64MB -c max_wal_size=8GB"
)


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's programs, or None."""
    try:
        return _bindir()
    except SystemExit:
        return None


@contextmanager
def postgres_server(database: str = "bench", options: str = BENCH_OPTIONS) -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh ``database`` on a new server; all removed after."""
    bindir = _bindir()
    data = Path(tempfile.mkdtemp(prefix="rushes-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data / "db"), "-A", "trust",
                      "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
        check=True, capture_output=True,
    )
    server_options = (
        f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off "
        f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 {options}"
    )
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data / "db"), "-o", server_options,
                      "-l", str(data / "log"), "-w", "start"]),
        check=True, capture_output=True,
    )
    try:
        if database != "postgres":
            subprocess.run(
                _as_postgres([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                              "-U", "postgres", database]),
                check=True, capture_output=True,
            )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate",
                          "stop"]),
            check=False, capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":  # a server to poke at by hand: prints its URL, stops on Enter
    with postgres_server() as url:
        print(url, flush=True)
        input()
