"""A small catalog for search tests, loaded the way real data arrives: assets, locations, a
probe result (rate, embedded start timecode, creation date) and transcripts with word times."""

from __future__ import annotations

from rushes.catalog import Catalog
from rushes.catalog.assets import add_asset, put_location
from rushes.catalog.logs import add_tags
from rushes.catalog.results import save_result
from rushes.catalog.transcripts import SegmentRow, WordRow, store_transcript

HARBOUR = "a1" + "0" * 62  # video, 25 fps, starts at 01:00:00:00, shot 2024-03-05
CHINA = "b2" + "0" * 62  # video, 30000/1001 fps, no start timecode, shot 2023-06-01
RADIO = "c3" + "0" * 62  # audio, no probe result at all


def _words(start_us: int, text: str, step_us: int = 400_000) -> tuple[WordRow, ...]:
    return tuple(
        WordRow(start_us + i * step_us, start_us + (i + 1) * step_us, w)
        for i, w in enumerate(text.split())
    )


def _seg(start_s: float, text: str, speaker: str | None = None, timed: bool = True) -> SegmentRow:
    start = int(start_s * 1_000_000)
    words = _words(start, text) if timed else ()
    end = start + max(len(text.split()), 1) * 400_000
    return SegmentRow(start, end, text, speaker, words)


def load(catalog: Catalog) -> None:
    with catalog.write() as conn:
        for asset, kind, path in (
            (HARBOUR, "video", "/archive/harbour.mov"),
            (CHINA, "video", "/archive/village.mp4"),
            (RADIO, "audio", "/archive/radio.wav"),
        ):
            add_asset(conn, asset, kind, path.rsplit(".", 1)[1], 100)
            put_location(conn, asset, path.encode(), 100, 0)
        save_result(conn, HARBOUR, "probe", 1, "x", {
            "rate": "25/1", "start_timecode": "01:00:00:00",
            "creation_time": "2024-03-05T09:30:00+01:00",
        })
        save_result(conn, CHINA, "probe", 1, "x", {
            "rate": "30000/1001", "creation_time": "2023-06-01T12:00:00Z",
        })
        store_transcript(conn, HARBOUR, "import:srt", "en", [
            _seg(2.0, "Good morning, this is the harbour.", "Ellen Marsh"),
            _seg(10.0, "The harbour master said the boats left at dawn.", "Ellen Marsh"),
            _seg(20.0, "Nobody remembers the storm of ninety-eight.", "Tom Reed"),
            _seg(30.0, "Harbouring old grudges, the fishermen argued.", "Tom Reed"),
            _seg(40.0, "A master plan for the harbor, they called it.", "Ellen Marsh",
                 timed=False),
        ])
        store_transcript(conn, CHINA, "import:srt", "zh", [
            _seg(1.0, "我们的孩子的名字叫小明"),
            _seg(5.0, "孩子们在河边玩"),
            _seg(9.0, "The boats came back to the village."),
        ])
        store_transcript(conn, RADIO, "import:srt", "en", [
            _seg(0.5, "Storm warning for the harbour tonight.", "Announcer"),
            _seg(4.0, "Boats should stay in port.", "Announcer"),
        ])
        # A tag, as `rushes tag` adds it: a tags row and its search entry.
        add_tags(conn, CHINA, ["people/Ai"])
