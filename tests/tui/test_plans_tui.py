"""The plan, profiles, practising together, rewards and history in the terminal app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, SelectionList, Static
from textual_plotext import PlotextPlot
from tui_helpers import (
    DAY,
    SIZE,
    events,
    give_plan,
    on_screen,
    shown,
    wait_for_screen,
    wait_until,
)

from calmkit import locations
from calmkit.playback.player import CueStarted
from calmkit.records import journal as journal_module
from calmkit.records.journal import Journal, Progress
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.activities import ActivitiesDialog
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.dialogs.profile import ProfileDialog, TogetherDialog
from calmkit.tui.screens.end import EndScreen
from calmkit.tui.screens.history import HistoryScreen
from calmkit.tui.screens.home import HomeScreen
from doubles import ScaledClock

AppFactory = Callable[..., CalmkitApp]

TINY = """\
calmkit: 1
id: tiny-test
title: Tiny Test
kind: breathing
ages: 5-18
steps:
  - say:
      kid: Hi
      together: Hi, everyone
    pause: 0.2
  - breathe: {in: 1, out: 1, count: 1}
"""

PLAN = """\
calmkit: 1
plan: leo-plan
for: Leo
age: 10
starts: 2026-11-23
schedule:
  - weeks: 1-4
    sessions:
      - name: Quick one
        scripts: [tiny-test]
        per_day: 2
settings:
  checkin:
    before: [pain]
    after: [mood]
    daily: []
  rewards: false
"""


def install(name: str, folder_of: Callable[[], object], text: str) -> None:
    folder = locations.ensure_private_dir(folder_of())  # type: ignore[arg-type]
    (folder / name).write_text(text, "utf-8")


def add_people(*names_and_ages: tuple[str, int]) -> None:
    with Journal() as journal:
        for name, age in names_and_ages:
            journal.ensure_profile(name, age)


async def answer(pilot: Pilot, *keys: str) -> None:
    """Answer the dialog on top, and wait until it has gone."""
    dialog = pilot.app.screen
    await pilot.press(*keys)
    await wait_until(pilot, lambda: pilot.app.screen is not dialog, "the next screen")


async def test_rename_and_delete_a_profile(app_factory: AppFactory) -> None:
    add_people(("Maya", 9), ("Dad", 18))
    with Journal() as journal:
        sid = journal.start_session("Dad", "balloon-belly", "Balloon Belly", "teen", 3)
        journal.finish_session(sid, "completed", Progress(3, 200))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        # Dad is first (profiles are in name order): rename him.
        await pilot.press("home", "r")
        name = app.screen.query_one("#name", Input)
        assert name.value == "Dad"
        name.value = "Papa"
        await pilot.press("enter", "enter")
        await wait_for_screen(pilot, HomeScreen)
        with Journal() as journal:
            assert [p.name for p in journal.profiles()] == ["Maya", "Papa"]
            assert [s.profile for s in journal.sessions()] == ["Papa"]
        # Delete Papa: asked first, and "Keep" keeps him.
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("down", "x")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("n")
        await wait_for_screen(pilot, HomeScreen)
        with Journal() as journal:
            assert [p.name for p in journal.profiles()] == ["Maya", "Papa"]
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("down", "x")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for_screen(pilot, HomeScreen)
        await wait_until(pilot, lambda: app.profile == "Maya", "Maya still chosen")
    with Journal() as journal:
        assert [p.name for p in journal.profiles()] == ["Maya"]
        assert journal.sessions() == []


async def test_practising_together_from_the_tui(app_factory: AppFactory) -> None:
    install("tiny.yaml", locations.user_scripts_dir, TINY)
    add_people(("Maya", 9), ("Mum", 18))
    messages: list[Message] = []
    app = app_factory(clock=ScaledClock(50))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("t")
        await wait_for_screen(pilot, TogetherDialog)
        picker = app.screen.query_one(SelectionList)
        assert list(picker.selected) == ["Maya"]
        await pilot.press("down", "space", "d")  # Mum joins
        await wait_for_screen(pilot, HomeScreen)
        assert "Maya and Mum" in shown(app.screen.query_one("#greeting", Static))
        app.practise("tiny-test")
        # Each person answers their own check-in, named.
        for person, key in (("Maya", "6"), ("Mum", "4")):
            await wait_for_screen(pilot, CheckinDialog)
            assert shown(app.screen.query_one("#question")).startswith(f"{person}: ")
            await answer(pilot, key)
        # At fifty times real time the session may be over before the screen is seen.
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        [first] = events(messages, CueStarted)[:1]
        assert first.cue.text == "Hi, everyone"  # type: ignore[attr-defined]
        for key in ("2", "1"):
            await wait_for_screen(pilot, CheckinDialog, timeout=20)
            await answer(pilot, key)
        # Maya picks with the cursor; Mum with a number key (5: a hobby, 2: exercise twice
        # is picked and unpicked again).
        for keys in (("space", "d"), ("5", "2", "2", "d")):
            await wait_for_screen(pilot, ActivitiesDialog)
            await answer(pilot, *keys)
        await wait_for_screen(pilot, EndScreen)
        assert (
            shown(app.screen.query_one("#thanks", Static)) == "All done! Thank you, Maya and Mum."
        )
    with Journal() as journal:
        sessions = journal.sessions()
        daily = journal.checkins(moment="daily")
    assert [s.profile for s in sessions] == ["Maya", "Mum"]
    assert sessions[0].together_group == sessions[1].together_group is not None
    assert [[(c.moment, c.value) for c in s.checkins] for s in sessions] == [
        [("before", 6), ("after", 2)],
        [("before", 4), ("after", 1)],
    ]
    assert [(c.profile, c.value) for c in daily] == [("Maya", "school"), ("Mum", "hobby")]


async def test_the_plans_checkins_done_marks_and_no_garden(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The journal's clock says it is the app's day.
    at_five = dt.datetime.combine(DAY, dt.time(17)).astimezone()
    monkeypatch.setattr(journal_module, "now", lambda: at_five)
    install("tiny.yaml", locations.user_scripts_dir, TINY)
    install("leo.yaml", locations.user_plans_dir, PLAN)
    give_plan("Leo", "leo-plan")
    app = app_factory(profile="Leo", clock=ScaledClock(50))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert shown(app.screen.query_one("#today", Static)).splitlines() == [
            "• Quick one  (1 min)",
            "• Quick one  (1 min)",
        ]
        # This plan turns rewards off: no garden.
        assert not app.screen.query("#garden")
        await pilot.press("enter")
        # The plan asks pain before (0-10) and mood after (faces), and no daily record.
        await wait_for_screen(pilot, CheckinDialog)
        assert app.screen.asked.item == "pain"  # type: ignore[attr-defined]
        await pilot.press("3")
        await wait_for_screen(pilot, CheckinDialog, timeout=20)
        assert app.screen.asked.item == "mood"  # type: ignore[attr-defined]
        await pilot.press("4")
        await wait_for_screen(pilot, EndScreen)
        await pilot.press("enter")

        def today_lines() -> list[str]:
            if not isinstance(app.screen, HomeScreen):
                return []
            return shown(app.screen.query_one("#today", Static)).splitlines()

        await wait_until(pilot, lambda: today_lines()[:1] == ["✓ Quick one  (1 min)  done"], "done")
        assert today_lines() == ["✓ Quick one  (1 min)  done", "• Quick one  (1 min)"]
    with Journal() as journal:
        [session] = journal.sessions()
    assert (session.plan, session.plan_session, session.scripts) == ("leo-plan", 0, ("tiny-test",))
    assert [(c.moment, c.item, c.value) for c in session.checkins] == [
        ("before", "pain", 3),
        ("after", "mood", 4),
    ]


async def test_the_garden_grows_on_the_home(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for offset in (0, 1):
        moment = dt.datetime.combine(DAY - dt.timedelta(days=offset), dt.time(17)).astimezone()
        # A context of its own: undoing the test's monkeypatch would undo CALMKIT_HOME too.
        with monkeypatch.context() as patch, Journal() as journal:
            patch.setattr(journal_module, "now", lambda moment=moment: moment)
            sid = journal.start_session("Maya", "balloon-belly", "Balloon Belly", "kid", 3)
            journal.finish_session(sid, "completed", Progress(3, 300))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        garden = shown(app.screen.query_one("#garden", Static))
        assert garden.count("✿") == 2
        assert "2 flowers, one for each day you practised" in garden


def backdated_practice(monkeypatch: pytest.MonkeyPatch, days_ago: int, pain: bool) -> None:
    moment = dt.datetime.combine(DAY - dt.timedelta(days=days_ago), dt.time(17)).astimezone()
    with monkeypatch.context() as patch, Journal() as journal:
        patch.setattr(journal_module, "now", lambda: moment)
        sid = journal.start_session(
            "Maya", "maya-8-weeks", "After school", "kid", 3, plan="maya-8-weeks", plan_session=0
        )
        journal.finish_session(sid, "completed", Progress(3, 420))
        journal.add_checkin("Maya", "before", "stress", 6, sid)
        journal.add_checkin("Maya", "after", "stress", 3, sid)
        if pain:
            journal.add_checkin("Maya", "before", "pain", 5, sid)
        journal.add_checkin("Maya", "daily", "activities", "school,hobby")


@pytest.mark.parametrize("pain", [False, True])
async def test_history_shows_days_minutes_stress_activities_and_pain_only_if_collected(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch, pain: bool
) -> None:
    backdated_practice(monkeypatch, 1, pain)
    app = app_factory()
    async with app.run_test(size=(100, 60)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("h")
        await wait_for_screen(pilot, HistoryScreen)
        screen = app.screen
        calendar = shown(screen.query_one("#calendar", Static))
        assert f"{(DAY - dt.timedelta(days=1)).day:>2}●" in calendar
        assert "You practised on 1 day in these four weeks." in calendar
        assert screen.query_one("#minutes-chart", PlotextPlot)
        stress = on_screen(screen.query_one("#stress-chart", Static)).splitlines()
        assert stress[1].split()[-4:] == ["█" * 12, "6", "█" * 6, "3"]
        header, row = on_screen(screen.query_one("#activities", Static)).splitlines()[:2]
        assert header.split() == ["Week", "School", "Exercise", "Friends", "Chores", "Hobby"]
        # One day with school and a hobby: a 1 under each.
        assert row.split()[-5:] == ["1", "0", "0", "0", "1"]
        assert bool(screen.query("#pain-chart")) is pain
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)
