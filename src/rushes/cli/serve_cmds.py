"""``rushes serve`` (the web app) and ``rushes user`` (who may log in to it).

On this computer (loopback) the app needs no log-in unless asked (``--require-login``): the
person at the keyboard already has the files. Bound to anything else it is reachable by others,
so it refuses to start until at least one user exists, and always requires log-in.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from typing import Any

import click

from rushes.catalog.users import ROLES, add_user, count_users, list_users, remove_user, set_password
from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.errors import UsageError


def is_loopback(host: str) -> bool:
    """True only for addresses that cannot be reached from another machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def _listen(host: str, port: int) -> socket.socket:
    """Bind first, so a port in use is one readable line rather than a server log."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host.strip("[]"), port), family=family, reuse_port=False)
    except OSError as exc:
        # create_server appends "(while attempting to bind on address …)" to strerror: the
        # line already names the address, so say only the reason.
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback requires log-in.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--require-login", is_flag=True,
              help="Require log-in even on this computer (`rushes user add` first).")
@click.option("--secure-cookie", is_flag=True,
              help="Mark the session cookie Secure (when a TLS proxy serves the app).")
@pass_state
def serve(
    state: State, host: str, port: int, require_login: bool, secure_cookie: bool
) -> None:
    """Serve the web app: library, player with transcript, search, logging, paper edits."""
    import uvicorn

    from rushes.web import create_app
    from rushes.web.security import LOOPBACK_HOSTS

    project = state.project()
    with state.catalog().read() as conn:
        users = count_users(conn)
    if not is_loopback(host):
        if users == 0:
            raise UsageError(
                f"serving on {host} lets other machines in: add someone who may log in first "
                "(`rushes user add NAME --role owner`)"
            )
        require_login = True
    elif require_login and users == 0:
        raise UsageError(
            "--require-login needs at least one user: `rushes user add NAME --role owner`"
        )
    sock = _listen(host, port)
    hosts: list[str] | None = None
    if is_loopback(host):
        bare = host.strip("[]")
        hosts = [*LOOPBACK_HOSTS, f"[{bare}]" if ":" in bare else bare]
    app = create_app(project, require_login=require_login, https_only=secure_cookie,
                     allowed_hosts=hosts)
    shown = f"[{host}]" if ":" in host else host
    access = "log-in required" if require_login else "no log-in needed on this computer"
    note(f"serving {printable(project.root)} at http://{shown}:{port}/ ({access}); Ctrl-C stops")
    config = uvicorn.Config(app, log_level="warning", server_header=False, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


# --- users -------------------------------------------------------------------------------------


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise UsageError("no password on standard input")
        return password
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@click.group("user")
def user_group() -> None:
    """People who may log in to the web app, and their roles.

    \b
    viewer  watch, search and add notes (comment)
    editor  also tag, rate, make clips, bins and paper edits, export, retry jobs
    owner   also manage people
    """


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (no prompt).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def user_add(state: State, name: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """Add NAME with ROLE; asks for the password twice unless --password-stdin."""
    password = _password(password_stdin)
    with state.catalog().write() as conn:
        user = add_user(conn, name, role, password)
    if as_json:
        emit_json(user.to_json())
    else:
        note(f"added {user.name} ({user.role})")


@user_group.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def user_ls(state: State, as_json: bool) -> None:
    """List everyone who may log in."""
    with state.catalog().read() as conn:
        users = list_users(conn)
    if as_json:
        rows: list[dict[str, Any]] = [u.to_json() for u in users]
        emit_json(rows)
        return
    if not users:
        note("no users yet: `rushes user add NAME --role owner`")
    for u in users:
        click.echo(f"{u.name}\t{u.role}")


@user_group.command("rm")
@click.argument("name")
@pass_state
def user_rm(state: State, name: str) -> None:
    """Remove NAME; their sessions end at once."""
    with state.catalog().write() as conn:
        remove_user(conn, name)
    note(f"removed {name}")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (no prompt).")
@pass_state
def user_passwd(state: State, name: str, password_stdin: bool) -> None:
    """Change NAME's password; their other sessions end."""
    password = _password(password_stdin)
    with state.catalog().write() as conn:
        set_password(conn, name, password)
    note(f"changed the password of {name}")


def register(cli: click.Group) -> None:
    cli.add_command(serve)
    cli.add_command(user_group)
