"""The printable paper edit: the document a director hands to an editor with the media.

One numbered entry per event, in record order: where it sits in the sequence (record in and
out), where it comes from (file name and source in and out, printed with the source's own
embedded timecode so the editor can type them into a bin), its label, and what is said (each
speaker's turn on its own line). Titles, voice-over scripts and notes are marked so nobody
mistakes a placeholder for material that exists. Out points are exclusive, as in an EDL: an
event ending at 01:00:05:00 is followed by one starting there.

Two forms: Markdown (reads as plain text, diffs well, renders anywhere) and DOCX (a landscape
table with a repeated header row, the form production offices print and annotate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell, _Row

from rushes.domain.timecode import Timecode, format_rate
from rushes.edit.formats.captions import kept_words
from rushes.edit.timeline import Event, Source, Timeline
from rushes.errors import UsageError
from rushes.outputs import atomic_output
from rushes.transcripts.model import clean_text, join_text

__all__ = ["Entry", "entries", "markdown_text", "write_docx", "write_markdown"]

#: How each kind of event is announced in the document.
_MARKS = {
    "clip": "CLIP",
    "still": "STILL",
    "title": "TITLE",
    "voiceover": "VOICE-OVER (to record)",
    "note": "NOTE",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One event as the document prints it: every field already a string."""

    number: int
    kind: str
    record_in: str
    record_out: str
    source_name: str
    source_in: str
    source_out: str
    label: str
    #: (speaker or None, what they say): one per turn; for titles, voice-over and notes, the text.
    lines: tuple[tuple[str | None, str], ...]


def _turns(event: Event) -> tuple[tuple[str | None, str], ...]:
    """The spoken words of a clip grouped into speaker turns."""
    turns: list[tuple[str | None, list[str]]] = []
    for word in kept_words(event):
        if turns and turns[-1][0] == word.speaker:
            turns[-1][1].append(word.text)
        else:
            turns.append((word.speaker, [word.text]))
    return tuple((who, join_text(texts)) for who, texts in turns)


def _source_range(event: Event, source: Source) -> tuple[str, str]:
    if event.kind == "still" or event.source_frames <= 0:
        return "", ""
    return str(source.timecode(event.source_in)), str(source.timecode(event.source_out))


def entries(timeline: Timeline) -> list[Entry]:
    """The events of ``timeline`` as printable entries, numbered from 1 in record order."""
    out = []
    for number, event in enumerate(timeline.events, 1):
        record_in = str(timeline.record_timecode(event.record_in))
        record_out = "" if event.kind == "note" else str(timeline.record_timecode(event.record_out))
        name = source_in = source_out = ""
        if event.source is not None:
            name = event.source.name
            source_in, source_out = _source_range(event, event.source)
        if event.kind == "clip":
            lines = _turns(event)
        else:
            text = clean_text(event.text)
            lines = ((None, text),) if text else ()
        out.append(Entry(number, event.kind, record_in, record_out, name, source_in, source_out,
                         clean_text(event.label), lines))
    return out


def _running_time(timeline: Timeline) -> str:
    """Running time as a timecode duration and in minutes and seconds of real time."""
    frames = timeline.duration
    label = Timecode(frames, timeline.rate, timeline.drop_frame)
    seconds = timeline.seconds(frames)
    minutes, rest = divmod(seconds, 60)
    return f"{label} ({int(minutes)} min {float(rest):04.1f} s)"


def _summary(timeline: Timeline) -> str:
    count = sum(1 for e in timeline.events if e.kind != "note")
    return (
        f"Sequence {format_rate(timeline.rate)} fps{' drop-frame' if timeline.drop_frame else ''}"
        f", starts {timeline.start}, running time "
        f"{_running_time(timeline)}, {count} item{'s' if count != 1 else ''}. "
        "Out points are exclusive, as in an EDL."
    )


def _source_rate(source: Source) -> str:
    if source.kind == "image":
        return "image"
    return f"{format_rate(source.rate)} fps{' drop-frame' if source.start.drop_frame else ''}"


# --- Markdown -----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str) -> str:
    """Text that Markdown shows as typed (a file name like ``take_1_b.mov`` stays itself)."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^(\d+)\. ", r"\1\\. ", re.sub(r"^([-+]) ", r"\\\1 ", text))


def _code(text: str) -> str:
    """A code span that survives backticks inside (CommonMark: a longer fence, padded)."""
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in re.findall(r"`+", text)) + 1)
    return f"{fence} {text} {fence}"


def markdown_text(timeline: Timeline) -> str:
    """The paper edit as a Markdown document."""
    out = [f"# {_md(timeline.name)}\n", _summary(timeline) + "\n"]
    for note in timeline.notes:
        out.append(f"> {_md(clean_text(note))}\n")
    for entry in entries(timeline):
        mark = _MARKS.get(entry.kind, entry.kind.upper())
        if entry.kind == "note":
            head = f"## {entry.number}. {mark} at {entry.record_in}"
        else:
            head = f"## {entry.number}. {entry.record_in} – {entry.record_out} · {mark}"
        block = [head, ""]
        if entry.source_name:
            where = f"**Source:** {_md(entry.source_name)}"
            if entry.source_in:
                where += f" {entry.source_in} – {entry.source_out}"
            block.append(where + "  ")
        if entry.label:
            block.append(f"**Label:** {_md(entry.label)}  ")
        if block[-1] != "":
            block.append("")
        if entry.kind == "clip":
            if not entry.lines:
                block += ["*(no transcript)*", ""]
            for who, text in entry.lines:
                speaker = f"**{_md(who)}:** " if who else ""
                block += [f"> {speaker}{_md(text)}", ">"]
            if block[-1] == ">":
                block[-1] = ""
        else:
            for _, text in entry.lines:
                block += [f"**{mark}:** {_md(text)}", ""]
        out.append("\n".join(block))
    sources = timeline.sources()
    if sources:
        out.append("## Sources\n")
        for src in sources:
            timing = _source_rate(src) if src.kind == "image" else (
                f"{_source_rate(src)}, starts {src.start}"
            )
            out.append(f"- **{_md(src.name)}** ({_md(src.reel)}), {timing}: {_code(src.path)}")
        out.append("")
    return "\n".join(out)


def write_markdown(timeline: Timeline, path: Path) -> None:
    """Write the paper edit as Markdown to ``path``, whole or not at all."""
    text = markdown_text(timeline)
    try:
        with atomic_output(Path(path), "w") as handle:
            cast(IO[str], handle).write(text)
    except OSError as e:
        raise UsageError(f"cannot write the paper edit to {path}: {e.strerror or e}") from None


# --- DOCX ---------------------------------------------------------------------------------------

_COLUMNS = ("#", "Record in", "Record out", "Source", "Source in", "Source out", "Content")
_WIDTHS_CM = (0.9, 2.6, 2.6, 4.2, 2.6, 2.6, 10.6)
_MONO = "Courier New"


def _repeat_header(row: _Row) -> None:
    """Mark a row to repeat at the top of every printed page (``w:tblHeader``)."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _set_cell(cell: _Cell, text: str, *, bold: bool = False, mono: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if mono:
        run.font.name = _MONO


def _fill_content(cell: _Cell, entry: Entry) -> None:
    """The content cell: the kind marked for anything that is not a clip, label, then text."""
    paragraph = cell.paragraphs[0]
    if entry.kind != "clip":
        paragraph.add_run(_MARKS.get(entry.kind, entry.kind.upper())).bold = True
    if entry.label:
        if paragraph.runs:
            paragraph = cell.add_paragraph()
        paragraph.add_run(entry.label).italic = True
    if entry.kind == "clip" and not entry.lines:
        if paragraph.runs:
            paragraph = cell.add_paragraph()
        paragraph.add_run("(no transcript)").italic = True
    for who, text in entry.lines:
        if paragraph.runs:
            paragraph = cell.add_paragraph()
        if who:
            paragraph.add_run(f"{who}: ").bold = True
        paragraph.add_run(text)


def write_docx(timeline: Timeline, path: Path) -> None:
    """Write the paper edit as a Word document (one table row per event) to ``path``."""
    doc = Document()
    doc.core_properties.title = timeline.name
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(9)

    doc.add_heading(timeline.name, level=0)
    doc.add_paragraph(_summary(timeline))
    for note in timeline.notes:
        doc.add_paragraph(clean_text(note), style="Intense Quote")

    table = doc.add_table(rows=1, cols=len(_COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    header = table.rows[0]
    _repeat_header(header)
    for cell, title in zip(header.cells, _COLUMNS, strict=True):
        _set_cell(cell, title, bold=True)
    for entry in entries(timeline):
        cells = table.add_row().cells
        _set_cell(cells[0], str(entry.number))
        _set_cell(cells[1], entry.record_in, mono=True)
        _set_cell(cells[2], entry.record_out, mono=True)
        _set_cell(cells[3], entry.source_name)
        _set_cell(cells[4], entry.source_in, mono=True)
        _set_cell(cells[5], entry.source_out, mono=True)
        _fill_content(cells[6], entry)
    for column, width in zip(table.columns, _WIDTHS_CM, strict=True):
        for cell in column.cells:
            cell.width = Cm(width)

    sources = timeline.sources()
    if sources:
        doc.add_heading("Sources", level=1)
        listing = doc.add_table(rows=1, cols=5)
        listing.style = "Table Grid"
        for cell, title in zip(listing.rows[0].cells,
                               ("File", "Reel", "Rate", "Start", "Path"), strict=True):
            _set_cell(cell, title, bold=True)
        for src in sources:
            cells = listing.add_row().cells
            _set_cell(cells[0], src.name)
            _set_cell(cells[1], src.reel, mono=True)
            _set_cell(cells[2], _source_rate(src))
            _set_cell(cells[3], str(src.start), mono=True)
            _set_cell(cells[4], src.path)

    try:
        with atomic_output(Path(path), "wb") as handle:
            doc.save(cast(IO[bytes], handle))
    except OSError as e:
        raise UsageError(f"cannot write the paper edit to {path}: {e.strerror or e}") from None

