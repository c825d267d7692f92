"""``rushes init`` and ``rushes config``."""

from __future__ import annotations

from pathlib import Path

import click

from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.config import SETTINGS, write_setting
from rushes.errors import UsageError
from rushes.project import MARKER, find_project, init_project


@click.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@pass_state
def init(state: State, directory: str) -> None:
    """Make DIRECTORY (default: here) a rushes project: .rushes/ with catalog, cache and config."""
    existed = (Path(directory) / MARKER).is_dir()
    db = Path(directory) / MARKER / "catalog.db"
    had_catalog = db.is_file() and db.stat().st_size > 0
    try:
        project = init_project(Path(directory), flags=state.flags)
    except OSError as exc:
        # A read-only folder or disk, a file where a folder should be: the user's to fix.
        where = exc.filename if exc.filename is not None else directory
        raise UsageError(
            f"cannot make a project in {directory}: {exc.strerror or exc} ({where})"
        ) from None
    verb = "Already a project" if existed else "Initialised project"
    if existed and project.catalog_file is not None and not had_catalog:
        # The catalog had gone (commands refuse that): say plainly that this one is new.
        verb = "Made a new, empty catalog in the project"
    note(f"{verb}: {printable(project.root)} (catalog: {project.database_url.split('://')[0]})")


@click.group()
def config() -> None:
    """Show or change settings (defaults → .rushes/config.toml → RUSHES_* → -c flags)."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def config_show(state: State, as_json: bool) -> None:
    """Print every setting, its value and where the value came from."""
    settings = state.settings
    rows = [
        {
            "name": s.name, "value": settings.get(s.name), "origin": settings.origins[s.name],
            "type": s.type_name, "env": s.env, "help": s.help,
        }
        for s in SETTINGS
    ]
    if as_json:
        emit_json(rows)
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        value = r["value"] if r["value"] != "" else '""'
        click.echo(f"{r['name']:<{width}}  {value!s:<24}  ({r['origin']})")


@config.command("set")
@click.argument("name")
@click.argument("value")
@pass_state
def config_set(state: State, name: str, value: str) -> None:
    """Set NAME to VALUE in this project's .rushes/config.toml."""
    project = find_project(state.project_dir)
    project.check_writable()
    write_setting(project.config_file, name.replace("-", "_"), value)
    note(f"{name} = {value} (in {printable(project.config_file)})")


def register(cli: click.Group) -> None:
    cli.add_command(init)
    cli.add_command(config)
