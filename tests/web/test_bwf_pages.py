"""The web app labels a Broadcast WAV as the command line does: at its recorder's timecode rate
(iXML) when the file gives one, else at the project's ``sequence_rate`` setting; the player
counts from that start at that rate."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import mediagen
from rushes.catalog import open_catalog
from rushes.catalog.assets import list_assets
from rushes.config import load_settings
from rushes.edit import service
from rushes.ingest import add_paths
from rushes.jobs.executors import InlineExecutor
from rushes.project import Project, init_project
from rushes.web import create_app
from web.conftest import Server
from web.test_api import client


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, run_server: Any) -> tuple[Server, dict]:
    root = tmp_path_factory.mktemp("bwf-web")
    env = {"RUSHES_WORKERS": "1", "RUSHES_PROGRESS": "none", "RUSHES_TRANSCRIBE": "false"}
    init_project(root, environ=env)
    config = root / ".rushes" / "config.toml"
    config.write_text(config.read_text() + '\nsequence_rate = "30"\n')
    project = Project(root.resolve(), load_settings(config, env))
    # 10:00:00 and a half: 10:00:00:15 at 30 fps, 10:00:00:12 at 25.
    mediagen.audio_bwf(root / "sound.wav", time_reference=1_728_024_000, seconds=2)
    # 10:00:00:00 on a recorder running 23.976 (36036 s since midnight).
    mediagen.audio_bwf(root / "recorder.wav", time_reference=1_729_728_000, seconds=2,
                       ixml_rate="24000/1001")
    catalog = open_catalog(project.database_url)
    try:
        add_paths(project, catalog, [root / "sound.wav", root / "recorder.wav"])
        InlineExecutor().run(project, catalog)
        with catalog.read() as conn:
            ids = {Path(a.path or "").name: a.id for a in list_assets(conn)}
        service.add_note(catalog, ids["sound.wav"], "clap", at="1")
    finally:
        catalog.close()
    return run_server(create_app(project, secret="b" * 64)), ids


def test_pages_and_api_label_a_wav_at_its_recorder_s_rate_else_the_setting(
    served: tuple[Server, dict]
) -> None:
    server, ids = served
    with client(server) as c:
        sound = c.get(f"/api/assets/{ids['sound.wav']}").json()
        recorder = c.get(f"/api/assets/{ids['recorder.wav']}").json()
        assert sound["start_timecode"] == "10:00:00:15"
        assert recorder["start_timecode"] == "10:00:00:00"
        library = {a["id"]: a for a in c.get("/api/assets").json()["assets"]}
        assert library[ids["sound.wav"]]["start_timecode"] == "10:00:00:15"
        log = c.get(f"/api/assets/{ids['sound.wav']}/log").json()
        assert [n["timecode"] for n in log["notes"]] == ["10:00:01:15"]
        page = c.get(f"/assets/{ids['recorder.wav']}").text
        other = c.get(f"/assets/{ids['sound.wav']}").text
    # The player's running timecode counts 23.976 from the recorder's 10:00:00:00.
    assert 'data-rate-num="24000" data-rate-den="1001"' in page
    assert re.search(r'data-start-frame="864000"', page)
    # The page says which clock labels the file, and the take as the sound report has it.
    assert "(at 23.976 fps, the recorder&#39;s)" in page
    assert "<dt>Take</dt><dd>12A/3</dd>" in page
    assert "(at 30 fps, the sequence_rate setting)" in other
    assert "<dt>Take</dt>" not in other
