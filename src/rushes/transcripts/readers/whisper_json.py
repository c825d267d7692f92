"""JSON written by speech recognisers: OpenAI Whisper, faster-whisper, WhisperX, whisper.cpp.

Accepted shapes:

- ``{"text", "segments": [{"start", "end", "text", "words"?: [...], "speaker"?}], "language"?}``
  (Whisper ``--output_format json``, WhisperX, OpenAI's ``verbose_json``);
- a bare list of such segments (faster-whisper dumps);
- top-level ``"word_segments"`` (WhisperX) or ``"words"`` (OpenAI) lists, distributed over the
  segments by time when the segments carry no words, or grouped into segments when there are none;
- whisper.cpp ``{"transcription": [{"offsets": {"from", "to"} (ms), "text"}], "result": {...}}``.

Words are ``{"word" or "text", "start", "end", "probability"/"score"?, "speaker"?}``. Numbers are
read exactly (the JSON's decimal text, not a float). Words without times (WhisperX leaves them off
numbers it cannot align) get times interpolated between their neighbours, with a warning.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from fractions import Fraction
from typing import Any

from rushes.errors import UsageError
from rushes.transcripts.model import (
    ImportResult,
    Offset,
    Transcript,
    Word,
    format_clock,
    join_text,
)
from rushes.transcripts.readers._common import RawCue, finalize, line_error

_SENTENCE_END = re.compile(r"[.?!。？！…]$")


def _num(value: Any) -> Fraction | None:
    """An exact non-negative time from a JSON number (or numeric string); None if absent/bad."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Fraction):
        return value if value >= 0 else None
    if isinstance(value, int):
        return Fraction(value) if value >= 0 else None
    if isinstance(value, str):
        try:
            f = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            return None
        return f if f >= 0 else None
    return None  # a float here would be NaN/Infinity (parse_float makes every other a Fraction)


def _time(obj: dict[str, Any], key: str, name: str, where: str) -> Fraction | None:
    if obj.get(key) is None:
        return None
    t = _num(obj[key])
    if t is None:
        raise UsageError(f"{name}: {where}: bad {key!r} time {obj[key]!r}")
    return t


class _RawWord:
    __slots__ = ("end", "speaker", "start", "text")

    def __init__(
        self, text: str, start: Fraction | None, end: Fraction | None, speaker: str | None
    ) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.speaker = speaker


def _raw_words(items: Any, name: str, where: str, warnings: list[str]) -> list[_RawWord]:
    if not isinstance(items, list):
        return []
    out: list[_RawWord] = []
    for k, w in enumerate(items, 1):
        if not isinstance(w, dict):
            raise UsageError(f"{name}: {where} word {k}: expected an object, found {w!r}")
        raw = w.get("word", w.get("text"))
        if not isinstance(raw, str) or not raw.strip():
            continue
        start = _time(w, "start", name, f"{where} word {k}")
        end = _time(w, "end", name, f"{where} word {k}")
        if start is not None and end is not None and end < start:
            warnings.append(f"{where} word {k} ({raw.strip()!r}): end before start; swapped")
            start, end = end, start
        if (start is None) != (end is None):  # one time only: a point in time
            start = end = start if start is not None else end
        speaker = w.get("speaker") if isinstance(w.get("speaker"), str) else None
        out.append(_RawWord(raw, start, end, speaker))
    return out


def _timed_words(
    raws: list[_RawWord], lo: Fraction, hi: Fraction, where: str, warnings: list[str]
) -> list[Word]:
    """Words with times; runs of untimed words share the gap between their timed neighbours."""
    missing = [w.text.strip() for w in raws if w.start is None]
    if missing:
        shown = ", ".join(repr(x) for x in missing[:5]) + (", …" if len(missing) > 5 else "")
        warnings.append(
            f"{where}: {len(missing)} word(s) without times ({shown}); times interpolated"
        )
    words: list[Word] = []
    k = 0
    while k < len(raws):
        w = raws[k]
        if w.start is not None and w.end is not None:
            words.append(Word(w.start, w.end, w.text.strip()))
            k += 1
            continue
        run_end = k
        while run_end < len(raws) and raws[run_end].start is None:
            run_end += 1
        left = words[-1].end if words else lo
        nxt = raws[run_end].start if run_end < len(raws) else None
        right = nxt if nxt is not None else hi
        right = max(right, left)
        step = (right - left) / (run_end - k)
        for j in range(k, run_end):
            a = left + step * (j - k)
            words.append(Word(a, a + step, raws[j].text.strip()))
        k = run_end
    return words


def _word_text(raws: list[_RawWord]) -> str:
    """Segment text from its words: Whisper words carry their own leading spaces."""
    if any(w.text[:1].isspace() for w in raws):
        return join_text(["".join(w.text for w in raws)])
    return join_text([w.text for w in raws])


def _segment_cues(
    seg: Any, k: int, name: str, warnings: list[str], extra: list[_RawWord] | None = None
) -> list[RawCue]:
    where = f"segment {k}"
    if not isinstance(seg, dict):
        raise UsageError(f"{name}: {where}: expected an object, found {seg!r}")
    raws = _raw_words(seg.get("words"), name, where, warnings) or (extra or [])
    start = _time(seg, "start", name, where)
    end = _time(seg, "end", name, where)
    timed = [w for w in raws if w.start is not None and w.end is not None]
    if start is None:
        if not timed:
            raise UsageError(f"{name}: {where}: no 'start' time")
        start = min(w.start for w in timed if w.start is not None)
    if end is None:
        if not timed:
            raise UsageError(f"{name}: {where}: no 'end' time")
        end = max(w.end for w in timed if w.end is not None)
    text_value = seg.get("text")
    text = join_text([text_value]) if isinstance(text_value, str) else ""
    if not text:
        text = _word_text(raws)
    speaker = seg.get("speaker") if isinstance(seg.get("speaker"), str) else None
    if speaker is None:
        voiced = Counter(w.speaker for w in raws if w.speaker)
        if voiced:
            speaker = voiced.most_common(1)[0][0]
    if start == end and timed:
        start, end = _span_words(timed, start, where, warnings)
    lo, hi = min(start, end), max(start, end)
    _clamp_into(timed, lo, hi, where, warnings)
    words = _timed_words(raws, lo, hi, where, warnings)
    turns = _turns(raws)
    if len(turns) < 2:
        return [RawCue(start, end, text, str(k), None, speaker, words)]
    # WhisperX labels each word: a segment where the speaker changes becomes one cue per turn,
    # so that "Are you ready? Yes I am." is two people, each findable by `speaker:`.
    cues: list[RawCue] = []
    for j, (who, first, last) in enumerate(turns):
        mine = words[first:last]
        a = start if j == 0 else mine[0].start
        b = end if j == len(turns) - 1 else max(w.end for w in mine)
        cues.append(RawCue(a, max(a, b), _word_text(raws[first:last]), f"{k}.{j + 1}", None,
                           who, mine))
    return cues


def _span_words(
    timed: list[_RawWord], at: Fraction, where: str, warnings: list[str]
) -> tuple[Fraction, Fraction]:
    """A segment of no length whose words have times is given the span of its words (the
    recogniser's finer measure) rather than a guess."""
    start = min([at, *(w.start for w in timed if w.start is not None)])
    end = max([at, *(w.end for w in timed if w.end is not None)])
    if end > start:
        warnings.append(
            f"{where}: no length (starts and ends at {format_clock(at)}); given its words' "
            f"span {format_clock(start)}–{format_clock(end)}"
        )
    return start, end


def _clamp_into(
    timed: list[_RawWord], lo: Fraction, hi: Fraction, where: str, warnings: list[str]
) -> None:
    """Word times that fall outside their segment moved into it, with a warning naming them.

    The segment is the cue a player shows and an edit cuts at; a word said outside it would
    make a search hit or a selection land outside the segment that holds the word, so the word
    yields (as a trimmed cue's words do in :func:`~._common.finalize`)."""
    outside = [
        (w, w.start, w.end) for w in timed
        if w.start is not None and w.end is not None and (w.start < lo or w.end > hi)
    ]
    if not outside:
        return
    shown = ", ".join(
        f"{w.text.strip()!r} at {format_clock(a)}–{format_clock(b)}" for w, a, b in outside[:3]
    ) + (", …" if len(outside) > 3 else "")
    warnings.append(
        f"{where}: {len(outside)} word(s) outside its time {format_clock(lo)}–"
        f"{format_clock(hi)} ({shown}); word times clamped into the segment"
    )
    for w, a, b in outside:
        w.start = min(max(a, lo), hi)
        w.end = min(max(b, w.start), hi)


def _turns(raws: list[_RawWord]) -> list[tuple[str | None, int, int]]:
    """Runs of words by one speaker, as (speaker, first, end) indices; a word without a speaker
    belongs to the run it is in (WhisperX leaves some unaligned words unlabelled)."""
    turns: list[tuple[str | None, int, int]] = []
    for i, w in enumerate(raws):
        if turns and (w.speaker is None or w.speaker == turns[-1][0]):
            turns[-1] = (turns[-1][0], turns[-1][1], i + 1)
        elif turns and turns[-1][0] is None:
            turns[-1] = (w.speaker, turns[-1][1], i + 1)
        else:
            turns.append((w.speaker, i, i + 1))
    return turns


def _distribute(cues_src: list[Any], words: list[_RawWord]) -> list[list[_RawWord]]:
    """Top-level words handed to the segment whose span holds their start (untimed: the last)."""
    spans: list[tuple[Fraction, Fraction]] = []
    for seg in cues_src:
        s = _num(seg.get("start")) if isinstance(seg, dict) else None
        e = _num(seg.get("end")) if isinstance(seg, dict) else None
        spans.append((s or Fraction(0), e or s or Fraction(0)))
    out: list[list[_RawWord]] = [[] for _ in cues_src]
    k = 0
    for w in words:
        if w.start is not None:
            while k + 1 < len(spans) and w.start >= spans[k + 1][0]:
                k += 1
        if out:
            out[k].append(w)
    return out


def _group(words: list[_RawWord]) -> list[dict[str, Any]]:
    """Segments from a bare word list: break after sentence punctuation or a 1 s pause."""
    groups: list[list[_RawWord]] = [[]]
    last_end: Fraction | None = None
    for w in words:
        if (
            groups[-1]
            and w.start is not None
            and last_end is not None
            and (w.start - last_end >= 1)
        ):
            groups.append([])
        groups[-1].append(w)
        if w.end is not None:
            last_end = w.end
        if _SENTENCE_END.search(w.text.strip()):
            groups.append([])
    return [{"words": g} for g in groups if g]


def _whisper_cpp(items: list[Any], name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for k, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("offsets"), dict):
            raise UsageError(f"{name}: transcription item {k}: no 'offsets'")
        a, b = _num(item["offsets"].get("from")), _num(item["offsets"].get("to"))
        if a is None or b is None:
            raise UsageError(f"{name}: transcription item {k}: bad 'offsets'")
        out.append({"start": a / 1000, "end": b / 1000, "text": item.get("text", "")})
    return out


def read_whisper_json(
    text: str, name: str = "transcript.json", *, offset: Offset = None
) -> ImportResult:
    """Read a recogniser's JSON output into a transcript."""
    try:
        data = json.loads(text, parse_float=Fraction)
    except json.JSONDecodeError as e:
        raise line_error(name, e.lineno, f"not valid JSON ({e.msg})") from None
    warnings: list[str] = []
    language: str | None = None
    top_words: list[_RawWord] = []
    segments_src: list[Any]

    if isinstance(data, list):
        if data and all(isinstance(x, dict) and "word" in x and "text" not in x for x in data):
            top_words = _raw_words(data, name, "word list", warnings)
            segments_src = []
        else:
            segments_src = data
    elif isinstance(data, dict):
        lang = data.get("language")
        if not isinstance(lang, str):
            result = data.get("result")
            lang = result.get("language") if isinstance(result, dict) else None
        language = lang if isinstance(lang, str) and lang else None
        if isinstance(data.get("segments"), list):
            segments_src = data["segments"]
        elif isinstance(data.get("transcription"), list):
            segments_src = _whisper_cpp(data["transcription"], name)
        elif isinstance(data.get("word_segments"), list) or isinstance(data.get("words"), list):
            segments_src = []
        else:
            raise UsageError(f"{name}: not a speech-recognition transcript (no 'segments' list)")
        for key in ("word_segments", "words"):
            if isinstance(data.get(key), list):
                top_words = _raw_words(data[key], name, key, warnings)
                break
    else:
        raise UsageError(
            f"{name}: not a speech-recognition transcript (JSON {type(data).__name__})"
        )

    cues: list[RawCue] = []
    if segments_src:
        has_own_words = any(
            isinstance(s, dict) and isinstance(s.get("words"), list) and s["words"]
            for s in segments_src
        )
        extras = (
            _distribute(segments_src, top_words)
            if top_words and not has_own_words
            else [[] for _ in segments_src]
        )
        for k, seg in enumerate(segments_src, 1):
            cues.extend(_segment_cues(seg, k, name, warnings, extras[k - 1]))
    elif top_words:
        groups = _group(top_words)
        warnings.append(
            f"{name}: no segments, only words; grouped {len(top_words)} words into "
            f"{len(groups)} segments at sentence ends and pauses"
        )
        for k, seg in enumerate(groups, 1):
            cues.extend(_segment_cues({}, k, name, warnings, seg["words"]))
    if not cues:
        raise UsageError(f"{name}: no segments found")
    segments = finalize(cues, name, warnings, offset=offset, what="segment")
    return ImportResult(Transcript(segments, language, "whisper-json"), warnings)
