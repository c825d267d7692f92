"""``rushes search --semantic`` ranks a paraphrase above unrelated text."""

from __future__ import annotations

from pathlib import Path

import mediagen
from cli.runner import rushes, rushes_json

VTT = """WEBVTT

00:00:00.500 --> 00:00:02.000
<v Callum>The harbour crane lifted a container onto the ship.

00:00:02.000 --> 00:00:03.500
<v Ellen>The children's names were never published.

00:00:03.500 --> 00:00:05.000
<v Ellen>We painted the lamp room every spring.
"""


def test_semantic_search_ranks_a_paraphrase_first(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    mediagen.video_testsrc(media / "ellen.mp4", seconds=5, audio=False)
    (tmp_path / "ellen.vtt").write_text(VTT)
    rushes("init", str(tmp_path), cwd=tmp_path)
    rushes("add", "media", "--workers", "1", cwd=tmp_path)
    rushes("transcript", "import", "ellen.vtt", cwd=tmp_path)
    query = "nobody released the kids' identities"
    assert rushes_json("search", query, cwd=tmp_path)["hits"] == []  # no word in common
    hits = rushes_json("search", "--semantic", query, cwd=tmp_path)["hits"]
    assert hits[0]["text"] == "The children's names were never published."
    assert hits[0]["speaker"] == "Ellen" and hits[0]["start"] == 2.0
    # The index is incremental: a second search embeds nothing new and agrees.
    again = rushes_json("search", "--semantic", query, "--limit", "1", cwd=tmp_path)["hits"]
    assert [h["entry"] for h in again] == [hits[0]["entry"]]
    # The word search's filters apply too: only Callum's lines, only notes.
    callum = rushes_json("search", "--semantic", query, "--speaker", "Callum", cwd=tmp_path)
    assert [h["speaker"] for h in callum["hits"]] == ["Callum"]
    rushes("note", "add", "media/ellen.mp4", "the kids stayed anonymous", cwd=tmp_path)
    notes = rushes_json("search", "--semantic", query, "--source", "note", cwd=tmp_path)
    assert [h["text"] for h in notes["hits"]] == ["the kids stayed anonymous"]
    # Hybrid: the words and the meaning fused; a paraphrase still finds its line, and a line
    # with the exact words comes first.
    hybrid = rushes_json("search", "--hybrid", query, "--source", "transcript",
                         cwd=tmp_path)["hits"]
    assert hybrid[0]["text"] == "The children's names were never published."
    exact = rushes_json("search", "--hybrid", "lamp room", cwd=tmp_path)["hits"]
    assert exact[0]["text"] == "We painted the lamp room every spring."
    assert "«lamp»" in exact[0]["snippet"]
    # Filters and exclusions typed in the query hold as in the word search.
    typed = rushes_json("search", "--semantic", f"{query} speaker:Callum", cwd=tmp_path)
    assert [h["speaker"] for h in typed["hits"]] == ["Callum"]
    for how in ("--semantic", "--hybrid"):
        kept = rushes_json("search", how, "lamp room -painted", cwd=tmp_path)["hits"]
        assert kept and all("painted" not in h["text"] for h in kept)
        bad = rushes("search", how, "lamp kind:movie", cwd=tmp_path, check=False)
        assert bad.returncode == 1 and bad.stderr.count("\n") == 1
        assert "kind: wants one of video, audio" in bad.stderr
