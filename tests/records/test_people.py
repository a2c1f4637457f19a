"""Who practises, below the faces and on the command line: plans given (never guessed),
grown-ups and guests, the journal upgrade that brings them, and profiles in use."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.content.library import load_library
from calmkit.records.journal import (
    _MIGRATIONS,
    SCHEMA_VERSION,
    Journal,
    ProfileGone,
    ProfileInUse,
    Progress,
    _reason,
)
from calmkit.records.people import (
    BadName,
    Person,
    adopt_imported_plans,
    age_problem,
    clean_name,
    content_age,
    people_age,
)
from calmkit_child import calmkit_env, start_calmkit
from tiny_script import TINY

NOAH_PLAN = """\
calmkit: 1
plan: {id}
for: Noah
age: 9
schedule:
  - weeks: 1-4
    sessions:
      - scripts: [{script}]
settings:
  skip: [{skip}]
"""

# The schema before the people entry: the versions an older calmkit wrote.
PEOPLE_VERSION = next(
    number
    for number, statements in enumerate(_MIGRATIONS, 1)
    if any("ADD COLUMN kind" in statement for statement in statements)
)


def noah_plan(plan_id: str, script: str = "balloon-belly", skip: str = "jaw") -> str:
    return NOAH_PLAN.format(id=plan_id, script=script, skip=skip)


def calmkit(*argv: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calmkit", *argv],
        stdin=stdin,
        capture_output=True,
        text=True,
        env=calmkit_env(),
        timeout=120,
    )


def old_journal(version: int) -> Path:
    """A journal as an older calmkit left it: its schema, a child, a 'me' session."""
    path = locations.journal_path()
    locations.ensure_private_dir(path.parent)
    connection = sqlite3.connect(path)
    for statements in _MIGRATIONS[:version]:
        for statement in statements:
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {version}")
    moment = "2026-11-02T17:00:00+00:00"
    for name, age in (("Noah", 9), ("Maya", 8), ("me", None)):
        connection.execute(
            "INSERT INTO profiles (name, age, created) VALUES (?, ?, ?)", (name, age, moment)
        )
        cursor = connection.execute(
            "INSERT INTO sessions (profile, target, title, started, updated, status, seconds)"
            " VALUES (?, 'balloon-belly', 'Balloon Belly', ?, ?, 'completed', 300)",
            (name, moment, moment),
        )
        connection.execute(
            "INSERT INTO checkins (session_id, profile, moment, item, value, at)"
            " VALUES (?, ?, 'before', 'stress', 4, ?)",
            (cursor.lastrowid, name, moment),
        )
    connection.commit()
    connection.close()
    return path


# --- the upgrade ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", range(1, PEOPLE_VERSION))
def test_an_older_journal_keeps_every_row_and_keeps_the_plans_it_used(version: int) -> None:
    old_journal(version)
    # Noah's clinic plan was imported before: it applied by its `for:` name, and stays
    # his. Maya only ever had the built-in example for "Maya": a stranger's, so it goes.
    plans = locations.ensure_private_dir(locations.user_plans_dir())
    (plans / "noah-clinic.yaml").write_text(noah_plan("noah-clinic"), "utf-8")
    library = load_library()
    assert library.plans["maya-8-weeks"].for_profile == "Maya"
    with Journal() as journal:
        with sqlite3.connect(locations.journal_path()) as look:
            assert look.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert adopt_imported_plans(journal, library) == [("Noah", "noah-clinic")]
        people = {p.name: (p.age, p.kind, p.plan) for p in journal.profiles()}
        assert people == {
            "Noah": (9, "child", "noah-clinic"),
            "Maya": (8, "child", None),
            # The old unnamed "me" is the guest now, whose practice history shows.
            "Guest": (None, "guest", None),
        }
        sessions = journal.sessions()
        assert [(s.profile, s.profile_kind, s.seconds) for s in sessions] == [
            ("Noah", "child", 300),
            ("Maya", "child", 300),
            ("Guest", "guest", 300),
        ]
        assert [c.profile for c in journal.checkins()] == ["Noah", "Maya", "Guest"]
        # Once only: a plan taken away later does not come back at the next start.
        journal.set_plan("Noah", None)
        assert adopt_imported_plans(journal, library) == []
        assert journal.profile("noah").plan is None  # type: ignore[union-attr]


def test_a_new_journal_adopts_nothing() -> None:
    plans = locations.ensure_private_dir(locations.user_plans_dir())
    (plans / "noah-clinic.yaml").write_text(noah_plan("noah-clinic"), "utf-8")
    with Journal() as journal:
        assert adopt_imported_plans(journal, load_library()) == []
        journal.ensure_profile("Noah", 9)
        # Made after the upgrade: `for: Noah` is never a reason to give him the plan.
        assert adopt_imported_plans(journal, load_library()) == []
        assert journal.profile("Noah").plan is None  # type: ignore[union-attr]


# --- names, ages, kinds ---------------------------------------------------------------------


def test_names_are_cleaned_in_one_place() -> None:
    assert clean_name("  Ma\u0301ya   Rose ") == "Máya Rose"  # NFC, one space
    for bad in ("", "   ", "Sam\x1b[31m", "x" * 41):
        with pytest.raises(BadName):
            clean_name(bad)


def test_ages_and_grown_ups() -> None:
    assert age_problem(9, grown_up=False) is None
    assert age_problem(None, grown_up=True) is None
    assert age_problem(42, grown_up=True) is None
    assert age_problem(None, grown_up=False) is not None
    assert "grown-up" in (age_problem(30, grown_up=False) or "")
    assert age_problem(3, grown_up=False) is not None
    assert content_age(Person("Dad", None, "grown-up")) == 18
    assert content_age(Person("Guest", None, "guest")) is None
    family = [Person("Dad", 40, "grown-up"), Person("Ivy", 6), Person("Ava", 12)]
    assert people_age(family) == 6
    assert people_age([Person("Dad", 40, "grown-up"), Person("Mum", None, "grown-up")]) == 18


# --- the journal never writes for someone who is gone -----------------------------------------


def test_nothing_is_written_for_a_deleted_profile_and_no_sqlite_words() -> None:
    with Journal() as journal:
        journal.ensure_profile("Maya", 9)
        sid = journal.start_session("Maya", "x", "X", "kid", 3, create_profile=False)
        journal.forget_profile("Maya", even_if_playing=True)
        with pytest.raises(ProfileGone) as gone:
            journal.record_progress(sid, Progress(1, 10))
        assert "FOREIGN KEY" not in str(gone.value)
        with pytest.raises(ProfileGone, match="Maya's profile was deleted"):
            journal.add_checkin("Maya", "after", "stress", 3, sid, create_profile=False)
        with pytest.raises(ProfileGone):
            journal.start_session("Maya", "x", "X", "kid", 3, create_profile=False)
        with pytest.raises(ProfileGone):
            journal.finish_session(sid, "completed", Progress(3, 30))
        assert journal.profiles() == [] and journal.sessions() == [] and journal.checkins() == []
    error = sqlite3.IntegrityError("FOREIGN KEY constraint failed")
    error.sqlite_errorcode = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY  # type: ignore[attr-defined]
    assert "FOREIGN" not in _reason(error) and "constraint" not in _reason(error)


def test_someone_practising_cannot_be_deleted() -> None:
    with Journal() as journal:
        journal.ensure_profile("Maya", 9)
        sid = journal.start_session("Maya", "x", "X", "kid", 3)
        with pytest.raises(ProfileInUse, match="Maya is practising right now"):
            journal.forget_profile("maya")
        journal.finish_session(sid, "stopped", Progress(1, 30))
        assert journal.forget_profile("maya") == 1


# --- the command line -----------------------------------------------------------------------


def test_import_gives_a_plan_and_a_second_one_needs_replace(tmp_path: Path) -> None:
    first, second = tmp_path / "clinic.yaml", tmp_path / "other.yaml"
    first.write_text(noah_plan("noah-clinic"), "utf-8")
    second.write_text(noah_plan("noah-other", skip="hands"), "utf-8")
    given = calmkit("import", str(first), "--profile", "Noah")
    assert given.returncode == 0, given.stderr
    assert "Noah is a new profile, age 9 from the plan." in given.stdout
    assert "Noah's plan is now 'noah-clinic'" in given.stdout
    # A second plan for noah, off a terminal: refused whole, nothing written.
    refused = calmkit("import", str(second), "--profile", "noah")
    assert refused.returncode == 1
    assert "Noah already has the plan 'noah-clinic'" in refused.stderr
    assert "--replace" in refused.stderr and "Traceback" not in refused.stderr
    assert not (locations.user_plans_dir() / "noah-other.yaml").exists()
    with Journal() as journal:
        assert journal.profile("Noah").plan == "noah-clinic"  # type: ignore[union-attr]
    replaced = calmkit("import", str(second), "--profile", "Noah", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    with Journal() as journal:
        assert journal.profile("Noah").plan == "noah-other"  # type: ignore[union-attr]


def test_on_a_terminal_a_second_plan_asks_which_stands(tmp_path: Path) -> None:
    first, second = tmp_path / "clinic.yaml", tmp_path / "other.yaml"
    first.write_text(noah_plan("noah-clinic"), "utf-8")
    second.write_text(noah_plan("noah-other"), "utf-8")
    assert calmkit("import", str(first), "--profile", "Noah").returncode == 0
    for typed, keeps in (("1\n", "noah-clinic"), ("2\n", "noah-other")):
        main, child = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "calmkit", "import", str(second), "--profile", "Noah"],
            stdin=child,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=calmkit_env(),
        )
        os.close(child)
        os.write(main, typed.encode())
        out, err = process.communicate(timeout=120)
        os.close(main)
        assert "Which plan should Noah follow?" in out
        with Journal() as journal:
            assert journal.profile("Noah").plan == keeps  # type: ignore[union-attr]
        if keeps == "noah-clinic":
            assert process.returncode == 1 and "Noah keeps the plan 'noah-clinic'" in err
            assert not (locations.user_plans_dir() / "noah-other.yaml").exists()
        else:
            assert process.returncode == 0, err


def test_import_without_profile_only_suggests(tmp_path: Path) -> None:
    plan = tmp_path / "clinic.yaml"
    plan.write_text(noah_plan("noah-clinic"), "utf-8")
    with Journal() as journal:
        journal.ensure_profile("Noah", 9)
    done = calmkit("import", str(plan))
    assert done.returncode == 0, done.stderr
    assert "This plan says it is for Noah" in done.stdout
    with Journal() as journal:
        assert journal.profile("Noah").plan is None  # type: ignore[union-attr]


def test_a_grown_up_and_a_guest_are_marked_in_log_report_and_export(tmp_path: Path) -> None:
    script = tmp_path / "tiny.yaml"
    script.write_text(TINY, "utf-8")
    dad = calmkit("play", str(script), "--plain", "--no-audio", "--profile", "Dad", "--age", "45")
    assert dad.returncode == 0, dad.stderr
    assert "tier: teen" in dad.stdout
    guest = calmkit("play", str(script), "--plain", "--no-audio")
    assert guest.returncode == 0, guest.stderr
    assert "a guest session" in guest.stdout
    logged = json.loads(calmkit("log", "--json").stdout)
    assert [(r["profile"], r["profile_kind"], r["grown_up"]) for r in logged] == [
        ("Dad", "grown-up", True),
        ("Guest", "guest", False),
    ]
    table = calmkit("log").stdout
    assert "Dad (grown-up)" in table and "Guest" in table
    report = json.loads(calmkit("report", "--format", "json").stdout)
    kinds = {p["profile"]: (p["profile_kind"], p["grown_up"]) for p in report["profiles"]}
    assert kinds == {"Dad": ("grown-up", True), "Guest": ("guest", False)}
    html = calmkit("report", "--format", "html", "--profile", "Dad").stdout
    assert "<h1>Dad (grown-up)</h1>" in html
    out = tmp_path / "all.zip"
    assert calmkit("export", "--out", str(out)).returncode == 0
    with zipfile.ZipFile(out) as archive:
        practice = json.loads(archive.read("practice.json"))
    assert {p["name"]: (p["kind"], p["grown_up"]) for p in practice["profiles"]} == kinds


def test_forget_refuses_someone_practising_in_another_calmkit(tmp_path: Path) -> None:
    with Journal() as journal:
        journal.ensure_profile("Maya", 9)
    player = start_calmkit(
        "play", "balloon-belly", "--plain", "--no-audio", "--profile", "Maya",
        env=calmkit_env(), cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            with Journal() as journal:
                if journal.playing_now("Maya"):
                    break
            assert time.monotonic() < deadline, "the session never started"
            time.sleep(0.05)
        refused = calmkit("forget", "--profile", "Maya", "--yes")
        assert refused.returncode == 1
        assert refused.stderr.strip() == (
            "calmkit: Maya is practising right now (in this or another calmkit window):"
            " let that practice end first, then delete Maya"
        )
    finally:
        player.terminate()
        player.communicate(timeout=30)
    with Journal() as journal:
        assert journal.profile("Maya") is not None


def test_the_journal_unavailable_for_import_profile_writes_nothing(tmp_path: Path) -> None:
    plan = tmp_path / "clinic.yaml"
    plan.write_text(noah_plan("noah-clinic"), "utf-8")
    home = locations.user_data_dir()
    home.mkdir(parents=True, exist_ok=True)
    locations.journal_path().mkdir()  # a folder in the journal's place
    done = calmkit("import", str(plan), "--profile", "Noah")
    assert done.returncode == 1
    assert "nothing was imported" in done.stderr and "Traceback" not in done.stderr
    assert not (locations.user_plans_dir() / "noah-clinic.yaml").exists()
