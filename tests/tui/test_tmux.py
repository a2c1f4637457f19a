"""The app in a real terminal (tmux, 80x24), driven by keys as a child would drive it.

A fresh install: `calmkit` with an empty CALMKIT_HOME and no sound device. Enter
starts today's suggestion, a number answers the check-in, space pauses and
resumes, q then y stops, a number answers again, the end screen says how long,
Enter goes home and q quits. Then `calmkit log --json` has the session, stopped,
with both check-ins. The pane is polled with a deadline, never slept on.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from tui_helpers import timeline_of

from calmkit.content.library import load_library
from calmkit.session.today import today_for

REPO_ROOT = Path(__file__).resolve().parents[2]
EXITED = "calmkit-exited-"
WAIT_SECONDS = 20.0


class Pane:
    """One tmux session on a private server socket, so the developer's own tmux is untouched."""

    def __init__(self, socket: Path) -> None:
        tmux = shutil.which("tmux")
        assert tmux, "tmux is needed for the real-terminal test (apt-get install tmux)"
        self.base = [tmux, "-S", str(socket), "-f", os.devnull]
        self.name = "calmkit"

    def tmux(self, *arguments: str) -> str:
        done = subprocess.run(
            [*self.base, *arguments], capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout

    def start(self, command: str, environment: dict[str, str]) -> None:
        variables = [
            part for key, value in environment.items() for part in ("-e", f"{key}={value}")
        ]
        self.tmux(
            "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24",
            "-c", str(REPO_ROOT), *variables, command,
        )  # fmt: skip

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, wanted: str, gone: bool = False, timeout: float = WAIT_SECONDS) -> str:
        """Poll the pane until ``wanted`` shows (or, with gone, no longer shows)."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.text()
            if (wanted in shown) != gone:
                return shown
            if time.monotonic() > deadline:
                state = "to go away" if gone else "to show"
                pytest.fail(f"waited {timeout} s for {wanted!r} {state}; the pane:\n{shown}")
            time.sleep(0.05)

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10, check=False)


def first_words_of_today() -> str:
    """The first words of the first line of what a fresh install suggests today."""
    # Nobody said who is practising, nor their age (session/ages.py).
    first = today_for(None, None, load_library()).first
    assert first is not None
    timeline = timeline_of(first.target, age=None)
    text = next(cue.text for cue in timeline.cues if cue.kind == "say" and cue.text)
    # The caption wraps: its first few words are on the first line.
    return " ".join(text.split()[:4])


def terminal_environment(home: Path) -> dict[str, str]:
    """What calmkit runs with in the pane: a fresh home, no sound device, a colour terminal."""
    return {
        "CALMKIT_HOME": str(home),
        "CALMKIT_AUDIO": "null",
        "SDL_AUDIODRIVER": "dummy",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }


def test_a_child_drives_calmkit_in_a_real_terminal(tmp_path: Path, isolated_home: Path) -> None:
    environment = terminal_environment(isolated_home)
    python = shlex.quote(sys.executable)
    # After the app ends, say how it ended and keep the pane open to be read.
    command = f"{python} -m calmkit; echo {EXITED}$?; sleep 60"
    caption = first_words_of_today()
    pane = Pane(tmp_path / "tmux.sock")
    try:
        pane.start(command, environment)
        pane.wait_for("Hello! Nice to see you.")
        pane.send("Enter")
        pane.wait_for("Before we start: how calm or upset do you feel right now?")
        pane.send("3")
        screen = pane.wait_for(caption)
        assert "Step 2 of " in screen
        pane.send("Space")
        screen = pane.wait_for("Paused")
        assert "Paused  ·  Step 2 of " in screen
        pane.send("Space")
        pane.wait_for("Paused", gone=True)
        pane.send("q")
        pane.wait_for("Stop here? What you did still counts.")
        pane.send("y")
        pane.wait_for("And now: how calm or upset do you feel?")
        pane.send("1")
        # Once a day: what the child did (School, then Done).
        pane.wait_for("What did you do today? Pick all that fit.")
        pane.send("1")
        pane.send("d")
        # A few seconds heard: never "1 minute".
        screen = pane.wait_for("You took a few moments to practise.")
        assert "Stopping is okay. Every bit of practice counts." in screen
        pane.send("Enter")
        pane.wait_for("Hello! Nice to see you.")
        pane.send("q")
        screen = pane.wait_for(EXITED)
        assert f"{EXITED}0" in screen
    finally:
        pane.kill()
    logged = subprocess.run(
        [sys.executable, "-m", "calmkit", "log", "--json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env={**os.environ, **environment},
        cwd=REPO_ROOT,
    )
    [record] = json.loads(logged.stdout)
    assert (record["profile"], record["status"]) == ("me", "stopped")
    assert [(c["when"], c["item"], c["value"]) for c in record["checkins"]] == [
        ("before", "stress", 3),
        ("after", "stress", 1),
    ]
    # The day's record is in the journal too, under the day rather than the session.
    daily = subprocess.run(
        [sys.executable, "-m", "calmkit", "export", "--out", str(tmp_path / "all.zip")],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env={**os.environ, **environment},
        cwd=REPO_ROOT,
    )
    assert "1 session of 1 profile" in daily.stdout
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        practice = json.loads(archive.read("practice.json"))
    assert [(d["profile"], d["item"], d["value"]) for d in practice["daily"]] == [
        ("me", "activities", "school")
    ]
