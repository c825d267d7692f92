"""Settings: load order, origins, validation, writing; `rushes config` and project lookup."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.runner import rushes, rushes_json
from rushes.config import SETTINGS, SETTINGS_BY_NAME, load_settings, write_setting
from rushes.errors import UsageError


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No RUSHES_* variable of the person running the tests may leak into these tests."""
    for name in list(os.environ):
        if name.startswith("RUSHES_"):
            monkeypatch.delenv(name)
    yield


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- load order and origins ---------------------------------------------------------------------


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "missing.toml", environ={})
    for s in SETTINGS:
        assert settings.get(s.name) == s.default
        assert settings.origins[s.name] == "default"
    assert settings.lease_seconds == 120
    assert settings.progress == "auto"
    assert settings.analyze is True


def test_no_config_file_at_all(tmp_path: Path) -> None:
    settings = load_settings(None, environ={"RUSHES_HASH_THREADS": "2"})
    assert settings.hash_threads == 2
    assert settings.origins["hash_threads"] == "RUSHES_HASH_THREADS"


def test_each_layer_overrides_the_previous_and_records_its_origin(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        'workers = 2\nlease_seconds = 30\nmax_attempts = 5\nprogress = "lines"\n',
    )
    environ = {"RUSHES_LEASE_SECONDS": "40", "RUSHES_MAX_ATTEMPTS": "6", "RUSHES_WORKERS": "3"}
    flags = ["workers=7", "progress=bars"]
    settings = load_settings(config, environ, flags)

    assert settings.values["workers"] == 7  # file 2 < env 3 < flag 7
    assert settings.origins["workers"] == "flag"
    assert settings.lease_seconds == 40  # file 30 < env 40
    assert settings.origins["lease_seconds"] == "RUSHES_LEASE_SECONDS"
    assert settings.max_attempts == 6
    assert settings.progress == "bars"  # file "lines" < flag
    assert settings.origins["progress"] == "flag"
    assert settings.thumbnail_width == 320  # untouched
    assert settings.origins["thumbnail_width"] == "default"


def test_file_values_record_the_file_path(tmp_path: Path) -> None:
    config = _config(tmp_path, "proxy_crf = 20\nshot_sensitivity = 1.5\nanalyze = false\n")
    settings = load_settings(config, environ={})
    assert (settings.proxy_crf, settings.shot_sensitivity, settings.analyze) == (20, 1.5, False)
    for name in ("proxy_crf", "shot_sensitivity", "analyze"):
        assert settings.origins[name] == str(config)
    assert settings.origins["workers"] == "default"


def test_later_flags_win_and_dashes_mean_underscores(tmp_path: Path) -> None:
    settings = load_settings(
        None, environ={}, flags=["thumbnail-width=100", "thumbnail_width=200", "analyze=off"]
    )
    assert settings.thumbnail_width == 200
    assert settings.analyze is False
    assert settings.origins["analyze"] == "flag"


def test_values_have_their_types(tmp_path: Path) -> None:
    settings = load_settings(
        None,
        environ={"RUSHES_ANALYZE": "no", "RUSHES_SHOT_SENSITIVITY": "0.5", "RUSHES_PROXY_CRF": "0"},
    )
    assert settings.analyze is False
    assert settings.shot_sensitivity == 0.5
    assert settings.proxy_crf == 0
    assert isinstance(settings.proxy_crf, int)


def test_unknown_attribute_is_an_attribute_error() -> None:
    settings = load_settings(None, environ={})
    with pytest.raises(AttributeError):
        _ = settings.no_such_setting


def test_replace_overrides_and_rejects_unknown_names() -> None:
    base = load_settings(None, environ={})
    changed = base.replace(workers=9)
    assert (changed.workers, changed.origins["workers"]) == (9, "flag")
    assert base.workers == SETTINGS_BY_NAME["workers"].default  # the original is unchanged
    with pytest.raises(UsageError, match="unknown setting 'wrokers'"):
        base.replace(wrokers=1)


def test_environment_names_derive_from_setting_names() -> None:
    assert SETTINGS_BY_NAME["lease_seconds"].env == "RUSHES_LEASE_SECONDS"
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)


# --- bad values name the setting and where it came from -----------------------------------------


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("workers = 0\n", "workers"),
        ('workers = "many"\n', "workers"),
        ("workers = true\n", "workers"),
        ("workers = 2.5\n", "workers"),
        ('analyze = "maybe"\n', "analyze"),
        ('progress = "fancy"\n', "progress"),
        ("progress = true\n", "progress"),
        ("database_url = true\n", "database_url"),
        ("database_url = 5\n", "database_url"),
        ("proxy_crf = [1, 2]\n", "proxy_crf"),
        ("shot_sensitivity = { a = 1 }\n", "shot_sensitivity"),
    ],
)
def test_bad_file_value_names_setting_and_file(tmp_path: Path, text: str, setting: str) -> None:
    config = _config(tmp_path, text)
    with pytest.raises(UsageError) as info:
        load_settings(config, environ={})
    assert str(info.value).startswith(f"setting {setting} from {config}: ")


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("RUSHES_WORKERS", "0"),
        ("RUSHES_WORKERS", "-2"),
        ("RUSHES_WORKERS", ""),
        ("RUSHES_LEASE_SECONDS", "soon"),
        ("RUSHES_ANALYZE", "perhaps"),
        ("RUSHES_SHOT_SENSITIVITY", "high"),
        ("RUSHES_PROGRESS", "loud"),
    ],
)
def test_bad_environment_value_names_setting_and_variable(env: str, value: str) -> None:
    name = env.removeprefix("RUSHES_").lower()
    with pytest.raises(UsageError) as info:
        load_settings(None, environ={env: value})
    assert str(info.value).startswith(f"setting {name} from {env}: ")


def test_bad_choice_lists_the_choices() -> None:
    with pytest.raises(UsageError, match=r"'loud' is not one of auto, bars, lines, none"):
        load_settings(None, environ={"RUSHES_PROGRESS": "loud"})


def test_bad_flag_value_names_setting_and_flag() -> None:
    with pytest.raises(UsageError) as info:
        load_settings(None, environ={}, flags=["workers=lots"])
    assert str(info.value).startswith("setting workers from -c workers: ")


def test_flag_without_equals_is_rejected() -> None:
    with pytest.raises(UsageError, match=r"-c 'workers': expected NAME=VALUE"):
        load_settings(None, environ={}, flags=["workers"])


def test_unknown_key_in_file_is_rejected(tmp_path: Path) -> None:
    config = _config(tmp_path, "workers = 2\nwrokers = 3\n")
    with pytest.raises(UsageError, match=r"unknown setting 'wrokers'") as info:
        load_settings(config, environ={})
    assert str(config) in str(info.value)


def test_table_in_file_is_an_unknown_key(tmp_path: Path) -> None:
    config = _config(tmp_path, "[analysis]\nworkers = 2\n")
    with pytest.raises(UsageError, match=r"unknown setting 'analysis'"):
        load_settings(config, environ={})


def test_unknown_flag_is_rejected() -> None:
    with pytest.raises(UsageError, match=r"-c 'wrokers=2': unknown setting 'wrokers'"):
        load_settings(None, environ={}, flags=["wrokers=2"])


def test_unrelated_environment_variables_are_ignored() -> None:
    settings = load_settings(None, environ={"RUSHES_PROJECT": "/x", "RUSHES_NOSUCH": "1"})
    assert all(origin == "default" for origin in settings.origins.values())


def test_invalid_toml_is_a_usage_error(tmp_path: Path) -> None:
    config = _config(tmp_path, "workers = = 3\n")
    with pytest.raises(UsageError, match="not valid TOML") as info:
        load_settings(config, environ={})
    assert str(config) in str(info.value)


# --- writing ------------------------------------------------------------------------------------


def test_write_setting_keeps_other_keys(tmp_path: Path) -> None:
    config = _config(tmp_path, 'lease_seconds = 30\nprogress = "lines"\n')
    write_setting(config, "workers", "3")
    write_setting(config, "analyze", "no")
    write_setting(config, "lease_seconds", "45")
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data == {"lease_seconds": 45, "progress": "lines", "workers": 3, "analyze": False}
    settings = load_settings(config, environ={})
    assert (settings.workers, settings.analyze, settings.lease_seconds) == (3, False, 45)
    assert settings.origins["workers"] == str(config)


def test_write_setting_keeps_the_files_mode_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    """A config made private (it may hold a database password) stays private when a setting
    is changed; no temporary file is left next to it."""
    config = tmp_path / "config.toml"
    write_setting(config, "workers", "3")
    config.chmod(0o600)
    write_setting(config, "database_url", "postgresql://rushes:secret@db/archive")
    assert config.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]
    assert tomllib.loads(config.read_text())["workers"] == 3


def test_write_setting_creates_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    write_setting(config, "shot_sensitivity", "1.25")
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {"shot_sensitivity": 1.25}
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("workers", "0", "setting workers from the command line"),
        ("progress", "fancy", "not one of auto, bars, lines, none"),
        ("nosuch", "1", "unknown setting 'nosuch'"),
    ],
)
def test_write_setting_validates_and_leaves_the_file_alone(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    original = "workers = 2\n"
    config = _config(tmp_path, original)
    with pytest.raises(UsageError, match=message):
        write_setting(config, name, value)
    assert config.read_text(encoding="utf-8") == original


def test_write_setting_on_invalid_toml_is_a_usage_error(tmp_path: Path) -> None:
    config = _config(tmp_path, "workers = = 3\n")
    with pytest.raises(UsageError, match="not valid TOML"):
        write_setting(config, "workers", "3")
    assert config.read_text(encoding="utf-8") == "workers = = 3\n"


@pytest.mark.parametrize(
    "url",
    [
        'postgresql+psycopg://user:p"w@db/rushes',
        "sqlite:///C:\\media\\catalog.db",
        "sqlite:////tmp/tab\there/new\nline",
        "sqlite:////srv/département/catalog.db",
    ],
)
def test_write_setting_round_trips_awkward_text(tmp_path: Path, url: str) -> None:
    config = tmp_path / "config.toml"
    write_setting(config, "database_url", url)
    assert load_settings(config, environ={}).database_url == url


# --- through the real command line --------------------------------------------------------------


def _show(cwd: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    rows = rushes_json(*args, "config", "show", cwd=cwd, env=env)
    return {row["name"]: row for row in rows}


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("rushes: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder with no project in it or above it."""
    here = (tmp_path / "outside").resolve()
    here.mkdir()
    assert not any((p / ".rushes").exists() for p in (here, *here.parents))
    return here


@pytest.fixture
def project_dir(tmp_path: Path, outside: Path) -> Path:
    root = (tmp_path / "film").resolve()
    rushes("init", str(root), cwd=outside)
    return root


def test_cli_init_makes_a_project(project_dir: Path) -> None:
    assert (project_dir / ".rushes" / "config.toml").is_file()
    assert (project_dir / ".rushes" / "cache").is_dir()
    assert (project_dir / ".rushes" / "catalog.db").is_file()


def test_cli_config_set_and_show_origins(project_dir: Path) -> None:
    config = project_dir / ".rushes" / "config.toml"
    proc = rushes("config", "set", "workers", "3", cwd=project_dir)
    assert proc.stdout == ""
    assert tomllib.loads(config.read_text(encoding="utf-8"))["workers"] == 3

    rows = _show(project_dir)
    assert (rows["workers"]["value"], rows["workers"]["origin"]) == (3, str(config))
    assert rows["workers"]["env"] == "RUSHES_WORKERS"
    assert rows["workers"]["type"] == "int"
    assert rows["lease_seconds"]["origin"] == "default"
    assert [r for r in rows] == [s.name for s in SETTINGS]

    rows = _show(project_dir, env={"RUSHES_WORKERS": "4"})
    assert (rows["workers"]["value"], rows["workers"]["origin"]) == (4, "RUSHES_WORKERS")

    rows = _show(project_dir, "-c", "workers=5", env={"RUSHES_WORKERS": "4"})
    assert (rows["workers"]["value"], rows["workers"]["origin"]) == (5, "flag")


def test_cli_config_set_keeps_earlier_values(project_dir: Path) -> None:
    rushes("config", "set", "workers", "3", cwd=project_dir)
    rushes("config", "set", "thumbnail-width", "200", cwd=project_dir)
    rows = _show(project_dir)
    assert rows["workers"]["value"] == 3
    assert rows["thumbnail_width"]["value"] == 200


def test_cli_config_show_plain_text(project_dir: Path) -> None:
    rushes("config", "set", "workers", "3", cwd=project_dir)
    out = rushes("config", "show", cwd=project_dir).stdout
    line = next(li for li in out.splitlines() if li.startswith("workers "))
    assert line.split()[1] == "3"
    assert line.endswith(f"({project_dir / '.rushes' / 'config.toml'})")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("config", "set", "nosuch", "1"), "unknown setting 'nosuch'"),
        (("config", "set", "workers", "0"), "setting workers"),
        (("config", "set", "progress", "fancy"), "setting progress"),
        (("-c", "nosuch=1", "config", "show"), "unknown setting 'nosuch'"),
        (("-c", "workers=many", "config", "show"), "setting workers from -c workers"),
    ],
)
def test_cli_bad_settings_fail_with_one_line(
    project_dir: Path, args: tuple[str, ...], message: str
) -> None:
    config = project_dir / ".rushes" / "config.toml"
    before = config.read_text(encoding="utf-8")
    proc = rushes(*args, cwd=project_dir, check=False)
    assert proc.returncode == 1
    assert message in _one_error_line(proc.stderr)
    assert proc.stdout == ""
    assert config.read_text(encoding="utf-8") == before


def test_cli_bad_environment_value_fails_with_one_line(project_dir: Path) -> None:
    proc = rushes("config", "show", cwd=project_dir, env={"RUSHES_WORKERS": "zero"}, check=False)
    assert proc.returncode == 1
    assert "setting workers from RUSHES_WORKERS" in _one_error_line(proc.stderr)


def test_cli_broken_config_file_fails_with_one_line(project_dir: Path) -> None:
    (project_dir / ".rushes" / "config.toml").write_text("workers = = 1\n", encoding="utf-8")
    for args in (("config", "show"), ("config", "set", "workers", "2")):
        proc = rushes(*args, cwd=project_dir, check=False)
        assert proc.returncode == 1
        assert "not valid TOML" in _one_error_line(proc.stderr)


def test_cli_finds_the_project_from_a_subdirectory(project_dir: Path) -> None:
    deep = project_dir / "day1" / "cam-a"
    deep.mkdir(parents=True)
    rushes("config", "set", "workers", "2", cwd=deep)
    config = project_dir / ".rushes" / "config.toml"
    assert tomllib.loads(config.read_text(encoding="utf-8"))["workers"] == 2
    assert not (deep / ".rushes").exists()
    assert _show(deep)["workers"]["origin"] == str(config)


def test_cli_nearest_project_wins(project_dir: Path) -> None:
    inner = project_dir / "inner"
    rushes("init", str(inner), cwd=project_dir)
    rushes("config", "set", "workers", "2", cwd=project_dir)
    sub = inner / "sub"
    sub.mkdir()
    rows = _show(sub)
    assert rows["workers"]["origin"] == "default"
    assert _show(project_dir)["workers"]["value"] == 2


def test_cli_finds_the_project_from_the_option(project_dir: Path, outside: Path) -> None:
    rushes("--project", str(project_dir), "config", "set", "workers", "2", cwd=outside)
    rows = _show(outside, "--project", str(project_dir))
    assert rows["workers"]["value"] == 2
    assert rows["workers"]["origin"] == str(project_dir / ".rushes" / "config.toml")


def test_cli_finds_the_project_from_the_environment(project_dir: Path, outside: Path) -> None:
    env = {"RUSHES_PROJECT": str(project_dir)}
    rushes("config", "set", "workers", "2", cwd=outside, env=env)
    rows = _show(outside, env=env)
    assert rows["workers"]["value"] == 2
    assert rows["workers"]["origin"] == str(project_dir / ".rushes" / "config.toml")


def test_cli_option_beats_environment(project_dir: Path, tmp_path: Path, outside: Path) -> None:
    other = tmp_path / "other"
    rushes("init", str(other), cwd=outside)
    rushes("--project", str(other), "config", "set", "workers", "2", cwd=outside)
    rows = _show(outside, "--project", str(other), env={"RUSHES_PROJECT": str(project_dir)})
    assert rows["workers"]["value"] == 2


def test_cli_outside_any_project_fails_with_one_line(outside: Path) -> None:
    for args in (("config", "show"), ("config", "set", "workers", "2")):
        proc = rushes(*args, cwd=outside, check=False)
        assert proc.returncode == 1
        line = _one_error_line(proc.stderr)
        assert "no rushes project here or above" in line
        assert proc.stdout == ""
    assert not (outside / ".rushes").exists()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_cli_named_folder_that_is_not_a_project_fails_with_one_line(
    outside: Path, how: str
) -> None:
    args: tuple[str, ...] = ("--project", str(outside)) if how == "option" else ()
    env = {"RUSHES_PROJECT": str(outside)} if how == "environment" else None
    proc = rushes(*args, "config", "show", cwd=outside, env=env, check=False)
    assert proc.returncode == 1
    line = _one_error_line(proc.stderr)
    assert f"{outside} is not a rushes project" in line


def test_cli_init_is_idempotent_and_keeps_settings(project_dir: Path, outside: Path) -> None:
    rushes("config", "set", "workers", "3", cwd=project_dir)
    proc = rushes("init", str(project_dir), cwd=outside)
    assert "Already a project" in proc.stderr
    assert _show(project_dir)["workers"]["value"] == 3


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("workers=lots", "expected a whole number, got 'lots'"),
        ("thumbnail_width=100000000", "expected 16 to 4096, got 100000000"),
        ("proxy_crf=99", "expected 0 to 51, got 99"),
        ("shot_sensitivity=nan", "expected a finite number, got nan"),
        ("shot_sensitivity=inf", "expected a finite number, got inf"),
        ("shot_sensitivity=-1", "expected a number above 0, got -1"),
        ("shot_sensitivity=abc", "expected a number, got 'abc'"),
        ("clip_handles=1e9", "expected 0 to 60, got 1e9"),
    ],
)
def test_out_of_range_numbers_are_refused_when_set(flag: str, message: str) -> None:
    # Refused at once, in words, rather than failing later inside analysis.
    name = flag.split("=")[0]
    with pytest.raises(UsageError) as info:
        load_settings(None, environ={}, flags=[flag])
    assert str(info.value) == f"setting {name} from -c {name}: {message}"


def test_the_range_ends_are_accepted() -> None:
    settings = load_settings(None, environ={}, flags=["thumbnail_width=16", "proxy_crf=0",
                                                       "shot_sensitivity=10"])
    assert (settings.thumbnail_width, settings.proxy_crf, settings.shot_sensitivity) == (
        16, 0, 10.0)
