"""An import is whole or absent, even killed with SIGKILL, and two at once never mix.

Real child processes import a real pack into a real data folder. A child that
is to die at a chosen moment kills itself with SIGKILL from inside the call it
dies in (the n-th file staged, the n-th file renamed into place); another is
killed from outside at whatever moment it has reached. The next calmkit to
start (``calmkit list`` here) finishes or removes what was cut short.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from test_import import pack_files

from calmkit import locations
from calmkit_child import calmkit_env
from pack_files import clip_bytes, script_text, write

EXPECTED = [
    "plans/sam-4-weeks.yaml",
    "recordings/balloon-belly/welcome.ogg",
    "recordings/calm-lake/welcome.ogg",
    "recordings/sea-breath/welcome.ogg",
    "scripts/calm-lake.yaml",
    "scripts/intro.ogg",
    "scripts/sea-breath.yaml",
]
OURS = ("plans", "recordings", "scripts")


def library_files(home: Path) -> list[str]:
    return sorted(
        path.relative_to(home).as_posix()
        for folder in OURS
        for path in (home / folder).rglob("*")
        if path.is_file()
    )


def everything(home: Path) -> list[str]:
    return sorted(path.relative_to(home).as_posix() for path in home.rglob("*"))


def a_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    for name, data in pack_files().items():
        write(pack / name, data)
    return pack


def dying_import(pack: Path, home: Path, call: str, nth: int) -> subprocess.CompletedProcess[str]:
    """``calmkit import PACK`` in a child that SIGKILLs itself at the ``nth`` ``call``."""
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        from calmkit.packs import staging
        real = getattr(staging, {call!r})
        calls = []
        def dying(*args, **kwargs):
            calls.append(1)
            if len(calls) == {nth}:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        setattr(staging, {call!r}, dying)
        if {call!r} == "_put_in_place":
            staging.Stage.commit.__globals__["_put_in_place"] = dying
        from calmkit.cli import main
        sys.exit(main(["import", {str(pack)!r}]))
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=calmkit_env(CALMKIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def next_start(home: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "calmkit", "list"],
        env=calmkit_env(CALMKIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_killed_while_staging_leaves_nothing_and_the_stage_is_cleaned(tmp_path: Path) -> None:
    home = tmp_path / "home"
    died = dying_import(a_pack(tmp_path), home, "_fsync_folder", 1)
    assert died.returncode == -signal.SIGKILL, died.stderr
    # Killed with every file staged but not committed: the library has none of it.
    assert library_files(home) == []
    assert any((home / ".staging").iterdir())
    note = next_start(home)
    assert "changed nothing" in note
    assert everything(home) == [".import.lock"]


def test_killed_halfway_into_place_is_finished_at_the_next_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    died = dying_import(a_pack(tmp_path), home, "_put_in_place", 3)
    assert died.returncode == -signal.SIGKILL, died.stderr
    assert 0 < len(library_files(home)) < len(EXPECTED)  # two of seven in place
    note = next_start(home)
    assert "was finished" in note
    assert library_files(home) == EXPECTED
    assert not (home / ".staging").exists()
    for path in home.rglob("*"):
        assert not path.name.endswith(".tmp"), path
        wanted = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == wanted, path


def test_killed_from_outside_at_any_moment_is_all_or_nothing(tmp_path: Path) -> None:
    """SIGKILL from outside once the import starts writing (the first new entry in the
    data folder), then a little later each time."""
    pack = a_pack(tmp_path)
    for attempt, delay in enumerate((0.0, 0.001, 0.002, 0.004, 0.008, 0.016, 0.05)):
        home = tmp_path / f"home-{attempt}"
        home.mkdir(mode=0o700)
        child = subprocess.Popen(
            [sys.executable, "-m", "calmkit", "import", str(pack)],
            env=calmkit_env(CALMKIT_HOME=str(home)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not set(os.listdir(home)) - {".import.lock"} and child.poll() is None:
            assert time.monotonic() < deadline
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        next_start(home)
        assert library_files(home) in ([], EXPECTED), (attempt, library_files(home))
        assert not (home / ".staging").exists()
        assert not [path for path in home.rglob("*.tmp")]


def test_two_imports_of_the_same_id_at_once_one_wins_the_other_says_so(tmp_path: Path) -> None:
    home = tmp_path / "home"
    go = tmp_path / "go"
    files = []
    for name in ("first", "second"):
        path = tmp_path / name / "robin.yaml"
        write(path, script_text("robin-breath") + f"# the {name} version\n")
        files.append(path)
    code = textwrap.dedent(
        """
        import os, sys, time
        go = sys.argv[1]
        while not os.path.exists(go):
            time.sleep(0.001)
        from calmkit.cli import main
        sys.exit(main(["import", sys.argv[2]]))
        """
    )
    env = calmkit_env(CALMKIT_HOME=str(home))
    # Both children load everything first, then start the import at the same moment.
    children = [
        subprocess.Popen(
            [sys.executable, "-c", "import calmkit.packs.importer\n" + code, str(go), str(f)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    time.sleep(1.5)
    go.write_text("")
    outcomes = [child.communicate(timeout=120) for child in children]
    codes = sorted(child.returncode for child in children)
    said = "\n".join(out + err for out, err in outcomes)
    assert codes == [0, 1], said
    assert said.count("added script 'robin-breath'") == 1, said
    assert "already exists: use --replace" in said
    installed = (home / "scripts" / "robin-breath.yaml").read_text("utf-8")
    winner = files[[child.returncode for child in children].index(0)]
    assert installed == winner.read_text("utf-8")


def test_a_full_disk_while_staging_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_faults import small_tmpfs

    with small_tmpfs(tmp_path / "small", "1m") as place:
        home = place / "home"
        pack = tmp_path / "pack"
        sounds = "".join(f"  - sound: {{file: big{index}.wav}}\n" for index in range(6))
        write(pack / "scripts" / "big.yaml", script_text("big-breath", sounds))
        for index in range(6):  # about 1.3 MB of sound: more than the disk holds
            write(pack / "scripts" / f"big{index}.wav", clip_bytes(seconds=5, fmt="WAV"))
        from test_import import messages

        from calmkit.packs.importer import import_path

        monkeypatch.setenv("CALMKIT_HOME", str(home))
        result = import_path(pack)
        assert not result.ok
        assert "No space left on device" in messages(result), messages(result)
        assert everything(home) == [".import.lock"]


def test_an_import_leaves_no_stage_and_no_temporary_behind(tmp_path: Path) -> None:
    from calmkit.packs.importer import import_path

    assert import_path(a_pack(tmp_path)).ok
    home = locations.user_data_dir()
    assert library_files(home) == EXPECTED
    assert [p for p in everything(home) if not p.startswith(OURS)] == [".import.lock"]
