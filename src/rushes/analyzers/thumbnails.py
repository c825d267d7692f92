"""The thumbnails analyzer: a poster frame and a filmstrip per video, a thumbnail per image.

For video it is a frame consumer: the job runner's shared decode pass feeds it every frame when
the shots analyzer runs in the same pass, so making thumbnails costs no extra decode. Run alone
(a resumed job, a changed setting) it says which times it wants and the pass seeks to them; it
sees the same frames there either way, so both record the same result. Scaling a frame to a
picture is the expensive step, so frames are chosen by their time against targets fixed up front
from the duration, and only chosen frames are ever scaled: at most one picture per filmstrip slot
plus the poster are held at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from rushes.analyzers.base import AnalysisContext, FrameAnalyzer, Result
from rushes.config import Settings
from rushes.errors import AnalyzerError, MediaError
from rushes.media.frames import DecodedFrame, SeekingSink, VideoInfo
from rushes.media.probe import format_rational

POSTER = "poster.jpg"
FILMSTRIP = "filmstrip.jpg"
THUMB = "thumb.jpg"
JPEG_QUALITY = 85

#: The poster is sought from this share of the duration on: openings are often slates or black.
POSTER_FROM = Fraction(1, 10)
#: Analysis-grid luma below which a frame reads as black (limited-range black is 16).
_DARK_LUMA = 28.0
#: Luma spread below which a frame reads as flat (a fade, a colour card, lens cap).
_FLAT_SPREAD = 10.0


def _interest(frame: DecodedFrame) -> float:
    """How much a frame shows: the spread of its luma, 0 for near-black frames."""
    luma = frame.small[..., 0].astype(np.float32)
    if float(luma.mean()) < _DARK_LUMA:
        return 0.0
    return float(luma.std())


def _rotation_ccw(frame: DecodedFrame) -> int:
    """Counter-clockwise degrees the decoder's display matrix asks for (phones shoot sideways)."""
    value = getattr(frame.source, "rotation", 0) or 0
    try:
        return round(float(value) / 90) * 90 % 360
    except (TypeError, ValueError):
        return 0


def frame_picture(frame: DecodedFrame, width: int) -> Image.Image:
    """``frame`` as a picture ``width`` wide as it is meant to be seen (display rotation applied).

    :meth:`DecodedFrame.picture` scales the stored frame; for a quarter turn the stored height
    becomes the shown width, so the stored width is chosen to land on ``width`` after turning.
    """
    turn = _rotation_ccw(frame)
    if turn in {90, 270} and frame.source is not None:
        stored_w = frame.source.width * frame.sample_aspect
        stored_h = Fraction(frame.source.height)
        image = frame.picture(max(2, round(width * stored_w / stored_h)))
        image = image.rotate(turn, expand=True)
        if image.width != width:
            height = max(2, round(width * image.height / image.width))
            image = image.resize((width, height), Image.Resampling.BILINEAR)
        return image
    image = frame.picture(width)
    return image.rotate(turn, expand=True) if turn else image


@dataclass
class _Slot:
    """One filmstrip position: its target time and the picture of the frame shown then."""

    target: Fraction
    time: Fraction | None = None
    picture: Image.Image | None = None


@dataclass(frozen=True)
class Picked:
    """What a pass chose: the poster and the filmstrip tiles, each with its frame's time."""

    poster: Image.Image
    poster_time: Fraction
    strip: list[tuple[Fraction, Image.Image]]


@dataclass
class ThumbnailSink:
    """Picks the poster and filmstrip frames from a stream of decoded frames, in one pass."""

    info: VideoInfo
    thumbnail_width: int
    filmstrip_width: int
    filmstrip_frames: int
    slots: list[_Slot] = field(default_factory=list)
    poster_from: Fraction = Fraction(0)
    poster: Image.Image | None = None
    poster_time: Fraction | None = None
    fallback: DecodedFrame | None = None
    fallback_score: float = -1.0
    previous: DecodedFrame | None = None
    # Used only when the duration is unknown: evenly thinned samples, doubled stride when full.
    samples: list[tuple[Fraction, Image.Image]] = field(default_factory=list)
    stride: int = 1
    seen: int = 0

    def __post_init__(self) -> None:
        duration = self.info.duration
        if duration is None and self.info.frame_count:
            duration = self.info.frame_count / self.info.rate
        if duration:
            n = self.filmstrip_frames
            # Slot centres: the first and last frames are the likeliest to be black.
            self.slots = [_Slot(duration * (2 * i + 1) / (2 * n)) for i in range(n)]
            self.poster_from = duration * POSTER_FROM

    def feed(self, frame: DecodedFrame) -> None:
        self._feed_poster(frame)
        if self.slots:
            self._feed_slots(frame)
        else:
            self._feed_samples(frame)
        self.previous = frame
        self.seen += 1

    def wanted(self) -> Fraction | None:
        """The earliest unfilled filmstrip target, or the poster search's next frame."""
        here = self.previous.time if self.previous is not None else Fraction(0)
        if not self.slots:
            return here  # duration unknown: samples are thinned from every frame
        times = [slot.target for slot in self.slots if slot.picture is None]
        if self.poster is None:
            times.append(max(self.poster_from, here))
        return min(times, default=None)

    def _feed_poster(self, frame: DecodedFrame) -> None:
        # Frames before poster_from are not even the fallback: a seeking pass never sees them.
        if self.poster is not None or frame.time < self.poster_from:
            return
        score = _interest(frame)
        if score >= _FLAT_SPREAD:
            self.poster = frame_picture(frame, self.thumbnail_width)
            self.poster_time = frame.time
            self.fallback = None
        elif score > self.fallback_score:
            # Holding the frame (not its picture) costs one decoded frame and no scaling.
            self.fallback, self.fallback_score = frame, score

    def _feed_slots(self, frame: DecodedFrame) -> None:
        """Fill every slot whose target lies between the previous frame and this one."""
        made: dict[int, Image.Image] = {}
        for slot in self.slots:
            if slot.picture is not None or slot.target > frame.time:
                continue
            chosen = frame
            prev = self.previous
            if prev is not None and slot.target - prev.time < frame.time - slot.target:
                chosen = prev
            key = id(chosen)
            if key not in made:
                made[key] = frame_picture(chosen, self.filmstrip_width)
            slot.picture, slot.time = made[key], chosen.time

    def _feed_samples(self, frame: DecodedFrame) -> None:
        if self.seen % self.stride:
            return
        self.samples.append((frame.time, frame_picture(frame, self.filmstrip_width)))
        if len(self.samples) >= 2 * self.filmstrip_frames:
            self.samples = self.samples[::2]
            self.stride *= 2

    def _strip_frames(self) -> list[tuple[Fraction, Image.Image]]:
        if self.slots:
            last = self.previous
            out: list[tuple[Fraction, Image.Image]] = []
            tail: Image.Image | None = None
            for slot in self.slots:
                if slot.picture is None or slot.time is None:
                    # Targets past the last decoded frame (a short or truncated file).
                    if last is None:
                        continue
                    if tail is None:
                        tail = frame_picture(last, self.filmstrip_width)
                    slot.picture, slot.time = tail, last.time
                out.append((slot.time, slot.picture))
            return out
        n = self.filmstrip_frames
        if len(self.samples) <= n:
            return list(self.samples)
        step = len(self.samples) / n
        return [self.samples[int(i * step + step / 2)] for i in range(n)]

    def pick(self) -> Picked:
        """The chosen pictures, once every frame has been fed."""
        if self.poster is None or self.poster_time is None:
            source = self.fallback or self.previous
            if source is None:
                raise MediaError("no frame could be decoded")
            self.poster = frame_picture(source, self.thumbnail_width)
            self.poster_time = source.time
        return Picked(self.poster, self.poster_time, self._strip_frames())


class _WritingSink:
    """Wraps :class:`ThumbnailSink` to write its pictures into the job's output folder."""

    def __init__(self, ctx: AnalysisContext, info: VideoInfo) -> None:
        s = ctx.settings
        self.ctx = ctx
        self.inner = ThumbnailSink(
            info,
            thumbnail_width=int(s.thumbnail_width),
            filmstrip_width=int(s.filmstrip_width),
            filmstrip_frames=int(s.filmstrip_frames),
        )

    def feed(self, frame: DecodedFrame) -> None:
        self.inner.feed(frame)

    def wanted(self) -> Fraction | None:
        return self.inner.wanted()

    def finish(self) -> dict[str, Any]:
        picked = self.inner.pick()
        poster, strip = picked.poster, picked.strip
        out = self.ctx.output_dir
        out.mkdir(parents=True, exist_ok=True)
        poster.convert("RGB").save(out / POSTER, "JPEG", quality=JPEG_QUALITY)
        result: dict[str, Any] = {
            "poster": POSTER,
            "poster_time": format_rational(picked.poster_time),
            "width": poster.width,
            "height": poster.height,
        }
        if strip:
            tile_w = self.inner.filmstrip_width
            tile_h = max(2, round(tile_w * poster.height / poster.width))
            sheet = Image.new("RGB", (tile_w * len(strip), tile_h))
            for i, (_, picture) in enumerate(strip):
                tile = picture.convert("RGB")
                if tile.size != (tile_w, tile_h):
                    tile = tile.resize((tile_w, tile_h), Image.Resampling.BILINEAR)
                sheet.paste(tile, (i * tile_w, 0))
            sheet.save(out / FILMSTRIP, "JPEG", quality=JPEG_QUALITY)
            result["filmstrip"] = FILMSTRIP
            result["filmstrip_times"] = [format_rational(t) for t, _ in strip]
        return result


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB: alpha over white, 16-bit and float scaled rather than
    clipped (a plain ``convert`` turns most of a 16-bit scan white)."""
    if image.mode.startswith("I;16") or image.mode in {"I", "F"}:
        arr = np.asarray(image, dtype=np.float64)
        top = float(arr.max()) if arr.size else 0.0
        if image.mode.startswith("I;16") or 255 < top <= 65535:
            full = 65535.0
        elif image.mode == "F" and top <= 1.0:
            full = 1.0
        else:
            full = max(top, 255.0)
        gray = np.clip(arr * (255.0 / full), 0, 255).astype(np.uint8)
        return Image.fromarray(gray, "L").convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"}:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def image_thumbnail(ctx: AnalysisContext) -> Result:
    """A still's thumbnail, upright (EXIF orientation), never enlarged beyond the original."""
    width = int(ctx.settings.thumbnail_width)
    try:
        with Image.open(ctx.asset.path) as opened:
            # JPEG can decode at 1/2, 1/4, 1/8 scale: a 50 MP photo need not be decoded whole.
            opened.draft("RGB", (width, width))
            image = ImageOps.exif_transpose(opened)
            image.load()
    except Image.DecompressionBombError:
        raise AnalyzerError("image is too large to thumbnail safely") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"cannot read image: {exc}") from None
    image = _to_rgb(image)
    if image.width > width:
        height = max(1, round(width * image.height / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    image.save(ctx.output_dir / THUMB, "JPEG", quality=JPEG_QUALITY)
    return {"poster": THUMB, "width": image.width, "height": image.height}


class ThumbnailsAnalyzer(FrameAnalyzer):
    """Poster + filmstrip for video (from the shared decode pass), a thumbnail for images."""

    name: ClassVar[str] = "thumbnails"
    version: ClassVar[int] = 1
    kinds: ClassVar[frozenset[str]] = frozenset({"video", "image"})
    requires: ClassVar[tuple[str, ...]] = ()
    needs_every_frame: ClassVar[bool] = False

    def params(self, settings: Settings) -> dict[str, Any]:
        return {
            "thumbnail_width": settings.thumbnail_width,
            "filmstrip_frames": settings.filmstrip_frames,
            "filmstrip_width": settings.filmstrip_width,
        }

    def open_sink(self, ctx: AnalysisContext, info: VideoInfo) -> SeekingSink:
        return _WritingSink(ctx, info)

    def run(self, ctx: AnalysisContext) -> Result:
        """Images take the Pillow path; video seeks to the frames it wants (the base class)."""
        if ctx.asset.kind == "image":
            return image_thumbnail(ctx)
        return super().run(ctx)


ANALYZER = ThumbnailsAnalyzer()
