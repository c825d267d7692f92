"""Generated test media with known ground truth: ffmpeg's synthetic sources and espeak-ng speech.

Every generator writes small files (320×240, seconds long) so the suite stays fast on two cores.
Nothing is downloaded. Functions are named for what the file contains.
"""

from __future__ import annotations

import shutil
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
) -> Path:
    """Shots of different synthetic sources joined by hard cuts; cut k is at the sum of the first
    k durations (choose durations that are whole frames at ``rate``)."""
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
        "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-r", rate, str(path),
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


def truncated_copy(source: Path, path: Path, fraction: float = 0.5) -> Path:
    """The first part of ``source`` only, as a copy cut short in transfer."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path
