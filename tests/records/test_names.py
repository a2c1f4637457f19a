"""One rule for names: cleaned or refused where typed, the same person everywhere.

Python's casefold and SQLite's NOCASE used to disagree: `forget --profile élodie`
deleted ÉLODIE, `forget --profile sam` deleted Sam and sam, and an NFC and an
NFD "Zoë" were two profiles that print the same. Journals written before may hold
such names: their data is kept, and a name means exactly one person.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.cli import main
from calmkit.content.safetext import AmbiguousName
from calmkit.records.journal import Journal, Progress

ZOE_NFC = "Zo\u00eb"
ZOE_NFD = "Zoe\u0308"


def old_journal(*names: str, sessions: int = 1) -> Path:
    """A journal an older calmkit wrote: these names as they were stored, each with practice."""
    path = locations.journal_path()
    with Journal(path) as journal:
        journal.ensure_profile("Plain")
    moment = dt.datetime(2026, 11, 20, 9, 0).isoformat()
    connection = sqlite3.connect(path)
    with connection:
        for name in names:
            connection.execute(
                "INSERT INTO profiles (name, age, created) VALUES (?, 9, ?)", (name, moment)
            )
            for _ in range(sessions):
                cursor = connection.execute(
                    "INSERT INTO sessions (profile, target, title, started, ended, status,"
                    " seconds, updated) VALUES (?, 'balloon-belly', 'Balloon Belly', ?, ?,"
                    " 'completed', 300, ?)",
                    (name, moment, moment, moment),
                )
                connection.execute(
                    "INSERT INTO checkins (session_id, profile, moment, item, value, at)"
                    " VALUES (?, ?, 'before', 'stress', 5, ?)",
                    (cursor.lastrowid, name, moment),
                )
    connection.close()
    return path


def stored() -> dict[str, int]:
    """Each stored profile name with its number of sessions."""
    with Journal() as journal:
        counts = {p.name: 0 for p in journal.profiles()}
        for session in journal.sessions():
            counts[session.profile] = counts.get(session.profile, 0) + 1
    return counts


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_forget_elodie_keeps_another_child_called_elodie_in_capitals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_journal("élodie", "ÉLODIE")
    code, text = run(capsys, "forget", "--profile", "élodie", "--yes")
    assert code == 0, text
    assert "élodie is forgotten: 1 session deleted." in text
    assert stored() == {"ÉLODIE": 1, "Plain": 0}


def test_forget_sam_deletes_sam_not_sam_in_capitals(capsys: pytest.CaptureFixture[str]) -> None:
    old_journal("Sam", "sam")
    code, text = run(capsys, "forget", "--profile", "sam", "--yes")
    assert code == 0, text
    assert stored() == {"Plain": 0, "Sam": 1}


def test_a_name_that_could_be_two_people_deletes_nobody(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_journal("Sam", "sam")
    code, text = run(capsys, "forget", "--profile", "SAM", "--yes")
    assert code == 1
    assert "more than one profile is called 'SAM': 'Sam', 'sam'" in text
    assert stored() == {"Plain": 0, "Sam": 1, "sam": 1}
    code, text = run(capsys, "log", "--profile", "SAM")
    assert code == 1 and "more than one profile is called 'SAM'" in text
    code, text = run(capsys, "report", "--profile", "SAM", "--format", "json")
    assert code == 1 and "more than one profile is called 'SAM'" in text


def test_forget_says_exactly_what_it_deletes_before_it_asks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_journal("Sam", "sam", sessions=2)
    code, text = run(capsys, "forget", "--profile", "Sam")  # no terminal, no --yes: only asks
    assert code == 1
    assert "This deletes the profile Sam with 2 sessions and 2 check-ins. sam is kept." in text, (
        text
    )
    assert "Nothing was deleted." in text
    assert stored() == {"Plain": 0, "Sam": 2, "sam": 2}


def test_forget_names_the_others_kept_as_everywhere_else(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two others kept: "sam and SAM", as every list of names reads (it said "sam, SAM")."""
    old_journal("Sam", "sam", "SAM")
    code, text = run(capsys, "forget", "--profile", "Sam")
    assert code == 1
    assert "sam and SAM are kept." in text, text


def test_the_two_unicode_spellings_of_zoe_are_one_person(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old_journal(ZOE_NFC, ZOE_NFD)
    code, text = run(capsys, "log", "--profile", ZOE_NFD, "--json")
    assert code == 0 and text.count('"profile"') == 2  # both spellings' sessions
    code, text = run(capsys, "forget", "--profile", "zoë")
    assert "stored in 2 Unicode spellings that look the same" in text
    code, text = run(capsys, "forget", "--profile", ZOE_NFC, "--yes")
    assert code == 0, text
    assert stored() == {"Plain": 0}


def test_a_new_spelling_of_a_known_name_writes_under_the_known_one() -> None:
    with Journal() as journal:
        journal.ensure_profile("Sam", 9)
        journal.ensure_profile("sam ")
        sid = journal.start_session("SAM", "balloon-belly", "Balloon Belly", "kid", 3)
        journal.finish_session(sid, "completed", Progress(3, 120))
        journal.ensure_profile(ZOE_NFD, 7)
        journal.start_session(ZOE_NFC, "balloon-belly", "Balloon Belly", "young", 3)
        names = [p.name for p in journal.profiles()]
        assert names == ["Sam", ZOE_NFC]
        assert unicodedata.is_normalized("NFC", names[1])
        assert {s.profile for s in journal.sessions()} == {"Sam", ZOE_NFC}


def test_a_name_written_twice_by_an_old_calmkit_is_refused_when_it_would_be_a_guess() -> None:
    old_journal("Sam", "SAM")
    with Journal() as journal:
        with pytest.raises(AmbiguousName):
            journal.start_session("sam", "balloon-belly", "Balloon Belly", "kid", 3)
        journal.start_session("SAM", "balloon-belly", "Balloon Belly", "kid", 3)  # exact: fine
    assert stored() == {"Plain": 0, "SAM": 2, "Sam": 1}


def test_rename_into_a_name_someone_has_by_another_case_is_refused() -> None:
    with Journal() as journal:
        journal.ensure_profile("Mia", 8)
        journal.ensure_profile("Élodie", 9)
        with pytest.raises(ValueError, match="already a profile called Élodie"):
            journal.rename_profile("Mia", "élodie")
        journal.rename_profile("Mia", "MIA")  # her own name in capitals: fine
        assert {(p.name, p.age) for p in journal.profiles()} == {("Élodie", 9), ("MIA", 8)}


@pytest.mark.parametrize(
    "typed",
    ["   ", "", "Mia\x00", "Mia\nRose", "Mia\x1b]0;x\x07", "Sam\u202e", "B\ro"],
)
@pytest.mark.parametrize("option", [("play", "--plain", "quick-calm", "--profile"), ("--profile",)])
def test_a_name_that_cannot_be_one_is_refused_where_it_is_typed(
    capsys: pytest.CaptureFixture[str], typed: str, option: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*option, typed])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "a name" in err
    assert "\x1b" not in err and "\x00" not in err and "\u202e" not in err
    assert not locations.journal_path().exists()  # nothing was played or recorded


def test_a_name_with_spaces_around_it_is_tidied(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run(capsys, "new", "plan", "for-mia", "--for", "  Mia   Rose ")
    assert code == 0, text
    plan = next(locations.user_scripts_dir().rglob("for-mia.yaml"), None) or next(
        locations.user_plans_dir().rglob("for-mia.yaml")
    )
    assert "for: Mia Rose" in plan.read_text(encoding="utf-8")
