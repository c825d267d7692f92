"""Settings: one declarative list, loaded defaults → project config file → environment → flags.

Every option rushes understands is a :class:`Setting` in :data:`SETTINGS`. The CLI's ``-c``
flag, ``.rushes/config.toml``, the ``RUSHES_*`` environment, ``rushes config show`` and the
documentation all derive from this list, so a setting cannot exist in one place and not another.
The loaded :class:`Settings` object is passed down explicitly; nothing imports a global.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from rushes.domain.timecode import parse_rate
from rushes.errors import UsageError


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"expected a whole number, got {value!r}") from None


def _positive_int(value: str) -> int:
    n = _int(value)
    if n < 1:
        raise ValueError(f"expected a whole number of at least 1, got {value}")
    return n


def _float(value: str) -> float:
    """A finite number: ``nan`` and ``inf`` read as floats but mean nothing as a setting."""
    try:
        x = float(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"expected a finite number, got {value}")
    return x


def _non_negative_float(value: str) -> float:
    x = _float(value)
    if not x >= 0:
        raise ValueError(f"expected a number of at least 0, got {value}")
    return x


def _positive_float(value: str) -> float:
    x = _float(value)
    if not x > 0:
        raise ValueError(f"expected a number above 0, got {value}")
    return x


def _rate_text(value: str) -> str:
    from rushes.domain.timecode import parse_rate

    rate = parse_rate(value)
    return f"{rate.numerator}/{rate.denominator}" if rate.denominator != 1 else str(rate.numerator)


def _vocabulary(value: str) -> str:
    from rushes.asr.vocabulary import setting_text

    return setting_text(value)


_TYPE_NAMES: dict[Callable[[str], Any], str] = {
    _bool: "bool", _int: "int", _positive_int: "int", _float: "float",
    _non_negative_float: "float", _positive_float: "float", _rate_text: "str", str: "str",
    _vocabulary: "str",
}


def _default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True)
class Setting:
    """One setting: its name (``snake_case``), how to read it from text, its default and help."""

    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    #: The sensible range of a number (both ends included): a value far outside it is a typo
    #: that would otherwise fail later, inside analysis (a 100,000,000-pixel thumbnail).
    limits: tuple[float, float] | None = None

    @property
    def env(self) -> str:
        return "RUSHES_" + self.name.upper()

    @property
    def type_name(self) -> str:
        if self.choices:
            return "|".join(self.choices)
        # No fallback: a new parser must say what it reads, or the settings page (and
        # `config show --json`) would call a number text.
        return _TYPE_NAMES[self.parse]

    def convert(self, value: Any, origin: str) -> Any:
        """Turn text (or a TOML value) into this setting's type, naming the origin on failure."""
        try:
            if isinstance(value, str):
                out = self.parse(value)
            elif isinstance(value, bool):
                # str(True) is "True": without this a TOML boolean became the text "True"
                if self.parse is not _bool:
                    raise TypeError(f"expected {self.type_name}, got a boolean")
                out = value
            elif isinstance(value, int | float) and self.parse is not str:
                out = self.parse(str(value))
            else:
                # a TOML number for a text setting, or an array, table or date for any setting
                raise TypeError(f"expected {self.type_name}, got {_toml_type(value)}")
        except (ValueError, TypeError) as exc:
            raise UsageError(f"setting {self.name} from {origin}: {exc}") from None
        if self.limits is not None and not self.limits[0] <= out <= self.limits[1]:
            low, high = self.limits
            raise UsageError(
                f"setting {self.name} from {origin}: expected {_num(low)} to {_num(high)}, "
                f"got {value}"
            )
        if self.choices and out not in self.choices:
            raise UsageError(
                f"setting {self.name} from {origin}: {out!r} is not one of "
                + ", ".join(self.choices)
            )
        return out


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url", str, "",
        "SQLAlchemy URL of the catalog; empty means the project's own SQLite file "
        "(.rushes/catalog.db). Use postgresql+psycopg://… for a team server.",
    ),
    Setting(
        "workers", _positive_int, _default_workers(),
        "Analysis worker processes for `rushes add` and `rushes analyze` (1 runs inline).",
        limits=(1, 64),
    ),
    Setting(
        "analyze", _bool, True,
        "Run analysis after `rushes add` (same as leaving out --no-analyze).",
    ),
    Setting(
        "lease_seconds", _positive_int, 120,
        "How long a worker's claim on a job lasts without a heartbeat before another may retry it.",
        limits=(10, 86400),
    ),
    Setting(
        "max_attempts", _positive_int, 3,
        "A job whose worker died this many times is marked failed instead of retried again.",
        limits=(1, 100),
    ),
    Setting(
        "hash_threads", _positive_int, 1,
        "Threads BLAKE3 may use to hash one large file.",
        limits=(1, 64),
    ),
    Setting(
        "thumbnail_width", _positive_int, 320,
        "Width in pixels of poster frames and image thumbnails.",
        limits=(16, 4096),
    ),
    Setting(
        "filmstrip_frames", _positive_int, 10,
        "Frames in a video's filmstrip image.",
        limits=(1, 100),
    ),
    Setting(
        "filmstrip_width", _positive_int, 160,
        "Width in pixels of each filmstrip frame.",
        limits=(16, 1920),
    ),
    Setting(
        "proxy_height", _positive_int, 360,
        "Height in pixels of the H.264 proxy made for media a browser cannot play.",
        limits=(120, 2160),
    ),
    Setting(
        "proxy_crf", _int, 26,
        "x264 quality of proxies (lower is better and larger).",
        limits=(0, 51),
    ),
    Setting(
        "shot_sensitivity", _positive_float, 1.0,
        "Scales the shot detector's thresholds: above 1 finds more cuts, below 1 fewer.",
        limits=(0.1, 10),
    ),
    Setting(
        "transcribe", _bool, True,
        "Transcribe speech automatically when audio or video is added "
        "(`rushes transcribe` works either way).",
    ),
    Setting(
        "speaker_labels", _bool, False,
        "Label who speaks when in machine transcripts, matching voices across the project "
        "(needs the speakers extra: scripts/setup.sh --speakers).",
    ),
    Setting(
        "asr_engine", str, "pocketsphinx",
        "Speech-to-text engine: pocketsphinx (offline, English, inside its wheel), "
        "faster-whisper or vosk (both need asr_model).",
        choices=("pocketsphinx", "faster-whisper", "vosk"),
    ),
    Setting(
        "asr_model", str, "",
        "Folder of a local speech model (a CTranslate2 Whisper model for faster-whisper, a "
        "Vosk model, or another pocketsphinx model); nothing is ever downloaded.",
    ),
    Setting(
        "asr_vocabulary", _vocabulary, "",
        "Names and words the speech engine must know (the subject, places, ships), separated "
        "by commas or new lines: pocketsphinx learns them, faster-whisper takes them as "
        "hotwords, vosk cannot use them. Changing it queues machine transcription again.",
    ),
    Setting(
        "language", str, "en",
        "Language of the speech (en, zh, …); an engine that cannot do it says so.",
    ),
    Setting(
        "embedding_model", str, "",
        "Local sentence-transformers model folder for semantic search; empty uses the built-in "
        "all-MiniLM-L6-v2 (run in NumPy, no torch). Changing it re-embeds into a new index.",
    ),
    Setting(
        "embedding_threads", _positive_int, 1,
        "Threads for embedding and vector search; keep 1 when workers already fill the cores.",
        limits=(1, 64),
    ),
    Setting(
        "decode_threads", _positive_int, 1,
        "Decoder threads per worker; keep 1 when workers already fill the cores.",
        limits=(1, 64),
    ),
    Setting(
        "clip_handles", _non_negative_float, 0.5,
        "Seconds added before and after the words of a clip made from transcript text "
        "(`rushes clip add ASSET --text …`), so an edit has room to breathe.",
        limits=(0, 60),
    ),
    Setting(
        "sequence_rate", _rate_text, "25",
        "Frame rate of a new cut when it has no video to follow (a cut takes its first video "
        "source's rate unless `rushes cut new --rate` says otherwise), and the rate a Broadcast "
        "WAV's start timecode is shown at when its recorder did not write one.",
    ),
    Setting(
        "sequence_start", str, "01:00:00:00",
        "Record start timecode of new cuts, as editing applications default to.",
    ),
    Setting(
        "still_seconds", _positive_float, 5.0,
        "How long a still image stays on screen in a cut unless given a duration.",
        limits=(0.04, 3600),
    ),
    Setting(
        "title_seconds", _positive_float, 3.0,
        "How long a title card lasts in a cut unless given a duration.",
        limits=(0.04, 3600),
    ),
    Setting(
        "voiceover_wpm", _positive_int, 150,
        "Speaking rate in words per minute that sets a voice-over placeholder's length from "
        "its script.",
        limits=(40, 400),
    ),
    Setting(
        "progress", str, "auto",
        "Progress display on stderr: auto (bars on a terminal, periodic lines otherwise), "
        "bars, lines, or none.",
        choices=("auto", "bars", "lines", "none"),
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass
class Settings:
    """Loaded values with where each came from (``default``, the config file, ``env``, ``flag``)."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str) -> Any:
        return self.values[name]

    @property
    def timecode_rate(self) -> Fraction:
        """What a Broadcast WAV's time reference is labelled at when its recorder wrote no rate
        (iXML): the ``sequence_rate`` setting, as editing applications label it at theirs."""
        return parse_rate(str(self.values["sequence_rate"]))

    def replace(self, origin: str = "flag", **changes: Any) -> Settings:
        """A copy with some values overridden (used by command-line flags)."""
        values, origins = dict(self.values), dict(self.origins)
        for name, value in changes.items():
            if name not in SETTINGS_BY_NAME:
                raise UsageError(f"unknown setting {name!r}")
            values[name] = value
            origins[name] = origin
        return Settings(values, origins)


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    flags: Iterable[str] = (),
) -> Settings:
    """Load settings in order: defaults, ``config_file``, ``RUSHES_*`` environment, ``name=value``
    flags. Unknown names in the file or flags are errors, so a typo never silently does nothing."""
    environ = os.environ if environ is None else environ
    settings = Settings()
    for s in SETTINGS:
        settings.values[s.name] = s.default
        settings.origins[s.name] = "default"
    if config_file is not None and config_file.exists():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{config_file}: not valid TOML: {exc}") from None
        for key, value in data.items():
            setting = SETTINGS_BY_NAME.get(key)
            if setting is None:
                raise UsageError(f"{config_file}: unknown setting {key!r}")
            settings.values[key] = setting.convert(value, str(config_file))
            settings.origins[key] = str(config_file)
    for s in SETTINGS:
        if s.env in environ:
            settings.values[s.name] = s.convert(environ[s.env], s.env)
            settings.origins[s.name] = s.env
    for flag in flags:
        name, sep, value = flag.partition("=")
        name = name.strip().replace("-", "_")
        if not sep:
            raise UsageError(f"-c {flag!r}: expected NAME=VALUE")
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            raise UsageError(f"-c {flag!r}: unknown setting {name!r}")
        settings.values[name] = setting.convert(value, f"-c {name}")
        settings.origins[name] = "flag"
    return settings


def write_setting(config_file: Path, name: str, value: str) -> None:
    """Set one value in the project's config file, keeping the others (validated first)."""
    setting = SETTINGS_BY_NAME.get(name)
    if setting is None:
        raise UsageError(f"unknown setting {name!r}")
    setting.convert(value, "the command line")
    data: dict[str, Any] = {}
    if config_file.exists():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{config_file}: not valid TOML: {exc}") from None
    data[name] = setting.convert(value, "the command line")
    lines = ["# rushes project settings; see `rushes config show` for every setting.\n"]
    for key, val in data.items():
        lines.append(f"{key} = {_toml_value(val)}\n")
    from rushes.outputs import write_text_atomic  # outputs reads the catalog, which reads us

    write_text_atomic(config_file, "".join(lines))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # A TOML basic string: escape the backslash, the quote and every control character (a raw
    # newline or tab in a value would otherwise make the file unreadable).
    out = []
    for ch in str(value):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def settings_markdown() -> str:
    """The settings reference page (docs/settings.md), generated so it cannot drift from code."""
    lines = [
        "# Settings\n",
        "\n",
        "Every setting can be set, from lowest to highest precedence, by its default, in\n",
        "the project's `.rushes/config.toml` (`rushes config set NAME VALUE`), by the\n",
        "environment variable shown, or for one command with `-c NAME=VALUE`.\n",
        "`rushes config show` prints each value and where it came from.\n",
        "\n",
        "<!-- Generated from rushes.config.SETTINGS; tests/test_docs.py keeps it in step. -->\n",
        "\n",
        "| name | type | default | environment | what it does |\n",
        "|---|---|---|---|---|\n",
    ]
    for s in SETTINGS:
        default = "(number of cores, at most 4)" if s.name == "workers" else repr(s.default)
        kind = s.type_name
        if s.limits is not None:
            kind += f" ({_num(s.limits[0])}–{_num(s.limits[1])})"
        lines.append(f"| `{s.name}` | {kind} | {default} | `{s.env}` | {s.help} |\n")
    return "".join(lines)


def _toml_type(value: Any) -> str:
    """How a TOML value's type reads in an error message."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"
