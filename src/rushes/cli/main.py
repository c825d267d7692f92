"""Entry point: global options, command registration, and the one-line error discipline.

No traceback ever reaches a user: known errors print ``rushes: error: …`` and exit 1 (so does
a failing database: a server gone, a damaged catalog file); an unexpected one prints a single
line naming it (``--debug`` shows the traceback) and exits 2.
"""

from __future__ import annotations

import logging
import sys

import click

from rushes import __version__
from rushes.catalog.db import database_failure
from rushes.cli import (
    catalog_cmds,
    edit_cmds,
    fixity_cmds,
    ingest_cmds,
    project_cmds,
    report_cmds,
    search_cmd,
    serve_cmds,
    shots_cmd,
    transcript_cmds,
)
from rushes.cli.app import State, printable
from rushes.errors import RushesError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--project", "project_dir", metavar="DIR", envvar="RUSHES_PROJECT",
    help="Project folder (default: RUSHES_PROJECT, else the nearest .rushes above here).",
)
@click.option(
    "-c", "--set", "flags", multiple=True, metavar="NAME=VALUE",
    help="Override a setting for this command (see `rushes config show`).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.version_option(__version__, prog_name="rushes")
@click.pass_context
def cli(ctx: click.Context, project_dir: str | None, flags: tuple[str, ...], debug: bool) -> None:
    """rushes: a local-first archive for documentary teams."""
    # main() hands in the State, so that its error handling can name the catalog in use.
    state = ctx.ensure_object(State)
    state.project_dir, state.flags, state.debug = project_dir, list(flags), debug
    ctx.call_on_close(state.close)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("rushes: %(levelname)s: %(message)s"))
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING, handlers=[handler],
    )


class _OneLine(logging.Formatter):
    """Log lines name files: a control character in a name is shown escaped, as everywhere a
    person reads a path (a --debug traceback below the line stays as it is)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return printable(super().formatMessage(record))


for module in (
    project_cmds, ingest_cmds, catalog_cmds, shots_cmd, search_cmd, fixity_cmds, report_cmds,
    transcript_cmds, edit_cmds, serve_cmds,
):
    module.register(cli)


def main(argv: list[str] | None = None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    state = State()
    try:
        cli.main(args=argv, prog_name="rushes", standalone_mode=False, obj=state)
    except click.exceptions.Abort:
        click.echo("rushes: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        message = exc.format_message()
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        click.echo(f"rushes: error: {printable(message)}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except RushesError as exc:
        click.echo(f"rushes: error: {printable(exc)}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("rushes: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        reason = database_failure(exc)
        if reason is not None:
            where = f" at {state.opened.where}" if state.opened is not None else ""
            click.echo(f"rushes: error: the catalog{where} failed: {printable(reason)}", err=True)
            sys.exit(1)
        click.echo(
            f"rushes: internal error: {type(exc).__name__}: {printable(exc)} "
            "(run with --debug for details)",
            err=True,
        )
        sys.exit(2)
