"""Generated test media with known ground truth: ffmpeg's synthetic sources and espeak-ng speech.

Every generator writes small files (320×240, seconds long) so the suite stays fast on two cores.
Nothing is downloaded. Functions are named for what the file contains.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path

#: Synthetic sources that look clearly different from each other (one per shot).
SOURCES = (
    "testsrc2",
    "smptehdbars",
    "mandelbrot",
    "rgbtestsrc",
    "cellauto=rule=110",
    "life=mold=10:ratio=0.3:death_color=#C83232:life_color=#00ff00",
    "yuvtestsrc",
    "smptebars",
)


def run_ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly; a failure shows its stderr in the test report."""
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {' '.join(cmd)}\n{proc.stderr}")


def _lavfi(source: str, size: str, rate: str, seconds: float) -> list[str]:
    """Input options for a synthetic source (``-t`` because some sources have no duration)."""
    name, _, opts = source.partition("=")
    extra = f":{opts}" if opts else ""
    return ["-f", "lavfi", "-t", str(seconds), "-i", f"{name}=size={size}:rate={rate}{extra}"]


def video_testsrc(
    path: Path,
    *,
    seconds: float = 2.0,
    size: str = "320x240",
    rate: str = "25",
    source: str = "testsrc2",
    timecode: str | None = None,
    codec: str = "libx264",
    audio: bool = True,
    extra: Sequence[str] = (),
) -> Path:
    """A single-shot clip, optionally with a tone and an embedded start timecode."""
    args = _lavfi(source, size, rate, seconds)
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    args += ["-c:v", codec]
    if codec == "libx264":
        args += ["-pix_fmt", "yuv420p", "-preset", "ultrafast"]
    if audio:
        args += ["-c:a", "aac" if path.suffix in {".mp4", ".mov", ".m4v"} else "pcm_s16le"]
    if timecode:
        args += ["-timecode", timecode]
    args += [*extra, "-shortest", str(path)]
    run_ffmpeg(*args)
    return path


def video_shots(
    path: Path,
    shots: Sequence[tuple[str, float]],
    *,
    size: str = "320x240",
    rate: str = "25",
    extra: Sequence[str] = (),
) -> Path:
    """Shots of different synthetic sources joined by hard cuts; cut k is at the sum of the first
    k durations (choose durations that are whole frames at ``rate``). ``extra``: encoder options
    (``-bf 3`` for B-frames, which ``ultrafast`` leaves out)."""
    args: list[str] = []
    for source, seconds in shots:
        args += _lavfi(source, size, rate, seconds)
    chains = "".join(
        f"[{i}:v]format=yuv420p,setsar=1,settb=AVTB[v{i}];" for i in range(len(shots))
    )
    inputs = "".join(f"[v{i}]" for i in range(len(shots)))
    graph = f"{chains}{inputs}concat=n={len(shots)}:v=1:a=0[out]"
    run_ffmpeg(
        *args, "-filter_complex", graph, "-map", "[out]", "-c:v", "libx264",
        "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-r", rate, *extra, str(path),
    )
    return path


def speech_wav(path: Path, text: str, *, voice: str = "en", speed: int = 150) -> Path:
    """Speech from espeak-ng, 16-bit mono WAV."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed (scripts/setup.sh installs it)")
    subprocess.run(
        [espeak, "-v", voice, "-s", str(speed), "-w", str(path), text], check=True,
        capture_output=True,
    )
    return path


def video_with_speech(path: Path, text: str, *, size: str = "320x240", rate: str = "25") -> Path:
    """A clip whose audio track is espeak-ng speech, as long as the speech."""
    wav = path.with_suffix(".speech.wav")
    speech_wav(wav, text)
    run_ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}", "-i", str(wav),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-shortest", str(path),
    )
    wav.unlink()
    return path


def image_png(path: Path, *, size: str = "320x240", source: str = "testsrc2") -> Path:
    """A still from a synthetic source (the container follows the suffix: .png, .jpg, .tif)."""
    run_ffmpeg(*_lavfi(source, size, "1", 1), "-frames:v", "1",
               "-update", "1", str(path))
    return path


def audio_tone(path: Path, *, seconds: float = 2.0, frequency: int = 440) -> Path:
    run_ffmpeg("-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}", str(path))
    return path


def audio_bwf(path: Path, *, time_reference: int, seconds: float = 2.0,
              sample_rate: int = 48000, ixml_rate: str | None = None,
              ixml_flag: str = "NDF", description: str | None = None) -> Path:
    """A Broadcast WAV as a sound recorder writes it: 24-bit PCM with a ``bext`` chunk whose
    TimeReference (samples since midnight) is ``time_reference``; with ``ixml_rate``
    (``"24000/1001"``) also the iXML chunk in which recorders (Sound Devices, Zaxcom, Zoom F)
    say the timecode rate and ``ixml_flag`` (``DF``/``NDF``) their display counted;
    ``description`` is the ``bext`` Description (recorders put a note or ``KEY=value`` lines
    there)."""
    described = ["-metadata", f"description={description}"] if description is not None else []
    run_ffmpeg("-f", "lavfi", "-i", f"sine=f=440:sample_rate={sample_rate}", "-t", str(seconds),
               "-c:a", "pcm_s24le", "-write_bext", "1", "-metadata",
               f"time_reference={time_reference}", *described, str(path))
    if ixml_rate is not None:
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<BWFXML><IXML_VERSION>2.10</IXML_VERSION>'
            "<PROJECT>rushes</PROJECT><SCENE>12A</SCENE><TAKE>3</TAKE><SPEED>"
            f"<TIMECODE_RATE>{ixml_rate}</TIMECODE_RATE><TIMECODE_FLAG>{ixml_flag}"
            "</TIMECODE_FLAG><TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>0"
            "</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI><TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>"
            f"{time_reference}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO></SPEED></BWFXML>"
        ).encode()
        xml += b" " * (len(xml) & 1)
        data = path.read_bytes()
        at = data.index(b"data", 12)  # the chunk goes in before the audio, as recorders put it
        data = data[:at] + b"iXML" + struct.pack("<I", len(xml)) + xml + data[at:]
        path.write_bytes(data[:4] + struct.pack("<I", len(data) - 8) + data[8:])
    return path


def video_multitrack(path: Path, *, tracks: int = 4, seconds: float = 2.0,
                     size: str = "320x240", rate: str = "25") -> Path:
    """A camera file with ``tracks`` separate mono audio streams (boom, radio mics …), each a
    different tone so that a track can be told from another."""
    args = _lavfi("testsrc2", size, rate, seconds)
    for n in range(tracks):
        args += ["-f", "lavfi", "-i",
                 f"sine=frequency={300 + 100 * n}:sample_rate=48000:duration={seconds}"]
    maps = ["-map", "0:v"] + [a for n in range(tracks) for a in ("-map", f"{n + 1}:a")]
    run_ffmpeg(*args, *maps, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast",
               "-c:a", "pcm_s16le", "-shortest", str(path))
    return path


def video_tracks(path: Path, tracks: Sequence[str], *, seconds: float = 1.0,
                 codec: str = "prores_ks") -> Path:
    """A camera file with one PCM sound stream per lavfi source in ``tracks`` (a silent boom,
    ``anullsrc=r=48000:cl=mono:d=1``; a radio mic that stopped early, ``sine=…:duration=1``),
    beside ``seconds`` of testsrc2 in ``codec``."""
    args = _lavfi("testsrc2", "320x240", "25", seconds)
    for source in tracks:
        args += ["-f", "lavfi", "-i", source]
    maps = ["-map", "0:v"] + [a for n in range(len(tracks)) for a in ("-map", f"{n + 1}:a")]
    fast = ["-preset", "ultrafast"] if codec == "libx264" else []
    run_ffmpeg(*args, *maps, "-c:v", codec, *fast, "-c:a", "pcm_s16le", str(path))
    return path


def audio_poly(path: Path, *, channels: int = 8, seconds: float = 2.0,
               sounding: int | None = None) -> Path:
    """A recorder's polyphonic WAV: one stream of ``channels`` channels, the same tone on
    each, or on channel ``sounding`` (0-based) alone."""
    sources = range(channels) if sounding is None else [sounding]
    run_ffmpeg("-f", "lavfi", "-i", f"sine=f=440:sample_rate=48000:duration={seconds}",
               "-af", f"pan={channels}c|" + "|".join(f"c{i}=c0" for i in sources),
               "-c:a", "pcm_s24le", str(path))
    return path


def truncated_copy(source: Path, path: Path, fraction: float = 0.5) -> Path:
    """The first part of ``source`` only, as a copy cut short in transfer."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def video_transitions(
    path: Path,
    shots: Sequence[tuple[str, int]],
    joins: Sequence[str],
    *,
    transition_frames: int = 25,
    flashes: Sequence[int] = (),
    size: str = "320x240",
    rate: str = "25",
    encode: Sequence[str] = ("-preset", "ultrafast"),
    dry_run: bool = False,
) -> list[dict[str, object]]:
    """Shots joined by cuts, dissolves and fades, with optional two-frame white flashes.

    ``shots`` are ``(source, frames)``; a source may carry a filter chain after ``|`` (for motion,
    e.g. ``"smptehdbars|scroll=h=0.02"``). ``joins[k]`` joins shot k and k+1 and is one of
    ``cut``, ``dissolve`` (``xfade=fade``: a linear mix), ``fadeblack`` (``xfade=fadeblack``) or
    ``dip`` (``fade`` out to black, then in; true black in the middle). Gradual joins last
    ``transition_frames``. ``flashes`` are output frame numbers where two white frames start.

    Returns the ground truth in output frames: ``{"kind", "start_frame", "end_frame", "frame"}``
    with ``kind`` ``cut``/``dissolve``/``fade``; for a cut all three are the first new frame.
    Rates and offsets are handled in whole frames so the truth is exact at 30000/1001 too.
    ``dry_run`` returns the truth without making the file (to place flashes inside shots).
    """
    from fractions import Fraction  # local: this helper was appended to a shared module

    if len(joins) != len(shots) - 1:
        raise ValueError("need one join between each pair of shots")
    d = transition_frames
    fps = Fraction(rate)
    args: list[str] = []
    chains: list[str] = []
    for i, (source, frames) in enumerate(shots):
        src, _, filters = source.partition("|")
        args += _lavfi(src, size, rate, float(Fraction(frames + 1) / fps))
        extra = f",{filters}" if filters else ""
        chains.append(f"[{i}:v]trim=end_frame={frames},setpts=PTS-STARTPTS{extra},"
                      f"format=yuv420p,setsar=1,settb=AVTB[s{i}]")
    truth: list[dict[str, object]] = []
    acc, length = "s0", shots[0][1]
    for k, join in enumerate(joins):
        nxt, frames = f"s{k + 1}", shots[k + 1][1]
        out = f"j{k}"
        if join == "cut":
            chains.append(f"[{acc}][{nxt}]concat=n=2:v=1:a=0[{out}]")
            truth.append({"kind": "cut", "start_frame": length, "end_frame": length,
                          "frame": length})
            length += frames
        elif join in {"dissolve", "fadeblack"}:
            kind = "fade" if join == "fadeblack" else join
            offset_us = round(Fraction(length - d) / fps * 1_000_000)
            duration_us = round(Fraction(d) / fps * 1_000_000)
            chains.append(f"[{acc}][{nxt}]xfade=transition={'fade' if join == 'dissolve' else join}"
                          f":duration={duration_us}us:offset={offset_us}us[{out}]")
            # xfade's fadeblack is darkest a fifth of the way in; a dissolve's middle is halfway.
            middle = length - d + (round(d / 5) if join == "fadeblack" else d // 2)
            truth.append({"kind": kind, "start_frame": length - d, "end_frame": length,
                          "frame": middle})
            length += frames - d
        elif join == "dip":
            half = d // 2
            chains.append(f"[{acc}]fade=t=out:start_frame={length - half}:nb_frames={half}[o{k}];"
                          f"[{nxt}]fade=t=in:start_frame=0:nb_frames={half}[i{k}];"
                          f"[o{k}][i{k}]concat=n=2:v=1:a=0[{out}]")
            truth.append({"kind": "fade", "start_frame": length - half,
                          "end_frame": length + half, "frame": length})
            length += frames
        else:
            raise ValueError(f"unknown join {join!r}")
        acc = out
    if dry_run:
        return truth
    final = f"[{acc}]"
    if flashes:
        enable = "+".join(f"between(n,{f},{f + 1})" for f in flashes)
        chains.append(f"{final}drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{enable}'[fl]")
        final = "[fl]"
    run_ffmpeg(*args, "-filter_complex", ";".join(chains), "-map", final, "-c:v", "libx264",
               *encode, "-pix_fmt", "yuv420p", "-r", rate, "-frames:v", str(length), str(path))
    return truth


def video_prores_pcm(
    path: Path, *, seconds: float = 1.0, rate: str = "30000/1001", timecode: str | None = None
) -> Path:
    """A camera-original-like .mov: ProRes 422 (10-bit) video with 48 kHz PCM audio."""
    args = _lavfi("testsrc2", "320x240", rate, seconds)
    args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}"]
    args += ["-c:v", "prores_ks", "-c:a", "pcm_s16le"]
    if timecode:
        args += ["-timecode", timecode]
    run_ffmpeg(*args, "-shortest", str(path))
    return path


def video_white_left_half(path: Path, *, seconds: float = 1.0, rotate: int | None = None) -> Path:
    """320×240 H.264, white on the left half and black on the right; ``rotate`` sets the legacy
    rotate tag, which ffmpeg 5.1 turns into a display matrix (ffprobe shows it as
    ``rotation: 90`` for ``rotate=90``, and players turn the picture counter-clockwise)."""
    src = ["-f", "lavfi", "-t", str(seconds), "-i",
           "color=white:size=160x240:rate=25,pad=320:240:0:0:black"]
    enc = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if rotate is None:
        run_ffmpeg(*src, *enc, str(path))
        return path
    plain = path.with_suffix(".plain" + path.suffix)
    run_ffmpeg(*src, *enc, str(plain))
    run_ffmpeg("-i", str(plain), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", str(path))
    plain.unlink()
    return path


def image_jpeg_with_exif(path: Path, *tags: str, size: str = "320x240") -> Path:
    """A JPEG still, then exiftool writes ``tags`` (``-Make=Canon`` …) into that same new file.

    Only ever pass a path the test just made: exiftool rewrites the file in place.
    """
    image_png(path, size=size)
    exiftool = shutil.which("exiftool")
    if exiftool is None:
        raise RuntimeError("exiftool is not installed (scripts/setup.sh installs it)")
    subprocess.run(
        [exiftool, "-q", "-overwrite_original", "-n", *tags, str(path)],
        check=True, capture_output=True,
    )
    return path
