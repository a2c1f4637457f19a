"""Running calmkit in a child process, as a family would from a terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def calmkit_env(**changes: str | None) -> dict[str, str]:
    """Our environment (CALMKIT_HOME, CALMKIT_AUDIO, SDL_AUDIODRIVER and the no-network
    guard from conftest), with src/ on the path and ``changes`` (None removes one)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT / "src"), env.get("PYTHONPATH")])
    )
    env.pop("NO_COLOR", None)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def default_sigint() -> None:
    # A shell may start the tests with SIGINT ignored, and an ignored signal stays
    # ignored in children: give the player the ordinary Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_calmkit(
    *argv: str, env: dict[str, str], cwd: Path, **popen: Any
) -> subprocess.Popen[str]:
    """``python -m calmkit ARGV`` with no stdin, its output as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "calmkit", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
        preexec_fn=popen.pop("preexec_fn", default_sigint),
        **popen,
    )
