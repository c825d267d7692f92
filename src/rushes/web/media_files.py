"""Which file on disk answers a media request, decided only from the catalog.

A client names an asset id and what it wants (the playable stream, the poster, a frame at a
time); it never names a path. Files come from two places only: the asset's catalogued locations
(still the same size and modification time as when catalogued, so a file replaced behind our
back is not served as this asset) and the asset's own cache folder, under names that the
analyzers' results record and that contain no path separators.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rushes.analyzers.proxy import AUDIO_PROXY, VIDEO_PROXY
from rushes.catalog.assets import AssetRow, locations_of
from rushes.catalog.results import results_of
from rushes.domain import TIMED_KINDS
from rushes.errors import MediaError
from rushes.media.ffmpeg import media_arg, run_tool
from rushes.project import Project

#: Widths a frame thumbnail may be asked for: a fixed set keeps the cache bounded.
FRAME_WIDTHS = (160, 320, 640)
FRAMES_DIR = "web-frames"

_TYPES_BY_CONTAINER = {
    "matroska,webm": "video/webm",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
}
#: Browser image formats shown as they are; anything else shows its thumbnail.
BROWSER_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class MediaFile:
    path: Path
    media_type: str


def _cache_file(folder: Path, name: object) -> Path | None:
    """``folder/name`` when ``name`` is a plain file name that exists there."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in {".", ".."}:
        return None
    path = folder / name
    return path if path.is_file() else None


def original(conn: sa.Connection, asset: AssetRow) -> Path | None:
    """A present location whose file still has the catalogued size and modification time."""
    for loc in locations_of(conn, asset.id):
        if loc.missing:
            continue
        path = loc.fs_path
        try:
            st = path.stat()
        except OSError:
            continue
        if st.st_size == loc.size and st.st_mtime_ns == loc.mtime_ns:
            return path
    return None


def _media_type(path: Path, kind: str, probe: dict[str, Any]) -> str:
    container = str(probe.get("container") or "")
    fixed = _TYPES_BY_CONTAINER.get(container)
    if fixed:
        return fixed
    guessed = mimetypes.guess_type(path.name)[0]
    if guessed in {"video/quicktime", "video/x-m4v"}:
        # A browser-playable QuickTime file is H.264/AAC: browsers play it as MP4, and refuse
        # it when told "quicktime".
        return "video/mp4"
    if guessed:
        return guessed
    return "video/mp4" if kind == "video" else "audio/mp4"


def playable(project: Project, conn: sa.Connection, asset: AssetRow) -> MediaFile | None:
    """What the player streams: the proxy when one was made, else the original when the probe
    says a browser plays it; None when neither exists (yet)."""
    if asset.kind not in TIMED_KINDS:
        return None
    results = results_of(conn, asset.id)
    proxy = results.get("proxy") or {}
    made = _cache_file(project.asset_cache(asset.id) / "proxy", proxy.get("file"))
    if made is not None and made.name in {VIDEO_PROXY, AUDIO_PROXY}:
        return MediaFile(made, "video/mp4" if made.name == VIDEO_PROXY else "audio/mp4")
    probe = results.get("probe") or {}
    if probe.get("browser_playable") is not True:
        return None
    path = original(conn, asset)
    if path is None:
        return None
    return MediaFile(path, _media_type(path, asset.kind, probe))


def picture(
    project: Project, asset: AssetRow, thumbnails: dict[str, Any] | None, which: str
) -> Path | None:
    """The poster (or image thumbnail) or filmstrip the thumbnails analyzer wrote."""
    if not thumbnails:
        return None
    return _cache_file(project.asset_cache(asset.id) / "thumbnails", thumbnails.get(which))


def viewable_image(conn: sa.Connection, asset: AssetRow) -> MediaFile | None:
    """An image original a browser shows as it is (JPEG, PNG, GIF, WebP)."""
    if asset.kind != "image":
        return None
    path = original(conn, asset)
    if path is None:
        return None
    guessed = mimetypes.guess_type(path.name)[0]
    return MediaFile(path, guessed) if guessed in BROWSER_IMAGES else None


def frame_key(seconds: Fraction, rate: Fraction | None) -> str:
    """The cache name of the frame shown at ``seconds``: its frame number when the rate is
    known (every time within one frame shares one picture), else the millisecond."""
    if rate is not None:
        return f"f{int(seconds * rate)}"
    return f"ms{int(seconds * 1000)}"


def frame_at(
    project: Project,
    source: Path,
    asset_id: str,
    seconds: Fraction,
    rate: Fraction | None,
    width: int,
    slots: threading.BoundedSemaphore,
) -> Path:
    """A JPEG of the frame at ``seconds`` (``width`` wide), made once with ffmpeg and cached in
    the asset's cache folder. Seeking before the input is exact in current ffmpeg (it decodes
    from the key frame before), and costs one key-frame interval rather than the whole file."""
    if width not in FRAME_WIDTHS:
        raise ValueError(f"width must be one of {FRAME_WIDTHS}")
    folder = project.asset_cache(asset_id) / FRAMES_DIR
    target = folder / f"{frame_key(seconds, rate)}-w{width}.jpg"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    # Land inside the frame, not on its edge, so float rounding cannot pick its neighbour.
    at = (Fraction(int(seconds * rate)) + Fraction(1, 2)) / rate if rate else seconds
    partial = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}.partial"
    with slots:
        if target.is_file():
            return target
        try:
            run_tool(
                "ffmpeg",
                ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-threads", "1",
                 "-ss", f"{float(at):.6f}", "-i", media_arg(source), "-frames:v", "1",
                 "-vf", f"scale={width}:-2", "-q:v", "4", "-f", "image2", "-update", "1",
                 media_arg(partial)],
                timeout=60, hide=(media_arg(source), str(source)),
            )
            if not partial.is_file() or partial.stat().st_size == 0:
                raise MediaError(f"no frame at {float(seconds):.3f} s")
            partial.replace(target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
    return target
