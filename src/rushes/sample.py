"""The sample project: a small, believable documentary archive made on the spot.

``rushes sample DIR`` is the README's first command, so it must work offline, on a laptop, in
seconds: everything is generated with ffmpeg's synthetic sources and espeak-ng speech, never
downloaded. The material is shaped like a real shoot, because its purpose is to exercise what a
real shoot exercises: several frame rates (25, 23.976 and 29.97 drop-frame) with embedded start
timecodes, a clip cut from several shots and one with a dissolve, a ProRes camera original with
PCM audio that a browser cannot play (so the proxy analyzer has work), separate sound, photographs
with EXIF dates, cameras and GPS, and the paperwork (an interview log, a synopsis, a clipping).

The subject is invented: *The Keeper of Harwick Point*, about Ellen Marsh, the last keeper of a
manned lighthouse on a fictional Hebridean island, in the season before it is automated.

Generation is idempotent: a file already present is left alone, and each file is written under a
hidden temporary name and renamed into place, so an interrupted run never leaves a half-written
file that a re-run (or ``rushes add``) would take for a finished one. Every random source has a
fixed seed, so the same ffmpeg build makes the same bytes (and the same asset ids) every time.
"""

from __future__ import annotations

import tempfile
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from rushes.media.ffmpeg import run_tool

TITLE = "The Keeper of Harwick Point"

#: A font for lower thirds; without one the clips simply have none (no font is downloaded).
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/Arial.ttf",
)

#: Called for each sample file with whether this run made it (False: it was already there).
FileCallback = Callable[[Path, bool], None]


# --- what the shoot contains --------------------------------------------------------------------


@dataclass(frozen=True)
class Speech:
    """A line of dialogue or narration, spoken by espeak-ng."""

    text: str
    voice: str = "en-gb"
    speed: int = 155


@dataclass(frozen=True)
class Shot:
    """One shot of a clip: a scene (see below) and its share of the clip's length."""

    scene: str
    weight: float = 1.0


@dataclass(frozen=True)
class Clip:
    """A camera clip: shots joined by cuts or one dissolve, speech on the sound track."""

    shots: tuple[Shot, ...]
    rate: str
    size: str
    timecode: str
    speech: Speech
    seconds: tuple[float, float]
    join: str = "cut"
    prores: bool = False
    lower_third: str | None = None
    recorded: str = "2024-09-12T09:00:00Z"
    camera: str = "A-cam"


@dataclass(frozen=True)
class Photo:
    """A still made from a scene, with the EXIF a camera (or a scanner) would have written."""

    scene: str
    size: str
    date: str
    make: str
    model: str
    description: str
    gps: tuple[float, float] | None = None


@dataclass(frozen=True)
class Sound:
    """Separate sound: narration or a wild track, optionally over a bed of wind."""

    speech: Speech
    wind: bool = False
    pad_seconds: float = 0.8


@dataclass(frozen=True)
class Document:
    """Paperwork that travels with the footage."""

    text: str


Item = Clip | Photo | Sound | Document


@dataclass(frozen=True)
class Entry:
    """One file of the sample: where it goes and what it is; ``quick`` keeps it in the small one."""

    relpath: str
    item: Item
    quick: bool = False
    quick_item: Item | None = field(default=None, compare=False)


# Scenes are ffmpeg filter graphs over a lavfi source; ``{size}`` and ``{rate}`` are filled in.
# Each looks different enough from the others that a shot detector sees every join.

#: A vertical two-colour gradient (fixed ends, the slowest rotation the filter allows).
_SKY = "gradients=size={size}:rate={rate}:seed=1:nb_colors=2:x0=0:y0=0:x1=0:y1={h}:speed=0.00001"
_DUSK_SKY = _SKY + ":c0=0xf4a261:c1=0x264653"
_LIGHTHOUSE = (
    _DUSK_SKY
    + ",drawbox=x=0:y=ih*0.68:w=iw:h=ih*0.32:color=0x1d3557:t=fill"
    + ",drawbox=x=iw*0.52:y=ih*0.6:w=iw*0.48:h=ih*0.1:color=0x2b2d42:t=fill"
    + ",drawbox=x=iw*0.7:y=ih*0.26:w=iw*0.06:h=ih*0.36:color=0xf1faee:t=fill"
    + ",drawbox=x=iw*0.7:y=ih*0.38:w=iw*0.06:h=ih*0.05:color=0xe63946:t=fill"
    + ",drawbox=x=iw*0.695:y=ih*0.2:w=iw*0.07:h=ih*0.06:color=0xffd166:t=fill"
    + ",noise=alls=6:allf=t:all_seed=6"
)
_HARBOUR = (
    _SKY + ":c0=0xa8dadc:c1=0x457b9d"
    + ",drawbox=x=0:y=ih*0.55:w=iw:h=ih*0.45:color=0x1d3557:t=fill"
    + ",drawbox=x=iw*0.12:y=ih*0.5:w=iw*0.2:h=ih*0.08:color=0xe63946:t=fill"
    + ",drawbox=x=iw*0.2:y=ih*0.32:w=iw*0.01:h=ih*0.18:color=0xf1faee:t=fill"
    + ",drawbox=x=iw*0.55:y=ih*0.52:w=iw*0.14:h=ih*0.06:color=0xf1faee:t=fill"
    + ",drawbox=x=0:y=ih*0.45:w=iw*0.08:h=ih*0.1:color=0x6c584c:t=fill"
    + ",noise=alls=8:allf=t:all_seed=8"
)
_INTERVIEW = (
    "gradients=size={size}:rate={rate}:c0=0x1b2a41:c1=0x3d5a80:nb_colors=2:seed=3:speed=0.004"
    + ",drawbox=x=iw*0.36:y=ih*0.42:w=iw*0.28:h=ih*0.58:color=0x22223b:t=fill"
    + ",drawbox=x=iw*0.44:y=ih*0.18:w=iw*0.12:h=ih*0.24:color=0xc9ada7:t=fill"
    + ",drawbox=x=iw*0.8:y=ih*0.1:w=iw*0.12:h=ih*0.5:color=0xffd166@0.25:t=fill"
)
# The first two seconds of a Game of Life from a random start are its population crashing: the
# whole frame darkens gradually over a second, which a shot detector rightly calls a dissolve.
# The shot starts after it, so the harbour clip is three shots joined by cuts, as its script says.
_WAVES = (
    "life=size={size}:rate={rate}:mold=10:ratio=0.3:seed=11"
    ":death_color=#1d3557:life_color=#a8dadc"
    ",trim=start=2,setpts=PTS-STARTPTS"
)
_LENS = "mandelbrot=size={size}:rate={rate}:start_scale=0.6:end_scale=0.2"
_BARS = "smptehdbars=size={size}:rate={rate}"
_ROCKS = (
    "cellauto=size={size}:rate={rate}:rule=110:seed=5"
    ",colorchannelmixer=.5:.3:.2:0:.4:.35:.25:0:.3:.3:.3"
)
_SEPIA = (
    ",colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131"
    ",noise=alls=25:allf=u:all_seed=25,vignette"
)

_ELLEN = "en-gb+f3"
_CALLUM = "en-gb-scotland+m3"
_NARRATOR = "en-gb+m1"

_HARWICK = (57.9012, -6.7421)
_HARBOUR_GPS = (57.8871, -6.7893)

_INTERVIEW_LOG = """\
THE KEEPER OF HARWICK POINT: interview and camera log
======================================================
Production: Northlight Films. Director: A. Okafor. Camera: J. Lindqvist. Sound: M. Haddad.

DAY 01 (12 September 2024), Harwick Point Light and harbour
------------------------------------------------------------
A001_C001  10:00:00:00  25p     Ellen Marsh, kitchen of the keeper's cottage.
           10:00:01:10  "My father kept this light before me..."  GOOD, use.
A001_C002  01:00:00;00  29.97DF Harbour: Callum Reid (harbour master) over boats, tower, sea.
           01:00:00;00  "The ferry comes twice a week in winter..."  Three set-ups, hard cuts.

DAY 02 (13 September 2024), lamp room
-------------------------------------
B001_C003  14:30:00:00  23.976  Lamp room, lens detail dissolving to the tower at dusk.
           14:30:02:00  "This lens was made in Edinburgh in 1892..."  Lovely, slightly soft.
B001_C004  15:12:10:00  25p     ProRes B-cam. Bars, then the tower at dusk. Ellen on automation.
           15:12:11:00  "A computer does not know the sea."  Strongest line of the shoot.

SOUND
-----
narration_v1.wav          Scratch narration for the opening (temp voice).
wildtrack_lamp_room.m4a   Ident + wild track, lamp room, wind on the gallery door.

PHOTOS
------
archive/1978_ellen_and_father_scan.jpg  Family print, scanned at the cottage (Ellen's album).
day01/DSCF0412.JPG, DSCF0419.JPG         Stills, harbour morning and tower at dusk.
lamp_lens_detail.png                     Phone snap of the lens, for the graphics team.
"""

_SYNOPSIS = """\
# The Keeper of Harwick Point

*Feature documentary, 90 min. Working synopsis, draft 3.*

For one hundred and fifty-six years a keeper has climbed the 112 steps of Harwick Point Light
each night. **Ellen Marsh**, 71, is the last of them: her father kept the light before her, and
his mother before him. Next spring the Northern Lighthouse Board will automate the station, and
Ellen will come ashore for good.

The film follows her final season: the ferry that comes twice a week in winter, the harbour
master **Callum Reid** who says the boats will not risk the Sound without her, and the brass of a
lens made in Edinburgh in 1892 that she polishes every morning, whether anyone sees it or not.

## Material so far

- Two days of interviews and observational footage (A and B cameras, mixed frame rates).
- Family photographs from 1978 onwards, scanned from Ellen's album.
- Scratch narration and wild tracks.

## Open questions

- Clearance for the 1998 *Island Gazette* clipping (see documents/).
- Do we see the automation crew, or only hear about them?
"""

_CLIPPING = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Island Gazette, 14 March 1998</title></head>
<body>
<article>
<h1>Harwick light to stay manned "for now"</h1>
<p class="byline">Island Gazette, 14 March 1998</p>
<p>The Northern Lighthouse Board confirmed yesterday that Harwick Point Light will keep its
keeper for the foreseeable future, after a petition signed by 412 islanders. Keeper Ellen Marsh,
who took over the light from her father in 1983, said she was "glad, but not surprised".</p>
<p>"The sea does not read memos," she told the Gazette.</p>
</article>
</body>
</html>
"""


def _plan() -> list[Entry]:
    """Every file of the full sample, marking those kept (possibly smaller) in the quick one."""
    return [
        Entry(
            "footage/day01/A001_C001_ellen_interview.mp4",
            Clip(
                shots=(Shot(_INTERVIEW),), rate="25", size="640x360", timecode="10:00:00:00",
                speech=Speech(
                    "My father kept this light before me, and his mother before him. Every "
                    "night for forty one years I have climbed these steps.", _ELLEN,
                ),
                seconds=(5, 12), lower_third="ELLEN MARSH - keeper of Harwick Point Light",
                recorded="2024-09-12T10:00:00Z",
            ),
        ),
        Entry(
            "footage/day01/A001_C002_harbour_callum.mp4",
            Clip(
                shots=(Shot(_HARBOUR, 1.2), Shot(_WAVES), Shot(_LIGHTHOUSE)),
                rate="30000/1001", size="640x360", timecode="01:00:00;00",
                speech=Speech(
                    "The ferry comes twice a week in winter. Without the light, the boats "
                    "would not risk the Sound after dark.", _CALLUM, 150,
                ),
                seconds=(6, 12), lower_third="CALLUM REID - harbour master",
                recorded="2024-09-12T13:20:00Z",
            ),
            quick=True,
            quick_item=Clip(
                shots=(Shot(_HARBOUR), Shot(_WAVES), Shot(_LIGHTHOUSE)),
                rate="30000/1001", size="320x240", timecode="01:00:00;00",
                speech=Speech("The ferry comes twice a week in winter.", _CALLUM, 160),
                seconds=(3, 3), recorded="2024-09-12T13:20:00Z",
            ),
        ),
        Entry(
            "footage/day02/B001_C003_lamp_room.mov",
            Clip(
                shots=(Shot(_LENS), Shot(_LIGHTHOUSE)), join="dissolve",
                rate="24000/1001", size="512x288", timecode="14:30:00:00",
                speech=Speech(
                    "This lens was made in Edinburgh in eighteen ninety two. I polish the "
                    "brass every morning, whether anyone sees it or not.", _ELLEN,
                ),
                seconds=(6, 12), recorded="2024-09-13T14:30:00Z",
            ),
            quick=True,
            quick_item=Clip(
                shots=(Shot(_LENS), Shot(_LIGHTHOUSE)), join="dissolve",
                rate="24000/1001", size="320x240", timecode="14:30:00:00",
                speech=Speech("This lens was made in Edinburgh.", _ELLEN, 160),
                seconds=(3, 3), recorded="2024-09-13T14:30:00Z",
            ),
        ),
        Entry(
            "footage/day02/B001_C004_automation_prores.mov",
            Clip(
                shots=(Shot(_BARS, 0.15), Shot(_LIGHTHOUSE), Shot(_ROCKS, 0.6)),
                rate="25", size="480x270", timecode="15:12:10:00", prores=True,
                speech=Speech(
                    "They tell me a computer will do my job next spring. A computer does "
                    "not know the sea.", _ELLEN, 145,
                ),
                seconds=(5, 9), recorded="2024-09-13T15:12:00Z", camera="B-cam",
            ),
            quick=True,
            quick_item=Clip(
                shots=(Shot(_BARS, 0.3), Shot(_LIGHTHOUSE)), rate="25", size="320x240",
                timecode="15:12:10:00", prores=True,
                speech=Speech("A computer does not know the sea.", _ELLEN, 160),
                seconds=(2, 2), recorded="2024-09-13T15:12:00Z", camera="B-cam",
            ),
        ),
        Entry(
            "audio/narration_v1.wav",
            Sound(Speech(
                "Harwick Point Light has guided ships through the Minch since eighteen sixty "
                "eight. Next spring it will be automated, and its last keeper will come ashore.",
                _NARRATOR, 150,
            )),
            quick=True,
            quick_item=Sound(Speech("Harwick Point Light, opening narration.", _NARRATOR, 160),
                             pad_seconds=0.3),
        ),
        Entry(
            "audio/wildtrack_lamp_room.m4a",
            Sound(Speech("Wild track. Lamp room, Harwick Point, day two.", _CALLUM, 140),
                  wind=True, pad_seconds=4.0),
        ),
        Entry(
            "photos/archive/1978_ellen_and_father_scan.jpg",
            Photo(_LIGHTHOUSE + _SEPIA, "640x480", "1978:07:02 14:00:00", "EPSON",
                  "Perfection V600", "Scanned print: Ellen and her father on the gallery, 1978"),
        ),
        Entry(
            "photos/day01/DSCF0412.JPG",
            Photo(_HARBOUR, "800x533", "2024:09:12 07:41:03", "FUJIFILM", "X-T4",
                  "Harbour, morning", _HARBOUR_GPS),
        ),
        Entry(
            "photos/day01/DSCF0419.JPG",
            Photo(_LIGHTHOUSE, "800x533", "2024:09:12 19:58:40", "FUJIFILM", "X-T4",
                  "Harwick Point Light at dusk", _HARWICK),
            quick=True,
        ),
        Entry(
            "photos/lamp_lens_detail.png",
            Photo(_LENS, "480x480", "2024:09:13 11:02:17", "Apple", "iPhone 13",
                  "Fresnel lens, lamp room", _HARWICK),
            quick=True,
        ),
        Entry("documents/interview_log.txt", Document(_INTERVIEW_LOG), quick=True),
        Entry("documents/synopsis.md", Document(_SYNOPSIS), quick=True),
        Entry("documents/press_clipping_1998.html", Document(_CLIPPING)),
    ]


def build_sample(
    directory: Path, quick: bool = False, on_file: FileCallback | None = None
) -> list[Path]:
    """Generate the sample's files under ``directory``, making only those not already there.

    Returns every file of the sample (made now or before), in a stable order. ``quick`` makes
    fewer, shorter, smaller files (for tests); the two variants share names, so a quick folder
    re-run without ``quick`` only adds the missing files. The project itself (``.rushes/``) is
    not created here: that is ``init_project``'s job, done by the ``rushes sample`` command.
    """
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    font = next((f for f in _FONT_CANDIDATES if Path(f).is_file()), None)
    out: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="rushes-sample-") as scratch:
        for entry in _plan():
            if quick and not entry.quick:
                continue
            path = directory / entry.relpath
            out.append(path)
            if path.exists():
                if on_file:
                    on_file(path, False)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            item = entry.quick_item if quick and entry.quick_item is not None else entry.item
            tmp = path.with_name(f".{path.stem}.partial{path.suffix}")
            try:
                _make(item, tmp, path.stem, Path(scratch), font)
                tmp.replace(path)
            finally:
                tmp.unlink(missing_ok=True)
            if on_file:
                on_file(path, True)
    return out


# --- making each kind of file ------------------------------------------------------------------


def _make(item: Item, path: Path, title: str, scratch: Path, font: str | None) -> None:
    """Write ``item`` to ``path`` (a temporary name; ``title`` is the file's real stem)."""
    if isinstance(item, Clip):
        _make_clip(item, path, title, scratch, font)
    elif isinstance(item, Sound):
        _make_sound(item, path, scratch)
    elif isinstance(item, Photo):
        _make_photo(item, path)
    else:
        path.write_text(item.text, encoding="utf-8")


def _ffmpeg(args: Sequence[str]) -> None:
    run_tool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args])


def _speak(speech: Speech, scratch: Path) -> tuple[Path, Fraction]:
    """Speech as a WAV in ``scratch``, and its exact length."""
    wav = scratch / f"speech-{abs(hash(speech))}.wav"
    if not wav.exists():
        run_tool(
            "espeak-ng",
            ["-v", speech.voice, "-s", str(speech.speed), "-w", str(wav), speech.text],
        )
    with wave.open(str(wav), "rb") as w:
        return wav, Fraction(w.getnframes(), w.getframerate())


def _scene(scene: str, size: str, rate: str) -> str:
    """A scene's filter graph for a given frame size and rate."""
    height = size.split("x")[1]
    return scene.format(size=size, rate=rate, h=height)


def _shot_frames(clip: Clip, total: int, overlap: int) -> list[int]:
    """Split ``total`` output frames between the shots by weight (dissolves overlap shots)."""
    weights = [s.weight for s in clip.shots]
    budget = total + overlap * (len(weights) - 1)
    frames = [int(budget * w / sum(weights)) for w in weights]
    frames[-1] += budget - sum(frames)
    return frames


def _make_clip(clip: Clip, path: Path, title: str, scratch: Path, font: str | None) -> None:
    """A camera clip: shots drawn from scenes, joined by cuts or a dissolve, speech as sound."""
    rate = Fraction(clip.rate)
    wav, speech_len = _speak(clip.speech, scratch)
    lo, hi = clip.seconds
    seconds = min(max(speech_len + Fraction(7, 10), Fraction(lo)), Fraction(hi))
    total = round(seconds * rate)
    seconds = Fraction(total) / rate
    overlap = round(rate) if clip.join == "dissolve" else 0
    frames = _shot_frames(clip, total, overlap)

    args: list[str] = []
    chains: list[str] = []
    for i, (shot, n) in enumerate(zip(clip.shots, frames, strict=True)):
        length = Fraction(n + 1) / rate
        args += ["-f", "lavfi", "-t", f"{float(length):.6f}",
                 "-i", _scene(shot.scene, clip.size, clip.rate)]
        chains.append(f"[{i}:v]trim=end_frame={n},setpts=PTS-STARTPTS,"
                      f"format=yuv420p,setsar=1,settb=AVTB[s{i}]")
    if clip.join == "dissolve":
        acc = "s0"
        joined = frames[0]  # frames of the joined part so far
        for k in range(1, len(frames)):
            offset_us = round(Fraction(joined - overlap) / rate * 1_000_000)
            dur_us = round(Fraction(overlap) / rate * 1_000_000)
            chains.append(f"[{acc}][s{k}]xfade=transition=fade:duration={dur_us}us:"
                          f"offset={offset_us}us[x{k}]")
            acc, joined = f"x{k}", joined + frames[k] - overlap
        video = f"[{acc}]"
    else:
        inputs = "".join(f"[s{i}]" for i in range(len(frames)))
        chains.append(f"{inputs}concat=n={len(frames)}:v=1:a=0[cat]")
        video = "[cat]"
    if clip.lower_third and font:
        chains.append(
            f"{video}drawbox=x=0:y=ih*0.82:w=iw:h=ih*0.13:color=0x0b1a2a@0.85:t=fill,"
            f"drawtext=fontfile='{font}':text='{_drawtext_safe(clip.lower_third)}':"
            f"x=w*0.04:y=h*0.855:fontsize=h*0.05:fontcolor=white[lt]"
        )
        video = "[lt]"
    n = len(clip.shots)
    chains.append(
        f"[{n}:a]aresample=48000,apad=whole_dur={float(seconds):.6f},"
        f"atrim=end={float(seconds):.6f},pan=stereo|c0=c0|c1=c0[a]"
    )
    args += ["-i", str(wav), "-filter_complex", ";".join(chains), "-map", video, "-map", "[a]"]
    if clip.prores:
        args += ["-c:v", "prores_ks", "-profile:v", "1", "-pix_fmt", "yuv422p10le",
                 "-c:a", "pcm_s16le"]
    else:
        args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-b:a", "96k"]
    args += [
        "-r", clip.rate, "-frames:v", str(total), "-timecode", clip.timecode,
        "-metadata", f"creation_time={clip.recorded}",
        "-metadata", f"title={title}",
        "-metadata", f"comment={TITLE}, {clip.camera}",
        str(path),
    ]
    _ffmpeg(args)


def _drawtext_safe(text: str) -> str:
    """Text for drawtext without the characters its quoting would need escaped."""
    return "".join(c for c in text if c not in ":,'\\%;[]=")


def _make_sound(sound: Sound, path: Path, scratch: Path) -> None:
    """Separate sound: speech with a little room around it, over wind for a wild track."""
    wav, speech_len = _speak(sound.speech, scratch)
    seconds = float(speech_len) + sound.pad_seconds
    lead_ms = int(min(sound.pad_seconds / 2, 1.0) * 1000)
    voice = f"[0:a]aresample=48000,adelay={lead_ms},apad=whole_dur={seconds:.6f}"
    if sound.wind:
        graph = (
            f"{voice}[v];anoisesrc=color=brown:amplitude=0.08:sample_rate=48000:"
            f"duration={seconds:.6f}:seed=7,lowpass=f=400[w];"
            f"[v][w]amix=inputs=2:duration=shortest:normalize=0[a]"
        )
    else:
        graph = f"{voice}[a]"
    codec = ["-c:a", "aac", "-b:a", "96k"] if path.suffix == ".m4a" else ["-c:a", "pcm_s24le"]
    _ffmpeg(["-i", str(wav), "-filter_complex", graph, "-map", "[a]", "-t", f"{seconds:.6f}",
             *codec, str(path)])


def _make_photo(photo: Photo, path: Path) -> None:
    """A still from a scene, then EXIF written onto the generated copy with exiftool."""
    scene = _scene(photo.scene, photo.size, "1")
    quality = ["-q:v", "3"] if path.suffix.lower() in {".jpg", ".jpeg"} else []
    _ffmpeg(["-f", "lavfi", "-i", scene, "-frames:v", "1", "-update", "1", *quality,
             "-f", "image2", str(path)])
    tags = [
        f"-DateTimeOriginal={photo.date}", f"-CreateDate={photo.date}",
        f"-Make={photo.make}", f"-Model={photo.model}",
        f"-ImageDescription={photo.description}",
        "-Artist=Northlight Films", f"-Copyright={TITLE} (sample)",
    ]
    if photo.gps is not None:
        lat, lon = photo.gps
        tags += [
            f"-GPSLatitude={abs(lat)}", f"-GPSLatitudeRef={'N' if lat >= 0 else 'S'}",
            f"-GPSLongitude={abs(lon)}", f"-GPSLongitudeRef={'E' if lon >= 0 else 'W'}",
        ]
    run_tool("exiftool", ["-q", "-overwrite_original", *tags, str(path)])
