"""Text decoding for subtitle and transcript files, without external detectors.

Order: a byte-order mark (UTF-8, UTF-16/32 LE/BE); UTF-16 without a BOM (from where the zero
bytes fall); strict UTF-8; GB18030 (which also reads GBK and GB2312) when it decodes cleanly and
yields Chinese; Windows-1252 as the last resort. Anything guessed is reported as a warning. Line
endings (CRLF, CR) become LF, so line numbers count the same whatever the file used.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from rushes.errors import UsageError
from rushes.transcripts.model import has_cjk

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text with LF line endings and no BOM, the encoding used, and what was guessed."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR become LF; a leading BOM character is dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.removeprefix("\ufeff")


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when zeros fill one side of most byte pairs (ASCII-heavy text)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2 or len(data) % 2:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    if odd >= pairs * 0.3 and even <= pairs * 0.05:
        return "utf-16-le"
    if even >= pairs * 0.3 and odd <= pairs * 0.05:
        return "utf-16-be"
    return None


def _decode_lossy(data: bytes, encoding: str, name: str, warnings: list[str]) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        text = data.decode(encoding, errors="replace")
        bad = text.count("\ufffd")
        warnings.append(
            f"{name}: {bad} undecodable byte sequence(s) in {encoding.upper()} replaced by '\ufffd'"
        )
        return text


def decode_bytes(data: bytes, name: str = "file", encoding: str | None = None) -> DecodedText:
    """Decode a transcript file's bytes; ``encoding`` forces one (strictly) instead of guessing."""
    warnings: list[str] = []
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"unknown text encoding {encoding!r}") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            raise UsageError(
                f"{name}: not {encoding} (byte {e.start}: {data[e.start : e.start + 4]!r})"
            ) from None
        return DecodedText(normalize_newlines(text), codecs.lookup(encoding).name, warnings)

    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = _decode_lossy(data[len(bom) :], enc, name, warnings)
            return DecodedText(normalize_newlines(text), enc, warnings)

    guessed16 = _utf16_without_bom(data)
    if guessed16 is not None:
        text = _decode_lossy(data, guessed16, name, warnings)
        warnings.insert(0, f"{name}: no byte-order mark; read as {guessed16.upper()} (guessed)")
        return DecodedText(normalize_newlines(text), guessed16, warnings)

    try:
        return DecodedText(normalize_newlines(data.decode("utf-8")), "utf-8", warnings)
    except UnicodeDecodeError:
        pass

    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if has_cjk(text):
            warnings.append(f"{name}: not UTF-8; read as GB18030 (guessed from its Chinese text)")
            return DecodedText(normalize_newlines(text), "gb18030", warnings)

    try:
        text = data.decode("cp1252")
        enc = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        enc = "latin-1"
    warnings.append(f"{name}: not UTF-8; read as {enc.upper()} (guessed)")
    return DecodedText(normalize_newlines(text), enc, warnings)
