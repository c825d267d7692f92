"""``rushes sample`` and ``rushes report``: the first and the last command of the README's demo."""

from __future__ import annotations

from pathlib import Path

import click

from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.errors import UsageError
from rushes.project import MARKER, init_project
from rushes.report import write_report
from rushes.sample import build_sample


@click.command("sample")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--quick", is_flag=True, help="Fewer, shorter, smaller files (for tests).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def sample(state: State, directory: Path, quick: bool, as_json: bool) -> None:
    """Make a sample documentary project in DIRECTORY: clips, sound, photos, documents.

    Everything is generated on the spot (ffmpeg, espeak-ng, exiftool); nothing is downloaded.
    Files already there are kept, so re-running only fills in what is missing. The folder is
    made a project but nothing is added: `rushes add .` inside it does that.
    """
    made: list[Path] = []

    def tick(path: Path, new: bool) -> None:
        if new:
            made.append(path)
            note(f"made {printable(path.relative_to(root))}")

    root = directory.resolve()
    files = build_sample(root, quick=quick, on_file=tick)
    existed = (root / MARKER).is_dir()
    project = init_project(root, flags=state.flags)
    if as_json:
        emit_json({
            "project": str(project.root),
            "files": [str(f.relative_to(project.root)) for f in files],
            "made": len(made),
            "initialised": not existed,
        })
        return
    click.echo(
        f"sample project in {printable(project.root)}: {len(files)} files "
        f"({len(made)} made, {len(files) - len(made)} already there)"
    )
    cd = "" if root == Path.cwd().resolve() else f"cd {directory} && "
    note(f"next: {cd}rushes add . && rushes report")


@click.command("report")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Where to write the HTML (default: .rushes/report.html in the project).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def report(state: State, output: Path | None, as_json: bool) -> None:
    """Write a self-contained HTML contact sheet of the project and print its path."""
    project = state.project()
    if output is None and project.read_only is not None:
        # The default place is inside the project: say where else, rather than fail to write.
        raise UsageError(f"{project.read_only}: write the report elsewhere with -o FILE")
    out = output if output is not None else project.dir / "report.html"
    written = write_report(project, state.catalog(), state.output(out))
    if as_json:
        emit_json({"report": str(written)})
    else:
        click.echo(printable(written))


def register(cli: click.Group) -> None:
    cli.add_command(sample)
    cli.add_command(report)
