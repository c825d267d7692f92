"""The proxy analyzer: a small H.264/AAC copy of media a browser cannot play.

Camera originals (ProRes, DNxHD, HEVC, MPEG-2, 10-bit, PCM in MOV) are what documentaries are
shot on and exactly what browsers refuse, so the web app plays a proxy instead. The proxy keeps
the source's frame rate and start timecode, so a frame picked in the browser is the same frame in
the NLE. It is made only when the probe says the original will not play
(:meth:`ProxyAnalyzer.applies`), and written under a temporary name so a killed job never leaves
a half proxy that looks finished.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

from rushes.analyzers.base import AnalysisContext, Analyzer, AssetView, Result
from rushes.config import Settings
from rushes.domain import TIMED_KINDS
from rushes.errors import AnalyzerError
from rushes.media.ffmpeg import media_arg, run_tool
from rushes.media.mixdown import every_channel, mix_layout, needs_mixdown, playable
from rushes.media.probe import ffprobe_json, format_rational, parse_rational, stream_duration

VIDEO_PROXY = "proxy.mp4"
AUDIO_PROXY = "proxy.m4a"
AUDIO_BITRATE = "128k"


def video_filter(height: int) -> str:
    """Deinterlace flagged frames, square the pixels, scale to ``height`` (never up), even sizes.

    Rotation needs no filter here: ffmpeg's autorotate turns the picture before this chain, so
    ``ih`` and ``dar`` already describe the upright picture.
    """
    h = f"2*trunc(min(ih\\,{height})/2)"
    w = f"2*trunc(min(ih\\,{height})*dar/2)"
    return f"yadif=deint=interlaced,scale=w='{w}':h='{h}',setsar=1"


def proxy_command(
    source: Path,
    target: Path,
    *,
    audio_only: bool,
    height: int,
    crf: int,
    timecode: str | None,
    audio_layout: tuple[int, ...] = (),
    length: Fraction | None = None,
) -> list[str]:
    """ffmpeg arguments for a proxy of ``source``; one thread everywhere, because the job
    runner already runs one job per core and oversubscribing makes every job slower.
    ``audio_layout`` (:func:`rushes.media.mixdown.mix_layout`): where stereo would lose a
    microphone, the proxy's sound is every channel mixed (:mod:`rushes.media.mixdown`), cut at
    ``length`` (the file's duration) when known."""
    args = [
        "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
        "-filter_threads", "1", "-threads", "1",
        "-i", media_arg(source),
        "-map_metadata", "0",
    ]
    # The one stream to play as it is (the first a decoder reads), or every channel mixed.
    streams = playable(audio_layout)
    mixed = needs_mixdown(audio_layout)
    sound = "[mix]" if mixed else f"0:a:{streams[0][0] if streams else 0}"
    if mixed:
        chain = every_channel(0, audio_layout, pad=length is not None)
        end = f"atrim=end={float(length):.6f}," if length is not None else ""
        args += ["-filter_complex_threads", "1", "-filter_complex", f"{chain}{end}anull[mix]"]
    if audio_only:
        args += ["-map", sound, "-vn"]
    else:
        args += [
            "-map", "0:v:0", "-map", sound if mixed else f"{sound}?",
            "-vf", video_filter(height),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", str(crf),
            "-pix_fmt", "yuv420p",
        ]
        if timecode:
            args += ["-timecode", timecode]
    args += [
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "2",
        "-threads", "1",
        "-movflags", "+faststart",
        "-f", "ipod" if audio_only else "mp4",
        media_arg(target),
    ]
    return args


class ProxyAnalyzer(Analyzer):
    """An H.264/AAC ``proxy.mp4`` (or AAC ``proxy.m4a``) for media the browser cannot play."""

    name: ClassVar[str] = "proxy"
    version: ClassVar[int] = 1
    kinds: ClassVar[frozenset[str]] = TIMED_KINDS
    requires: ClassVar[tuple[str, ...]] = ("probe",)

    def applies(self, asset: AssetView) -> bool:
        """Only when the probe says the original will not play: a proxy of a playable file
        would cost encode time and disk for nothing."""
        if asset.kind not in self.kinds:
            return False
        return asset.probe.get("browser_playable") is False

    def params(self, settings: Settings) -> dict[str, Any]:
        return {"proxy_height": settings.proxy_height, "proxy_crf": settings.proxy_crf}

    def run(self, ctx: AnalysisContext) -> Result:
        audio_only = ctx.asset.kind == "audio" or not ctx.asset.probe.get("video_codec", True)
        name = AUDIO_PROXY if audio_only else VIDEO_PROXY
        out_dir = ctx.output_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        final = out_dir / name
        partial = out_dir / f".{name}.partial"
        layout = mix_layout(ctx.asset.probe.get("streams") or [])
        args = proxy_command(
            ctx.asset.path,
            partial,
            audio_only=audio_only,
            height=int(ctx.settings.proxy_height),
            crf=int(ctx.settings.proxy_crf),
            timecode=ctx.asset.probe.get("start_timecode"),
            audio_layout=layout,
            length=parse_rational(ctx.asset.probe.get("duration")),
        )
        try:
            run_tool("ffmpeg", args, hide=(media_arg(ctx.asset.path), str(ctx.asset.path)))
            made = ffprobe_json(partial)
            partial.replace(final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        result = _describe(made, name, audio_only)
        if needs_mixdown(layout):
            result["mixdown"] = "every channel"
        return result

    def stale(self, asset: AssetView) -> bool:
        """A proxy made before every microphone was mixed in, of a file with more than one
        stream or pair (:mod:`rushes.media.mixdown`): made again, that file's alone (a version
        bump would re-encode every proxy of an archive)."""
        done = asset.results.get("proxy")
        return done is not None and "mixdown" not in done and needs_mixdown(
            mix_layout(asset.probe.get("streams") or []))


def _describe(probe: dict[str, Any], name: str, audio_only: bool) -> Result:
    """The result from the proxy as written, not as intended: sizes after rotation and rounding."""
    streams = probe.get("streams") or []
    wanted = "audio" if audio_only else "video"
    main = next((s for s in streams if s.get("codec_type") == wanted), None)
    if main is None:
        raise AnalyzerError(f"the proxy has no {wanted} stream")
    duration: Fraction | None = stream_duration(main)
    return {
        "file": name,
        "width": None if audio_only else main.get("width"),
        "height": None if audio_only else main.get("height"),
        "duration": format_rational(duration) if duration is not None else None,
    }


ANALYZER = ProxyAnalyzer()
