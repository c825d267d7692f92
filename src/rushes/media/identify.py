"""Deciding what a file is from its bytes, never its name.

Magic numbers pick the family (image, audio/video container, document); for audio/video
containers the demuxer is opened in-process (PyAV, no subprocess) to see whether a real video
stream is present. Anything unrecognised is refused with a reason rather than catalogued as junk.
"""

from __future__ import annotations

import contextlib
import os
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, UnidentifiedImageError

from rushes.errors import MediaError

#: Extensions people use for each kind, only to warn when the name and the content disagree.
EXTENSION_KINDS = {
    "video": {
        ".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".mxf", ".mts", ".m2ts", ".ts",
        ".mpg", ".mpeg", ".dv", ".3gp", ".wmv", ".flv", ".r3d", ".braw",
    },
    "audio": {".wav", ".mp3", ".m4a", ".aac", ".flac", ".ogg", ".opus", ".aif", ".aiff", ".wma"},
    "image": {
        ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".webp", ".bmp", ".heic", ".dng",
    },
    "document": {".pdf", ".txt", ".md", ".docx", ".odt", ".rtf", ".html", ".htm", ".srt", ".vtt"},
}


@dataclass(frozen=True)
class Identity:
    """What a file is: its kind, a short format name, and a warning when its name misleads."""

    kind: str
    format: str
    warning: str | None = None


def _head(path: Path, n: int = 4096) -> bytes:
    with path.open("rb") as f:
        return f.read(n)


def _av_family(head: bytes) -> str | None:
    """Container family from magic bytes, or None when the bytes are no audio/video container."""
    if len(head) >= 12 and head[4:8] in {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip",
                                          b"pnot"}:
        brand = head[8:12]
        if head[4:8] == b"ftyp" and brand in {b"heic", b"heix", b"avif", b"mif1", b"msf1"}:
            return None  # HEIF/AVIF stills: images
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith(b"RIFF") and head[8:12] in {b"AVI ", b"WAVE"}:
        return "riff"
    if head.startswith((b"RF64", b"BW64")) and head[8:12] == b"WAVE":
        return "riff"  # a WAV past 4 GiB (EBU RF64, ITU BW64): a long poly recording
    if head.startswith(b"FORM") and head[8:12] in {b"AIFF", b"AIFC"}:
        return "aiff"
    if head.startswith(b"\x06\x0e\x2b\x34"):
        return "mxf"
    if head.startswith((b"OggS", b"fLaC", b"ID3", b"FLV", b".RMF")):
        return "audio-video"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return "mpeg-ps"
    if len(head) > 376 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return "mpeg-ts"
    if len(head) > 392 and head[4] == 0x47 and head[196] == 0x47 and head[388] == 0x47:
        return "m2ts"
    if head.startswith(b"\x1f\x07\x00") or head[:4] == b"\x1f\x07\x00\x3f":
        return "dv"
    if len(head) >= 4 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06):
        return "mpeg-audio"
    return None


def _identify_av(path: Path) -> Identity:
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        reason = str(getattr(exc, "strerror", None) or exc).strip().rstrip(".")
        if "moov atom not found" in reason or "Invalid data" in reason:
            reason = f"truncated or corrupt ({reason})"
        raise MediaError(f"cannot read as audio/video: {reason}") from None
    with contextlib.closing(container):
        # Demuxers name families ("mov,mp4,m4a,…"); the file's own suffix picks the member.
        names = container.format.name.split(",")
        suffix = path.suffix.lower().lstrip(".")
        fmt = suffix if suffix in names else names[0]
        videos = [
            s for s in container.streams.video
            if not (s.disposition & av.stream.Disposition.attached_pic)
        ]
        if videos:
            return Identity("video", fmt)
        if container.streams.audio:
            return Identity("audio", fmt)
    raise MediaError("container holds no audio or video stream")


def _identify_image(path: Path) -> Identity | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                fmt = (img.format or "image").lower()
                img.verify()
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"corrupt image: {exc}") from None
    return Identity("image", fmt)


def _identify_document(path: Path, head: bytes) -> Identity | None:
    if head.startswith(b"%PDF-"):
        return Identity("document", "pdf")
    if head.startswith(b"{\\rtf"):
        return Identity("document", "rtf")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    return Identity("document", "docx")
                if "mimetype" in names:
                    mime = z.read("mimetype").decode("ascii", "replace").strip()
                    if mime.startswith("application/vnd.oasis.opendocument"):
                        return Identity("document", mime.rsplit(".", 1)[-1])
                    if mime == "application/epub+zip":
                        return Identity("document", "epub")
        except (zipfile.BadZipFile, OSError):
            return None
        return None
    if _is_text(head):
        lowered = head[:512].lstrip().lower()
        if lowered.startswith((b"<!doctype html", b"<html")):
            return Identity("document", "html")
        return Identity("document", "text")
    return None


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head.replace(b"\x00\x00", b""):
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))
    sample = head
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # a character cut at the end of the sample
            return True
    printable = sum(1 for b in sample if b >= 32 or b in b"\t\r\n\f")
    return printable / len(sample) > 0.97


def identify(path: Path) -> Identity:
    """Identify ``path`` by content. Raises :class:`MediaError` with a readable reason."""
    if os.path.getsize(path) == 0:
        raise MediaError("empty file (0 bytes)")
    head = _head(path)
    found: Identity | None = None
    if _av_family(head):
        found = _identify_av(path)
    else:
        found = _identify_image(path) or _identify_document(path, head)
    if found is None:
        raise MediaError("unrecognised content: not a known image, audio, video or document format")
    return _with_name_check(path, found)


def _with_name_check(path: Path, found: Identity) -> Identity:
    ext = path.suffix.lower()
    named = next((k for k, exts in EXTENSION_KINDS.items() if ext in exts), None)
    if named is None or named == found.kind:
        return found
    # Audio in a video container name (.mp4 holding only sound) is ordinary, not misleading.
    if named == "video" and found.kind == "audio":
        return found
    return Identity(
        found.kind,
        found.format,
        f"named {ext} but the content is {found.format} ({found.kind}); catalogued as {found.kind}",
    )
