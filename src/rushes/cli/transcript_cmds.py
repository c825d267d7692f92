"""``rushes transcript import|show|export|rename-speaker``."""

from __future__ import annotations

import re
from pathlib import Path

import click

from rushes.catalog.assets import list_assets, resolve_asset
from rushes.catalog.jobs import failed_jobs, retry_failed
from rushes.catalog.speakers import name_speaker
from rushes.catalog.transcripts import recognised_voice_in, rename_speaker
from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.cli.ingest_cmds import run_queue, workers_option
from rushes.domain import TIMED_KINDS
from rushes.errors import RushesError
from rushes.jobs.plan import plan_asset
from rushes.transcript_service import (
    export_transcript,
    import_transcript,
    remove_transcript,
    transcript_json,
)
from rushes.transcripts.writers import LINE_LENGTH


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
    asset, count, warnings, source = import_transcript(
        state.catalog(), Path(file), asset_ref, fmt=fmt, encoding=encoding,
        source_timecode=source_timecode, language=language,
    )
    for warning in warnings:
        note(f"warning: {warning}")
    if as_json:
        emit_json({"asset": asset.id, "path": asset.path, "source": source,
                   "segments": count, "warnings": warnings})
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
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-': standard output, with --format).")
@click.option("--source", help="Which transcript (default: the one `show` prints).")
@click.option("--source-timecode", is_flag=True,
              help="Print times as the asset's source timecode (its embedded start).")
@click.option("--line-length", type=click.IntRange(min=0), default=LINE_LENGTH,
              show_default=True,
              help="SRT/WebVTT: characters a subtitle line holds (two lines a cue; longer "
                   "segments become several cues); 0: one line a segment.")
@pass_state
def export_cmd(
    state: State, asset: str, fmt: str | None, output: str, source: str | None,
    source_timecode: bool, line_length: int,
) -> None:
    """Write an asset's transcript as SRT, WebVTT, plain text or a readable document."""
    target = None if output == "-" else state.output(output, writes=fmt or Path(output).suffix)
    written, text = export_transcript(
        state.catalog(), asset, target, fmt, source_timecode=source_timecode, source=source,
        line_length=line_length or None,
    )
    if text is not None:
        click.echo(text, nl=False)
    else:
        note(f"wrote {printable(output)} ({written})")


@transcript.command("remove")
@click.argument("asset")
@click.option("--source", help="Which transcript (needed when the asset has several).")
@pass_state
def remove_cmd(state: State, asset: str, source: str | None) -> None:
    """Remove one transcript from ASSET (and from search): a file attached to the wrong asset,
    or a superseded draft. The transcript file itself is not touched."""
    row, removed = remove_transcript(state.catalog(), asset, source)
    click.echo(f"removed the {removed} transcript of {printable(row.path or row.id)}")


@transcript.command("rename-speaker")
@click.argument("old")
@click.argument("new")
@click.option("--asset", "asset_ref", metavar="ASSET",
              help="Only in this asset's imported transcripts (labels such as SPEAKER_01 that "
                   "another file uses for someone else).")
@pass_state
def rename_cmd(state: State, old: str, new: str, asset_ref: str | None) -> None:
    """Rename a speaker everywhere in the project (imported labels and recognised voices),
    or with --asset in one asset only. OLD ignores case."""
    new = new.strip()
    if not new:
        raise click.BadParameter("a speaker's new name must not be empty", param_hint="NEW")
    with state.catalog().write() as conn:
        asset_id = resolve_asset(conn, asset_ref).id if asset_ref is not None else None
        changed = rename_speaker(conn, old, new, asset_id)
        unnamed = re.fullmatch(r"speaker (\d+)", old.strip(), re.IGNORECASE)
        if not changed and asset_id is not None and (
            unnamed or recognised_voice_in(conn, old, asset_id)
        ):
            raise click.UsageError(
                f"{old!r} is a recognised voice, one person across the project: "
                "rename it without --asset"
            )
        if not changed and unnamed:  # a recognised voice nobody has named yet
            changed = name_speaker(conn, int(unnamed.group(1)), new)
    if not changed:
        where = f" in {asset_ref}" if asset_ref is not None else ""
        raise click.UsageError(f"no speaker named {old!r}{where}")
    click.echo(f"renamed {old!r} to {new!r}")


@click.command()
@click.argument("assets", nargs=-1)
@click.option("--engine", type=click.Choice(["pocketsphinx", "faster-whisper", "vosk"]),
              help="Speech-to-text engine (default: the asr_engine setting).")
@click.option("--model", type=click.Path(), help="Local model folder (asr_model setting).")
@click.option("--language", help="Language of the speech (language setting).")
@click.option("--vocabulary", metavar="TERMS",
              help="Names and words to listen for, separated by commas "
                   "(asr_vocabulary setting).")
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print job counts as JSON.")
@pass_state
def transcribe(
    state: State, assets: tuple[str, ...], engine: str | None, model: str | None,
    language: str | None, vocabulary: str | None, workers: int | None, as_json: bool,
) -> None:
    """Transcribe the speech of ASSETs (default: every video and audio asset), offline."""
    for name, value in (("asr_engine", engine), ("asr_model", model), ("language", language),
                        ("asr_vocabulary", vocabulary)):
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
        # Asked again (a model installed since, say): a failed transcription is tried again.
        # Every asset when none is named: no list of ids (an archive's would pass SQLite's
        # limit on parameters).
        wanted = [row.id for row in rows] if assets else None
        retry_failed(conn, wanted, "transcript")
    analysis = run_queue(state, workers)
    result = analysis.jobs
    with catalog.read() as conn:
        failed = failed_jobs(conn, wanted, "transcript")
    if as_json:
        emit_json({"jobs": result, "failed": [
            {"asset": f.asset_id, "path": f.path, "error": f.error} for f in failed
        ]})
    else:
        click.echo(f"analysis: {result['done']} done, {result['failed']} failed")
    for f in failed:
        note(f"{printable(f.path or f.asset_id)}: {f.error}")
    analysis.raise_if_stopped()
    if failed:
        raise RushesError(
            f"transcription failed for {len(failed)} of {len(rows)} "
            f"asset{'s' * (len(rows) != 1)} (reasons above)"
        )


def register(cli: click.Group) -> None:
    cli.add_command(transcript)
    cli.add_command(transcribe)
