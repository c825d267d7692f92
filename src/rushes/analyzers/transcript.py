"""Transcript analyzer: offline speech to text with word times, chunk by chunk.

Each finished chunk is saved in the job's checkpoint folder before the next starts, so a killed
run resumes at the last chunk boundary and loses at most one chunk of work. The result is filed
into the catalog's transcript tables (and so the search index) when the job completes.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path
from typing import Any

from rushes.analyzers.base import AnalysisContext, Analyzer, AssetView, Result
from rushes.asr import (
    DEFAULT_CONDITIONING,
    RecognizedSegment,
    forget_engine,
    shared_engine,
    transcribe_file,
)
from rushes.asr.base import dist_version
from rushes.asr.vocabulary import parse_terms
from rushes.config import Settings
from rushes.domain import TIMED_KINDS

_PACKAGES = {"pocketsphinx": "pocketsphinx", "faster-whisper": "faster-whisper", "vosk": "vosk"}
CHUNK_SECONDS = 30


def _us(value: Fraction) -> int:
    return round(value * 1_000_000)


class TranscriptAnalyzer(Analyzer):
    name = "transcript"
    version = 1
    kinds = TIMED_KINDS
    requires = ("probe",)
    stores = "transcript"
    enabled_by = "transcribe"

    def applies(self, asset: AssetView) -> bool:
        probe = asset.probe
        return asset.kind in self.kinds and bool(
            probe.get("audio_streams") or probe.get("audio_codec")
        )

    def params(self, settings: Settings) -> dict[str, Any]:
        engine = settings.asr_engine
        model = settings.asr_model
        package = _PACKAGES.get(engine, engine)
        params = {
            "engine": engine,
            "model": str(Path(model).expanduser().resolve()) if model else "",
            "language": settings.language,
            "package": f"{package} {dist_version(package)}",
            "chunk_seconds": CHUNK_SECONDS,
            # The audio conditioning changes what the engine hears, so it is part of the job.
            "conditioning": repr(DEFAULT_CONDITIONING),
        }
        # Only when set: without it the parameters (and so every transcript made before the
        # setting existed) stay as they were, and nothing is transcribed again.
        if settings.asr_vocabulary:
            params["vocabulary"] = settings.asr_vocabulary
        return params

    def run(self, ctx: AnalysisContext) -> Result:
        params = ctx.params
        engine = shared_engine(
            str(params["engine"]), str(params["model"]) or None, str(params["language"]),
            threads=ctx.settings.decode_threads,
            vocabulary=parse_terms(str(params.get("vocabulary", ""))),
        )
        done = _load_checkpoints(ctx.checkpoint_dir)
        start = Fraction(done[-1]["end"]) if done else Fraction(0)
        try:
            for chunk, segments in transcribe_file(
                engine, ctx.asset.path, chunk_seconds=float(params["chunk_seconds"]), start=start
            ):
                record = {
                    "index": len(done),
                    "end": f"{chunk.end.numerator}/{chunk.end.denominator}",
                    "segments": [s.to_result() for s in segments],
                }
                _save_checkpoint(ctx.checkpoint_dir, record)
                done.append(record)
        except BaseException:
            # The engine may be mid-utterance or otherwise spoilt: the next job loads afresh.
            forget_engine()
            raise
        segments = [
            RecognizedSegment.from_result(s) for record in done for s in record["segments"]
        ]
        return {
            "source": f"asr:{params['engine']}",
            "language": params["language"],
            "engine": engine.identity(),
            "segments": [
                {
                    "start_us": _us(s.start),
                    "end_us": _us(s.end),
                    "text": s.text,
                    "speaker": None,
                    "words": [[_us(w.start), _us(w.end), w.text] for w in s.words],
                }
                for s in segments
            ],
        }


def _load_checkpoints(folder: Path | None) -> list[dict[str, Any]]:
    if folder is None or not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("chunk-*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            break  # a damaged checkpoint: redo from the one before it
    # Keep only an unbroken run from the first chunk.
    return [r for i, r in enumerate(records) if r.get("index") == i]


def _save_checkpoint(folder: Path | None, record: dict[str, Any]) -> None:
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"chunk-{record['index']:06d}.json"
    tmp = final.with_suffix(".tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, final)


ANALYZER = TranscriptAnalyzer()
