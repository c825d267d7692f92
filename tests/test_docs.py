"""Documentation that cannot drift: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

from rushes.cli.main import cli
from rushes.config import settings_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_settings_reference_is_generated_from_the_code() -> None:
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert page == settings_markdown(), (
        "docs/settings.md is stale: regenerate it with\n"
        "  .venv/bin/python -c \"from rushes.config import settings_markdown; "
        "open('docs/settings.md','w').write(settings_markdown())\""
    )


def test_every_command_is_shown_in_the_docs() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    text += (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"rushes {name}" not in text]
    assert missing == []


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "bash scripts/demo.sh" in first_block and "bash scripts/test.sh" in first_block


def test_number_settings_are_documented_as_numbers() -> None:
    from rushes.config import SETTINGS

    types = {s.name: s.type_name for s in SETTINGS}
    assert types["clip_handles"] == types["still_seconds"] == types["title_seconds"] == "float"
    assert types["workers"] == "int" and types["sequence_rate"] == "str"
