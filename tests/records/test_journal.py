"""The practice journal on real SQLite files: durability, privacy, damage, concurrency, `calmkit log`.

Rows are read back through a second connection, the way another process (or
the family's next `calmkit log`) would see them, never through the journal's own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.audio.backend import NullBackend
from calmkit.cli import main
from calmkit.content.timeline import Cue, Timeline
from calmkit.playback.player import Player
from calmkit.playback.recorder import JournalRecorder
from calmkit.records.journal import (
    SCHEMA_VERSION,
    Journal,
    JournalUnavailable,
    Progress,
    new_together_group,
)
from doubles import FakeClock

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT = 60


@pytest.fixture
def journal() -> Iterator[Journal]:
    with Journal() as opened:
        yield opened


def rows(query: str, parameters: tuple[object, ...] = ()) -> list[sqlite3.Row]:
    """Read through a connection of our own, as another process would."""
    connection = sqlite3.connect(locations.journal_path())
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(query, parameters).fetchall()
    finally:
        connection.close()


def session_row(session_id: int) -> sqlite3.Row:
    found = rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
    assert len(found) == 1
    return found[0]


def write(statement: str, parameters: tuple[object, ...] = ()) -> None:
    connection = sqlite3.connect(locations.journal_path(), isolation_level=None)
    try:
        connection.execute(statement, parameters)
    finally:
        connection.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def child_env() -> dict[str, str]:
    env = dict(os.environ)  # CALMKIT_HOME comes from the autouse fixture
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    return env


def dead_pid() -> int:
    """The pid of a process that has come and gone (and been waited for)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the file: schema, modes, pragmas ------------------------------------------------------


def test_schema_version_tables_and_wal(journal: Journal) -> None:
    assert rows("PRAGMA user_version")[0][0] == SCHEMA_VERSION >= 1
    tables = {row[0] for row in rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "checkins", "profiles"} <= tables
    columns = {row[1] for row in rows("PRAGMA table_info(sessions)")}
    assert {
        "id", "profile", "target", "title", "tier", "together_group", "started", "ended",
        "status", "steps_done", "steps_total", "seconds",
    } <= columns  # fmt: skip
    assert {row[1] for row in rows("PRAGMA table_info(checkins)")} >= {
        "id", "session_id", "profile", "moment", "item", "value", "at",
    }  # fmt: skip
    assert {row[1] for row in rows("PRAGMA table_info(profiles)")} >= {"name", "age", "created"}
    # WAL is a property of the file: a second connection sees it.
    assert rows("PRAGMA journal_mode")[0][0] == "wal"
    own = journal._connection
    assert own is not None
    assert own.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert own.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert own.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_an_old_journal_is_migrated(isolated_home: Path) -> None:
    path = locations.journal_path()
    sqlite3.connect(path).close()  # an empty database at user_version 0
    with Journal() as journal:
        journal.start_session("Sam", "belly", "Belly", "kid", 4)
    assert rows("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    assert len(rows("SELECT * FROM sessions")) == 1


def test_a_journal_from_a_newer_calmkit_is_refused_not_moved(isolated_home: Path) -> None:
    path = locations.journal_path()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    connection.close()
    with pytest.raises(JournalUnavailable, match="newer calmkit"):
        Journal().open()
    assert sorted(p.name for p in isolated_home.iterdir()) == ["journal.sqlite3"]


def test_folder_is_0700_and_files_0600_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "deep" / "calmkit"
    old_umask = os.umask(0)
    try:
        with Journal(home / "journal.sqlite3") as journal:
            journal.start_session("Sam", "belly", "Belly", "kid", 4)
            assert mode(home) == 0o700
            # While it is open in WAL mode the -wal and -shm files exist: private too.
            for name in ("journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm"):
                assert mode(home / name) == 0o600, name
    finally:
        os.umask(old_umask)


def test_an_open_journal_file_is_made_private_in_a_folder_left_as_it_was(
    isolated_home: Path,
) -> None:
    """An older calmkit's journal right in an open CALMKIT_HOME: it goes on being used,
    made 0600, and the folder (maybe shared) keeps its mode."""
    path = locations.journal_path()
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    os.chmod(isolated_home, 0o755)
    assert locations.journal_path() == path
    Journal().open().close()
    assert mode(isolated_home) == 0o755
    assert mode(path) == 0o600


# --- writing as it goes -------------------------------------------------------------------


def test_a_session_row_exists_right_after_start(journal: Journal) -> None:
    session_id = journal.start_session("Sam", "belly-breathing", "Belly breathing", "kid", 6)
    row = session_row(session_id)
    assert row["status"] == "running"
    assert (row["profile"], row["target"], row["title"], row["tier"]) == (
        "Sam",
        "belly-breathing",
        "Belly breathing",
        "kid",
    )
    assert (row["steps_done"], row["steps_total"], row["seconds"]) == (0, 6, 0)
    assert row["ended"] is None and row["together_group"] is None
    started = dt.datetime.fromisoformat(row["started"])
    assert started.tzinfo is not None
    assert abs((dt.datetime.now().astimezone() - started).total_seconds()) < 5
    # The child is a profile from the first session on.
    assert [profile.name for profile in journal.profiles()] == ["Sam"]


def test_progress_is_visible_at_once(journal: Journal) -> None:
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    for step in (1, 2, 3):
        journal.record_progress(session_id, Progress(step, step * 12.25))
        row = session_row(session_id)
        assert (row["steps_done"], row["seconds"], row["status"]) == (
            step,
            round(step * 12.25, 1),
            "running",
        )


@pytest.mark.parametrize("status", ["completed", "stopped"])
def test_finishing(journal: Journal, status: str) -> None:
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    journal.finish_session(session_id, status, Progress(4, 250.0))
    row = session_row(session_id)
    assert (row["status"], row["steps_done"], row["seconds"]) == (status, 4, 250.0)
    assert dt.datetime.fromisoformat(row["ended"]) >= dt.datetime.fromisoformat(row["started"])
    # A late progress call cannot turn a finished session back into a running one.
    journal.record_progress(session_id, Progress(5, 260.0))
    assert session_row(session_id)["status"] == status
    assert session_row(session_id)["steps_done"] == 4


def test_finishing_with_an_unknown_status_is_refused(journal: Journal) -> None:
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    with pytest.raises(ValueError, match="completed"):
        journal.finish_session(session_id, "done", Progress(4, 250.0))
    assert session_row(session_id)["status"] == "running"


def test_together_sessions_share_a_group(journal: Journal) -> None:
    group = new_together_group()
    child = journal.start_session("Sam", "belly", "Belly", "kid", 6, together_group=group)
    parent = journal.start_session("Mum", "belly", "Belly", "kid", 6, together_group=group)
    other = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    assert session_row(child)["together_group"] == session_row(parent)["together_group"] == group
    assert session_row(other)["together_group"] is None


def test_checkins_keep_their_type_and_belong_to_their_session(journal: Journal) -> None:
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    journal.add_checkin("Sam", "before", "stress", 6, session_id=session_id)
    journal.add_checkin("Sam", "after", "stress", 3, session_id=session_id)
    journal.add_checkin("Sam", "daily", "school", "yes")
    journal.add_checkin("Sam", "daily", "exercise", True)
    stored = rows("SELECT moment, item, value, typeof(value) AS kind, session_id FROM checkins")
    assert [tuple(row) for row in stored] == [
        ("before", "stress", 6, "integer", session_id),
        ("after", "stress", 3, "integer", session_id),
        ("daily", "school", "yes", "text", None),
        ("daily", "exercise", 1, "integer", None),
    ]
    (record,) = journal.sessions()
    assert [(c.moment, c.item, c.value) for c in record.checkins] == [
        ("before", "stress", 6),
        ("after", "stress", 3),
    ]
    with pytest.raises(ValueError, match="before"):
        journal.add_checkin("Sam", "during", "stress", 5)
    with pytest.raises(TypeError):
        journal.add_checkin("Sam", "daily", "stress", 5.5)  # type: ignore[arg-type]


def test_profiles(journal: Journal) -> None:
    journal.ensure_profile("Sam", age=9)
    journal.ensure_profile("Alex")
    journal.ensure_profile("Sam")  # no age given: the stored one stays
    assert [(p.name, p.age) for p in journal.profiles()] == [("Alex", None), ("Sam", 9)]
    journal.ensure_profile("Sam", age=10)
    assert [(p.name, p.age) for p in journal.profiles()] == [("Alex", None), ("Sam", 10)]
    assert journal.profiles()[0].created.tzinfo is not None
    with pytest.raises(ValueError):
        journal.ensure_profile("  ")


# --- interrupted sessions ----------------------------------------------------------------


def test_recover_interrupted(journal: Journal) -> None:
    gone = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    journal.record_progress(gone, Progress(2, 30.0))
    live_elsewhere = journal.start_session("Alex", "belly", "Belly", "kid", 6)
    stale = journal.start_session("Alex", "grounding", "Grounding", "teen", 5)
    ours = journal.start_session("Sam", "imagery", "Imagery", "kid", 5)
    done = journal.start_session("Sam", "pmr", "Muscles", "kid", 8)
    journal.finish_session(done, "completed", Progress(8, 600.0))
    # Pretend the rows were written by other processes: one dead, one alive (our parent),
    # and one alive but silent for a day (its pid was reused long after it died).
    write("UPDATE sessions SET pid = ? WHERE id = ?", (dead_pid(), gone))
    write("UPDATE sessions SET pid = ? WHERE id = ?", (os.getppid(), live_elsewhere))
    yesterday = (dt.datetime.now().astimezone() - dt.timedelta(days=1)).isoformat()
    write("UPDATE sessions SET pid = ?, updated = ? WHERE id = ?", (os.getppid(), yesterday, stale))

    assert journal.recover_interrupted() == 2
    assert session_row(gone)["status"] == "interrupted"
    assert session_row(gone)["steps_done"] == 2
    # It ended, as far as anyone knows, at its last write.
    assert session_row(gone)["ended"] == session_row(gone)["updated"]
    assert session_row(stale)["status"] == "interrupted"
    assert session_row(live_elsewhere)["status"] == "running"
    assert session_row(ours)["status"] == "running"
    assert session_row(done)["status"] == "completed"
    assert journal.recover_interrupted() == 0


def test_a_session_wrongly_called_interrupted_comes_back(journal: Journal) -> None:
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    write("UPDATE sessions SET status = 'interrupted' WHERE id = ?", (session_id,))
    journal.record_progress(session_id, Progress(3, 40.0))
    assert session_row(session_id)["status"] == "running"


def test_a_row_with_our_pid_that_we_did_not_start_is_interrupted(journal: Journal) -> None:
    # A row carrying our pid that this process did not start: an earlier, killed calmkit.
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    other = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    write("UPDATE sessions SET id = 999 WHERE id = ?", (other,))
    assert journal.recover_interrupted() == 1
    assert session_row(999)["status"] == "interrupted"
    assert session_row(session_id)["status"] == "running"


KILLED_CHILD = """
import time
from calmkit.records.journal import Journal, Progress
journal = Journal().open()
session_id = journal.start_session("Sam", "belly-breathing", "Belly breathing", "kid", 6)
for step in (1, 2, 3):
    journal.record_progress(session_id, Progress(step, step * 10.0))
print("ready", session_id, flush=True)
time.sleep(120)
"""


def test_kill_9_leaves_an_interrupted_row(capsys: pytest.CaptureFixture[str]) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("ready"), line
        session_id = int(line.split()[1])
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=CHILD_TIMEOUT)
        if child.stdout:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    # Nothing closed the journal: its commits are only in the WAL.
    assert Path(f"{locations.journal_path()}-wal").exists()

    code, out, err = run_cli(capsys, "log", "--json")
    assert (code, err) == (0, "")
    (entry,) = json.loads(out)
    assert entry["id"] == session_id
    assert (entry["status"], entry["steps_done"], entry["steps_total"]) == ("interrupted", 3, 6)
    assert entry["seconds"] == 30.0
    assert entry["ended"] is not None


# --- damaged journals ----------------------------------------------------------------------


def neighbours(folder: Path) -> dict[str, tuple[bytes, float]]:
    """Everything in the folder but the journal's own files, with contents and times."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime)
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith("journal.sqlite3")
    }


def broken_copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("journal.sqlite3.broken-*"))


def put_neighbours(folder: Path) -> None:
    (folder / "settings.json").write_text('{"theme": "calm"}\n')
    (folder / "scripts").mkdir()
    (folder / "scripts" / "mine.yaml").write_text("id: mine\n")
    (folder / "notes.txt").write_bytes(b"not ours")


def check_fresh_journal_works(journal: Journal) -> None:
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    assert session_row(session_id)["status"] == "running"
    assert [record.id for record in journal.sessions()] == [session_id]


def test_random_bytes_are_moved_aside(isolated_home: Path) -> None:
    put_neighbours(isolated_home)
    before = neighbours(isolated_home)
    garbage = os.urandom(8192)
    locations.journal_path().write_bytes(garbage)
    # A stale WAL beside it (SQLite discards one that fits no database, or it is
    # moved aside with the file) must never be replayed into the new journal.
    old_wal = Path(f"{locations.journal_path()}-wal")
    old_wal.write_bytes(b"old wal")

    with Journal() as journal:
        broken = broken_copies(isolated_home)[0]
        assert broken.read_bytes() == garbage
        assert not old_wal.exists() or not old_wal.read_bytes().startswith(b"old wal")
        assert journal.notice is not None and "\n" not in journal.notice
        assert broken.name in journal.notice and "new journal" in journal.notice
        check_fresh_journal_works(journal)
    assert neighbours(isolated_home) == before
    assert (isolated_home / "scripts" / "mine.yaml").read_text() == "id: mine\n"


def make_real_journal(sessions: int) -> None:
    with Journal() as journal:
        for number in range(sessions):
            session_id = journal.start_session("Sam", f"script-{number}", "x" * 200, "kid", 6)
            journal.add_checkin("Sam", "before", "stress", number % 11, session_id=session_id)
            journal.finish_session(session_id, "completed", Progress(6, 300.0))


# Cut in half or to a sliver SQLite notices at once; cut near the end, only
# quick_check finds the lost rows.
@pytest.mark.parametrize("keep", [0.5, 0.99, 0.02])
def test_a_truncated_journal_is_moved_aside(isolated_home: Path, keep: float) -> None:
    make_real_journal(300)
    path = locations.journal_path()
    assert not Path(f"{path}-wal").exists()  # closed cleanly: everything is in the file
    whole = path.read_bytes()
    assert len(whole) > 40_000
    cut = whole[: int(len(whole) * keep)]
    path.write_bytes(cut)
    put_neighbours(isolated_home)
    before = neighbours(isolated_home)

    with Journal() as journal:
        (broken,) = broken_copies(isolated_home)
        assert broken.read_bytes() == cut
        assert journal.notice is not None and broken.name in journal.notice
        assert "\n" not in journal.notice
        check_fresh_journal_works(journal)
    assert neighbours(isolated_home) == before


def test_log_tells_about_a_damaged_journal(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locations.journal_path().write_bytes(b"SQLite format 2\x00" + os.urandom(4000))
    code, out, err = run_cli(capsys, "log")
    assert (code, out) == (0, "No practice logged yet.\n")
    assert err.startswith("calmkit: The practice journal could not be read")
    assert err.count("\n") == 1
    assert len(broken_copies(isolated_home)) == 1


# --- a folder that cannot be written -----------------------------------------------------


def test_a_read_only_folder_gives_a_clear_message(isolated_home: Path) -> None:
    path = locations.journal_path()
    if os.geteuid() == 0:
        # chmod does not stop root: put a folder where the journal file goes instead,
        # which fails for root too (and must not be mistaken for a damaged journal).
        path.mkdir()
        os.chmod(isolated_home, 0o500)
        expected = "folder"
    else:
        os.chmod(isolated_home, 0o500)
        expected = "read-only"
    try:
        with pytest.raises(JournalUnavailable) as caught:
            Journal().open()
    finally:
        os.chmod(isolated_home, 0o700)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("cannot use the practice journal")
    assert str(path) in message and expected in message
    assert broken_copies(isolated_home) == []
    # The folder was left as the user made it.
    assert sorted(p.name for p in isolated_home.iterdir()) == (
        ["journal.sqlite3"] if os.geteuid() == 0 else []
    )


def test_a_file_in_the_way_of_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("CALMKIT_HOME", str(blocker / "calmkit"))
    with pytest.raises(JournalUnavailable, match="part of its path is a file"):
        Journal().open()
    assert blocker.read_text() == ""


def test_a_full_journal_gives_a_clear_message_and_stays_usable(journal: Journal) -> None:
    first = journal.start_session("Sam", "belly", "Belly", "kid", 6)
    connection = journal._connection
    assert connection is not None
    # SQLite's own limit: a real SQLITE_FULL, as on a full disk.
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(JournalUnavailable, match="the disk is full") as caught:
        for _ in range(10_000):
            journal.add_checkin("Sam", "daily", "note", "x" * 500)
    assert "\n" not in str(caught.value)
    # The failed transaction was rolled back: reading and small updates still work.
    journal.record_progress(first, Progress(1, 5.0))
    assert session_row(first)["steps_done"] == 1
    assert [record.id for record in journal.sessions()] == [first]


# --- two processes at once ------------------------------------------------------------------

WRITER_CHILD = """
import sys
from calmkit.records.journal import Journal, Progress
name = sys.argv[1]
journal = Journal().open()
print("ready", flush=True)
sys.stdin.readline()
for number in range(200):
    session_id = journal.start_session(name, "belly", "Belly", "kid", 3)
    journal.add_checkin(name, "before", "stress", number % 11, session_id=session_id)
    journal.record_progress(session_id, Progress(1, 1.5))
    journal.finish_session(session_id, "completed", Progress(3, 4.5))
journal.close()
print("done", flush=True)
"""


def test_two_processes_writing_at_once_lose_nothing() -> None:
    # Both open a journal that does not exist yet, at the same moment, then write.
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CHILD, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for name in ("Sam", "Alex")
    ]
    try:
        for writer in writers:
            assert writer.stdout is not None
            assert writer.stdout.readline() == "ready\n"
        for writer in writers:
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
        results = [writer.communicate(timeout=CHILD_TIMEOUT) for writer in writers]
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert out == "done\n"
    assert rows("SELECT count(*) FROM sessions")[0][0] == 400
    assert rows("SELECT count(*) FROM checkins")[0][0] == 400
    counts = dict(rows("SELECT profile, count(*) FROM sessions GROUP BY profile"))
    assert counts == {"Sam": 200, "Alex": 200}
    assert (
        rows("SELECT count(*) FROM sessions WHERE status = 'completed' AND steps_done = 3")[0][0]
        == 400
    )
    assert rows("PRAGMA integrity_check")[0][0] == "ok"


def test_many_connections_creating_one_journal_at_once(tmp_path: Path) -> None:
    # Threads hold separate connections, which SQLite locks like separate processes.
    for attempt in range(5):
        path = tmp_path / f"try-{attempt}" / "journal.sqlite3"
        start = threading.Barrier(8)
        failures: list[BaseException] = []

        def open_and_write(
            path: Path = path,
            start: threading.Barrier = start,
            failures: list[BaseException] = failures,
        ) -> None:
            try:
                start.wait()
                with Journal(path) as journal:
                    journal.start_session("Sam", "belly", "Belly", "kid", 3)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=open_and_write) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(CHILD_TIMEOUT)
        assert failures == []
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("SELECT count(*) FROM sessions").fetchone()[0] == 8
        connection.close()


# --- calmkit log -------------------------------------------------------------------------


def fill_journal() -> dict[str, int]:
    with Journal() as journal:
        finished = journal.start_session("Sam", "belly-breathing", "Belly breathing", "kid", 12)
        journal.add_checkin("Sam", "before", "stress", 6, session_id=finished)
        journal.add_checkin("Sam", "after", "stress", 3, session_id=finished)
        journal.finish_session(finished, "completed", Progress(12, 545.0))
        stopped = journal.start_session("Alex", "pmr-teen", "Muscle relaxation", "teen", 16)
        journal.finish_session(stopped, "stopped", Progress(5, 200.0))
        killed = journal.start_session("Sam", "grounding", "5-4-3-2-1", "kid", 7)
        journal.record_progress(killed, Progress(2, 95.0))
        journal.add_checkin("Sam", "daily", "school", "yes")
    # The last session's process is gone: pretend it was another one, now dead.
    write("UPDATE sessions SET pid = ? WHERE id = ?", (dead_pid(), killed))
    # The finished one was practised in January 2024.
    write(
        "UPDATE sessions SET started = '2024-01-05T16:05:00+01:00',"
        " ended = '2024-01-05T16:14:05+01:00' WHERE id = ?",
        (finished,),
    )
    return {"finished": finished, "stopped": stopped, "killed": killed}


def test_log_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    ids = fill_journal()
    code, out, err = run_cli(capsys, "log", "--json")
    assert (code, err) == (0, "")
    entries = json.loads(out)
    assert [entry["id"] for entry in entries] == [ids["finished"], ids["stopped"], ids["killed"]]
    for entry in entries:
        assert set(entry) >= {
            "id", "profile", "target", "started", "ended", "status",
            "steps_done", "steps_total", "seconds", "checkins",
        }  # fmt: skip
        assert dt.datetime.fromisoformat(entry["started"]).tzinfo is not None
    first, second, third = entries
    assert (first["profile"], first["target"], first["status"]) == (
        "Sam",
        "belly-breathing",
        "completed",
    )
    assert (first["started"], first["ended"]) == (
        "2024-01-05T16:05:00+01:00",
        "2024-01-05T16:14:05+01:00",
    )
    assert (first["steps_done"], first["steps_total"], first["seconds"]) == (12, 12, 545.0)
    assert [(c["when"], c["item"], c["value"]) for c in first["checkins"]] == [
        ("before", "stress", 6),
        ("after", "stress", 3),
    ]
    assert all(dt.datetime.fromisoformat(c["at"]).tzinfo for c in first["checkins"])
    assert (second["status"], second["steps_done"], second["checkins"]) == ("stopped", 5, [])
    # `log` recovers first: the dead process's row is interrupted, not running.
    assert (third["status"], third["steps_done"], third["seconds"]) == ("interrupted", 2, 95.0)


def test_log_json_keys_and_their_order_are_the_contract(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Scripts and spreadsheets read `log --json`: a key may be added, never renamed or moved."""
    fill_journal()
    _, out, _ = run_cli(capsys, "log", "--json")
    first = json.loads(out)[0]
    assert list(first) == [
        "id", "profile", "target", "title", "tier", "together_group", "started", "ended",
        "status", "steps_done", "steps_total", "seconds", "checkins", "plan", "scripts",
        "seconds_heard", "steps_skipped", "script_seconds", "seconds_needed", "practice",
        "profile_kind", "grown_up",
    ]  # fmt: skip
    assert (first["title"], first["tier"], first["together_group"], first["plan"]) == (
        "Belly breathing",
        "kid",
        None,
        None,
    )
    assert (first["scripts"], first["seconds_heard"], first["steps_skipped"]) == ([], 545.0, 0)
    assert (first["practice"], first["profile_kind"], first["grown_up"]) == (True, "child", False)


def test_log_filters_by_profile_and_since(capsys: pytest.CaptureFixture[str]) -> None:
    ids = fill_journal()
    _, out, _ = run_cli(capsys, "log", "--json", "--profile", "sam")
    assert [entry["id"] for entry in json.loads(out)] == [ids["finished"], ids["killed"]]
    _, out, _ = run_cli(capsys, "log", "--json", "--since", "2024-01-06")
    assert [entry["id"] for entry in json.loads(out)] == [ids["stopped"], ids["killed"]]
    _, out, _ = run_cli(capsys, "log", "--json", "--since", "2024-01-05")
    assert len(json.loads(out)) == 3
    _, out, _ = run_cli(capsys, "log", "--json", "--profile", "Alex", "--since", "2024-01-06")
    assert [entry["id"] for entry in json.loads(out)] == [ids["stopped"]]
    code, out, _ = run_cli(capsys, "log", "--json", "--profile", "Nobody")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run_cli(capsys, "log", "--profile", "Nobody")
    assert (code, out) == (0, "No practice logged for Nobody yet.\n")
    code, out, _ = run_cli(capsys, "log", "--since", "2999-01-01")
    assert (code, out) == (0, "No practice logged since 2999-01-01.\n")


def test_log_text(capsys: pytest.CaptureFixture[str]) -> None:
    fill_journal()
    code, out, err = run_cli(capsys, "log")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == [
        "Date",
        "Time",
        "Who",
        "What",
        "Heard",
        "Status",
        "Steps",
        "Check-ins",
    ]
    finished, stopped, killed = lines[1:4]
    assert finished.startswith("Fri 5 Jan 2024  16:05  Sam ")
    assert "Belly breathing" in finished and " 9 " in finished
    assert "completed" in finished and "12/12" in finished and finished.endswith("stress 6 → 3")
    assert "Alex" in stopped and "stopped early" in stopped and "5/16" in stopped
    assert "interrupted" in killed and "2/7" in killed and " 2 " in killed
    assert "3 sessions, about 14 minutes of practice heard." in lines
    assert "Daily check-ins" in lines
    assert lines[-1].split()[-3:] == ["Sam", "school", "yes"]
    # Columns line up: every status starts where the header's does.
    column = lines[0].index("Status")
    assert [line[column:].split("  ")[0] for line in lines[1:4]] == [
        "completed",
        "stopped early",
        "interrupted",
    ]


def test_log_on_an_empty_journal(isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "log")
    assert (code, out, err) == (0, "No practice logged yet.\n", "")
    code, out, err = run_cli(capsys, "log", "--json")
    assert (code, json.loads(out), err) == (0, [], "")
    # Looking does not create a journal.
    assert not locations.journal_path().exists()
    Journal().open().close()
    code, out, err = run_cli(capsys, "log")
    assert (code, out, err) == (0, "No practice logged yet.\n", "")


@pytest.mark.parametrize("since", ["yesterday", "2024-13-01", "05/01/2024", ""])
def test_log_with_a_bad_since_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], since: str
) -> None:
    code, out, err = run_cli(capsys, "log", "--since", since)
    if since == "":
        # An empty --since means no filter.
        assert (code, err) == (0, "")
        return
    assert (code, out) == (2, "")
    assert err == f"calmkit: --since wants a date like 2026-03-01, got '{since}'\n"


def test_log_on_an_unusable_folder(capsys: pytest.CaptureFixture[str]) -> None:
    locations.journal_path().mkdir()  # a folder where the file should be
    code, out, err = run_cli(capsys, "log")
    assert (code, out) == (1, "")
    assert err.startswith("calmkit: cannot use the practice journal") and err.count("\n") == 1


# --- the recorder: a player on a fake clock ----------------------------------------------


def three_step_timeline() -> Timeline:
    cues = tuple(
        Cue(start=step * 10.0, duration=10.0, kind="say", step=step, text=f"step {step}")
        for step in range(3)
    )
    return Timeline(id="belly", title="Belly", tier="kid", cues=cues, step_count=3)


def playing(journal: Journal) -> tuple[Player, FakeClock, JournalRecorder, int]:
    clock = FakeClock()
    player = Player(three_step_timeline(), NullBackend(), clock=clock)
    session_id = journal.start_session("Sam", "belly", "Belly", "kid", player.step_count)
    recorder = JournalRecorder(journal, session_id, player)
    player.start()
    return player, clock, recorder, session_id


def progress(session_id: int) -> tuple[str, int, float]:
    row = session_row(session_id)
    return row["status"], row["steps_done"], row["seconds"]


def test_recorder_updates_at_each_step_and_completes(journal: Journal) -> None:
    player, clock, recorder, session_id = playing(journal)
    assert recorder in player.listeners
    clock.advance(0.5)
    player.poll()
    recorder.settle()
    assert progress(session_id) == ("running", 0, 0.5)
    clock.advance(5.0)  # inside step 0: no step boundary, no write
    player.poll()
    recorder.settle()
    assert progress(session_id) == ("running", 0, 0.5)
    clock.advance(5.0)  # 10.5: step 1 begins, step 0 is done
    player.poll()
    recorder.settle()
    assert progress(session_id) == ("running", 1, 10.5)
    clock.advance(10.0)
    player.poll()
    recorder.settle()
    assert progress(session_id) == ("running", 2, 20.5)
    assert player.run() == "completed"
    recorder.flush()
    assert progress(session_id) == ("completed", 3, 30.0)
    assert session_row(session_id)["ended"] is not None
    assert recorder.notice is None


def test_recorder_marks_a_stop(journal: Journal) -> None:
    player, clock, recorder, session_id = playing(journal)
    clock.advance(10.5)
    player.poll()
    clock.advance(2.0)
    player.stop()
    recorder.flush()
    assert progress(session_id) == ("stopped", 1, 12.5)


def test_a_journal_failure_never_stops_the_session() -> None:
    journal = Journal(busy_timeout_ms=50).open()
    player, clock, recorder, session_id = playing(journal)
    clock.advance(0.5)
    player.poll()
    recorder.settle()
    assert progress(session_id) == ("running", 0, 0.5)
    # Another program takes the journal's write lock and keeps it.
    other = sqlite3.connect(locations.journal_path(), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    clock.advance(10.0)
    player.poll()
    recorder.settle()
    assert recorder.notice is not None and "locked" in recorder.notice
    assert "\n" not in recorder.notice
    other.execute("ROLLBACK")
    other.close()
    # The session plays on to the end; the recorder has stopped writing.
    assert player.run() == "completed"
    recorder.flush()
    assert player.steps_done == 3
    assert progress(session_id) == ("running", 0, 0.5)
    journal.close()
