"""`calmkit play --plain` in a child process, answering on a real terminal (a pty):
typed numbers mean what was typed, young children get the faces as words, and
what is stored (and shown by `log`) is what was answered (issue 11, situations 1, 2, 9).
"""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from calmkit.records.answers import Answer
from calmkit.records.checkins import Question, ask_plain
from calmkit_child import REPO_ROOT, calmkit_env
from tiny_script import TINY

TIMEOUT = 60


def play_on_a_terminal(tmp_path: Path, typed: str, *arguments: str) -> str:
    """Play the tiny script with stdin on a pty, ``typed`` already waiting there."""
    script = tmp_path / "tiny.yaml"
    script.write_text(TINY, encoding="utf-8")
    controller, terminal = pty.openpty()
    try:
        os.write(controller, typed.encode())
        done = subprocess.run(
            [sys.executable, "-m", "calmkit", "play", str(script), "--plain", "--no-audio",
             *arguments],
            stdin=terminal,
            capture_output=True,
            text=True,
            env=calmkit_env(),
            cwd=REPO_ROOT,
            timeout=TIMEOUT,
            check=False,
        )  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


def calmkit_says(*arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "calmkit", *arguments],
        capture_output=True,
        text=True,
        env=calmkit_env(),
        cwd=REPO_ROOT,
        timeout=TIMEOUT,
        check=True,
    )
    return done.stdout


def logged() -> list[dict[str, object]]:
    return json.loads(calmkit_says("log", "--json"))  # type: ignore[no-any-return]


def test_a_teen_typing_10_records_10(tmp_path: Path) -> None:
    out = play_on_a_terminal(tmp_path, "10\n1 0\n0\n", "--profile", "Alexis", "--age", "15")
    assert "(0 calm to 10 most upset, Enter to skip) >" in out
    # Three seconds heard: never "1 minute".
    assert out.rstrip().endswith("All done. You took a few moments to practise. Well done.")
    [session] = logged()
    answers = [(c["when"], c["value"], c["scale"], c["face"]) for c in session["checkins"]]  # type: ignore[union-attr]
    assert answers == [("before", 10, "numbers", None), ("after", 10, "numbers", None)]
    assert session["seconds_heard"] == session["seconds"]
    assert session["practice"] is True


def test_a_young_child_answers_with_the_faces_and_they_stay_faces(tmp_path: Path) -> None:
    out = play_on_a_terminal(tmp_path, "4\n1\n0\n", "--profile", "Leo", "--age", "6")
    assert "1=(^‿^) very calm  2=(•‿•) calm  3=(•_•) in between  4=(ó_ò) upset" in out
    [session] = logged()
    answers = [(c["value"], c["scale"], c["face"]) for c in session["checkins"]]  # type: ignore[union-attr]
    assert answers == [
        (4, "faces", {"number": 4, "of": 5, "words": "upset", "drawing": "(ó_ò)"}),
        (1, "faces", {"number": 1, "of": 5, "words": "very calm", "drawing": "(^‿^)"}),
    ]
    text = calmkit_says("log")
    assert "stress (ó_ò) upset → (^‿^) very calm" in text


def test_a_grown_ups_mood_is_asked_on_its_own_scale() -> None:
    """Mood is 1 to 5: a grown-up (no faces) is told so, and 0, 6 to 9 and 10 do not fit."""
    typed = iter(["0", "7", "1 0", "4"])
    out = io.StringIO()
    grown_ups_mood = Question("Alex", "after", "mood", None, young=False, grown_up=True)
    answer = ask_plain(grown_ups_mood, lambda: next(typed), out)
    assert answer is None  # three answers that did not fit: skipped, never stored
    assert "How would you rate your mood now? (1 very low to 5 very good, Enter to skip) >" in (
        out.getvalue()
    )
    assert out.getvalue().count("That one did not fit") == 3
    typed = iter(["9", "5"])
    assert ask_plain(grown_ups_mood, lambda: next(typed), io.StringIO()) == Answer(5, "numbers")
