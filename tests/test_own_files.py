"""calmkit's own files are never followed through a link, and only plain files are read.

Real symlinks (to a file calmkit must not touch, to another app's SQLite file,
dangling), real named pipes and real devices stand where calmkit's journal,
settings and cache belong, or are given to ``calmkit import``. Each would harm
something, hang, or read gigabytes if calmkit opened it as it once did; a child
process with a timeout and a memory limit runs the cases that would hang or grow.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.records.journal import Journal
from calmkit.records.settings import Settings, load_settings, save_settings
from calmkit_child import calmkit_env


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def moved_aside(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}.moved-*"))


def run(*argv: str, home: Path, timeout: float = 60, memory: int | None = None):
    """``calmkit ARGV`` in a child: a hang is a failed test, not a stuck run."""
    code = "import sys; from calmkit.cli import main; sys.exit(main(sys.argv[1:]))"
    if memory is not None:
        code = (
            "import resource; "
            f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory})); " + code
        )
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        env=calmkit_env(CALMKIT_HOME=str(home)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- the journal -----------------------------------------------------------------------------


def test_a_journal_linked_to_a_file_leaves_that_file_alone(
    isolated_home: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "passwd"
    victim.write_text("root:x:0:0:root:/root:/bin/bash\n")
    victim.chmod(0o644)
    journal_path = locations.journal_path()
    journal_path.symlink_to(victim)
    journal = Journal().open()
    journal.ensure_profile("Sam", 9)
    journal.close()
    assert mode_of(victim) == 0o644
    assert victim.read_text() == "root:x:0:0:root:/root:/bin/bash\n"
    (aside,) = moved_aside(isolated_home, "journal.sqlite3")
    assert aside.is_symlink() and aside.resolve() == victim
    assert journal_path.is_file() and not journal_path.is_symlink()
    assert mode_of(journal_path) == 0o600
    assert journal.notice is not None
    assert "symbolic link" in journal.notice and aside.name in journal.notice


def test_a_dangling_journal_link_creates_nothing_where_it_points(
    isolated_home: Path, tmp_path: Path
) -> None:
    nowhere = tmp_path / "elsewhere" / "journal.sqlite3"
    nowhere.parent.mkdir()
    locations.journal_path().symlink_to(nowhere)
    Journal().open().close()
    assert not nowhere.exists()
    assert locations.journal_path().is_file()


def test_a_link_to_another_apps_database_gets_none_of_calmkits_tables(
    isolated_home: Path, tmp_path: Path
) -> None:
    other = tmp_path / "photos.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE photos (name TEXT)")
    before = other.read_bytes()
    locations.journal_path().symlink_to(other)
    journal = Journal().open()
    journal.ensure_profile("Sam", 9)
    journal.close()
    assert other.read_bytes() == before
    with sqlite3.connect(other) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master")]
    assert tables == ["photos"]


def test_linked_side_files_are_moved_aside_too(isolated_home: Path, tmp_path: Path) -> None:
    Journal().open().close()
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    victim.chmod(0o644)
    for suffix in ("-wal", "-shm"):
        Path(f"{locations.journal_path()}{suffix}").symlink_to(victim)
    journal = Journal().open()
    journal.ensure_profile("Sam", 9)
    journal.close()
    assert victim.read_bytes() == b"keep" and mode_of(victim) == 0o644
    assert len(moved_aside(isolated_home, "journal.sqlite3-wal")) == 1
    assert len(moved_aside(isolated_home, "journal.sqlite3-shm")) == 1


def test_calmkit_log_says_a_link_was_moved_aside(isolated_home: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("x")
    locations.journal_path().symlink_to(victim)
    done = run("log", home=isolated_home)
    assert done.returncode == 0, done.stderr
    assert "symbolic link" in done.stderr and "Traceback" not in done.stderr
    assert victim.read_text() == "x"


def test_a_named_pipe_as_the_journal_does_not_hang(isolated_home: Path) -> None:
    os.mkfifo(locations.journal_path())
    done = run("log", home=isolated_home, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "not a plain file" in done.stderr


# --- settings and the library cache ------------------------------------------------------------


def test_settings_through_a_link_are_not_read_or_written(
    isolated_home: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"theme": "night", "profile": "Someone"}))
    other.chmod(0o644)
    locations.settings_path().symlink_to(other)
    assert load_settings() == Settings()
    (note,) = locations.take_notices()
    assert "settings.json" in note and "default settings" in note
    save_settings(Settings(theme="high-contrast"))
    assert json.loads(other.read_text()) == {"theme": "night", "profile": "Someone"}
    assert mode_of(other) == 0o644
    assert not locations.settings_path().is_symlink()
    assert load_settings().theme == "high-contrast"


@pytest.mark.parametrize(("depth", "said"), [(30_000, "nested too deeply"), (100_000, "too large")])
def test_settings_nested_deeply_are_defaults_and_one_note(
    isolated_home: Path, depth: int, said: str
) -> None:
    locations.settings_path().write_text("[" * depth + "]" * depth)
    assert load_settings() == Settings()
    assert load_settings() == Settings()
    (note,) = locations.take_notices()
    assert said in note


def test_a_huge_settings_file_is_not_read(isolated_home: Path) -> None:
    with locations.settings_path().open("wb") as stream:
        stream.truncate(2 * 1024**3)  # 2 GiB, sparse
    assert load_settings() == Settings()
    (note,) = locations.take_notices()
    assert "too large" in note


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("settings.json", "from calmkit.records.settings import load_settings as read"),
        ("cache/library.json", "from calmkit.content.library import load_library as read"),
    ],
)
def test_a_named_pipe_where_calmkit_reads_its_own_file_does_not_hang(
    isolated_home: Path, name: str, reader: str
) -> None:
    path = isolated_home / name
    path.parent.mkdir(mode=0o700, exist_ok=True)
    os.mkfifo(path)
    call = "read(cached=True)" if "library" in reader else "read()"
    done = subprocess.run(
        [sys.executable, "-c", f"{reader}; {call}; print('read')"],
        env=calmkit_env(CALMKIT_HOME=str(isolated_home)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0 and done.stdout == "read\n", done.stderr


def test_a_cache_folder_that_is_a_link_is_moved_aside_not_written_through(
    isolated_home: Path, tmp_path: Path
) -> None:
    from calmkit.content.library import load_library

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (isolated_home / "cache").symlink_to(elsewhere)
    assert "calm-place" in load_library(cached=True).scripts
    assert list(elsewhere.iterdir()) == []
    assert (isolated_home / "cache" / "library.json").is_file()
    assert mode_of(isolated_home / "cache") == 0o700
    (note,) = locations.take_notices()
    assert "symbolic link" in note and len(moved_aside(isolated_home, "cache")) == 1


# --- calmkit import of something that is not a file ---------------------------------------------


def test_import_of_a_device_reads_nothing(isolated_home: Path) -> None:
    done = run("import", "/dev/zero", home=isolated_home, timeout=30, memory=1024**3)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[0].startswith("/dev/zero: error: is not a plain file")


@pytest.mark.parametrize("name", ["pack.zip", "plan.yaml", "pack"])
def test_import_of_a_named_pipe_does_not_wait_for_ever(
    isolated_home: Path, tmp_path: Path, name: str
) -> None:
    pipe = tmp_path / name
    os.mkfifo(pipe)
    done = run("import", str(pipe), home=isolated_home, timeout=30)
    assert done.returncode == 1, done.stderr
    assert "is not a plain file" in done.stderr.splitlines()[0]


def test_validate_of_a_named_pipe_says_so_without_waiting(
    isolated_home: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "script.yaml"
    os.mkfifo(pipe)
    done = run("validate", str(pipe), home=isolated_home, timeout=30)
    assert done.returncode == 1
    assert f"{pipe}:1:1: error: is not a plain file" in done.stdout + done.stderr


def test_a_recording_that_is_a_link_is_not_played(isolated_home: Path, tmp_path: Path) -> None:
    from calmkit.audio.clips import SessionClips
    from pack_files import clip_bytes

    real = tmp_path / "elsewhere.ogg"
    real.write_bytes(clip_bytes())
    folder = locations.recordings_dir() / "balloon-belly"
    folder.mkdir(parents=True)
    (folder / "welcome.ogg").symlink_to(real)
    assert SessionClips(None).recorded_step("balloon-belly", "welcome") is None
    (folder / "welcome.ogg").unlink()
    (folder / "welcome.ogg").write_bytes(clip_bytes())
    assert SessionClips(None).recorded_step("balloon-belly", "welcome") is not None


def test_a_link_in_the_user_library_is_not_followed_and_is_said(
    isolated_home: Path, tmp_path: Path
) -> None:
    from calmkit.content.library import load_library
    from pack_files import script_text

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.yaml").write_text(script_text("linked-breath"))
    (elsewhere / "inner").mkdir()
    (elsewhere / "inner" / "deep.yaml").write_text(script_text("deep-breath"))
    scripts = locations.user_scripts_dir()
    scripts.mkdir(parents=True)
    (scripts / "linked.yaml").symlink_to(elsewhere / "linked.yaml")
    (scripts / "folder").symlink_to(elsewhere / "inner", target_is_directory=True)
    (scripts / "own.yaml").write_text(script_text("own-breath"))
    for cached in (False, True):
        library = load_library(cached=cached)
        assert "own-breath" in library.scripts
        assert "linked-breath" not in library.scripts and "deep-breath" not in library.scripts
        said = {problem.path: problem.message for problem in library.problems}
        assert "is a symbolic link" in said[str(scripts / "linked.yaml")]
        assert "is a symbolic link" in said[str(scripts / "folder")]
