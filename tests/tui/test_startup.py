"""The way to the home screen stays light: no sound, no numbers library, no YAML parser.

Start-up has a target (0.6 s, see benchmarks/tui_cpu.py); these libraries were
each once on the way to the first frame, and together cost more than that.
Each run is its own process, since this one has imported them all already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "pygame", "soundfile", "pyloudnorm", "scipy", "pkg_resources")

TO_THE_HOME_SCREEN = """
import json, sys
from calmkit.tui.app import AppOptions, make_app
from calmkit.tui.screens.home import HomeScreen

app = make_app(AppOptions())
shown = []
first_mount = HomeScreen.on_mount

def on_mount(self):
    first_mount(self)
    self.call_after_refresh(lambda: (shown.append(True), app.exit()))

HomeScreen.on_mount = on_mount
app.run(headless=True, size=(80, 24))
print(json.dumps({"shown": shown, "modules": sorted(sys.modules)}))
"""


def modules_loaded_by_the_home_screen() -> tuple[bool, set[str]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", TO_THE_HOME_SCREEN],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return bool(result["shown"]), set(result["modules"])


def test_the_home_screen_loads_no_sound_or_numbers_and_no_yaml_once_cached() -> None:
    shown, first = modules_loaded_by_the_home_screen()  # reads the scripts, writes the cache
    assert shown
    assert not first & set(HEAVY), sorted(first & set(HEAVY))
    assert "yaml" in first
    shown, again = modules_loaded_by_the_home_screen()
    assert shown
    assert not again & {*HEAVY, "yaml"}, sorted(again & {*HEAVY, "yaml"})
    # Nor the message catalogue: a cached library gives no message (content/messages.py).
    assert "tomllib" not in again
