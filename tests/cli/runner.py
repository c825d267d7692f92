"""Running the real ``rushes`` command in a subprocess, as users and outside tests do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def rushes(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "RUSHES_PROGRESS": "none", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "rushes", *args], cwd=cwd, env=full_env, capture_output=True,
        text=True, check=False, timeout=600,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"rushes {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def rushes_json(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    proc = rushes(*args, "--json", cwd=cwd, env=env)
    return json.loads(proc.stdout)
