"""Logging and paper edits: ``rushes tag|untag|note|rate|log``, ``rushes clip …``,
``rushes bin …`` and ``rushes cut …``. Thin over :mod:`rushes.edit.service`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from rushes.cli.app import State, emit_json, note, pass_state, printable
from rushes.edit import service
from rushes.edit.formats import FORMAT_NAMES

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
clip_option = click.option("--clip", "clip_id", type=int, metavar="ID",
                           help="On one clip of the asset rather than the whole asset.")


# --- tags, notes, ratings -------------------------------------------------------------------


@click.command("tag")
@click.argument("asset")
@click.argument("tags", nargs=-1, required=True)
@clip_option
@pass_state
def tag_cmd(state: State, asset: str, tags: tuple[str, ...], clip_id: int | None) -> None:
    """Tag ASSET: hierarchical with '/', e.g. "people/Ai Weiwei" place/Chengdu."""
    added = service.tag(state.catalog(), asset, list(tags), clip_id)
    click.echo(f"tagged: {', '.join(added)}" if added else "already tagged")


@click.command("untag")
@click.argument("asset")
@click.argument("tags", nargs=-1, required=True)
@clip_option
@pass_state
def untag_cmd(state: State, asset: str, tags: tuple[str, ...], clip_id: int | None) -> None:
    """Remove tags from ASSET."""
    n = service.untag(state.catalog(), asset, list(tags), clip_id)
    click.echo(f"removed {n} tag{'s' * (n != 1)}")


@click.command("tags")
@json_option
@pass_state
def tags_cmd(state: State, as_json: bool) -> None:
    """Every tag in the project with how many assets carry it."""
    rows = service.list_tags(state.catalog())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['assets']:5d}  {r['tag']}")


@click.group("note")
def note_group() -> None:
    """Notes on assets, and markers at a moment."""


@note_group.command("add")
@click.argument("asset")
@click.argument("text")
@click.option("--at", metavar="T", help="A marker at this time (seconds, HH:MM:SS.mmm, timecode).")
@click.option("--author", help="Who wrote it.")
@clip_option
@json_option
@pass_state
def note_add(state: State, asset: str, text: str, at: str | None, author: str | None,
             clip_id: int | None, as_json: bool) -> None:
    """Add a note to ASSET (a marker with --at)."""
    data = service.add_note(state.catalog(), asset, text, at=at, author=author, clip_id=clip_id,
                            timecode_rate=state.settings.timecode_rate)
    if as_json:
        emit_json(data)
    else:
        where = f" at {data['timecode'] or data['at']}" if data["marker"] else ""
        click.echo(f"note {data['id']}{where}")


@note_group.command("rm")
@click.argument("note_id", type=int)
@pass_state
def note_rm(state: State, note_id: int) -> None:
    """Delete a note by its id."""
    service.remove_note(state.catalog(), note_id)


@click.command("rate")
@click.argument("asset")
@click.argument("stars", type=click.IntRange(0, 5), required=False)
@clip_option
@pass_state
def rate_cmd(state: State, asset: str, stars: int | None, clip_id: int | None) -> None:
    """Rate ASSET (or --clip) 0 to 5 stars; without STARS, clear the rating."""
    service.set_rating(state.catalog(), asset, stars, clip_id)


@click.command("log")
@click.argument("asset")
@json_option
@pass_state
def log_cmd(state: State, asset: str, as_json: bool) -> None:
    """Everything logged on ASSET: rating, tags, notes and markers, clips."""
    data = service.asset_log(state.catalog(), asset, state.settings.timecode_rate)
    if as_json:
        emit_json(data)
        return
    click.echo(printable(data["path"]))
    if data["rating"] is not None:
        click.echo(f"  rating: {'*' * data['rating']}{'.' * (5 - data['rating'])}")
    if data["tags"]:
        click.echo("  tags: " + ", ".join(
            t["tag"] + (f" (clip {t['clip']})" if t["clip"] else "") for t in data["tags"]))
    for n in data["notes"]:
        when = f"{n['timecode'] or n['at']}  " if n["marker"] else ""
        click.echo(f"  note {n['id']}: {when}{n['text']}")
    for c in data["clips"]:
        click.echo(f"  clip {c['id']}: {_range(c)}  {c['label'] or ''}")


def _range(c: dict[str, Any]) -> str:
    if c.get("in_timecode"):
        return f"{c['in_timecode']}-{c['out_timecode']}"
    return f"{c['in']:.3f}-{c['out']:.3f}s"


# --- clips ----------------------------------------------------------------------------------


@click.group("clip")
def clip_group() -> None:
    """Subclips (selects): a range of an asset with a label."""


@clip_group.command("add")
@click.argument("asset")
@click.option("--in", "in_", metavar="T", help="In point: seconds, HH:MM:SS.mmm or timecode.")
@click.option("--out", metavar="T", help="Out point (exclusive, as in an EDL).")
@click.option("--text", help="Make the clip around these words of the transcript.")
@click.option("--occurrence", type=click.IntRange(1), default=1, show_default=True,
              help="With --text: which use of the words.")
@click.option("--label", help="What the clip is (searchable).")
@json_option
@pass_state
def clip_add(state: State, asset: str, in_: str | None, out: str | None, text: str | None,
             occurrence: int, label: str | None, as_json: bool) -> None:
    """Make a clip of ASSET from --in/--out or from spoken --text."""
    data = service.add_clip(state.catalog(), asset, in_=in_, out=out, text=text, label=label,
                            settings=state.settings, occurrence=occurrence)
    if as_json:
        emit_json(data)
    else:
        click.echo(f"clip {data['id']}: {_range(data)}  {data['label'] or ''}".rstrip())


@clip_group.command("ls")
@click.argument("asset", required=False)
@json_option
@pass_state
def clip_ls(state: State, asset: str | None, as_json: bool) -> None:
    """List clips (of ASSET, or all)."""
    rows = service.list_clips(state.catalog(), asset, state.settings.timecode_rate)
    if as_json:
        emit_json(rows)
        return
    for c in rows:
        click.echo(f"{c['id']:5d}  {_range(c)}  {c['label'] or ''}  {printable(c['path'])}")


@clip_group.command("rm")
@click.argument("clip_id", type=int)
@pass_state
def clip_rm(state: State, clip_id: int) -> None:
    """Delete a clip (cuts keep the range they took from it)."""
    service.remove_clip(state.catalog(), clip_id)


@clip_group.command("unused")
@click.argument("cut")
@json_option
@pass_state
def clip_unused(state: State, cut: str, as_json: bool) -> None:
    """Clips that are not in CUT: the deleted-scenes reel."""
    rows = service.unused_clips(state.catalog(), cut, state.settings.timecode_rate)
    if as_json:
        emit_json(rows)
        return
    for c in rows:
        click.echo(f"{c['id']:5d}  {_range(c)}  {c['label'] or ''}  {printable(c['path'])}")


# --- bins -----------------------------------------------------------------------------------


@click.group("bin")
def bin_group() -> None:
    """Bins: named collections of clips and assets."""


@bin_group.command("new")
@click.argument("name")
@pass_state
def bin_new(state: State, name: str) -> None:
    """Create a bin."""
    service.new_bin(state.catalog(), name)


@bin_group.command("add")
@click.argument("name")
@click.argument("items", nargs=-1, required=True)
@pass_state
def bin_add(state: State, name: str, items: tuple[str, ...]) -> None:
    """Put clips (ids) or assets in bin NAME."""
    n = service.add_to_bin(state.catalog(), name, list(items))
    click.echo(f"added {n}")


@bin_group.command("rm")
@click.argument("name")
@click.argument("items", nargs=-1, required=True)
@pass_state
def bin_rm(state: State, name: str, items: tuple[str, ...]) -> None:
    """Take clips or assets out of bin NAME."""
    n = service.remove_from_bin(state.catalog(), name, list(items))
    click.echo(f"removed {n}")


@bin_group.command("ls")
@click.argument("name", required=False)
@json_option
@pass_state
def bin_ls(state: State, name: str | None, as_json: bool) -> None:
    """List bins, or what bin NAME holds."""
    data: Any = (service.bin_json(state.catalog(), name, state.settings.timecode_rate) if name
                 else service.list_bins(state.catalog()))
    if as_json:
        emit_json(data)
        return
    if name:
        for item in data["items"]:
            what = f"clip {item['id']}: {_range(item)}" if item["type"] == "clip" else "asset"
            click.echo(f"{what}  {item.get('label') or ''}  {printable(item['path'])}")
    else:
        for b in data:
            click.echo(f"{b['items']:5d}  {b['name']}")


# --- cuts -----------------------------------------------------------------------------------


@click.group("cut")
def cut_group() -> None:
    """Paper edits: build, show, export, render, and read an editor's cut back."""


rate_option = click.option(
    "--rate", metavar="FPS",
    help="Sequence frame rate (23.976, 24, 25, 29.97, 30, 50, 59.94, another whole number or "
         "N/D with whole frames per timecode second); default: the first video's.",
)
start_option = click.option(
    "--start", metavar="TC",
    help="Record start timecode, 00:00:00:00 to 23:59:59:FF (default: the sequence_start "
         "setting).")
df_option = click.option("--drop-frame/--non-drop-frame", "drop_frame", default=None,
                         help="Timecode labels at 29.97/59.94 (default: as the start is typed).")


@cut_group.command("new")
@click.argument("name")
@rate_option
@start_option
@df_option
@pass_state
def cut_new(state: State, name: str, rate: str | None, start: str | None,
            drop_frame: bool | None) -> None:
    """Create an empty cut."""
    service.new_cut(state.catalog(), name, rate=rate, start=start, drop_frame=drop_frame,
                    settings=state.settings)


@cut_group.command("set")
@click.argument("name")
@rate_option
@start_option
@df_option
@pass_state
def cut_set(state: State, name: str, rate: str | None, start: str | None,
            drop_frame: bool | None) -> None:
    """Change a cut's sequence rate or start timecode."""
    service.set_cut_clock(state.catalog(), name, rate=rate, start=start, drop_frame=drop_frame,
                          settings=state.settings)


@cut_group.command("ls")
@json_option
@pass_state
def cut_ls(state: State, as_json: bool) -> None:
    """List cuts with their running times."""
    rows = service.list_cuts(state.catalog(), state.project())
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        click.echo(f"{r['running_time']}  {r['items']:4d} items  {r['name']}")


@cut_group.command("add")
@click.argument("name")
@click.argument("items", nargs=-1)
@click.option("--title", help="Add a title card with this text.")
@click.option("--voiceover", help="Add a voice-over placeholder with this script.")
@click.option("--note", "note_text", help="Add a note between items.")
@click.option("--duration", metavar="SECONDS", help="Length of the title or voice-over.")
@click.option("--label", help="Label for the added items.")
@click.option("--at", "position", type=click.IntRange(1), metavar="POS",
              help="Insert before item POS (default: at the end).")
@pass_state
def cut_add(state: State, name: str, items: tuple[str, ...], title: str | None,
            voiceover: str | None, note_text: str | None, duration: str | None,
            label: str | None, position: int | None) -> None:
    """Add ITEMs to cut NAME: clip ids, ASSET@IN-OUT ranges, images (stills); or a --title,
    --voiceover or --note."""
    catalog = state.catalog()
    if not items and title is None and voiceover is None and note_text is None:
        raise click.UsageError("give ITEMs, --title, --voiceover or --note")
    if items:
        service.add_items(catalog, name, list(items), position=position, label=label,
                          settings=state.settings)
        position = position + len(items) if position else None
    if title is not None:
        service.add_title(catalog, name, title, duration=duration, position=position)
    if voiceover is not None:
        service.add_voiceover(catalog, name, voiceover, duration=duration, position=position)
    if note_text is not None:
        service.add_note_item(catalog, name, note_text, position=position)


@cut_group.command("move")
@click.argument("name")
@click.argument("from_pos", type=int)
@click.argument("to_pos", type=int)
@pass_state
def cut_move(state: State, name: str, from_pos: int, to_pos: int) -> None:
    """Move item FROM_POS of cut NAME to position TO_POS."""
    service.move_item(state.catalog(), name, from_pos, to_pos)


@cut_group.command("rm")
@click.argument("name")
@click.argument("position", type=int)
@pass_state
def cut_rm(state: State, name: str, position: int) -> None:
    """Remove item POSITION from cut NAME."""
    service.remove_item(state.catalog(), name, position)


@cut_group.command("delete")
@click.argument("name")
@pass_state
def cut_delete(state: State, name: str) -> None:
    """Delete a whole cut (its clips stay)."""
    service.delete_cut(state.catalog(), name)


@cut_group.command("show")
@click.argument("name")
@json_option
@pass_state
def cut_show(state: State, name: str, as_json: bool) -> None:
    """The cut item by item with record and source timecodes and its running time."""
    data = service.cut_json(state.catalog(), state.project(), name)
    if as_json:
        emit_json(data)
        return
    click.echo(f"{data['name']}  {data['fps']:g} fps{' DF' if data['drop_frame'] else ''}  "
               f"start {data['start_timecode']}  running time {data['running_time']}")
    for e in data["items"]:
        rec = f"{e['record_in_timecode']}-{e['record_out_timecode']}"
        if e["kind"] == "clip":
            what = f"{printable(e['name'])} {e['source_in_timecode']}-{e['source_out_timecode']}"
        elif e["kind"] == "still":
            what = f"still {printable(e['name'])}"
        else:
            what = f"{e['kind'].upper()}: {e['text'] or ''}"
        label = f"  [{e['label']}]" if e["label"] else ""
        click.echo(f"{e['position']:3d}  {rec}  {what}{label}")


@cut_group.command("export")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES, case_sensitive=False),
              help="edl, edl-premiere, fcp7, fcpxml, otio, otioz, srt, webvtt, markdown, docx "
                   "(default: from the file's extension).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write ('-': standard output, with --format; text formats only).")
@click.option("--with-media", is_flag=True,
              help="otioz only: copy the source files into the bundle (as big as the footage).")
@pass_state
def cut_export(state: State, name: str, fmt: str | None, output: str, with_media: bool) -> None:
    """Hand cut NAME to an editing application (or print its script or captions)."""
    options = {"media": True} if with_media else {}
    if with_media and (fmt or Path(output).suffix.lstrip(".")).lower() != "otioz":
        raise click.UsageError("--with-media is for --format otioz")
    if output == "-":  # as `transcript export -o -` does; `-o ./-` names a file
        _export_to_stdout(state, name, fmt)
        return
    target = state.output(output, writes=fmt or Path(output).suffix)
    written = service.export_cut(state.catalog(), state.project(), name, fmt, target, **options)
    note(f"wrote {printable(output)} ({written})")


def _export_to_stdout(state: State, name: str, fmt: str | None) -> None:
    """Cut NAME in a text format on standard output, exactly as the file would hold it."""
    from rushes.edit.formats import FORMATS, format_for
    from rushes.errors import UsageError
    from rushes.outputs import is_text_format, written_bytes

    if not fmt:
        raise UsageError("give --format to write a cut to standard output (-o -)")
    kind = format_for(fmt, Path("-"))
    if not is_text_format(kind):
        raise UsageError(f"{kind} is not text and cannot go to standard output; give -o a file")
    catalog, project = state.catalog(), state.project()
    data = written_bytes(
        lambda target: service.export_cut(catalog, project, name, kind, target),
        FORMATS[kind][3],
    )
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@cut_group.command("render")
@click.argument("name")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="MP4 file to write.")
@click.option("--height", type=click.IntRange(120, 2160), default=360, show_default=True,
              help="Picture height of the review copy.")
@pass_state
def cut_render(state: State, name: str, output: str, height: int) -> None:
    """Render a watchable review copy of cut NAME with burnt-in source names and timecode."""
    from rushes.cli.progress import progress
    from rushes.edit.render import render_review

    target = state.output(output, writes="mp4")
    timeline = service.timeline_of(state.catalog(), state.project(), name)
    with progress(f"render {name}", str(state.settings.progress)) as bar:
        stats = render_review(
            timeline, target, height=height,
            progress=lambda f: bar.update(round(f * 100), 100, "%"),
        )
    note(f"wrote {printable(output)}: {stats.frames} frames at {stats.width}x{stats.height}, "
         f"{float(stats.duration):.1f} s, {stats.cpu_seconds:.1f} CPU-s")


@cut_group.command("import")
@click.argument("file", type=click.Path(exists=True))
@click.option("--rate", metavar="FPS", help="Frame rate of an EDL's timecodes (needed unless "
              "its FCM line says DROP FRAME: 29.97, or 59.94 when frames go past 29).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False),
              help="Also write the per-source usage as CSV.")
@click.option("--as", "as_cut", metavar="NAME", help="Also keep the matched events as a cut.")
@json_option
@pass_state
def cut_import(state: State, file: str, rate: str | None, csv_path: str | None,
               as_cut: str | None, as_json: bool) -> None:
    """Read an editor's timeline (EDL, FCP7 XML, FCPXML, OTIO) back: which archive ranges the
    film uses, per source, for usage, clearance and credits."""
    from rushes.edit.usage import ambiguity_warnings, import_usage, usage_csv

    csv_target = state.output(csv_path) if csv_path else None
    report = import_usage(state.catalog(), state.project(), Path(file), rate=rate, as_cut=as_cut)
    if csv_target is not None:
        from rushes.outputs import write_text_atomic

        write_text_atomic(csv_target, usage_csv(report))
    # Events that fit several files are credited to none; say so on stderr in either mode.
    for line in ambiguity_warnings(report):
        note(printable(line))
    if as_json:
        emit_json(report)
        return
    ambiguous = len({u["index"] for u in report["unmatched"] if u["ambiguous"]})
    click.echo(f"{printable(report['file'])}: {report['matched']} of {report['events']} "
               f"events matched{f', {ambiguous} ambiguous' if ambiguous else ''}")
    for s in report["sources"]:
        click.echo(f"  {s['total_timecode']}  {len(s['uses'])} use(s)  {printable(s['path'])}")
    for u in report["unmatched"]:
        if u["ambiguous"]:
            continue  # in the warning above
        named = printable(f"{u['reel'] or ''} {u['clip_name'] or ''}")  # the timeline's text
        click.echo(f"  unmatched event {u['index']}: {named} {u['source_in']}-{u['source_out']}")


def register(cli: click.Group) -> None:
    for command in (tag_cmd, untag_cmd, tags_cmd, note_group, rate_cmd, log_cmd, clip_group,
                    bin_group, cut_group):
        cli.add_command(command)
