"""The active plan drives everything: today's sessions, what is done, settings, check-ins,
together logging, rewards, and the privacy commands around the journal."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.cli import main as calmkit_main
from calmkit.content.library import Library, load_library
from calmkit.content.model import Plan
from calmkit.plain import play_plain
from calmkit.playback.player import Player
from calmkit.playback.practice import PracticeLog
from calmkit.playback.prepare import prepare_session
from calmkit.playback.targets import resolve
from calmkit.records.journal import Journal, Progress, SessionRecord
from calmkit.records.practice_days import grow_garden, practised_days
from calmkit.records.today import today_for
from doubles import FakeClock
from tiny_script import TINY

STARTS = dt.date(2026, 11, 2)  # a Monday

PLAN = f"""\
calmkit: 1
plan: sam-test-plan
for: Sam
age: 10
starts: {STARTS.isoformat()}
schedule:
  - weeks: 1
    sessions:
      - name: After school
        scripts: [balloon-belly]
        per_day: 2
      - name: Bedtime
        scripts: [calm-place]
  - weeks: 2-3
    sessions:
      - scripts: [lemon-squeeze]
settings:
  breathe: {{in: 2, out: 5}}
  gentle: [hands]
  skip: [feet]
  ambient: rain
  checkin:
    before: [stress, pain]
    after: [stress, mood]
    daily: [activities]
  rewards: false
"""


def sams_plan(library: Library) -> Plan:
    """The plan a grown-up gave Sam (as `calmkit import --profile Sam` would)."""
    return library.plans["sam-test-plan"]


def people(*names: str) -> None:
    """The profiles a family made before practising (the faces make them, not a session)."""
    with Journal() as journal:
        for name in names:
            journal.ensure_profile(name)


def install_plan(text: str = PLAN) -> Library:
    folder = locations.ensure_private_dir(locations.user_plans_dir())
    (folder / "sam.yaml").write_text(text, "utf-8")
    library = load_library()
    assert "sam-test-plan" in library.plans, library.problems
    return library


def record(
    plan_session: int | None,
    status: str = "completed",
    day: dt.date = STARTS,
    plan: str | None = "sam-test-plan",
    seconds: float = 300.0,
    scripts: tuple[str, ...] = (),
    seconds_heard: float | None = None,
    seconds_needed: float | None = None,
) -> SessionRecord:
    """A journal row; without ``seconds_heard`` a row as calmkit wrote them before schema 3."""
    started = dt.datetime.combine(day, dt.time(17, 0)).astimezone()
    return SessionRecord(
        id=1,
        profile="Sam",
        target=plan or "balloon-belly",
        title="",
        tier="kid",
        together_group=None,
        started=started,
        ended=started,
        status=status,  # type: ignore[arg-type]
        steps_done=1,
        steps_total=1,
        seconds=seconds,
        plan=plan,
        plan_session=plan_session,
        scripts=scripts,
        seconds_heard=seconds_heard,
        script_seconds=None if seconds_needed is None else seconds_needed * 2,
        seconds_needed=seconds_needed,
    )


# --- today's sessions ----------------------------------------------------------------------


def test_per_day_repeats_and_done_marks() -> None:
    # The built-in family example is also written for Sam: the imported plan wins.
    library = install_plan()
    assert library.plans["family-calm-8-weeks"].for_profile == "Sam"
    today = today_for(
        "Sam",
        None,
        library,
        STARTS,
        [record(0), record(1, status="stopped", seconds=30)],
        plan=sams_plan(library),
    )
    assert [(item.title, item.session_index, item.done) for item in today.items] == [
        ("After school", 0, True),
        ("After school", 0, False),
        ("Bedtime", 1, False),
    ]
    # Start plays the first practice not done yet.
    assert today.first is not None and (today.first.title, today.first.done) == (
        "After school",
        False,
    )
    assert not today.all_done


def test_only_todays_completed_sessions_of_this_plan_count() -> None:
    library = install_plan()
    yesterday = STARTS - dt.timedelta(days=1)
    others = [record(0, day=yesterday), record(0, plan="another-plan"), record(None, plan=None)]
    today = today_for("Sam", None, library, STARTS, others, plan=sams_plan(library))
    assert not any(item.done for item in today.items)
    everything = [record(0), record(0), record(1)]
    done = today_for("Sam", None, library, STARTS, everything, plan=sams_plan(library))
    assert done.all_done


def test_a_plan_item_is_done_by_time_heard_not_by_reaching_the_end() -> None:
    library = install_plan()
    belly = ("balloon-belly",)
    # Pressing → to the end: completed, 25 s heard of 420, so not done.
    skipped = record(0, scripts=belly, seconds=420, seconds_heard=25, seconds_needed=210)
    today = today_for("Sam", None, library, STARTS, [skipped], plan=sams_plan(library))
    assert not any(item.done for item in today.items)
    # Stopped after hearing more than half: done, as a completed one would be.
    half = record(
        0, status="stopped", scripts=belly, seconds=230, seconds_heard=230, seconds_needed=210
    )
    today = today_for("Sam", None, library, STARTS, [half], plan=sams_plan(library))
    assert [item.done for item in today.items] == [True, False, False]


def test_the_same_scripts_from_the_library_or_another_plan_do_the_item() -> None:
    library = install_plan()
    heard = {"seconds": 400.0, "seconds_heard": 400.0, "seconds_needed": 200.0}
    # Calm Place from the library (no plan), and Balloon Belly played together from
    # someone else's plan: both are today's items for Sam.
    from_library = record(None, plan=None, scripts=("calm-place",), **heard)  # type: ignore[arg-type]
    together = record(0, plan="family-calm-8-weeks", scripts=("balloon-belly",), **heard)  # type: ignore[arg-type]
    today = today_for(
        "Sam", None, library, STARTS, [from_library, together], plan=sams_plan(library)
    )
    assert [(item.title, item.done) for item in today.items] == [
        ("After school", True),
        ("After school", False),
        ("Bedtime", True),
    ]
    # Something the plan does not ask for today does nothing.
    other = record(None, plan=None, scripts=("lemon-squeeze",), **heard)  # type: ignore[arg-type]
    assert not any(item.done for item in today_for("Sam", None, library, STARTS, [other]).items)


def test_next_week_is_shown_from_the_first_day_of_next_week() -> None:
    library = install_plan()
    today = today_for("Sam", None, library, STARTS + dt.timedelta(days=3), plan=sams_plan(library))
    assert today.plan_day is not None and today.plan_day.week == 1
    assert today.next_week is not None
    assert today.next_week.week == 2
    assert [s.scripts for s in today.next_week.sessions] == [("lemon-squeeze",)]
    # In the last week, next week is the end.
    last = today_for("Sam", None, library, STARTS + dt.timedelta(days=15), plan=sams_plan(library))
    assert last.next_week is not None and last.next_week.status == "finished"


def test_a_finished_plan_has_nothing_today_and_no_next_week() -> None:
    library = install_plan()
    today = today_for("Sam", None, library, STARTS + dt.timedelta(weeks=3), plan=sams_plan(library))
    assert today.items == ()
    assert today.plan_day is not None and today.plan_day.status == "finished"
    assert today.next_week is None


def test_no_plan_is_ever_given_by_its_for_name() -> None:
    # Sam has no plan until a grown-up gives one: neither the built-in example
    # written for a Sam nor the imported one is guessed from the name.
    library = install_plan()
    today = today_for("Sam", 10, library, STARTS)
    assert today.plan is None
    assert len(today.items) == 1 and today.items[0].plan is None


# --- settings apply everywhere -----------------------------------------------------------


def test_plan_settings_shape_a_plan_session() -> None:
    library = install_plan()
    request = resolve("sam-test-plan", library, day=STARTS + dt.timedelta(weeks=1))
    timeline = request.timeline()
    assert request.plan_session == 0
    assert request.script_ids == ("lemon-squeeze",)
    assert timeline.ambient == "rain"
    kinds_by_area = {(cue.kind, cue.area) for cue in timeline.cues if cue.area}
    assert ("tense", "hands") not in kinds_by_area  # gentle: never tensed
    assert ("release", "hands") in kinds_by_area
    assert not any(cue.area == "feet" for cue in timeline.cues)  # skipped
    breaths = [cue for cue in timeline.cues if cue.kind in ("breathe-in", "breathe-out")]
    assert {round(cue.duration, 3) for cue in breaths if cue.kind == "breathe-in"} <= {2.0}


def test_the_active_plans_settings_apply_to_a_script_from_the_library() -> None:
    library = install_plan()
    plan = library.plans["sam-test-plan"]
    on_its_own = resolve("lemon-squeeze", library).timeline()
    assert any(cue.kind == "tense" and cue.area == "hands" for cue in on_its_own.cues)
    with_plan = resolve("lemon-squeeze", library, active_plan=plan).timeline()
    assert not any(cue.kind == "tense" and cue.area == "hands" for cue in with_plan.cues)
    assert not any(cue.area == "feet" for cue in with_plan.cues)
    assert with_plan.tier == "kid"  # the plan's age: 10
    assert with_plan.ambient == "rain"


def test_the_plans_voice_reaches_the_clip_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    library = install_plan(PLAN.replace("  rewards: false", "  rewards: false\n  voice: espeak-ng"))
    seen: list[str | None] = []
    import calmkit.playback.prepare as setup

    class Spy(setup.SessionClips):  # type: ignore[name-defined,misc]
        def __init__(self, voice: str | None, **others: object) -> None:
            seen.append(voice)
            super().__init__(voice, **others)  # type: ignore[arg-type]

    monkeypatch.setattr(setup, "SessionClips", Spy)
    prepare_session("sam-test-plan", library, day=STARTS, want_sound=False)
    assert seen == ["espeak-ng"]


# --- check-ins, together and the journal --------------------------------------------------


def answers(*typed: str):  # type: ignore[no-untyped-def]
    queue = list(typed)
    return lambda: queue.pop(0)


def test_plain_asks_the_plans_checkins_and_logs_them() -> None:
    folder = locations.ensure_private_dir(locations.user_scripts_dir())
    (folder / "tiny.yaml").write_text(TINY, "utf-8")
    library = install_plan()
    plan = library.plans["sam-test-plan"]
    prepared = prepare_session("tiny-test", library, want_sound=False, active_plan=plan)
    out = io.StringIO()
    # before: stress 6, pain (skipped with Enter); after: stress "eleven" then 3, mood 4;
    # daily: school and friends.
    read = answers("6", "", "eleven", "3", "4", "1 3")
    people("Sam")
    status = play_plain(prepared, out, "Sam", read=read, day=STARTS, clock=FakeClock())
    assert status == "completed"
    text = out.getvalue()
    assert "If you like, how much does your body hurt right now?" in text
    assert "That one did not fit" in text
    with Journal() as journal:
        [session] = journal.sessions()
        daily = journal.checkins(moment="daily")
    assert [(c.moment, c.item, c.value) for c in session.checkins] == [
        ("before", "stress", 6),
        ("after", "stress", 3),
        ("after", "mood", 4),
    ]
    assert [(c.profile, c.item, c.value, c.session_id) for c in daily] == [
        ("Sam", "activities", "school,friends", None)
    ]
    assert session.scripts == ("tiny-test",)


def test_activities_are_asked_once_a_day() -> None:
    folder = locations.ensure_private_dir(locations.user_scripts_dir())
    (folder / "tiny.yaml").write_text(TINY, "utf-8")
    library = load_library()
    people("Sam")
    for typed in (("5", "5", "2"), ("4", "4")):
        prepared = prepare_session("tiny-test", library, want_sound=False)
        out = io.StringIO()
        play_plain(
            prepared, out, "Sam", read=answers(*typed), day=dt.date.today(), clock=FakeClock()
        )
    with Journal() as journal:
        daily = journal.checkins(moment="daily")
        stress = [(c.moment, c.value) for c in journal.checkins() if c.item == "stress"]
    assert [c.value for c in daily] == ["exercise"]
    assert stress == [("before", 5), ("after", 5), ("before", 4), ("after", 4)]
    # Pain was never asked: the default check-in does not list it.
    assert "hurt" not in out.getvalue()


def test_practising_together_gives_each_person_a_row_and_a_checkin() -> None:
    folder = locations.ensure_private_dir(locations.user_scripts_dir())
    (folder / "tiny.yaml").write_text(TINY, "utf-8")
    library = install_plan()
    prepared = prepare_session("tiny-test", library, want_sound=False, together=True)
    out = io.StringIO()
    read = answers("7", "6", "2", "1", "2 5", "0")
    people("Sam", "Dad")
    play_plain(prepared, out, "Sam", ["Dad"], read=read, day=STARTS, clock=FakeClock())
    assert "Sam: Before we start" in out.getvalue()
    assert "Dad: And now" in out.getvalue()
    with Journal() as journal:
        sessions = journal.sessions()
        daily = journal.checkins(moment="daily")
    assert [s.profile for s in sessions] == ["Sam", "Dad"]
    assert sessions[0].together_group and sessions[0].together_group == sessions[1].together_group
    assert [(c.item, c.value) for c in sessions[0].checkins] == [("stress", 7), ("stress", 2)]
    assert [(c.item, c.value) for c in sessions[1].checkins] == [("stress", 6), ("stress", 1)]
    assert [(c.profile, c.value) for c in daily] == [("Sam", "exercise,hobby"), ("Dad", "none")]


def test_together_log_rows_record_the_plan_session() -> None:
    library = install_plan()
    prepared = prepare_session(
        "sam-test-plan", library, want_sound=False, day=STARTS, session_index=1
    )
    people("Sam", "Mum")
    with Journal() as journal:
        log = PracticeLog(journal, ["Sam", "Mum"])

        log.begin(Player(prepared.timeline, prepared.backend), prepared.request, prepared.timeline)
        # The rows are committed the moment the session begins.
        rows = journal.sessions()
    assert [(r.profile, r.plan, r.plan_session, r.scripts) for r in rows] == [
        ("Sam", "sam-test-plan", 1, ("calm-place",)),
        ("Mum", "sam-test-plan", 1, ("calm-place",)),
    ]


# --- rewards ------------------------------------------------------------------------------


def test_the_garden_grows_a_flower_per_day_and_never_shrinks() -> None:
    day = STARTS + dt.timedelta(days=9)
    records = [
        record(0, day=STARTS),
        record(1, day=STARTS),  # the same day: still one flower
        record(0, status="stopped", seconds=200, day=STARTS + dt.timedelta(days=2)),
        record(0, status="stopped", seconds=10, day=STARTS + dt.timedelta(days=4)),  # a mis-tap
        record(0, status="interrupted", seconds=90, day=STARTS + dt.timedelta(days=5)),
    ]
    assert practised_days(records) == {
        STARTS,
        STARTS + dt.timedelta(days=2),
        STARTS + dt.timedelta(days=5),
    }
    garden = grow_garden(records, STARTS, day)
    assert garden.flowers == 3
    assert "3 flowers" in garden.words
    assert "lost" not in garden.words and "streak" not in garden.words
    assert grow_garden([], STARTS, day).words == "Your garden is ready for its first flower."


# --- the journal: migration, rename, forget, export ---------------------------------------


def test_a_version_1_journal_is_upgraded_without_losing_rows() -> None:
    from calmkit.records.journal import _MIGRATIONS

    path = locations.journal_path()
    locations.ensure_private_dir(path.parent)
    connection = sqlite3.connect(path)
    for statement in _MIGRATIONS[0]:
        connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.execute(
        "INSERT INTO sessions (profile, target, title, started, updated, status)"
        " VALUES ('Sam', 'balloon-belly', 'Balloon Belly', '2026-11-02T17:00:00+00:00',"
        " '2026-11-02T17:05:00+00:00', 'completed')"
    )
    connection.commit()
    connection.close()
    with Journal() as journal:
        [old] = journal.sessions()
        assert (old.target, old.plan, old.scripts) == ("balloon-belly", None, ())
        journal.start_session(
            "Sam", "x", "X", "kid", 1, plan="p", plan_session=0, scripts=("a", "b")
        )
        assert journal.sessions()[1].scripts == ("a", "b")


def test_rename_moves_everything_and_refuses_a_taken_name() -> None:
    with Journal() as journal:
        sid = journal.start_session("Sam", "x", "X", "kid", 1)
        journal.add_checkin("Sam", "before", "stress", 4, sid)
        journal.add_checkin("Sam", "daily", "activities", "school")
        journal.ensure_profile("Mum", 40 if False else None)
        journal.rename_profile("sam", "Samuel")
        assert [p.name for p in journal.profiles()] == ["Mum", "Samuel"]
        assert [s.profile for s in journal.sessions()] == ["Samuel"]
        assert {c.profile for c in journal.checkins()} == {"Samuel"}
        with pytest.raises(ValueError, match="already a profile called Mum"):
            journal.rename_profile("Samuel", "mum")


def fill_journal() -> None:
    with Journal() as journal:
        for person in ("Sam", "Mum"):
            sid = journal.start_session(person, "balloon-belly", "Balloon Belly", "kid", 4)
            journal.finish_session(sid, "completed", Progress(4, 300))
            journal.add_checkin(person, "after", "stress", 2, sid)
            journal.add_checkin(person, "daily", "activities", "school")


def test_forget_a_profile_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    fill_journal()
    # No terminal to ask on, and no --yes: nothing happens.
    assert calmkit_main(["forget", "--profile", "Sam"]) == 1
    assert "--yes" in capsys.readouterr().err
    with Journal() as journal:
        assert len(journal.sessions(profile="Sam")) == 1
    assert calmkit_main(["forget", "--profile", "sam", "--yes"]) == 0
    assert "Sam is forgotten: 1 session deleted." in capsys.readouterr().out
    with Journal() as journal:
        assert journal.sessions(profile="Sam") == []
        assert journal.checkins(profile="Sam") == []
        assert [p.name for p in journal.profiles()] == ["Mum"]
        assert len(journal.sessions(profile="Mum")) == 1
    # The deleted rows are not left readable in the file.
    raw = locations.journal_path().read_bytes()
    assert b"Sam" not in raw
    assert calmkit_main(["forget", "--profile", "Nobody", "--yes"]) == 1


def test_forget_everything_deletes_only_calmkits_own_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fill_journal()
    install_plan()
    home = locations.user_data_dir()
    keep = home / "my-notes.txt"
    keep.write_text("not calmkit's", "utf-8")
    assert calmkit_main(["forget", "--yes"]) == 0
    assert sorted(p.name for p in home.iterdir()) == ["my-notes.txt"]
    assert keep.read_text("utf-8") == "not calmkit's"


def test_export_writes_one_private_file_with_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_journal()
    install_plan()
    with Journal() as journal:
        journal.set_plan("Sam", "sam-test-plan")  # his plan goes with his export
    out = tmp_path / "handover.zip"
    assert calmkit_main(["export", "--profile", "Sam", "--out", str(out)]) == 0
    assert "1 session of 1 profile and 1 added file" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        record = json.loads(archive.read("practice.json"))
    assert "library/plans/sam.yaml" in names
    assert [p["name"] for p in record["profiles"]] == ["Sam"]
    assert [s["profile"] for s in record["sessions"]] == ["Sam"]
    assert record["sessions"][0]["checkins"][0]["value"] == 2
    assert [(d["profile"], d["value"]) for d in record["daily"]] == [("Sam", "school")]
    assert calmkit_main(["export", "--profile", "Nobody", "--out", str(out)]) == 1


def test_a_plan_without_starts_begins_on_its_first_practice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from calmkit.playback.practice import pinned_plan
    from calmkit.records import journal as journal_module

    library = install_plan(PLAN.replace(f"starts: {STARTS.isoformat()}\n", ""))
    plan = library.plans["sam-test-plan"]
    assert plan.starts is None
    with Journal() as journal:
        assert pinned_plan(plan, journal) is plan  # never practised: it starts today
        first = dt.datetime.combine(STARTS, dt.time(17)).astimezone()
        with monkeypatch.context() as patch:
            patch.setattr(journal_module, "now", lambda: first)
            journal.start_session("Sam", "sam-test-plan", "After school", "kid", 3, plan=plan.id)
            # A later practice, and another plan's earlier one, do not move the start.
            patch.setattr(journal_module, "now", lambda: first + dt.timedelta(days=3))
            journal.start_session("Sam", "sam-test-plan", "After school", "kid", 3, plan=plan.id)
            patch.setattr(journal_module, "now", lambda: first - dt.timedelta(days=5))
            journal.start_session("Sam", "lemon-squeeze", "Lemon", "kid", 3, plan="other-plan")
        pinned = pinned_plan(plan, journal)
    assert pinned is not None and pinned.starts == STARTS
    eight_days_on = STARTS + dt.timedelta(days=8)
    today = today_for("Sam", None, library, eight_days_on, plan=pinned)
    assert today.plan_day is not None and today.plan_day.week == 2
    request = resolve("sam-test-plan", library, day=eight_days_on, active_plan=pinned)
    assert request.script_ids == ("lemon-squeeze",)
