"""Logging and paper edits through the service the CLI and web app share, on SQLite and on
PostgreSQL (the ``catalog`` fixture runs each test on both)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sqlalchemy as sa

from rushes.catalog import Catalog
from rushes.catalog.schema import cut_items, search_entries
from rushes.edit import service
from rushes.edit.conform import voiceover_seconds
from rushes.errors import UsageError
from rushes.project import Project
from rushes.search import search
from tests.search.corpus import CHINA, HARBOUR, load


@pytest.fixture
def loaded(catalog: Catalog) -> Catalog:
    load(catalog)
    return catalog


def _entries(catalog: Catalog, source: str) -> list[str]:
    with catalog.read() as conn:
        return sorted(conn.execute(
            sa.select(search_entries.c.text).where(search_entries.c.source == source)
        ).scalars().all())


def test_tags_are_normalised_kept_once_searchable_and_removable(loaded: Catalog) -> None:
    before = _entries(loaded, "tag")  # the corpus's own tag entries
    added = service.tag(loaded, HARBOUR, [" people / Ellen  Marsh ", "place/Harbour"])
    assert added == ["people/Ellen Marsh", "place/Harbour"]
    assert service.tag(loaded, HARBOUR, ["people/Ellen Marsh"]) == []
    assert _entries(loaded, "tag") == sorted([*before, "people/Ellen Marsh", "place/Harbour"])
    # A tag filter on a search; ``people`` also finds ``people/…`` (the whole hierarchy).
    assert {h.asset for h in search(loaded, 'boats tag:"people/Ellen Marsh"').hits} == {HARBOUR}
    assert {h.asset for h in search(loaded, "boats tag:people").hits} == {HARBOUR, CHINA}
    assert search(loaded, "boats tag:place/Nowhere").hits == []
    assert service.list_tags(loaded) == [  # with the corpus's own people/Ai
        {"tag": "people/Ai", "assets": 1}, {"tag": "people/Ellen Marsh", "assets": 1},
        {"tag": "place/Harbour", "assets": 1},
    ]
    assert service.untag(loaded, HARBOUR, ["place/Harbour"]) == 1
    assert _entries(loaded, "tag") == sorted([*before, "people/Ellen Marsh"])
    with pytest.raises(UsageError, match="not a tag"):
        service.tag(loaded, HARBOUR, ["people//x"])


def test_a_marker_lands_on_its_frame_and_is_found_by_search(loaded: Catalog) -> None:
    note = service.add_note(loaded, HARBOUR, "the harbour master waves", at="01:00:12:05")
    assert note["marker"] and note["timecode"] == "01:00:12:05"
    assert note["at"] == pytest.approx(12.2)
    plain = service.add_note(loaded, HARBOUR, "whole reel is soft focus")
    assert plain["marker"] is False and plain["timecode"] is None
    hits = search(loaded, "waves").hits
    assert [(h.source, h.timecode) for h in hits] == [("note", "01:00:12:05")]
    log = service.asset_log(loaded, HARBOUR)
    assert [n["text"] for n in log["notes"]] == ["the harbour master waves",
                                                 "whole reel is soft focus"]
    service.remove_note(loaded, note["id"])
    assert search(loaded, "waves").hits == []
    with pytest.raises(UsageError, match="needs some text"):
        service.add_note(loaded, HARBOUR, "   ")


def test_clips_snap_to_frames_with_exclusive_out_points(loaded: Catalog) -> None:
    clip = service.add_clip(loaded, HARBOUR, in_="01:00:10:00", out="01:00:11:00",
                            label="boats leave")
    assert (clip["in"], clip["out"], clip["duration"]) == (10.0, 11.0, 1.0)
    assert (clip["in_timecode"], clip["out_timecode"]) == ("01:00:10:00", "01:00:11:00")
    # Seconds between frames go to the nearest frame (halves up): 29.97 fps here.
    ntsc = service.add_clip(loaded, CHINA, in_="1.0", out="2.0")
    assert Fraction(ntsc["in"]).limit_denominator(30000) != 1  # not a frame boundary...
    assert ntsc["in_timecode"] == "00:00:01:00" and ntsc["out_timecode"] == "00:00:02:00"
    hits = search(loaded, '"boats leave"').hits
    assert [(h.source, h.timecode) for h in hits] == [("clip", "01:00:10:00")]


def test_a_clip_from_spoken_words_takes_their_times_with_handles(
    loaded: Catalog, project: Project
) -> None:
    settings = project.settings.replace(clip_handles=0.5)
    clip = service.add_clip(loaded, HARBOUR, text="the Boats left!", settings=settings)
    # "The harbour master said the boats left at dawn." starts at 10 s, 0.4 s a word:
    # "the" (5th) 11.6 s … "left" (7th) ends at 12.8 s; half a second either side, then out
    # to whole frames at 25 fps (11.1 s is frame 277.5, 13.3 s frame 332.5).
    assert (clip["in"], clip["out"]) == (11.08, 13.32)
    assert clip["label"] == "the Boats left!"
    with pytest.raises(UsageError, match="not in the transcript"):
        service.add_clip(loaded, HARBOUR, text="submarine", settings=settings)
    with pytest.raises(UsageError, match="either --text or --in/--out"):
        service.add_clip(loaded, HARBOUR, text="boats", in_="1", out="2", settings=settings)


@pytest.mark.parametrize(("in_", "out", "message"), [
    ("5", "4", "not after the in point"),
    ("01:00:05:00", "01:00:05:00", "not after the in point"),
    ("01:00:05;00", "01:00:06:00", "drop-frame, which does not exist at 25 fps"),
    ("00:59:00:00", "01:00:06:00", "before the media's start timecode"),
    ("1:00:05:30", "01:00:06:00", "out of range at 25 fps"),
    ("soon", "6", "not a time"),
    ("-1", "2", "in point '-1': negative time"),
])
def test_bad_in_and_out_points_are_one_clear_line(
    loaded: Catalog, in_: str, out: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        service.add_clip(loaded, HARBOUR, in_=in_, out=out)
    assert service.list_clips(loaded) == []


def test_cut_items_in_order_with_move_remove_and_exact_record_times(
    loaded: Catalog, project: Project
) -> None:
    clip = service.add_clip(loaded, HARBOUR, in_="01:00:10:00", out="01:00:12:00")
    service.new_cut(loaded, "rough", settings=project.settings)
    service.add_items(loaded, "rough", [str(clip["id"]), f"{CHINA}@00:00:01:00-00:00:02:00"])
    service.add_title(loaded, "rough", "Harbour, 1998", duration="2.5")
    service.add_voiceover(loaded, "rough", "one two three four five")
    service.add_note_item(loaded, "rough", "music under", position=2)
    cut = service.cut_json(loaded, project, "rough")
    # The cut follows its first video (25 fps, non-drop) and starts at 01:00:00:00.
    assert (cut["rate"], cut["drop_frame"], cut["start_timecode"]) == ("25/1", False,
                                                                       "01:00:00:00")
    kinds = [(i["kind"], i["record_in_timecode"], i["record_out_timecode"]) for i in cut["items"]]
    assert kinds == [
        ("clip", "01:00:00:00", "01:00:02:00"),
        ("note", "01:00:02:00", "01:00:02:00"),
        # 30 frames at 29.97 → 30 × 25 / 29.97 = 25.025 → 25 frames at 25 fps.
        ("clip", "01:00:02:00", "01:00:03:00"),
        ("title", "01:00:03:00", "01:00:05:13"),  # 2.5 s = 62.5 → 63 frames (halves up)
        ("voiceover", "01:00:05:13", "01:00:07:13"),  # five words at 150 wpm = 2 s
    ]
    assert cut["items"][2]["source_in_timecode"] == "00:00:01:00"
    assert cut["items"][2]["source_out_timecode"] == "00:00:02:00"
    assert cut["running_time"] == "00:00:07:13"
    service.move_item(loaded, "rough", 5, 1)
    service.remove_item(loaded, "rough", 3)  # the note, now third
    cut = service.cut_json(loaded, project, "rough")
    assert [i["kind"] for i in cut["items"]] == ["voiceover", "clip", "clip", "title"]
    assert [i["position"] for i in cut["items"]] == [1, 2, 3, 4]
    with pytest.raises(UsageError, match="item 9 is not in the cut"):
        service.move_item(loaded, "rough", 9, 1)
    with pytest.raises(UsageError, match="no cut named 'fine'"):
        service.cut_json(loaded, project, "fine")
    with pytest.raises(UsageError, match="already a cut named"):
        service.new_cut(loaded, "rough", settings=project.settings)
    service.delete_cut(loaded, "rough")
    with loaded.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(cut_items)).scalar() == 0


def test_a_cut_at_29_97_drop_frame_prints_drop_frame_labels(
    loaded: Catalog, project: Project
) -> None:
    service.new_cut(loaded, "ntsc", rate="29.97", start="01:00:00;00", settings=project.settings)
    service.add_items(loaded, "ntsc", [f"{HARBOUR}@01:00:00:00-01:01:00:00"])
    cut = service.cut_json(loaded, project, "ntsc")
    assert cut["drop_frame"] is True
    # One minute of 25 fps = 1500 frames → 1500 × 29.97/25 = 1798.2 → 1798 frames at 29.97:
    # 01:00:00;00 + 1798 frames in drop-frame labels is 01:00:59;28 (frames ;00 and ;01 of
    # minute one are skipped), the record out exclusive.
    assert cut["items"][0]["record_out_timecode"] == "01:00:59;28"
    with pytest.raises(UsageError, match="does not exist at 25 fps"):
        service.new_cut(loaded, "pal", rate="25", start="01:00:00;00", settings=project.settings)


def test_unused_selects_are_the_clips_not_in_the_cut(loaded: Catalog, project: Project) -> None:
    used = service.add_clip(loaded, HARBOUR, in_="10", out="12", label="used")
    covered = service.add_clip(loaded, HARBOUR, in_="20", out="22", label="covered by range")
    spare = service.add_clip(loaded, CHINA, in_="3", out="4", label="spare")
    service.new_cut(loaded, "c", settings=project.settings)
    service.add_items(loaded, "c", [str(used["id"]), f"{HARBOUR}@19.5-21.5"])
    assert [c["id"] for c in service.unused_clips(loaded, "c")] == [spare["id"]]
    assert covered["id"] not in [c["id"] for c in service.unused_clips(loaded, "c")]


def test_bins_hold_clips_and_assets_once(loaded: Catalog) -> None:
    clip = service.add_clip(loaded, HARBOUR, in_="10", out="12", label="boats")
    service.new_bin(loaded, "Harbour selects")
    assert service.add_to_bin(loaded, "Harbour selects", [str(clip["id"]), CHINA]) == 2
    assert service.add_to_bin(loaded, "Harbour selects", [CHINA]) == 0
    content = service.bin_json(loaded, "Harbour selects")
    assert [(i["type"], i["asset"]) for i in content["items"]] == [("clip", HARBOUR),
                                                                   ("asset", CHINA)]
    assert service.list_bins(loaded) == [{"name": "Harbour selects", "items": 2}]
    assert service.remove_from_bin(loaded, "Harbour selects", [CHINA]) == 1
    with pytest.raises(UsageError, match="no bin named"):
        service.add_to_bin(loaded, "nope", [CHINA])


def test_voiceover_length_follows_words_per_minute() -> None:
    assert voiceover_seconds("one two three", 150) == Fraction(6, 5)
    assert voiceover_seconds("", 150) == 1


def test_an_at_sign_in_a_file_name_still_names_the_file(
    loaded: Catalog, project: Project
) -> None:
    from rushes.catalog.assets import add_asset, put_location
    from rushes.catalog.results import save_result

    take = "d4" + "0" * 62
    with loaded.write() as conn:
        add_asset(conn, take, "video", "mov", 10)
        put_location(conn, take, b"/archive/take@2.mov", 10, 0)
        save_result(conn, take, "probe", 1, "x", {"rate": "25/1", "duration": "8"})
    service.new_cut(loaded, "at", settings=project.settings)
    service.add_items(loaded, "at", ["/archive/take@2.mov", "/archive/take@2.mov@1-2"])
    items = service.cut_json(loaded, project, "at")["items"]
    assert [(i["source_in"], i["source_out"]) for i in items] == [(0.0, 8.0), (1.0, 2.0)]
    with pytest.raises(UsageError, match=r"no asset '/archive/nothere\.mov'"):
        service.add_items(loaded, "at", ["/archive/nothere.mov@1-2"])
