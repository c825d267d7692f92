"""Technical metadata from ffprobe and exiftool, reduced to one flat, exact summary.

Running the tools and reading their output are kept apart: :func:`ffprobe_json` and
:func:`exiftool_json` run a program, :func:`summarize` and its helpers are pure functions from
their JSON to a dict, so every odd case met in the field (rotation only in side data, timecode only
on a ``tmcd`` track, dates without zones) is pinned by a test on a few lines of JSON.

Times are exact: ffprobe prints durations as rounded decimals, so a stream's ``duration_ts`` ×
``time_base`` is preferred, and rates come from ``r_frame_rate``/``avg_frame_rate`` fractions.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from rushes.domain import TIMED_KINDS
from rushes.domain.timecode import is_drop_frame_rate, snap_rate
from rushes.errors import MediaError
from rushes.media import description
from rushes.media.ffmpeg import ToolNotFound, media_arg, run_tool
from rushes.media.ixml import Ixml, read_ixml

JSON = Mapping[str, Any]

#: A probe of a file on a slow disk may take a while; one that takes longer is stuck.
PROBE_TIMEOUT = 300.0

_TC_RE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$")
_DATE_RE = re.compile(
    r"^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")
_DEPTH_RE = re.compile(r"p(\d{1,2})(?:le|be)$")

#: Pixel formats every browser decodes: 8-bit 4:2:0.
_BROWSER_PIX_FMTS = frozenset({"yuv420p", "yuvj420p", "nv12"})
_MP4_VIDEO = frozenset({"h264", "av1", "vp9"})
_MP4_AUDIO = frozenset({"aac", "mp3", "opus"})
_WEBM_VIDEO = frozenset({"vp8", "vp9", "av1"})
_WEBM_AUDIO = frozenset({"opus", "vorbis"})
_BROWSER_IMAGES = frozenset({"mjpeg", "png", "gif", "webp", "bmp"})

#: EXIF Orientation → clockwise degrees (mirrored variants keep their rotation part).
_ORIENTATION_CW = {1: 0, 2: 0, 3: 180, 4: 180, 5: 270, 6: 90, 7: 90, 8: 270}


# --- running the tools -------------------------------------------------------------------------


def ffprobe_json(path: Path) -> dict[str, Any]:
    """ffprobe's format and stream description of ``path`` (side data included)."""
    arg = media_arg(path)
    out = run_tool(
        "ffprobe",
        ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", arg],
        timeout=PROBE_TIMEOUT,
        hide=(arg, os.fspath(path)),
    )
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        raise MediaError("ffprobe printed something that is not JSON") from None
    if not isinstance(data, dict) or not data.get("streams"):
        raise MediaError("no audio, video or image stream found")
    return data


def exiftool_json(path: Path) -> dict[str, Any]:
    """exiftool's tags for ``path``, grouped (``EXIF:Make``) and numeric (``-n``: signed GPS)."""
    name = os.fspath(path.absolute())
    out = run_tool(
        "exiftool",
        ["-json", "-n", "-G", "-api", "LargeFileSupport=1", name],
        timeout=PROBE_TIMEOUT,
        hide=(name,),
    )
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        raise MediaError("exiftool printed something that is not JSON") from None
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        raise MediaError("exiftool returned no tags")
    return data[0]


# --- small pure helpers ------------------------------------------------------------------------


def format_rational(value: Fraction) -> str:
    """Always ``"n/d"`` (``"2/1"``, not ``"2"``) so a consumer in any language splits on ``/``."""
    return f"{value.numerator}/{value.denominator}"


def parse_rational(text: Any) -> Fraction | None:
    """``"30000/1001"``, ``"4:3"`` or ``"1.001000"`` as an exact fraction; None when 0 or junk."""
    if text is None:
        return None
    s = str(text).strip().replace(":", "/")
    if not s or s.upper() == "N/A":
        return None
    try:
        value = Fraction(s)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _int(value: Any) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def _tags(obj: JSON | None) -> dict[str, str]:
    """Tags with lower-cased keys: muxers disagree on case (``TIMECODE`` in MXF)."""
    if not obj:
        return {}
    raw = obj.get("tags") or {}
    return {str(k).lower(): str(v) for k, v in raw.items()}


def is_attached_picture(stream: JSON) -> bool:
    """Cover art in an MP3/M4A is a 'video' stream of one frame; it is no video."""
    return bool((stream.get("disposition") or {}).get("attached_pic"))


def stream_rate(stream: JSON) -> Fraction | None:
    """The exact frame rate of a video stream.

    ``r_frame_rate`` is the nominal rate and ``avg_frame_rate`` the measured one. They agree on
    constant-rate files; when they differ slightly (a dropped frame in a phone recording) the
    nominal one is right, when ``r`` is twice ``avg`` it is counting fields of interlaced video.
    """
    r = parse_rational(stream.get("r_frame_rate"))
    avg = parse_rational(stream.get("avg_frame_rate"))
    if r is not None and r > 1000:
        r = None  # a time base, not a rate (some MKV/WebM files)
    if r is None and avg is None:
        return None
    if r is None:
        assert avg is not None
        return snap_rate(avg)
    if avg is None or avg == r:
        return snap_rate(r)
    if r == 2 * avg:
        return snap_rate(avg)
    if abs(avg - r) / r < Fraction(1, 100):
        return snap_rate(r)
    return snap_rate(avg)


def stream_duration(stream: JSON) -> Fraction | None:
    """Exact ``duration_ts × time_base``, or the printed decimal when that is all there is."""
    ts = _int(stream.get("duration_ts"))
    base = parse_rational(stream.get("time_base"))
    if ts and base:
        return ts * base
    return parse_rational(stream.get("duration"))


def rotation_of(stream: JSON) -> int:
    """Clockwise degrees (0, 90, 180, 270) a player turns the picture before showing it.

    Clockwise is how the legacy ``rotate`` tag (phones) and CSS ``rotate()`` count; ffprobe's
    display-matrix ``rotation`` counts counter-clockwise, so it is negated. The matrix wins when
    both exist: it is what players (and ffmpeg's autorotate) obey.
    """
    for side in stream.get("side_data_list") or ():
        if "rotation" in side:
            try:
                ccw = float(side["rotation"])
            except (TypeError, ValueError):
                continue
            return (-round(ccw / 90) * 90) % 360
    tag = _tags(stream).get("rotate")
    if tag is not None:
        try:
            return (round(float(tag) / 90) * 90) % 360
        except ValueError:
            pass
    return 0


def bit_depth(stream: JSON) -> int | None:
    """Bits per sample: the stream's own figure, else read off the pixel format name."""
    n = _int(stream.get("bits_per_raw_sample"))
    if n:
        return n
    pix_fmt = str(stream.get("pix_fmt") or "")
    m = _DEPTH_RE.search(pix_fmt)
    if m:
        return int(m.group(1))
    if pix_fmt.startswith(("yuv", "yuvj", "nv12", "gray", "rgb24", "bgr24", "rgba", "bgra")):
        return 8
    return None


def start_timecode(data: JSON, video: JSON | None) -> str | None:
    """The embedded start timecode: video stream tag, then a ``tmcd``/data stream, then format.

    QuickTime keeps timecode in its own track, so a file can carry it only on that stream;
    MXF and some MP4s carry it only at format level.
    """
    candidates: list[JSON | None] = [video]
    for stream in data.get("streams") or ():
        if stream.get("codec_tag_string") == "tmcd" or stream.get("codec_type") == "data":
            candidates.append(stream)
    candidates.append(data.get("format"))
    for obj in candidates:
        tc = _tags(obj).get("timecode")
        if tc and _TC_RE.match(tc.strip()):
            return tc.strip()
    return None


def time_reference(fmt: JSON | None, audio: JSON | None) -> tuple[int | None, Fraction | None]:
    """A Broadcast WAV's recorded start: the ``bext`` chunk's TimeReference (samples since
    midnight, which ffprobe shows as the ``time_reference`` format tag) and that many samples at
    the audio's sample rate, in exact seconds (1728000000 at 48 kHz is 36000 s, 10:00:00).

    A separate sound recorder stamps it so the sound syncs and conforms by timecode; a file
    without one (or with a sample rate of 0) gives ``(None, None)``."""
    samples = _int(_tags(fmt).get("time_reference"))
    sample_rate = _int(audio.get("sample_rate")) if audio is not None else None
    if samples is None or not sample_rate or sample_rate <= 0:
        return None, None
    return samples, Fraction(samples, sample_rate)


def iso_datetime(text: Any, zone: str | None = None) -> str | None:
    """An EXIF/QuickTime/ffprobe date as ISO 8601, keeping its zone (or ``zone``) when known.

    Returns None for the zero dates cameras write when their clock was never set.
    """
    if text is None:
        return None
    m = _DATE_RE.match(str(text).strip())
    if not m:
        return None
    year, month, day, hh, mm, ss, frac, tz = m.groups()
    if int(year) == 0 or int(month) == 0 or int(day) == 0:
        return None
    out = f"{year}-{month}-{day}T{hh}:{mm}:{ss or '00'}"
    if frac and frac.strip(".0"):
        out += frac.rstrip("0")
    tz = tz or zone
    if tz:
        if tz in {"Z", "z"}:
            tz = "+00:00"
        elif ":" not in tz:
            tz = f"{tz[:3]}:{tz[3:]}"
        out += tz
    return out


def creation_time(exif: JSON, video: JSON | None, fmt: JSON | None) -> str | None:
    """When the picture was taken, from the most trustworthy tag present.

    Camera-original dates (with their offset) beat file-level ones; QuickTime's ``CreateDate``
    is UTC by specification, so it is marked so; ffprobe's ``creation_time`` is the last resort.
    """
    zone_keys = {
        "EXIF:DateTimeOriginal": "EXIF:OffsetTimeOriginal",
        "EXIF:CreateDate": "EXIF:OffsetTimeDigitized",
    }
    for key in (
        "Composite:SubSecDateTimeOriginal",
        "QuickTime:CreationDate",
        "EXIF:DateTimeOriginal",
        "XMP:DateTimeOriginal",
        "EXIF:CreateDate",
        "XMP:CreateDate",
        "XMP:DateCreated",
    ):
        zone = exif.get(zone_keys[key]) if key in zone_keys else None
        value = iso_datetime(exif.get(key), str(zone) if zone else None)
        if value:
            return value
    value = iso_datetime(exif.get("QuickTime:CreateDate"), "+00:00")
    if value:
        return value
    for obj in (fmt, video):
        value = iso_datetime(_tags(obj).get("creation_time"))
        if value:
            return value
    return None


def _first_text(exif: JSON, tags: Mapping[str, str], exif_keys: Sequence[str],
                tag_keys: Sequence[str]) -> str | None:
    for key in exif_keys:
        value = str(exif.get(key) or "").strip()
        if value:
            return value
    for key in tag_keys:
        value = tags.get(key, "").strip()
        if value:
            return value
    return None


def _coord(value: Any, low: float, high: float) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and low <= f <= high else None


def gps(exif: JSON, tags: Mapping[str, str]) -> dict[str, float | None] | None:
    """Where it was shot, signed decimal degrees (south and west negative), altitude in metres.

    exiftool's Composite tags are already signed; raw EXIF needs its N/S and E/W references;
    phones' QuickTime files say it in ISO 6709 (``+48.8583+002.2945+035.000/``).
    """
    lat = _coord(exif.get("Composite:GPSLatitude"), -90, 90)
    lon = _coord(exif.get("Composite:GPSLongitude"), -180, 180)
    alt = _coord(exif.get("Composite:GPSAltitude"), -12000, 100000)
    if lat is None or lon is None:
        lat = _coord(exif.get("EXIF:GPSLatitude"), -90, 90)
        lon = _coord(exif.get("EXIF:GPSLongitude"), -180, 180)
        if lat is not None and str(exif.get("EXIF:GPSLatitudeRef", "")).upper().startswith("S"):
            lat = -abs(lat)
        if lon is not None and str(exif.get("EXIF:GPSLongitudeRef", "")).upper().startswith("W"):
            lon = -abs(lon)
    if lat is None or lon is None:
        text = str(exif.get("QuickTime:GPSCoordinates") or "").split()
        if len(text) >= 2:
            lat, lon = _coord(text[0], -90, 90), _coord(text[1], -180, 180)
            alt = _coord(text[2], -12000, 100000) if len(text) > 2 else alt
    if lat is None or lon is None:
        for key in ("com.apple.quicktime.location.iso6709", "location"):
            m = _ISO6709.match(tags.get(key, "").strip())
            if m:
                lat, lon = _coord(m.group(1), -90, 90), _coord(m.group(2), -180, 180)
                alt = _coord(m.group(3), -12000, 100000) if m.group(3) else alt
                break
    if lat is None or lon is None:
        return None
    if alt is None:
        alt = _coord(exif.get("EXIF:GPSAltitude"), -12000, 100000)
        if alt is not None and str(exif.get("EXIF:GPSAltitudeRef", "0")).strip() in {"1", "1.0"}:
            alt = -alt
    return {"lat": lat, "lon": lon, "alt": alt}


def browser_playable(
    kind: str,
    container: str | None,
    video_codec: str | None,
    pix_fmt: str | None,
    audio_codecs: Sequence[str],
) -> bool:
    """Whether every current browser plays (or, for images, shows) the file as it is.

    Conservative on purpose: a false negative costs a proxy, a false positive a blank player.
    ``container`` is ffprobe's ``format_name`` (``"mov,mp4,m4a,3gp,3g2,mj2"``, ``"matroska,webm"``).
    """
    names = set((container or "").split(","))
    if kind == "image":
        return video_codec in _BROWSER_IMAGES
    mp4 = bool(names & {"mov", "mp4", "m4a"})
    webm = "webm" in names
    if kind == "audio" or video_codec is None:
        if kind == "video" or not audio_codecs:
            return False
        codec = audio_codecs[0]
        if mp4:
            return codec in _MP4_AUDIO
        if webm or "ogg" in names:
            return codec in _WEBM_AUDIO
        return "mp3" in names and codec == "mp3"
    if pix_fmt not in _BROWSER_PIX_FMTS:
        return False
    if mp4:
        return video_codec in _MP4_VIDEO and all(a in _MP4_AUDIO for a in audio_codecs)
    if webm:
        return video_codec in _WEBM_VIDEO and all(a in _WEBM_AUDIO for a in audio_codecs)
    return False


def _stream_summary(stream: JSON) -> dict[str, Any]:
    tags = _tags(stream)
    kind = stream.get("codec_type")
    out: dict[str, Any] = {
        "index": stream.get("index"),
        "type": kind,
        "codec": stream.get("codec_name") or stream.get("codec_tag_string"),
    }
    if kind == "video":
        rate = stream_rate(stream)
        out.update(
            width=_int(stream.get("width")),
            height=_int(stream.get("height")),
            pix_fmt=stream.get("pix_fmt"),
            rate=format_rational(rate) if rate else None,
        )
        if is_attached_picture(stream):
            out["attached_pic"] = True
    elif kind == "audio":
        out.update(
            channels=_int(stream.get("channels")),
            sample_rate=_int(stream.get("sample_rate")),
            layout=stream.get("channel_layout"),
            # No decoder for an unknown codec: a mixdown leaves the stream out.
            codec_known=stream.get("codec_name") not in (None, "", "none"),
        )
    if tags.get("language") and tags["language"] != "und":
        out["language"] = tags["language"]
    if tags.get("timecode"):
        out["timecode"] = tags["timecode"]
    return {k: v for k, v in out.items() if v is not None}


# --- the summary -------------------------------------------------------------------------------


def summarize(
    probe: JSON | None, exif: JSON | None, kind: str, ixml: Ixml | None = None
) -> dict[str, Any]:
    """One flat summary of a file from ffprobe's and exiftool's JSON (either may be missing).

    ``kind`` (video, audio, image) decides which streams count: an audio file's cover art is not
    its video, and a still has no duration or rate even though ffprobe gives it one.
    ``width``/``height`` are the stored (coded) size; ``rotation`` says how to turn it.
    """
    probe = probe or {}
    exif = exif or {}
    streams: list[JSON] = list(probe.get("streams") or ())
    fmt: JSON = probe.get("format") or {}
    fmt_tags = _tags(fmt)
    videos = [s for s in streams if s.get("codec_type") == "video" and not is_attached_picture(s)]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    video = videos[0] if videos and kind != "audio" else None
    audio = audios[0] if audios and kind != "image" else None

    rate = stream_rate(video) if video is not None and kind == "video" else None
    duration: Fraction | None = None
    frame_count: int | None = None
    if kind != "image":
        main = video if video is not None else audio
        duration = stream_duration(main) if main is not None else None
        if duration is None:
            duration = parse_rational(fmt.get("duration"))
        if video is not None and kind == "video":
            frame_count = _int(video.get("nb_frames")) or None
            if frame_count is None and duration is not None and rate is not None:
                frame_count = round(duration * rate)

    width = _int(video.get("width")) if video is not None else None
    height = _int(video.get("height")) if video is not None else None
    if kind == "image" and (not width or not height):
        width = _int(exif.get("File:ImageWidth")) or _int(exif.get("EXIF:ExifImageWidth"))
        height = _int(exif.get("File:ImageHeight")) or _int(exif.get("EXIF:ExifImageHeight"))
    display_aspect: str | None = None
    if width and height and video is not None:
        sar = parse_rational(video.get("sample_aspect_ratio")) or Fraction(1)
        display_aspect = format_rational(width * sar / height)
    elif width and height:
        display_aspect = format_rational(Fraction(width, height))

    rotation: int | None = rotation_of(video) if video is not None else None
    if kind == "image":
        rotation = rotation or 0
        orientation = _int(exif.get("EXIF:Orientation"))
        if orientation in _ORIENTATION_CW:
            rotation = _ORIENTATION_CW[orientation]

    tc = start_timecode(probe, video) if kind != "image" else None
    drop_frame: bool | None = None
    if tc is not None:
        m = _TC_RE.match(tc)
        semicolon = m is not None and m.group(4) in ";,."
        drop_frame = semicolon and (rate is None or is_drop_frame_rate(rate))
        if m is not None and semicolon and not drop_frame:
            hh, mm, ss, _, ff = m.groups()
            tc = f"{hh}:{mm}:{ss}:{ff}"  # a ';' at 25 fps is a slip, not drop-frame
    samples, start_seconds = (
        time_reference(fmt, audio) if kind != "image" else (None, None)
    )
    recorder = ixml if kind == "audio" else None
    # The rate the recorder counted labels the time reference (see rushes.media.ixml).
    timecode_rate = (
        recorder.timecode_rate if recorder is not None and samples is not None else None
    )
    if timecode_rate is not None and recorder is not None:
        drop_frame = recorder.drop_frame

    video_codec = str(video.get("codec_name")) if video is not None else None
    pix_fmt = video.get("pix_fmt") if video is not None else None
    audio_codecs = [str(a.get("codec_name")) for a in audios] if kind != "image" else []
    container = fmt.get("format_name") or (
        str(exif["File:FileType"]).lower() if exif.get("File:FileType") else None
    )
    all_tags = {**fmt_tags, **_tags(video)}
    # The file's words are the container's: a stream's title is a track name ("Main video").
    title = description.title(exif, fmt_tags)

    result: dict[str, Any] = {
        "duration": format_rational(duration) if duration is not None else None,
        "rate": format_rational(rate) if rate is not None else None,
        "frame_count": frame_count,
        "width": width or None,
        "height": height or None,
        "display_aspect": display_aspect,
        "rotation": rotation,
        "video_codec": video_codec,
        "video_profile": video.get("profile") if video is not None else None,
        "pix_fmt": pix_fmt,
        "bit_depth": bit_depth(video) if video is not None else None,
        "field_order": video.get("field_order") if video is not None else None,
        "audio_codec": audio.get("codec_name") if audio is not None else None,
        "audio_channels": _int(audio.get("channels")) if audio is not None else None,
        "audio_sample_rate": _int(audio.get("sample_rate")) if audio is not None else None,
        "audio_streams": len(audio_codecs),
        "container": container,
        "bit_rate": _int(fmt.get("bit_rate")),
        "start_timecode": tc,
        "drop_frame": drop_frame,
        # BWF TimeReference: samples since midnight, and as exact seconds ("36000/1"); an
        # audio file has no frame rate, so its start timecode is counted at a cut's rate.
        "time_reference": samples,
        "start_seconds": format_rational(start_seconds) if start_seconds is not None else None,
        # The recorder's timecode rate from its iXML ("24000/1001"), with ``drop_frame``: what
        # the time reference is labelled at; None where the file does not say.
        "timecode_rate": format_rational(timecode_rate) if timecode_rate is not None else None,
        # A recorder's iXML: what its sound report lists for the take.
        "scene": recorder.scene if recorder else None,
        "take": recorder.take if recorder else None,
        "tape": recorder.tape if recorder else None,
        "circled": recorder.circled if recorder else None,
        "sound_note": recorder.note if recorder else None,
        "track_names": list(recorder.tracks) if recorder and any(recorder.tracks) else None,
        "creation_time": creation_time(exif, video, fmt),
        "camera_make": _first_text(
            exif,
            all_tags,
            ("EXIF:Make", "QuickTime:Make", "XMP:Make", "XML:DeviceManufacturer"),
            ("com.apple.quicktime.make", "com.android.manufacturer", "make"),
        ),
        "camera_model": _first_text(
            exif,
            all_tags,
            ("EXIF:Model", "QuickTime:Model", "XMP:Model", "XML:DeviceModelName"),
            ("com.apple.quicktime.model", "com.android.model", "model"),
        ),
        "gps": gps(exif, all_tags),
        # The file's own words (rushes.media.description): searchable as its metadata entry.
        "title": title,
        "description": description.description(exif, fmt_tags, exclude=(title,)),
        "keywords": description.keywords(exif, fmt_tags),
        "browser_playable": browser_playable(kind, container, video_codec, pix_fmt, audio_codecs),
        "streams": [_stream_summary(s) for s in streams],
    }
    return result


def probe_media(path: Path, kind: str) -> dict[str, Any]:
    """Run ffprobe and exiftool on ``path`` and summarize; see :func:`summarize`.

    exiftool only adds camera, date and GPS detail, so its absence or failure is noted in
    ``notes`` rather than failing the probe. A still that ffprobe cannot read (HEIC, some
    raw formats) is still described by exiftool when exiftool can.
    """
    notes: list[str] = []
    exif: dict[str, Any] | None
    try:
        exif = exiftool_json(path)
        if exif.get("ExifTool:Error"):
            notes.append(f"exiftool: {exif['ExifTool:Error']}")
    except (ToolNotFound, MediaError) as exc:
        exif = None
        notes.append(f"{exc}; camera, date and GPS details may be missing")
    try:
        probe: dict[str, Any] | None = ffprobe_json(path)
    except MediaError:
        if kind != "image" or not exif or not exif.get("File:ImageWidth"):
            raise
        probe = None
        notes.append("ffprobe cannot read this image; described from exiftool only")
    if probe is not None and kind in TIMED_KINDS:
        wanted = "video" if kind == "video" else "audio"
        if not any(
            s.get("codec_type") == wanted and not is_attached_picture(s)
            for s in probe.get("streams") or ()
        ):
            raise MediaError(f"no {wanted} stream found")
    ixml = read_ixml(path) if kind == "audio" else None
    result = summarize(probe, exif, kind, ixml)
    if notes:
        result["notes"] = notes
    return result
