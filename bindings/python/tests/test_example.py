"""The quickstart of docs/python.md runs as shown, against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import PASSWORD, Emulator

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "quickstart.py"


def test_quickstart_runs_as_documented(emulator: Emulator, tmp_path: Path) -> None:
    env = dict(os.environ, AUTHTOKEN_EMULATOR=emulator.root, AUTHTOKEN_CACHE_DIR=str(tmp_path))
    env["TPSTREAMS_ORG"] = f"quickstart-{tmp_path.name}"
    env["TPSTREAMS_PASSWORD"] = PASSWORD
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "signed with 'Token' tokens, kept in file",
        "2 assets",
        "created: HTTP 201",
        "requests: 200",
        "httpx: 200",
        "error 2 (invalid_credentials), HTTP 400: Unable to log in with provided credentials.",
    ]
    assert PASSWORD not in result.stderr + result.stdout
    assert emulator.logouts("tpstreams", "hari@example.com") >= 1
