"""A file's own words: title, description and keywords from exiftool's and ffprobe's tags, and
the one line of them that search finds the file by."""

from __future__ import annotations

from pathlib import Path

import pytest

import mediagen
from rushes.media import description
from rushes.media.probe import probe_media


def test_the_same_caption_written_in_three_places_is_kept_once() -> None:
    exif = {
        "XMP:Description": "Ellen Marsh at the lamp, 1962",
        "IPTC:Caption-Abstract": "Ellen  Marsh at the lamp, 1962 ",
        "EXIF:ImageDescription": "ELLEN MARSH AT THE LAMP, 1962",
        "QuickTime:Comment": "Scanned by the Mull Museum",
    }
    assert description.description(exif, {}) == (
        "Ellen Marsh at the lamp, 1962\n\nScanned by the Mull Museum")


def test_the_title_comes_first_from_xmp_then_the_container() -> None:
    assert description.title({"XMP:Title": "The keeper"}, {"title": "keeper.jpg"}) == "The keeper"
    assert description.title({}, {"title": " Harbour at dawn "}) == "Harbour at dawn"
    assert description.title({}, {}) is None
    # A description equal to the title is not said twice.
    assert description.description({}, {"title": "Dawn", "comment": "dawn"},
                                   exclude=("Dawn",)) is None


@pytest.mark.parametrize("junk", [
    "OLYMPUS DIGITAL CAMERA", "SONY DSC", "   ", "Lavc59.37.100", "Lavf60.3.100",
    "CREATOR: gd-jpeg v1.0 (using IJG JPEG v62), quality = 90", "sSPEED=025.000-ND\r\nsTAKE=03",
    "(iTunNORM) 00000215 00000237 000017D8 00001A3E", "(iTunPGAP) 0",
    "Amazon.com Song ID: 203558296",
])
def test_what_cameras_encoders_and_recorders_write_by_themselves_is_no_description(
    junk: str,
) -> None:
    assert description.description({"EXIF:ImageDescription": junk}, {"comment": junk}) is None


def test_a_recorder_s_key_lines_are_dropped_and_its_words_kept() -> None:
    bext = "sSPEED=025.000-ND\r\ndSCENE=12A\r\nBoat engine starts late\r\nsTAKE=03"
    assert description.description({}, {"description": bext}) == "Boat engine starts late"
    # A caption that only looks like one at a glance is a caption.
    assert description.description({"XMP:Description": "E=mc2 explained by Dr Marsh"}, {}) == (
        "E=mc2 explained by Dr Marsh")


def test_control_characters_part_words_and_blobs_and_garbled_copies_go() -> None:
    assert description.description({"File:Comment": "Scan\0\0\0garbage\x01\x02 done"}, {}) == (
        "Scan garbage done")
    blob = "QUJD" * 100  # 400 characters of base64: no word anybody searches for
    assert description.description({}, {"comment": f"Reel 4 {blob} at dawn"}) == "Reel 4 at dawn"
    # ID3v1's Latin-1 comment: exiftool decodes it, ffprobe's copy has U+FFFD for the é.
    assert description.description({"ID3:Comment": "Ripped at the café"},
                                   {"comment": "Ripped at the caf\ufffd"}) == "Ripped at the café"
    assert description.description({}, {"comment": "caf\ufffd noir"}) == "caf\ufffd noir"


def test_keywords_listed_stay_whole_and_a_joined_string_is_split() -> None:
    exif = {"IPTC:Keywords": ["lighthouse", "Marsh, Ellen", 1962], "XMP:Subject": "Lighthouse",
            "QuickTime:Keyword": "boats; harbour"}
    assert description.keywords(exif, {"keywords": "harbour, dawn"}) == [
        "lighthouse", "Marsh, Ellen", "1962", "boats", "harbour", "dawn"]
    assert description.keywords({}, {}) is None
    many = {"IPTC:Keywords": [f"k{i}" for i in range(500)] + ["x" * 300]}
    found = description.keywords(many, {})
    assert found is not None and len(found) == description.MAX_KEYWORDS and "x" * 300 not in found


def test_searchable_text_is_one_line_of_every_field() -> None:
    probe = {
        "title": "Harbour at dawn", "description": "Boats leave\nTobermory\n\nReel 14",
        "keywords": ["boats", "harbour"], "scene": "12A", "take": "3", "tape": "DAY02",
        "sound_note": "wild track", "track_names": ["Boom", "", "Lav Ellen"],
    }
    # The sound report's values, not its labels: "take" must not find every take.
    assert description.searchable_text(probe) == (
        "Harbour at dawn · Boats leave Tobermory · Reel 14 · boats, harbour · 12A · 3 · DAY02 · "
        "wild track · Boom, Lav Ellen")
    # A note the recorder also wrote as the description is there once.
    assert description.searchable_text({"description": "wild track", "sound_note": "wild track"}
                                       ) == "wild track"
    assert description.searchable_text({"rate": "25/1", "track_names": None}) == ""
    long = description.searchable_text({"description": "word " * 1000, "title": "word " * 1000})
    assert len(long) <= description.MAX_TEXT and long.endswith("word")


def test_a_long_description_is_cut() -> None:
    text = "word " * 2000
    found = description.description({}, {"description": text})
    assert found is not None and len(found) <= description.MAX_CHARS
    assert found.endswith("word")


def test_the_probe_reads_them_from_real_files(tmp_path: Path) -> None:
    video = tmp_path / "harbour.mp4"
    mediagen.run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "0.4",
        "-metadata", "title=Harbour at dawn", "-metadata", "description=Boats leave Tobermory",
        "-metadata", "comment=Archive reel 14", "-metadata", "keywords=boats, harbour",
        str(video),
    )
    out = probe_media(video, "video")
    assert (out["title"], out["description"], out["keywords"]) == (
        "Harbour at dawn", "Boats leave Tobermory\n\nArchive reel 14", ["boats", "harbour"])

    photo = mediagen.image_jpeg_with_exif(
        tmp_path / "keeper.jpg", "-IPTC:Caption-Abstract=Ellen Marsh at the lamp, 1962",
        "-XMP:Description=Ellen Marsh at the lamp, 1962", "-IPTC:Keywords=lighthouse",
        "-IPTC:Keywords=Harwick Point", "-XMP:Title=The keeper",
    )
    out = probe_media(photo, "image")
    # ffmpeg's own JPEG comment ("Lavc…") is not the photograph's caption.
    assert (out["title"], out["description"], out["keywords"]) == (
        "The keeper", "Ellen Marsh at the lamp, 1962", ["lighthouse", "Harwick Point"])

    # A Matroska file's title is its own, not its video track's name.
    mkv = tmp_path / "reel.mkv"
    mediagen.run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "0.4", "-c:v", "mpeg4",
        "-metadata", "title=Harbour at dawn", "-metadata:s:v:0", "title=Main video",
        "-metadata:s:v:0", "comment=x264 preset slow", str(mkv),
    )
    out = probe_media(mkv, "video")
    assert (out["title"], out["description"]) == ("Harbour at dawn", None)

    plain = probe_media(mediagen.audio_tone(tmp_path / "tone.wav", seconds=0.3), "audio")
    assert (plain["title"], plain["description"], plain["keywords"]) == (None, None, None)
