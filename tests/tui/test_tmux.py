"""The app in a real terminal (tmux, 80x24), driven by keys as a child would drive it.

A fresh install: `calmkit` with an empty CALMKIT_HOME and no sound device. The
first screen asks who is practising (a name, an age, Enter), Enter then
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
from calmkit.records.today import today_for

# Needs a real terminal: left out by -m 'not system'.
pytestmark = pytest.mark.system("tmux")

REPO_ROOT = Path(__file__).resolve().parents[2]
EXITED = "calmkit-exited-"
WAIT_SECONDS = 20.0
IVYS_AGE = 10


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

    def styled(self) -> str:
        """The pane with its colours (escape codes): shows where the focus is."""
        return self.tmux("capture-pane", "-p", "-e", "-t", self.name)

    def send_and_settle(self, *keys: str, timeout: float = WAIT_SECONDS) -> None:
        """Send keys, then wait until the screen has answered them (it looks different):
        typing into a field that has not got the focus yet would go astray."""
        before = self.styled()
        self.send(*keys)
        deadline = time.monotonic() + timeout
        while self.styled() == before:
            if time.monotonic() > deadline:
                pytest.fail(f"the pane did not change after {keys!r}:\n{self.text()}")
            time.sleep(0.05)

    def type_into_form(self, *fields: str) -> None:
        """Fill a form field by field, as a person does: each field, then Enter."""
        for text in fields:
            self.send_and_settle(*text)
            self.send_and_settle("Enter")

    def kill(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=10, check=False)


def terminal_environment(home: Path) -> dict[str, str]:
    """What calmkit runs with in the pane: the test's own data folder, no sound device."""
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


def first_words_of_today(age: int) -> str:
    """The first words of the first line of what a fresh install suggests today at an age."""
    first = today_for(None, age, load_library()).first
    assert first is not None
    timeline = timeline_of(first.target, age=age)
    text = next(cue.text for cue in timeline.cues if cue.kind == "say" and cue.text)
    # The caption wraps: its first few words are on the first line.
    return " ".join(text.split()[:4])


def test_a_child_drives_calmkit_in_a_real_terminal(tmp_path: Path, isolated_home: Path) -> None:
    environment = terminal_environment(isolated_home)
    python = shlex.quote(sys.executable)
    # After the app ends, say how it ended and keep the pane open to be read.
    command = f"{python} -m calmkit; echo {EXITED}$?; sleep 60"
    caption = first_words_of_today(IVYS_AGE)
    pane = Pane(tmp_path / "tmux.sock")
    try:
        pane.start(command, environment)
        pane.wait_for("Hello! Who is practising today?")
        pane.type_into_form("Ivy", str(IVYS_AGE))
        pane.wait_for("Hi, Ivy!")
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
        pane.wait_for("Hi, Ivy!")
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
    assert (record["profile"], record["profile_kind"], record["status"]) == (
        "Ivy",
        "child",
        "stopped",
    )
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
        ("Ivy", "activities", "school")
    ]


def test_a_family_in_a_real_terminal_plans_grown_ups_and_a_profile_in_use(
    tmp_path: Path, isolated_home: Path
) -> None:
    """A real Alex, 11, is not given the example plan written for an Alex; Dad joins as a
    grown-up and is asked as one; while he practises, another calmkit cannot delete
    him (this window's palette offers no profile commands mid-practice at all)."""
    environment = terminal_environment(isolated_home)
    python = shlex.quote(sys.executable)
    command = f"{python} -m calmkit --profile Alex --age 11; echo {EXITED}$?; sleep 60"
    alex_note = load_library().plans["alex-teen-8-weeks"].note
    assert alex_note
    pane = Pane(tmp_path / "tmux.sock")
    try:
        pane.start(command, environment)
        pane.wait_for("Hi, Alex!")
        screen = pane.wait_for("Start: ")  # a suggestion for an 11-year-old, no plan
        # Situation 3: no stranger's plan by first name (its note, its sessions).
        assert " ".join(alex_note.split()[:3]) not in screen
        # Situation 5: Dad, a grown-up (Tab to 'A grown-up', Space, Enter).
        pane.send_and_settle("p")
        pane.wait_for("Who is practising?")
        pane.send_and_settle("End")
        pane.send_and_settle("Up")
        pane.send_and_settle("Enter")
        pane.send_and_settle(*"Dad")
        pane.send_and_settle("Enter")
        pane.send_and_settle("Tab")
        pane.send_and_settle("Space")
        pane.send_and_settle("Enter")
        pane.wait_for("Hi, Dad!")
        pane.send("Enter")
        pane.wait_for("Before we begin: how stressed or tense do you feel right now?")
        screen = pane.wait_for("relaxed")
        assert "very calm" not in screen and "^   ^" not in screen  # no faces for a grown-up
        pane.send("2")
        pane.wait_for("Step ")
        # Situation 8: another calmkit on the same data folder cannot delete Dad now.
        forget = subprocess.run(
            [sys.executable, "-m", "calmkit", "forget", "--profile", "Dad", "--yes"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **environment},
            cwd=REPO_ROOT,
        )
        assert forget.returncode == 1
        assert "Dad is practising right now" in forget.stderr
        assert "Traceback" not in forget.stderr and "FOREIGN KEY" not in forget.stderr
        pane.send("C-q")
        pane.wait_for(EXITED)
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
    assert (record["profile"], record["grown_up"], record["plan"]) == ("Dad", True, None)
    assert [(c["when"], c["value"]) for c in record["checkins"]] == [("before", 2)]
