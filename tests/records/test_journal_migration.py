"""Journals written by earlier calmkits are upgraded in place, and nothing is lost.

Each old journal here is made the way the old code made it: its schema is the
released migration copied verbatim (version 1 from commit c10c033, version 2
added by commit 85639d1), and its rows are written with the INSERT and UPDATE
statements that code ran. They are frozen copies on purpose: the migrations
in journal.py must keep turning exactly these files into the current schema.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.cli import main as calmkit_main
from calmkit.content.library import load_library
from calmkit.records.journal import SCHEMA_VERSION, Journal, Progress, open_journal
from calmkit.report.csv import render_csv
from calmkit.report.figures import build_report
from calmkit.report.json import report_json

V1_SCHEMA = (
    """
    CREATE TABLE profiles (
        name     TEXT PRIMARY KEY NOT NULL,
        age      INTEGER,
        created  TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE sessions (
        id              INTEGER PRIMARY KEY,
        profile         TEXT NOT NULL,
        target          TEXT NOT NULL,
        title           TEXT NOT NULL DEFAULT '',
        tier            TEXT,
        together_group  TEXT,
        started         TEXT NOT NULL,
        ended           TEXT,
        status          TEXT NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'completed', 'stopped', 'interrupted')),
        steps_done      INTEGER NOT NULL DEFAULT 0 CHECK (steps_done >= 0),
        steps_total     INTEGER NOT NULL DEFAULT 0 CHECK (steps_total >= 0),
        seconds         REAL NOT NULL DEFAULT 0 CHECK (seconds >= 0),
        updated         TEXT NOT NULL,
        pid             INTEGER
    )
    """,
    "CREATE INDEX sessions_by_profile ON sessions (profile, started)",
    "CREATE INDEX sessions_running ON sessions (status) WHERE status = 'running'",
    """
    CREATE TABLE checkins (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER REFERENCES sessions (id) ON DELETE CASCADE,
        profile     TEXT NOT NULL,
        moment      TEXT NOT NULL CHECK (moment IN ('before', 'after', 'daily')),
        item        TEXT NOT NULL,
        value       NOT NULL CHECK (typeof(value) IN ('integer', 'text')),
        at          TEXT NOT NULL
    )
    """,
    "CREATE INDEX checkins_by_session ON checkins (session_id)",
    "CREATE INDEX checkins_by_profile ON checkins (profile, at)",
)
V2_SCHEMA = (
    "ALTER TABLE sessions ADD COLUMN plan TEXT",
    "ALTER TABLE sessions ADD COLUMN plan_session INTEGER",
    "ALTER TABLE sessions ADD COLUMN scripts TEXT NOT NULL DEFAULT ''",
)

START = "2026-11-25T17:00:00+01:00"
END = "2026-11-25T17:08:00+01:00"
DEAD_PID = 2**22 + 12345  # above Linux's pid_max: no process has it


def old_journal(path: Path, version: int) -> None:
    """A journal as calmkit version ``version`` of the schema left it."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    for statement in V1_SCHEMA + (V2_SCHEMA if version >= 2 else ()):
        connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {version}")
    # ensure_profile, then start_session (a row 'running' at once) for Leo, 6.
    connection.execute(
        "INSERT INTO profiles (name, age, created) VALUES (?, ?, ?)", ("Leo", 6, START)
    )
    connection.execute(
        "INSERT OR IGNORE INTO profiles (name, created) VALUES (?, ?)", ("Dad", START)
    )
    columns = (
        "profile, target, title, tier, together_group, started, status, steps_done,"
        " steps_total, seconds, updated, pid"
    )
    values = "?, ?, ?, ?, ?, ?, 'running', 0, ?, 0, ?, ?"
    rows = [
        ("Leo", "balloon-belly", "Balloon Belly", "young", "g1", START, 24, START, DEAD_PID),
        ("Dad", "balloon-belly", "Balloon Belly", "young", "g1", START, 24, START, DEAD_PID),
        ("Leo", "lemon-squeeze", "Lemon Squeeze", "young", None, START, 30, START, DEAD_PID),
    ]
    for row in rows:
        if version >= 2:
            connection.execute(
                f"INSERT INTO sessions ({columns}, plan, plan_session, scripts)"
                f" VALUES ({values}, ?, ?, ?)",
                (*row, None, None, row[1]),
            )
        else:
            connection.execute(f"INSERT INTO sessions ({columns}) VALUES ({values})", row)
    # record_progress at step boundaries, then finish_session for the first two.
    connection.execute(
        "UPDATE sessions SET steps_done = ?, seconds = ?, updated = ? WHERE id = ?",
        (12, 240.0, START, 3),
    )
    for session_id in (1, 2):
        connection.execute(
            "UPDATE sessions SET status = ?, steps_done = ?, seconds = ?, ended = ?,"
            " updated = ? WHERE id = ?",
            ("completed", 24, 419.0, END, END, session_id),
        )
    # The old faces dialog stored Leo's "upset" face as 8 and "very calm" as 0.
    checkins = [
        (1, "Leo", "before", "stress", 8, START),
        (1, "Leo", "after", "stress", 0, END),
        (2, "Dad", "before", "stress", 4, START),
        (None, "Leo", "daily", "activities", "school,friends", END),
    ]
    for checkin in checkins:
        connection.execute(
            "INSERT INTO checkins (session_id, profile, moment, item, value, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            checkin,
        )
    connection.close()


def dump(path: Path, table: str, columns: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
    finally:
        connection.close()


OLD_SESSION_COLUMNS = (
    "id, profile, target, title, tier, together_group, started, ended, status,"
    " steps_done, steps_total, seconds, updated, pid"
)
OLD_CHECKIN_COLUMNS = "id, session_id, profile, moment, item, value, at"


@pytest.mark.parametrize("version", [1, 2])
def test_an_old_journal_is_upgraded_in_place_and_keeps_every_row(
    isolated_home: Path, version: int
) -> None:
    path = locations.journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    old_journal(path, version)
    sessions_before = dump(path, "sessions", OLD_SESSION_COLUMNS)
    checkins_before = dump(path, "checkins", OLD_CHECKIN_COLUMNS)
    profiles_before = dump(path, "profiles", "name, age, created")
    plan_columns_before = (
        dump(path, "sessions", "plan, plan_session, scripts") if version >= 2 else None
    )

    journal = open_journal()  # migrates, then recovers the dead process's row
    journal.close()

    assert dump(path, "sessions", "1")  # still the same file, not a new one
    connection = sqlite3.connect(path)
    # 3 is time heard; the people entry after it (test_people.py) came later.
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    connection.close()
    assert not list(path.parent.glob("*.broken-*"))
    # Every old value is still there; the one running row is now interrupted.
    after = dump(path, "sessions", OLD_SESSION_COLUMNS)
    expected = [
        row if row[0] != 3 else (*row[:8], "interrupted", *row[9:]) for row in sessions_before
    ]
    assert [row[:7] + row[8:] for row in after] == [row[:7] + row[8:] for row in expected]
    assert after[2][7] == START  # it ended, as far as we know, at its last write
    assert dump(path, "checkins", OLD_CHECKIN_COLUMNS) == checkins_before
    assert dump(path, "profiles", "name, age, created") == profiles_before
    if version >= 2:
        assert dump(path, "sessions", "plan, plan_session, scripts") == plan_columns_before
    else:
        assert dump(path, "sessions", "plan, plan_session, scripts") == [(None, None, "")] * 3
    # What was never measured stays unknown: not 0, not a guess.
    assert (
        dump(path, "sessions", "seconds_heard, steps_skipped, script_seconds, seconds_needed")
        == [(None, None, None, None)] * 3
    )
    assert dump(path, "checkins", "scale") == [(None,)] * 4


@pytest.mark.parametrize("version", [1, 2])
def test_upgraded_rows_read_as_before_and_count_by_the_old_rule(
    isolated_home: Path, version: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = locations.journal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    old_journal(path, version)
    with Journal() as journal:
        records = journal.sessions()
        assert [(r.profile, r.status, r.seconds, r.heard) for r in records] == [
            ("Leo", "completed", 419.0, 419.0),
            ("Dad", "completed", 419.0, 419.0),
            ("Leo", "running", 240.0, 240.0),
        ]
        # Completed, or stopped after a minute: the rule of their day.
        assert [r.practice for r in records] == [True, True, False]
        assert [(c.item, c.value, c.scale) for c in records[0].checkins] == [
            ("stress", 8, None),
            ("stress", 0, None),
        ]
        # New rows go on beside them.
        new = journal.start_session(
            "Leo", "x", "X", "young", 3, script_seconds=60, seconds_needed=30
        )
        journal.add_checkin("Leo", "before", "stress", 4, new, scale="faces")
        journal.finish_session(new, "completed", Progress(3, 60.0, 12.0, 2))
        report = build_report(journal, load_library(), "Leo")
    section = report.profiles[0]
    older = [note for note in section.notes if "older calmkit" in note]
    assert older and older[0].startswith("1 session recorded by an older calmkit")
    # Leo's two stress answers may have been faces: the note says how they were stored.
    faces = [note for note in section.notes if "0, 3, 5, 8 and 10" in note]
    assert faces and faces[0].startswith("2 stress answers of young-tier sessions")
    data = report_json(report)["profiles"][0]
    first = data["sessions"][0]  # type: ignore[index]
    assert (first["seconds"], first["seconds_heard"], first["practice"]) == (419.0, None, True)
    last = data["sessions"][-1]  # type: ignore[index]
    assert (last["seconds_heard"], last["steps_skipped"], last["practice"]) == (12.0, 2, False)
    csv_rows = render_csv(report).splitlines()
    assert ",seconds_heard,script_minutes,steps_skipped,practice" in csv_rows[0]
    assert csv_rows[1].endswith(",,,,yes,child")  # then profile_kind, added later
    assert calmkit_main(["log", "--json"]) == 0
    logged = json.loads(capsys.readouterr().out)
    # `log` recovered the dead process's row: interrupted after 240 s, practice by the old rule.
    assert [(entry["status"], entry["seconds_heard"], entry["practice"]) for entry in logged] == [
        ("completed", None, True),
        ("completed", None, True),
        ("interrupted", None, True),
        ("completed", 12.0, False),
    ]
    assert [
        (c["value"], c["scale"], c["face"] and c["face"]["words"]) for c in logged[-1]["checkins"]
    ] == [(4, "faces", "upset")]
