"""CPU and memory of the terminal app while a session plays, and its start-up time, in tmux.

    python benchmarks/tui_cpu.py [--seconds 60] [--script balloon-belly] [--sound]

Start-up is measured from launching `calmkit` in an 80x24 tmux pane to the home
screen being drawn ("Today's practice" visible). The first start is timed on its
own: it reads every script and writes the library cache (and Python writes its
bytecode caches, as it does on a user's first run). The figure to compare with
the target is the median of the starts after it. For scale, the same is timed
for Textual's own floor: a minimal Textual app with the home screen's widgets
(Static, Button, OptionList, Footer) and none of calmkit. CPU is the share of one core
the app process used (utime + stime from /proc) while a session played, and
memory its peak resident size (VmHWM). Without --sound the null audio backend
is used, which measures the app itself; with --sound pygame plays through the
default sound device (for example a PulseAudio null sink).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def pane_text(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, timeout: float) -> float:
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        if text in pane_text(session):
            return time.perf_counter() - began
        time.sleep(0.01)
    raise SystemExit(f"'{text}' did not appear within {timeout} s:\n{pane_text(session)}")


def app_pid(session: str) -> int:
    """The python process running calmkit inside the pane."""
    pane = int(tmux("display", "-p", "-t", session, "#{pane_pid}").strip())
    # The pane runs the command through a shell (and perhaps a pyenv shim): find python.
    candidates = [pane]
    for _ in range(5):
        for pid in list(candidates):
            children = Path(f"/proc/{pid}/task/{pid}/children")
            if children.exists():
                candidates += [int(child) for child in children.read_text().split()]
        for pid in candidates:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command and b"python" in Path(command[0].decode()).name.encode():
                return pid
        time.sleep(0.1)
    raise SystemExit("could not find the calmkit process")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


TEXTUAL_FLOOR_APP = """
from textual.app import App
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, OptionList, Static


class Floor(App):
    BINDINGS = [("q", "quit", "Quit"), ("l", "bell", "Library"), ("s", "bell", "Settings")]

    def compose(self):
        with Horizontal():
            with Vertical():
                yield Static("Hi!")
                yield Static("Today's practice")
                yield Button("Start", variant="success")
            with Vertical():
                yield Static("Library")
                yield OptionList(*[f"script {number}" for number in range(20)])
                yield Static("")
        yield Footer()


Floor().run()
"""


def time_start(env: list[str], command: str, name: str) -> float:
    """Seconds from launching ``command`` in a fresh 80x24 pane to the home screen drawn."""
    session = f"calmkit-start-{os.getpid()}-{name}"
    began = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", *env, command)
    try:
        wait_for(session, "Today's practice", 20)
        return time.perf_counter() - began
    finally:
        tmux("kill-session", "-t", session)


def spread(seconds: list[float]) -> str:
    return (
        f"median {statistics.median(seconds):.2f} s "
        f"(min {min(seconds):.2f}, max {max(seconds):.2f}, {len(seconds)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--script", default="balloon-belly")
    parser.add_argument("--sound", action="store_true")
    parser.add_argument("--startups", type=int, default=9)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed: sudo apt-get install tmux")
    home = tempfile.mkdtemp(prefix="calmkit-bench-")
    # Bytecode caches as on a user's machine, even where the caller turned them off.
    env = ["-e", f"CALMKIT_HOME={home}", "-e", "PYTHONDONTWRITEBYTECODE="]
    if not args.sound:
        env += ["-e", "CALMKIT_AUDIO=null"]
    command = f"{sys.executable} -m calmkit"

    first_start = time_start(env, command, "first")
    startups = sorted(time_start(env, command, str(n)) for n in range(args.startups))
    floor_app = Path(home) / "textual_floor.py"
    floor_app.write_text(TEXTUAL_FLOOR_APP)
    floor_command = f"{sys.executable} {floor_app}"
    time_start(env, floor_command, "floor-first")
    floors = sorted(time_start(env, floor_command, f"floor{n}") for n in range(args.startups))

    session = f"calmkit-cpu-{os.getpid()}"
    tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", *env,
         f"{command} play {args.script}")  # fmt: skip
    try:
        wait_for(session, "Step ", 20)
        pid = app_pid(session)
        time.sleep(2)  # past the start: measure the steady playing state
        cpu_before, wall_before = cpu_seconds(pid), time.perf_counter()
        time.sleep(args.seconds)
        cpu_after, wall_after = cpu_seconds(pid), time.perf_counter()
        screen = pane_text(session)
        rss = peak_rss_mb(pid)
    finally:
        tmux("kill-session", "-t", session)
    share = (cpu_after - cpu_before) / (wall_after - wall_before) * 100
    print(f"machine: {os.cpu_count()} cores; audio: {'pygame' if args.sound else 'null'}")
    print(f"python: {sys.executable}")
    print(f"first start (reads every script, writes the caches): {first_start:.2f} s")
    print(f"start-up to the home screen: {spread(startups)}")
    print(f"Textual's floor, a bare app with the same widgets: {spread(floors)}")
    print(f"CPU while '{args.script}' plays: {share:.2f}% of one core over {args.seconds:.0f} s")
    print(f"peak RSS: {rss:.1f} MB")
    last = [line for line in screen.splitlines() if "Step" in line]
    print(f"last status line: {last[-1].strip() if last else '?'}")


if __name__ == "__main__":
    main()
