"""``rushes status``, ``rushes ls`` and ``rushes show``."""

from __future__ import annotations

import click

from rushes.catalog.assets import (
    list_assets,
    locations_of,
    resolve_asset,
)
from rushes.catalog.jobs import failed_jobs
from rushes.catalog.results import result_of, results_of
from rushes.cli.app import State, emit_json, pass_state, printable
from rushes.domain import ASSET_KINDS
from rushes.present import asset_summary, status_json


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def status(state: State, as_json: bool) -> None:
    """Counts of assets and jobs, and every recorded error."""
    with state.catalog().read() as conn:
        data = status_json(conn)
    if as_json:
        emit_json(data)
        return
    kinds, jobs, errors = data["assets"], data["jobs"], data["errors"]
    total = sum(kinds.values())
    kinds_text = ", ".join(f"{n} {k}" for k, n in kinds.items())
    click.echo(f"{total} asset{'s' * (total != 1)}: {kinds_text}")
    click.echo("jobs: " + ", ".join(f"{n} {s}" for s, n in jobs.items()))
    for e in errors:
        click.echo(f"  {printable(e['path'])}: [{e['analyzer']}] {e['error']}")


@click.command("ls")
@click.option("--kind", type=click.Choice(ASSET_KINDS), help="Only assets of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def ls(state: State, kind: str | None, as_json: bool) -> None:
    """List assets."""
    tc_rate = state.settings.timecode_rate
    with state.catalog().read() as conn:
        rows = [asset_summary(a, result_of(conn, a.id, "probe"), tc_rate)
                for a in list_assets(conn, kind)]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        duration = f"{r['duration']:9.2f}s" if r["duration"] is not None else " " * 10
        fps = f"{r['fps']:7.3f}" if r["fps"] is not None else " " * 7
        click.echo(f"{r['id'][:12]}  {r['kind']:<8} {duration} {fps}  {printable(r['path'])}")


@click.command()
@click.argument("asset")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def show(state: State, asset: str, as_json: bool) -> None:
    """Everything known about ASSET (id, id prefix or path)."""
    project = state.project()
    with state.catalog().read() as conn:
        row = resolve_asset(conn, asset)
        results = results_of(conn, row.id)
        locs = locations_of(conn, row.id)
        failures = failed_jobs(conn, [row.id])
    data = asset_summary(row, results.get("probe"), state.settings.timecode_rate)
    data["locations"] = [{"path": loc.path, "missing": loc.missing} for loc in locs]
    data["cache"] = str(project.asset_cache(row.id))
    data["results"] = results
    # Why a file has no transcript or shots is the first thing asked of it.
    data["failed_analyses"] = [{"analyzer": f.analyzer, "error": f.error} for f in failures]
    if as_json:
        emit_json(data)
        return
    for key in ("id", "kind", "format", "size", "duration", "fps", "start_timecode", "width",
                "height"):
        if data.get(key) is not None:
            click.echo(f"{key:>15}: {data[key]}")
    for loc in data["locations"]:
        missing = "  (missing)" if loc["missing"] else ""
        click.echo(f"{'location':>15}: {printable(loc['path'])}{missing}")
    probe = results.get("probe", {})
    shown = {"streams", "duration", "rate", "start_timecode", "width", "height",
             "start_seconds"}
    for key, value in probe.items():
        if key not in shown and value not in (None, "", [], {}):
            if isinstance(value, list):  # a recorder's channel names: "Boom, Lav Ellen"
                value = ", ".join(str(v) or "–" for v in value)
            click.echo(f"{key:>15}: {printable(value)}")  # embedded tags are the file's text
    click.echo(f"{'analyses':>15}: {', '.join(sorted(results)) or 'none yet'}")
    for failure in data["failed_analyses"]:
        click.echo(f"{'failed':>15}: {failure['analyzer']}: {printable(failure['error'])}")


def register(cli: click.Group) -> None:
    for command in (status, ls, show):
        cli.add_command(command)
