"""``calmkit narrate`` renders beside its clips, privately, and cleans up after a kill.

Real engines (flite: the fastest), real child processes, a real tmpfs as the
system temp folder (another filesystem, as on Debian 13, Fedora and Arch), a
real umask 000 and a real SIGKILL.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_narration import write_script

from calmkit_child import calmkit_env
from test_faults import small_tmpfs

# Needs real narration with flite: left out by -m 'not system'.
pytestmark = pytest.mark.system("flite")

LONG_SCRIPT = (
    "calmkit: 1\nid: many-lines\ntitle: Many Lines\nkind: breathing\nages: 7-10\nsteps:\n"
    + "".join(
        f"  - say: This is calm line number {number}, said slowly and gently.\n"
        for number in range(40)
    )
)


def narrate(script: Path, home: Path, tmpdir: Path | None = None, umask: int | None = None):
    def child_setup() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.Popen(
        [sys.executable, "-m", "calmkit", "narrate", str(script), "--engine", "flite"],
        env=calmkit_env(CALMKIT_HOME=str(home), TMPDIR=str(tmpdir) if tmpdir else None),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=child_setup,
    )


def modes(folder: Path) -> dict[str, int]:
    return {
        str(path.relative_to(folder)): stat.S_IMODE(path.lstat().st_mode)
        for path in [folder, *folder.rglob("*")]
    }


def test_narrate_works_when_the_system_temp_folder_is_another_filesystem(
    tmp_path: Path, isolated_home: Path
) -> None:
    with small_tmpfs(tmp_path / "tmpfs", "20m") as other:
        assert os.stat(other).st_dev != os.stat(isolated_home).st_dev
        child = narrate(write_script(tmp_path), isolated_home, tmpdir=other)
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, out + err
        assert " 0 failed" in out + err
        assert list(other.iterdir()) == []  # nothing was made, or left, there
    clips = list((isolated_home / "narration").rglob("*.ogg"))
    assert len(clips) >= 5


def test_under_umask_000_every_narration_folder_is_0700_and_file_0600(
    tmp_path: Path, isolated_home: Path
) -> None:
    child = narrate(write_script(tmp_path), isolated_home, umask=0)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, out + err
    found = modes(isolated_home / "narration")
    assert found, "nothing was narrated"
    for name, mode in found.items():
        path = isolated_home / "narration" / name
        assert mode == (0o700 if path.is_dir() else 0o600), (name, oct(mode))
    assert list((isolated_home / "narration").glob("*/.work")) == []  # no render left


def test_kill_9_mid_narrate_leaves_nothing_readable_and_the_leftovers_go_next_time(
    tmp_path: Path, isolated_home: Path
) -> None:
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    # What an older calmkit left in the temp folder when it was killed: a day old.
    old = system_temp / "calmkit-narrate-abc123"
    old.mkdir()
    (old / "clip.ogg").write_bytes(b"OggS")
    day_ago = time.time() - 86400
    os.utime(old, (day_ago, day_ago))
    script = tmp_path / "many.yaml"
    script.write_text(LONG_SCRIPT)
    child = narrate(script, isolated_home, tmpdir=system_temp)
    work = isolated_home / "narration"
    deadline = time.monotonic() + 120
    while not any(work.glob("*/.work/*/raw.wav")) and child.poll() is None:
        assert time.monotonic() < deadline, "no render started"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    leftovers = list(work.glob("*/.work/*"))
    assert leftovers, "killed with no render in progress: nothing tested"
    # What a kill leaves is in calmkit's own private folder, never readable by others.
    for path in [*work.rglob("*"), *system_temp.rglob("*")]:
        if path.is_file() and not path.is_relative_to(old):
            mode = stat.S_IMODE(path.stat().st_mode)
            inside_private = any(
                stat.S_IMODE(parent.stat().st_mode) == 0o700
                for parent in path.parents
                if parent.is_relative_to(isolated_home)
            )
            assert inside_private or mode & 0o077 == 0, (path, oct(mode))
    assert [p for p in system_temp.iterdir() if p != old] == []
    # The next narrate cleans the dead one's renders, and the old-style folder.
    again = narrate(write_script(tmp_path), isolated_home, tmpdir=system_temp)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, out + err
    assert not any(path.exists() for path in leftovers)
    assert not old.exists()
