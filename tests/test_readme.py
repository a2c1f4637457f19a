"""The README's two commands are the ones that work: CI runs the test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _command(marker: str) -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\s*```sh\n(.+?)\n```", readme, re.DOTALL)
    assert match, f"README.md has no {marker} block"
    command = match.group(1).strip()
    assert "\n" not in command, "each README command is one line"
    return command


def test_ci_runs_the_readme_test_command() -> None:
    ci_script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _command("test-command") in ci_script.splitlines()


def test_the_test_command_installs_and_checks_everything() -> None:
    command = _command("test-command")
    for part in (
        "apt-get install",
        "festival",
        "festvox-us-slt-hts",
        "pulseaudio",
        "pip install",
        "ruff check",
        "pytest",
    ):
        assert part in command


def test_the_run_command_installs_and_runs_calmkit() -> None:
    command = _command("run-command")
    assert "pip install ." in command
    assert "calmkit" in command.rsplit("&&", 1)[-1]
