"""``rushes verify`` and ``rushes relink``."""

from __future__ import annotations

from pathlib import Path

import click

from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.cli.progress import progress
from rushes.errors import RushesError, UsageError
from rushes.fixity import relink, verify


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--strict", is_flag=True,
              help="Exit 1 when any file is changed, missing or unreadable (for scheduled "
                   "checks); without it the report is the result and the exit is 0.")
@pass_state
def verify_cmd(state: State, as_json: bool, strict: bool) -> None:
    """Re-hash every catalogued file and report changed, missing and unreadable ones (fixity)."""
    settings = state.settings
    with progress("verifying", settings.progress) as bar:
        report = verify(state.catalog(), settings.hash_threads, bar.tick)
    if state.catalog().read_only is not None:
        note("read-only project: checked and reported, nothing recorded in the catalog")
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(f"checked {report.checked}: {report.ok} ok, {len(report.changed)} changed, "
                   f"{len(report.missing)} missing, {len(report.unreadable)} unreadable")
        for item in report.changed:
            click.echo(f"  changed: {printable(item['path'])}")
        for item in report.missing:
            click.echo(f"  missing: {printable(item['path'])}")
        for item in report.unreadable:
            click.echo(f"  unreadable: {printable(item['path'])} ({item['error']})")
    if strict and report.failed:
        raise RushesError(
            f"fixity check failed: {len(report.changed)} changed, {len(report.missing)} "
            f"missing, {len(report.unreadable)} unreadable"
        )


@click.command("relink")
@click.argument("search", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def relink_cmd(state: State, search: tuple[str, ...], as_json: bool) -> None:
    """Find moved files by content under SEARCH folders (default: the project folder)."""
    project = state.project()
    roots = [Path(s) for s in search] or [project.root]
    for root in roots:
        # A mistyped or unmounted drive must not read as "nothing found there".
        try:
            root.stat()
        except OSError as exc:
            reason = "no such folder" if isinstance(exc, FileNotFoundError) else exc.strerror
            raise UsageError(f"cannot search {root}: {reason or exc}") from None
    with progress("relinking", project.settings.progress) as bar:
        report = relink(state.catalog(), roots, project.settings.hash_threads, bar.tick)
    if as_json:
        emit_json(report.to_json())
        return
    for item in report.relinked:
        click.echo(f"relinked {printable(item['from'])} -> {printable(item['to'])}")
    for item in report.still_missing:
        note(f"still missing: {printable(item['path'])}")
    click.echo(f"relinked {len(report.relinked)}, still missing {len(report.still_missing)}")


def register(cli: click.Group) -> None:
    cli.add_command(verify_cmd)
    cli.add_command(relink_cmd)
