"""Reading works when writing cannot: a read-only or full data folder still shows the journal.

A real read-only bind mount and a real full tmpfs (the tests run as root; they
fail, not skip, where mounting is not allowed). ``log``, ``report`` and
``export`` show what is in the journal, with one note that nothing new can be
saved, and the app's garden still grows on the home screen, with that notice.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from calmkit import locations
from calmkit_child import calmkit_env
from test_faults import can_mount, fill, put_user_data, read_only, small_tmpfs, snapshot

NOTE = "cannot be written just now, so this shows the practice journal as it is"


def calmkit(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calmkit", *argv],
        env=calmkit_env(),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_reading(tmp_path: Path, sessions: int) -> None:
    done = calmkit("log", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == sessions
    assert NOTE in done.stderr and "Traceback" not in done.stderr
    done = calmkit("report", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)
    assert NOTE in done.stderr
    out = tmp_path / "export.zip"
    done = calmkit("export", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        record = json.loads(archive.read("practice.json"))
    assert len(record["sessions"]) == sessions


def test_a_read_only_data_folder_still_shows_the_journal(
    tmp_path: Path, isolated_home: Path
) -> None:
    if not can_mount():
        pytest.fail("this test needs root and mount(8) for a real read-only folder")
    put_user_data(isolated_home, sessions=3)
    before = snapshot(isolated_home)
    journal_before = locations.journal_path().read_bytes()
    with read_only(isolated_home):
        check_reading(tmp_path, 3)
    assert snapshot(isolated_home) == before
    assert locations.journal_path().read_bytes() == journal_before


def test_a_full_data_folder_still_shows_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with small_tmpfs(tmp_path / "small-disk", "2m") as place:
        home = place / "home"
        monkeypatch.setenv("CALMKIT_HOME", str(home))
        put_user_data(home, sessions=20)
        filler = fill(home)
        check_reading(tmp_path, 20)
        filler.unlink()
