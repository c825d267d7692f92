"""``rushes shots``."""

from __future__ import annotations

import click

from rushes.catalog.assets import resolve_asset
from rushes.catalog.results import result_of
from rushes.cli.app import State, emit_json, pass_state, printable
from rushes.errors import UsageError
from rushes.present import shots_json


@click.command()
@click.argument("asset")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def shots(state: State, asset: str, as_json: bool) -> None:
    """Shots and transitions (cuts, dissolves, fades) of a video ASSET."""
    with state.catalog().read() as conn:
        row = resolve_asset(conn, asset)
        result = result_of(conn, row.id, "shots")
        probe = result_of(conn, row.id, "probe") or {}
    if row.kind != "video":
        raise UsageError(f"{row.path} is {row.kind}, not video: it has no shots")
    if result is None:
        raise UsageError(f"{row.path} has not been analysed for shots yet; run `rushes analyze`")
    data = shots_json(row, result, probe)
    if as_json:
        emit_json(data)
        return
    click.echo(f"{printable(data['path'])}  ({len(data['shots'])} shots at {data['fps']} fps)")
    for i, shot in enumerate(data["shots"], 1):
        click.echo(f"  {i:3d}  {shot['start_timecode']} - {shot['end_timecode']}")
    for tr in data["transitions"]:
        click.echo(f"  {tr['kind']:>8} at {tr['timecode']}")


def register(cli: click.Group) -> None:
    cli.add_command(shots)
