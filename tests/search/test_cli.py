"""``rushes search`` on the command line.

Until ``search_cmd.register`` is called from ``rushes.cli.main`` the command is exercised
through click's runner on a small group that registers it; the subprocess test (the real
``python -m rushes search``) runs as soon as the command is registered there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from rushes.catalog import Catalog
from rushes.catalog.logs import add_note
from rushes.cli import search_cmd
from rushes.cli.app import State
from rushes.project import Project
from tests.search.corpus import HARBOUR, RADIO, load


def _group(project: Project) -> click.Group:
    @click.group()
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        ctx.obj = State(_project=project)
        ctx.call_on_close(ctx.obj.close)

    search_cmd.register(cli)
    return cli


def test_json_is_one_document_with_the_contract_keys(project: Project, catalog: Catalog) -> None:
    load(catalog)
    out = CliRunner().invoke(_group(project), ["search", "harbour", "master", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["query"] == "harbour master"
    [hit] = data["hits"]
    assert {"asset", "path", "start", "end", "text", "source"} <= set(hit)
    assert hit["asset"] == HARBOUR and hit["timecode"] == "01:00:10:10"
    assert hit["snippet"] == "The «harbour» «master» said the boats left at dawn."


def test_options_and_human_output(project: Project, catalog: Catalog) -> None:
    load(catalog)
    runner = CliRunner()
    out = runner.invoke(_group(project), ["search", "boats", "--kind", "audio"])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines() == [
        "/archive/radio.wav", "  4.00s  Announcer: «Boats» should stay in port.",
    ]
    out = runner.invoke(
        _group(project),
        ["search", "the", "--asset", "/archive/harbour.mov", "--speaker", "Tom Reed",
         "--limit", "1", "--json"],
    )
    data = json.loads(out.stdout)
    assert [h["speaker"] for h in data["hits"]] == ["Tom Reed"] and data["more"] is True


def test_bad_query_is_a_usage_error(project: Project, catalog: Catalog) -> None:
    out = CliRunner().invoke(_group(project), ["search", '"unclosed'])
    assert out.exit_code != 0
    assert "unbalanced quote" in str(out.exception)


def test_real_command(project: Project, catalog: Catalog) -> None:
    from rushes.cli.main import cli

    if "search" not in cli.commands:
        pytest.skip("search_cmd is not registered in rushes.cli.main yet")
    load(catalog)
    env = {**os.environ, "RUSHES_PROJECT": str(project.root),
           "RUSHES_DATABASE_URL": project.database_url, "RUSHES_PROGRESS": "none"}
    proc = subprocess.run(
        [sys.executable, "-m", "rushes", "search", '"harbour master"', "--json"],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert [h["asset"] for h in json.loads(proc.stdout)["hits"]] == [HARBOUR]
    bad = subprocess.run(
        [sys.executable, "-m", "rushes", "search", "(boats"],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "unbalanced parentheses" in bad.stderr


def test_an_empty_page_past_the_last_hit_says_so(project: Project, catalog: Catalog) -> None:
    load(catalog)
    runner = CliRunner()
    out = runner.invoke(_group(project), ["search", "harbour", "--offset", "3"])
    assert out.exit_code == 0 and out.stdout == ""
    assert out.stderr == "no more hits for 'harbour' (3 in all): --offset 3 is past the last\n"
    out = runner.invoke(_group(project), ["search", "lighthouse", "--offset", "3"])
    assert out.stderr == "no hits for 'lighthouse'\n"
    out = runner.invoke(_group(project), ["search", "y" * 100_000])
    assert out.stderr == f"no hits for '{'y' * 59}…'\n"


def test_the_help_s_tag_examples_find_what_they_say(project: Project, catalog: Catalog) -> None:
    from rushes.catalog.logs import add_tags

    load(catalog)
    with catalog.write() as conn:
        add_tags(conn, HARBOUR, ["people/Ai Weiwei"])
    runner = CliRunner()
    helped = runner.invoke(_group(project), ["search", "--help"]).stdout
    for example in ('tag:"people/Ai Weiwei"', "tag:people/Ai*", "tag:people "):
        assert example in helped
        out = runner.invoke(_group(project), ["search", example.strip(), "--json"])
        assert HARBOUR in {h["asset"] for h in json.loads(out.stdout)["hits"]}, example
    out = runner.invoke(_group(project), ["search", "harbour", "--source", "transcripts"])
    assert out.exit_code != 0
    assert "source: wants one of transcript, clip, note, tag, metadata, ocr" in str(out.exception)


def test_each_asset_is_listed_once_and_a_filter_option_once(
    project: Project, catalog: Catalog
) -> None:
    load(catalog)
    with catalog.write() as conn:  # ranked first and second: the assets' hits interleave
        add_note(conn, HARBOUR, "harbour, harbour, harbour")
        add_note(conn, RADIO, "harbour, harbour")
    runner = CliRunner()
    words = runner.invoke(_group(project), ["search", "harbour", "--json"])
    order = [h["path"] for h in json.loads(words.stdout)["hits"]]
    assert order[:3] == ["/archive/harbour.mov", "/archive/radio.wav", "/archive/harbour.mov"]
    out = runner.invoke(_group(project), ["search", "harbour"])
    assert out.exit_code == 0, out.output
    headers = [line for line in out.stdout.splitlines() if not line.startswith(" ")]
    assert headers == list(dict.fromkeys(order))  # in the order of each asset's best hit
    assert len(out.stdout.splitlines()) == len(order) + len(headers)
    out = runner.invoke(_group(project), [
        "search", "boats", "--asset", "/archive/harbour.mov", "--asset", "/archive/radio.wav",
    ])
    assert out.exit_code == 2
    assert "--asset" in out.output and "given 2 times" in out.output
