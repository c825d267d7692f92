"""What a file says about itself in words: its title, caption or description, and keywords.

Archive footage arrives with its library's title and description in the container, a scanned
photograph with the archivist's IPTC caption and keywords, a sound recorder's take with a
scene, take and note in its iXML: often the only words there are about a picture nobody has
logged yet, and the words an editor searches for ("Ellen at the lamp, 1962"). They are read
here from exiftool's and ffprobe's tags (pure functions: the probe runs the tools), kept in the
probe result, and made searchable as the asset's ``metadata`` search entry
(:mod:`rushes.catalog.descriptions`).

The same words are often written in two or three places (XMP:Description, IPTC:Caption-Abstract
and EXIF:ImageDescription by one program; ``title`` in both the container and XMP), so each
field keeps distinct texts only, compared without case and spacing. Three kinds of text are not
descriptions and are dropped: what a camera writes by default ("OLYMPUS DIGITAL CAMERA"), an
encoder's signature ("Lavc59.37.100"), and the ``KEY=value`` lines that recorders put in a
Broadcast WAV's description (the iXML beside them is read as such).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: exiftool tags (``-G`` groups) and ffprobe tags (lower-cased), in the order of preference.
TITLE_TAGS = (
    "XMP:Title", "IPTC:ObjectName", "QuickTime:Title", "Matroska:Title", "RIFF:Title",
    "ID3:Title",
)
TITLE_FF = ("title", "com.apple.quicktime.title")
DESCRIPTION_TAGS = (
    "XMP:Description", "IPTC:Caption-Abstract", "EXIF:ImageDescription", "QuickTime:Description",
    "QuickTime:Comment", "RIFF:Description", "RIFF:Comment", "ID3:Comment", "XMP:UserComment",
    "EXIF:UserComment", "File:Comment",
)  # not Matroska:Comment: exiftool gives a track's comment under it (ffprobe's is the file's)
DESCRIPTION_FF = (
    "description", "comment", "synopsis", "com.apple.quicktime.description",
    "com.apple.quicktime.comment",
)
#: Repeated tags, one keyword each (exiftool gives a list when there are several).
KEYWORD_TAGS = ("IPTC:Keywords", "XMP:Subject")
#: One string of keywords joined with commas, as QuickTime writers and ffmpeg store them.
KEYWORD_JOINED = ("QuickTime:Keyword", "QuickTime:Keywords")
KEYWORD_FF = ("keywords", "com.apple.quicktime.keywords")

#: What cameras and scanners write into the description field when nobody wrote anything.
_DEFAULTS = frozenset(
    s.casefold()
    for s in (
        "OLYMPUS DIGITAL CAMERA", "SONY DSC", "DIGITAL CAMERA", "KODAK Digital Still Camera",
        "Default", "Untitled", "No description", "Created with GIMP", "Screenshot", "DCIM",
        "SAMSUNG", "Exif_JPEG_PICTURE", "LEAD Technologies Inc. V1.01", "MINOLTA DIGITAL CAMERA",
        "Picasa", "ASCII", "charset=Ascii",
    )
)
#: What encoders and image libraries sign a file with (a JPEG comment, an MP4 comment).
_MACHINE = re.compile(
    r"^(lav[cf]\d|creator: gd-jpeg|created with |intel\(r\) jpeg|optimized by |processed by |"
    r"applemark$|handmade software|file written by adobe|encoded with |made with |"
    # iTunes' hidden ID3 comments (gain, gapless) and a music store's track number
    r"\(itun|amazon\.com song id)",
    re.IGNORECASE,
)
#: A recorder's metadata line in a BWF description: ``sSPEED=023.976-ND``, ``dSCENE=12``
#: (a key of three or more capitals, so that "E=mc2 explained" stays a caption).
_KEY_VALUE = re.compile(r"^\s*[a-z]?[A-Z][A-Z0-9_]{2,}=.*$")
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
#: How long one field may be: a description is a paragraph, not a document.
MAX_CHARS = 4000
#: The longest word kept: longer is an encoded blob, and PostgreSQL's index drops words over
#: 2,047 bytes, where SQLite's keeps them (the two databases must find the same).
MAX_WORD = 200
#: How many keywords, and how long the whole searchable text, at most.
MAX_KEYWORDS = 200
MAX_TEXT = 8000


def _texts(value: Any) -> list[str]:
    """A tag's value as texts: exiftool gives a list for repeated tags (IPTC keywords), a
    number for a numeric-looking one (``-n``), and bytes never (JSON)."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        return []
    return [str(value)]


def _key(text: str) -> str:
    """What two texts are compared by: without case and spacing."""
    return " ".join(text.casefold().split())


def _clean(text: str) -> str:
    """Without recorder key lines, control characters and overlong words; spaces collapsed
    per line."""
    lines = [
        " ".join(w for w in line.split() if len(w) <= MAX_WORD)
        for line in _CONTROL.sub(" ", text).splitlines()
    ]
    kept = [line for line in lines if line and not _KEY_VALUE.match(line)]
    text = "\n".join(kept).strip()
    return text[:MAX_CHARS].rstrip()


def _distinct(texts: Iterable[str]) -> list[str]:
    """Texts that say something, each once. A text with undecodable characters (U+FFFD: an
    ID3v1 Latin-1 comment read as UTF-8) is dropped where a properly decoded copy exists."""
    seen: dict[str, str] = {}
    garbled: list[tuple[str, str]] = []
    for raw in texts:
        text = _clean(raw)
        key = _key(text)
        if not key or key in seen or key in _DEFAULTS or _MACHINE.match(key):
            continue
        if "\ufffd" in key:
            garbled.append((key, text))
        else:
            seen[key] = text
    for key, text in garbled:
        pattern = re.compile(".".join(re.escape(part) for part in key.split("\ufffd")))
        if not any(pattern.fullmatch(k) for k in seen):
            seen[key] = text
    return list(seen.values())


def _gather(exif: Mapping[str, Any], tags: Mapping[str, str], exif_keys: Sequence[str],
            tag_keys: Sequence[str]) -> list[str]:
    values = [t for key in exif_keys for t in _texts(exif.get(key))]
    values += [tags[key] for key in tag_keys if tags.get(key)]
    return values


def title(exif: Mapping[str, Any], tags: Mapping[str, str]) -> str | None:
    """The first title written, in :data:`TITLE_TAGS` then :data:`TITLE_FF` order."""
    found = _distinct(_gather(exif, tags, TITLE_TAGS, TITLE_FF))
    return found[0] if found else None


def description(exif: Mapping[str, Any], tags: Mapping[str, str],
                exclude: Iterable[str | None] = ()) -> str | None:
    """Every distinct caption, description and comment, one paragraph each (blank line between);
    ``exclude`` leaves out texts already kept elsewhere (the title)."""
    skip = {_key(e) for e in exclude if e}
    found = [
        t for t in _distinct(_gather(exif, tags, DESCRIPTION_TAGS, DESCRIPTION_FF))
        if _key(t) not in skip
    ]
    return "\n\n".join(found) if found else None


def keywords(exif: Mapping[str, Any], tags: Mapping[str, str]) -> list[str] | None:
    """Distinct keywords. An IPTC or XMP keyword is kept whole ("Marsh, Ellen" is one); a
    container's single keywords string is split at commas and semicolons."""
    listed = [t for key in KEYWORD_TAGS for t in _texts(exif.get(key))]
    joined = _gather(exif, tags, KEYWORD_JOINED, KEYWORD_FF)
    parts = listed + [p for text in joined for p in re.split(r"[;,]", text)]
    found = _distinct(" ".join(p.split()) for p in parts if len(p) <= MAX_WORD)
    return found[:MAX_KEYWORDS] or None


def searchable_text(probe: Mapping[str, Any]) -> str:
    """The words of a probe result that search should find the asset by, on one line: title,
    description, keywords and, for a recorder's take, its sound report (the values of scene,
    take, tape, note and track names: the labels would make "take" find every take), joined
    with " · " and at most :data:`MAX_TEXT` characters. Empty when the file says nothing."""
    paragraphs = [str(probe.get("title") or ""), *str(probe.get("description") or "").split("\n\n")]
    parts: list[str] = [" ".join(p.split()) for p in paragraphs if p.strip()]
    if probe.get("keywords"):
        parts.append(", ".join(str(k) for k in probe["keywords"]))
    parts += [str(probe[key]) for key in ("scene", "take", "tape") if probe.get(key)]
    note = " ".join(str(probe.get("sound_note") or "").split())
    if note and note not in parts:
        parts.append(note)
    tracks = [str(t) for t in probe.get("track_names") or () if t]
    if tracks:
        parts.append(", ".join(tracks))
    text = " · ".join(parts)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT].rsplit(" ", 1)[0]
    return text
