"""``rushes verify`` and ``rushes relink``."""

from __future__ import annotations

from pathlib import Path

import click

from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.cli.progress import progress
from rushes.fixity import relink, verify


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def verify_cmd(state: State, as_json: bool) -> None:
    """Re-hash every catalogued file and report changed and missing ones (fixity)."""
    settings = state.settings
    with progress("verifying", settings.progress) as bar:
        report = verify(state.catalog(), settings.hash_threads, bar.tick)
    if as_json:
        emit_json(report.to_json())
        return
    click.echo(f"checked {report.checked}: {report.ok} ok, {len(report.changed)} changed, "
               f"{len(report.missing)} missing")
    for item in report.changed:
        click.echo(f"  changed: {printable(item['path'])}")
    for item in report.missing:
        click.echo(f"  missing: {printable(item['path'])}")


@click.command("relink")
@click.argument("search", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def relink_cmd(state: State, search: tuple[str, ...], as_json: bool) -> None:
    """Find moved files by content under SEARCH folders (default: the project folder)."""
    project = state.project()
    roots = [Path(s) for s in search] or [project.root]
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
