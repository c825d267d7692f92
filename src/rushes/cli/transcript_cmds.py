"""``rushes transcript import|show|export|rename-speaker``."""

from __future__ import annotations

import re
from pathlib import Path

import click

from rushes.catalog.assets import list_assets, resolve_asset
from rushes.catalog.speakers import name_speaker
from rushes.catalog.transcripts import rename_speaker
from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.cli.ingest_cmds import run_analysis, workers_option
from rushes.domain import TIMED_KINDS
from rushes.jobs.plan import plan_asset
from rushes.transcript_service import export_transcript, import_transcript, transcript_json


@click.group()
def transcript() -> None:
    """Import, show and export transcripts."""


@transcript.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--asset", "asset_ref", metavar="ASSET",
              help="The asset it belongs to (default: the asset named like the file).")
@click.option("--format", "fmt", type=click.Choice(["srt", "webvtt", "vtt", "json", "text"]),
              help="Format (default: from the content).")
@click.option("--encoding", help="Text encoding, when the guess is wrong (e.g. big5).")
@click.option("--source-timecode", is_flag=True,
              help="Times in the file are the asset's source timecode (as NLEs export).")
@click.option("--language", help="Language code to record (en, zh, …).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def import_cmd(
    state: State, file: str, asset_ref: str | None, fmt: str | None, encoding: str | None,
    source_timecode: bool, language: str | None, as_json: bool,
) -> None:
    """Attach an existing transcript (SRT, WebVTT, Whisper JSON, timecoded text) to an asset."""
    asset, count, warnings = import_transcript(
        state.catalog(), Path(file), asset_ref, fmt=fmt, encoding=encoding,
        source_timecode=source_timecode, language=language,
    )
    for warning in warnings:
        note(f"warning: {warning}")
    if as_json:
        emit_json({"asset": asset.id, "path": asset.path, "segments": count,
                   "warnings": warnings})
    else:
        click.echo(f"imported {count} segments into {printable(asset.path)}"
                   + (f" ({len(warnings)} warning{'s' * (len(warnings) != 1)})"
                      if warnings else ""))


@transcript.command("show")
@click.argument("asset")
@click.option("--source", help="Which transcript (import:srt, asr:pocketsphinx…).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
def show_cmd(state: State, asset: str, source: str | None, as_json: bool) -> None:
    """Print an asset's transcript with timecodes and speakers."""
    data = transcript_json(state.catalog(), asset, source)
    if as_json:
        emit_json(data)
        return
    for seg in data["segments"]:
        when = seg["timecode"] or f"{seg['start']:.3f}s"
        who = f"{seg['speaker']}: " if seg["speaker"] else ""
        click.echo(f"{when}  {who}{seg['text']}")


@transcript.command("export")
@click.argument("asset")
@click.option("--format", "fmt",
              type=click.Choice(["srt", "webvtt", "vtt", "text", "txt", "markdown", "md",
                                 "html"]),
              help="Format (default: from the output file's extension).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write.")
@click.option("--source-timecode", is_flag=True,
              help="Print times as the asset's source timecode (its embedded start).")
@pass_state
def export_cmd(
    state: State, asset: str, fmt: str | None, output: str, source_timecode: bool
) -> None:
    """Write an asset's transcript as SRT, WebVTT, plain text or a readable document."""
    target = state.output(output)
    written = export_transcript(
        state.catalog(), asset, target, fmt, source_timecode=source_timecode
    )
    note(f"wrote {printable(output)} ({written})")


@transcript.command("rename-speaker")
@click.argument("old")
@click.argument("new")
@pass_state
def rename_cmd(state: State, old: str, new: str) -> None:
    """Rename a speaker everywhere in the project (imported labels and recognised voices)."""
    with state.catalog().write() as conn:
        changed = rename_speaker(conn, old, new)
        unnamed = re.fullmatch(r"Speaker (\d+)", old.strip())
        if not changed and unnamed:  # a recognised voice nobody has named yet
            changed = name_speaker(conn, int(unnamed.group(1)), new)
    if not changed:
        raise click.UsageError(f"no speaker named {old!r}")
    click.echo(f"renamed {old!r} to {new!r}")


@click.command()
@click.argument("assets", nargs=-1)
@click.option("--engine", type=click.Choice(["pocketsphinx", "faster-whisper", "vosk"]),
              help="Speech-to-text engine (default: the asr_engine setting).")
@click.option("--model", type=click.Path(), help="Local model folder (asr_model setting).")
@click.option("--language", help="Language of the speech (language setting).")
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print job counts as JSON.")
@pass_state
def transcribe(
    state: State, assets: tuple[str, ...], engine: str | None, model: str | None,
    language: str | None, workers: int | None, as_json: bool,
) -> None:
    """Transcribe the speech of ASSETs (default: every video and audio asset), offline."""
    for name, value in (("asr_engine", engine), ("asr_model", model), ("language", language)):
        if value is not None:
            state.flags.append(f"{name}={value}")
    project = state.project()
    if model is not None and not Path(model).exists():
        raise click.BadParameter(f"no such model folder: {model}", param_hint="--model")
    catalog = state.catalog()
    with catalog.write() as conn:
        rows = (
            [resolve_asset(conn, a) for a in assets]
            if assets else [a for a in list_assets(conn) if a.kind in TIMED_KINDS]
        )
        for row in rows:
            if row.kind not in TIMED_KINDS:
                raise click.UsageError(f"{row.path} is {row.kind}: it has no speech")
            plan_asset(conn, row, project.settings, force=("transcript",))
    result = run_analysis(state, workers)
    if as_json:
        emit_json({"jobs": result})
    else:
        click.echo(f"analysis: {result['done']} done, {result['failed']} failed")


def register(cli: click.Group) -> None:
    cli.add_command(transcript)
    cli.add_command(transcribe)
