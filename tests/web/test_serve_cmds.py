"""``rushes serve`` and ``rushes user``: who may start a server where, and managing people."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner

from rushes.catalog import open_catalog
from rushes.catalog.users import authenticate, list_users
from rushes.cli import serve_cmds
from rushes.cli.main import cli as main_cli
from rushes.errors import UsageError
from rushes.project import Project
from web.conftest import free_port

#: Runs the real entry point with serve_cmds registered (whether or not cli/main.py has it yet),
#: with Ctrl-C live as in a terminal: a test run started in the background by a non-interactive
#: shell (`cmd &`) has SIGINT ignored, and its children would inherit that (serve then exits 0).
_LAUNCH = (
    "import signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from rushes.cli import serve_cmds\n"
    "from rushes.cli.main import cli, main\n"
    "if 'serve' not in cli.commands:\n"
    "    serve_cmds.register(cli)\n"
    "main(sys.argv[1:])\n"
)


def group() -> click.Group:
    if "serve" not in main_cli.commands:
        serve_cmds.register(main_cli)
    return main_cli


def invoke(project: Project, *args: str, input: str | None = None) -> tuple[int, str, object]:
    result = CliRunner().invoke(
        group(), ["--project", str(project.root), *args], input=input,
        env={"RUSHES_DATABASE_URL": project.database_url, "RUSHES_PROGRESS": "none"},
    )
    return result.exit_code, result.output, result.exception


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("127.0.0.2", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("example.org", False),
])
def test_loopback_is_only_loopback(host: str, loopback: bool) -> None:
    assert serve_cmds.is_loopback(host) is loopback


def test_user_add_ls_passwd_rm(project: Project) -> None:
    code, out, exc = invoke(project, "user", "add", "Ellen Marsh", "--role", "viewer",
                            "--password-stdin", "--json", input="lighthouse-1892\n")
    assert code == 0, exc
    assert json.loads(out)["role"] == "viewer"
    code, out, _ = invoke(project, "user", "ls", "--json")
    assert [(u["name"], u["role"]) for u in json.loads(out)] == [("Ellen Marsh", "viewer")]
    code, _, exc = invoke(project, "user", "add", "Ellen Marsh", "--role", "owner",
                          "--password-stdin", input="another-one-1\n")
    assert isinstance(exc, UsageError) and "already exists" in str(exc)
    code, _, exc = invoke(project, "user", "add", "Callum", "--role", "editor",
                          "--password-stdin", input="short\n")
    assert isinstance(exc, UsageError) and "at least 8" in str(exc)
    code, _, exc = invoke(project, "user", "passwd", "Ellen Marsh", "--password-stdin",
                          input="new-password-2\n")
    assert code == 0, exc
    catalog = open_catalog(project.database_url)
    try:
        with catalog.write() as conn:
            assert authenticate(conn, "Ellen Marsh", "lighthouse-1892") is None
            user = authenticate(conn, "Ellen Marsh", "new-password-2")
            assert user is not None and user.role == "viewer"
            stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
            assert stored.startswith("$argon2id$") and "new-password-2" not in stored
        code, _, exc = invoke(project, "user", "rm", "Ellen Marsh")
        assert code == 0, exc
        with catalog.read() as conn:
            assert list_users(conn) == []
    finally:
        catalog.close()


def test_the_last_owner_stays_while_others_remain(project: Project) -> None:
    for name, role in (("olive", "owner"), ("vera", "viewer")):
        code, _, exc = invoke(project, "user", "add", name, "--role", role, "--password-stdin",
                              input="password-123\n")
        assert code == 0, exc
    code, _, exc = invoke(project, "user", "rm", "olive")
    assert isinstance(exc, UsageError) and "last owner" in str(exc)


def test_serve_beyond_loopback_refuses_without_users(project: Project) -> None:
    code, _, exc = invoke(project, "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert code != 0
    assert isinstance(exc, UsageError) and "user add" in str(exc)
    code, _, exc = invoke(project, "serve", "--require-login", "--port", str(free_port()))
    assert isinstance(exc, UsageError) and "--require-login needs at least one user" in str(exc)


def test_serve_port_in_use_is_one_line(project: Project) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _, _, exc = invoke(project, "serve", "--port", str(port))
    assert isinstance(exc, UsageError)
    assert str(exc) == f"cannot listen on 127.0.0.1:{port}: Address already in use"


def _start(project: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "RUSHES_PROGRESS": "none"}
    return subprocess.Popen(
        [sys.executable, "-c", _LAUNCH, "--project", str(project), "serve", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait(url: str, proc: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(proc.stderr.read() if proc.stderr else "no output") from None
            time.sleep(0.1)


@pytest.mark.slow
def test_serve_on_all_interfaces_always_requires_login(tmp_path: Path) -> None:
    from rushes.catalog.users import add_user
    from rushes.project import init_project

    project = init_project(tmp_path / "p", environ={})
    catalog = open_catalog(project.database_url)
    with catalog.write() as conn:
        add_user(conn, "olive", "owner", "owner-pass-1")
    catalog.close()
    port = free_port()
    proc = _start(project.root, "--host", "0.0.0.0", "--port", str(port))
    try:
        r = _wait(f"http://127.0.0.1:{port}/api/assets", proc)
        assert r.status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 303
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert "log-in required" in (proc.stderr.read() if proc.stderr else "")


@pytest.mark.slow
def test_serve_on_loopback_needs_no_login(tmp_path: Path) -> None:
    from rushes.project import init_project

    project = init_project(tmp_path / "p", environ={})
    port = free_port()
    proc = _start(project.root, "--port", str(port))
    try:
        r = _wait(f"http://127.0.0.1:{port}/api/assets", proc)
        assert r.status_code == 200 and r.json()["total"] == 0
        assert "Nothing catalogued yet" in httpx.get(f"http://127.0.0.1:{port}/").text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    # Ctrl-C ends it as it ends every command: "rushes: interrupted", exit 130, no traceback.
    stderr = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 130 and "Traceback" not in stderr, (proc.returncode, stderr)
