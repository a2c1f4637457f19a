"""`calmkit play --plain` end to end, in a real process, in real time."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from calmkit.content.timeline import CHIME_SECONDS
from calmkit.plain import GUEST_NOTE
from calmkit_child import calmkit_env, start_calmkit
from tiny_script import TINY, TINY_CAPTIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
# About three seconds heard: never "1 minute".
CLOSING = "All done. You took a few moments to practise. Well done."

# One-word lines are read at the young tier's pace: at least 1 s each, plus the 0.2 s pause.
SHORT = """\
calmkit: 1
id: short-test
title: Short Test
kind: breathing
ages: 5-18
steps:
  - chime: start
  - say: Hello
    pause: 0.2
  - breathe:
      in: 1
      out: 1
      count: 1
  - say: Goodbye
    pause: 0.2
  - chime: end
"""


def shipped_chime(name: str) -> float:
    manifest = json.loads((REPO_ROOT / "audio" / "manifest.json").read_text("utf-8"))
    return max(CHIME_SECONDS, float(manifest["chimes"][name]["seconds"]))


def timed_lines(process: subprocess.Popen[str], limit: float = 60.0) -> list[tuple[float, str]]:
    """Every stdout line with the moment it arrived (seconds since this call)."""
    watchdog = threading.Timer(limit, process.kill)
    watchdog.start()
    began = time.monotonic()
    lines: list[tuple[float, str]] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append((time.monotonic() - began, line.rstrip("\n")))
        process.wait()
    finally:
        watchdog.cancel()
    return lines


@pytest.mark.alone  # captions on the clock
def test_play_plain_prints_captions_in_real_time(tmp_path: Path) -> None:
    script = tmp_path / "short.yaml"
    script.write_text(SHORT, encoding="utf-8")
    start, end = shipped_chime("start"), shipped_chime("end")
    assert (start, end) == (3.5, 4.5), "the shipped chimes changed length: update this test"
    # chime 0-3.5, Hello 3.5-4.7, in 4.7-5.7, out 5.7-6.7, Goodbye 6.7-7.9, chime 7.9-12.4
    duration = 12.4
    captions = [
        (3.5, "[00:03] Hello"),
        (4.7, "[00:04] breathe in"),
        (5.7, "[00:05] breathe out"),
        (6.7, "[00:06] Goodbye"),
    ]

    began = time.monotonic()
    process = start_calmkit("play", "--plain", str(script), env=calmkit_env(), cwd=tmp_path)
    lines = timed_lines(process)
    wall = time.monotonic() - began
    stderr = process.stderr.read() if process.stderr else ""

    assert process.returncode == 0, stderr
    assert stderr == ""
    assert [text for _, text in lines] == [
        "Short Test",
        "tier: young  length: 00:12  audio: null",
        GUEST_NOTE,
        *(caption for _, caption in captions),
        CLOSING,
    ]
    assert "tier:" in lines[1][1] and "audio: null" in lines[1][1]
    # Real time: no caption before its moment (counted from the header, printed just
    # before the clock starts), and the whole session takes the timeline's length.
    header_at = lines[1][0]
    for (at, caption), (arrived, text) in zip(captions, lines[3:7], strict=True):
        assert text == caption
        assert arrived - header_at >= at - 0.5, f"{caption!r} came {arrived - header_at:.2f} s in"
    assert lines[-1][0] - header_at >= duration - 0.5
    assert wall >= duration - 0.5


@pytest.mark.alone  # captions on the clock
def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    script = tmp_path / "short.yaml"
    script.write_text(SHORT, encoding="utf-8")
    process = start_calmkit("play", "--plain", str(script), env=calmkit_env(), cwd=tmp_path)
    assert process.stdout is not None
    began = time.monotonic()
    # Wait for the header so that the signal lands while the session plays.
    assert process.stdout.readline() == "Short Test\n"
    assert process.stdout.readline().startswith("tier: young")
    # Nobody named: a guest session, and it says so.
    assert process.stdout.readline() == GUEST_NOTE + "\n"
    time.sleep(max(0.0, 1.5 - (time.monotonic() - began)))
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 130, err
    assert "Traceback" not in out + err
    assert err == ""
    # Still inside the start chime (0-3.5 s): no caption yet, then the closing words.
    lines = out.splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith("Stopped after 00:0")
    assert lines[0].endswith(". Any practice counts.")


def test_no_audio_plays_captions_only(tmp_path: Path) -> None:
    script = tmp_path / "tiny.yaml"
    script.write_text(TINY, encoding="utf-8")
    env = calmkit_env(CALMKIT_AUDIO=None, SDL_AUDIODRIVER="dummy")
    process = start_calmkit("play", "--plain", "--no-audio", str(script), env=env, cwd=tmp_path)
    lines = [text for _, text in timed_lines(process)]
    stderr = process.stderr.read() if process.stderr else ""
    assert process.returncode == 0, stderr
    assert lines == [
        "Tiny Test",
        "tier: young  length: 00:03  audio: null",
        GUEST_NOTE,
        *TINY_CAPTIONS,
        CLOSING,
    ]
    assert stderr == ""


# A line announcing tones, said only with sound, and the line shown instead without it.
TWINS = TINY.replace(
    "  - breathe:",
    "  - when: sound\n    say: Tones now\n    pause: 0.2\n"
    "  - when: no-sound\n    say: Words now\n    pause: 0.2\n  - breathe:",
)


@pytest.mark.parametrize(
    ("audio", "said", "not_said"),
    [
        (["--no-audio"], "[00:01] Words now", "Tones now"),
        ([], "[00:01] Tones now", "Words now"),
    ],
    ids=["no sound", "sound (SDL's dummy device)"],
)
def test_a_line_announcing_sounds_is_printed_only_when_sound_plays(
    tmp_path: Path, audio: list[str], said: str, not_said: str
) -> None:
    script = tmp_path / "twins.yaml"
    script.write_text(TWINS, encoding="utf-8")
    env = calmkit_env(CALMKIT_AUDIO=None, SDL_AUDIODRIVER="dummy")
    process = start_calmkit("play", "--plain", *audio, str(script), env=env, cwd=tmp_path)
    lines = [text for _, text in timed_lines(process)]
    stderr = process.stderr.read() if process.stderr else ""
    assert process.returncode == 0, stderr
    assert lines[3:6] == ["[00:00] Hi", said, "[00:02] breathe in"], lines
    assert not any(not_said in line for line in lines)


def test_a_sound_device_that_cannot_open_falls_back_with_a_notice(tmp_path: Path) -> None:
    script = tmp_path / "tiny.yaml"
    script.write_text(TINY, encoding="utf-8")
    env = calmkit_env(CALMKIT_AUDIO=None, SDL_AUDIODRIVER="nosuchdriver")
    process = start_calmkit("play", "--plain", str(script), env=env, cwd=tmp_path)
    lines = [text for _, text in timed_lines(process)]
    stderr = process.stderr.read() if process.stderr else ""
    assert process.returncode == 0, stderr
    assert lines == [
        "Tiny Test",
        "tier: young  length: 00:03  audio: null",
        "note: no sound device found, showing captions only",
        GUEST_NOTE,
        *TINY_CAPTIONS,
        CLOSING,
    ]
    assert "Traceback" not in stderr


def test_an_unknown_target_exits_1_with_a_suggestion(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "calmkit", "play", "--plain", "balloon-bely"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=calmkit_env(),
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "calmkit: there is no script or plan called 'balloon-bely' "
        "(did you mean 'balloon-belly'?)\n"
    )
