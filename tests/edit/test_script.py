"""The printable paper edit: Markdown and DOCX with record and source timecodes per event."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import docx
import pytest

from rushes.domain.timecode import Timecode
from rushes.edit.formats.script import entries, write_docx, write_markdown
from rushes.edit.timeline import Event, Source, Timeline, Word, conform_frames
from rushes.errors import UsageError

F = Fraction
PAL = F(25)
NTSC = F(30000, 1001)


def source(name: str, rate: Fraction, start: str, kind: str = "video") -> Source:
    return Source(
        asset_id=name, path=f"/media/{name}", name=name, reel=name[:8].upper(), kind=kind,
        rate=rate, start=Timecode.parse(start, rate),
    )


def paper_edit() -> Timeline:
    """Title, a 25 fps clip, a 29.97 DF clip, a still, a voice-over and a note, at 25 fps."""
    a = source("interview_a.mov", PAL, "10:00:00:00")
    b = source("street_b.mov", NTSC, "12:00:00;00")
    photo = source("farm_1962.jpg", PAL, "00:00:00:00", kind="image")
    rate = PAL
    events: list[Event] = []
    record = 0

    def add(event: Event) -> None:
        nonlocal record
        events.append(event)
        record += event.duration

    add(Event("title", record, 75, text="The Flood"))
    add(Event("clip", record, 100, a, 50, 150, label="Ann on the morning",
              words=(Word(F("2.1"), F("2.5"), "Hello", "Ann"), Word(F("2.6"), F("3"), "there.",
                     "Ann"), Word(F("3.2"), F("3.5"), "Hi.", "Bob"))))
    add(Event("clip", record, conform_frames(60, NTSC, PAL), b, 300, 360, label="Street"))
    add(Event("still", record, 50, photo, label="The farm, 1962"))
    add(Event("voiceover", record, 100, text="The river rose four metres in one night."))
    add(Event("note", record, 0, text="Music comes in here"))
    return Timeline("The Flood — rough cut 2", rate, Timecode.parse("01:00:00:00", rate),
                    tuple(events), notes=("Second pass after the screening",))


def test_entries_carry_record_and_source_timecodes() -> None:
    rows = entries(paper_edit())
    assert [r.kind for r in rows] == ["title", "clip", "clip", "still", "voiceover", "note"]
    assert (rows[0].record_in, rows[0].record_out) == ("01:00:00:00", "01:00:03:00")
    assert (rows[1].record_in, rows[1].record_out) == ("01:00:03:00", "01:00:07:00")
    assert (rows[1].source_in, rows[1].source_out) == ("10:00:02:00", "10:00:06:00")
    # 29.97 DF source, frames 300–360 from 12:00:00;00
    assert (rows[2].source_in, rows[2].source_out) == ("12:00:10;00", "12:00:12;00")
    assert (rows[2].record_in, rows[2].record_out) == ("01:00:07:00", "01:00:09:00")
    assert rows[1].lines == (("Ann", "Hello there."), ("Bob", "Hi."))
    assert rows[3].source_in == "" and rows[3].source_name == "farm_1962.jpg"
    assert rows[5].record_out == "" and rows[5].record_in == "01:00:15:00"


def test_markdown_has_every_entry(tmp_path: Path) -> None:
    out = tmp_path / "edit.md"
    write_markdown(paper_edit(), out)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# The Flood — rough cut 2\n")
    assert "25 fps, starts 01:00:00:00, running time 00:00:15:00 (0 min 15.0 s)" in text
    assert "## 2. 01:00:03:00 – 01:00:07:00 · CLIP" in text
    assert "**Source:** interview\\_a.mov 10:00:02:00 – 10:00:06:00" in text
    assert "> **Ann:** Hello there." in text and "> **Bob:** Hi." in text
    assert "12:00:10;00 – 12:00:12;00" in text
    assert "**TITLE:** The Flood" in text
    assert "**VOICE-OVER (to record):** The river rose four metres in one night." in text
    assert "## 6. NOTE at 01:00:15:00" in text and "Music comes in here" in text
    assert "`/media/street_b.mov`" in text
    assert [p.name for p in tmp_path.iterdir()] == ["edit.md"]  # no temporary left behind


def test_docx_opens_and_has_one_row_per_event(tmp_path: Path) -> None:
    out = tmp_path / "edit.docx"
    write_docx(paper_edit(), out)
    doc = docx.Document(str(out))
    assert doc.core_properties.title == "The Flood — rough cut 2"
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["#", "Record in", "Record out", "Source", "Source in", "Source out",
                       "Content"]
    assert len(rows) == 7
    assert rows[2][:6] == ["2", "01:00:03:00", "01:00:07:00", "interview_a.mov",
                           "10:00:02:00", "10:00:06:00"]
    assert "Ann: Hello there." in rows[2][6] and "Bob: Hi." in rows[2][6]
    assert rows[3][4:6] == ["12:00:10;00", "12:00:12;00"]
    assert rows[1][6].startswith("TITLE") and "The Flood" in rows[1][6]
    assert rows[5][6].startswith("VOICE-OVER") and "four metres" in rows[5][6]
    assert rows[6][6].startswith("NOTE") and rows[6][2] == ""
    sources = [[c.text for c in row.cells] for row in doc.tables[1].rows]
    assert [r[0] for r in sources[1:]] == ["interview_a.mov", "street_b.mov", "farm_1962.jpg"]
    assert sources[2][3] == "12:00:00;00"


def test_unwritable_target_is_one_line_error(tmp_path: Path) -> None:
    # outputs.atomic_output's one line for every export: the target as given, the reason.
    with pytest.raises(UsageError, match=r"^cannot write .*/missing/edit\.docx: No such file"):
        write_docx(paper_edit(), tmp_path / "missing" / "edit.docx")
