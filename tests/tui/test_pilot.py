"""The terminal app driven key by key, as a child would: home, check-ins, a session, the end.

Each test runs the real app (`make_app`) headless at 80x24, records every
message it handles (``message_hook``) and reads what the screen shows. Sessions
run on a SteppedClock: the player's thread only moves when the test advances
it, so every assertion lands at an exact moment of the script.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button, Input, Label, OptionList, Static
from tui_helpers import (
    SIZE,
    advance_to,
    events,
    first_cue,
    handled,
    on_screen,
    session,
    shown,
    timeline_of,
    wait_for_screen,
    wait_until,
)

from calmkit.cli import main as calmkit_main
from calmkit.content.library import load_library
from calmkit.playback.clock import SteppedClock
from calmkit.playback.player import (
    CueStarted,
    Finished,
    Paused,
    Resumed,
    StepChanged,
)
from calmkit.playback.recorder import JournalRecorder
from calmkit.records.answers import STRESS_FACES
from calmkit.records.journal import Journal, SessionRecord
from calmkit.records.settings import Settings
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.activities import ActivitiesDialog
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.dialogs.profile import ProfileDialog
from calmkit.tui.screens.end import PRAISE_COMPLETED, PRAISE_STOPPED, EndScreen
from calmkit.tui.screens.home import HomeScreen, StartPractice
from calmkit.tui.screens.session import SessionScreen, clock_text
from calmkit.tui.screens.settings import SettingsScreen
from calmkit.tui.widgets.body import FIGURE, BodyFigure
from calmkit.tui.widgets.faces import picture
from calmkit.tui.widgets.pacer import SHAPE_CHAR, BreathPacer
from doubles import ScaledClock

AppFactory = Callable[..., CalmkitApp]

BROKEN_SCRIPT = """\
calmkit: 1
id: broken-one
title: Broken
kind: breathing
ages: 6-12
steps:
  - breathe: {in: four}
"""


def sessions_in_journal() -> list[SessionRecord]:
    with Journal() as journal:
        return journal.sessions()


def checkins_of(record: SessionRecord) -> list[tuple[str, str, int | str]]:
    return [(checkin.moment, checkin.item, checkin.value) for checkin in record.checkins]


def library_ids(app: CalmkitApp) -> list[str | None]:
    option_list = app.screen.query_one("#library", OptionList)
    return [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]


def library_texts(app: CalmkitApp) -> list[str]:
    option_list = app.screen.query_one("#library", OptionList)
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


async def start_from_home(pilot: Pilot, messages: list[Message], answer: str) -> SessionScreen:
    """Enter on the home, answer the before check-in with one key, land on the session."""
    await pilot.press("enter")
    await wait_for_screen(pilot, CheckinDialog)
    await pilot.press(answer)
    await wait_for_screen(pilot, SessionScreen)
    await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
    return session(pilot)


async def stop_session(pilot: Pilot) -> None:
    """q, then y in the confirm dialog: the session stops and the after check-in shows."""
    await pilot.press("q")
    await wait_for_screen(pilot, ConfirmDialog)
    await pilot.press("y")
    await wait_for_screen(pilot, CheckinDialog)


def columns(row: str) -> list[str]:
    """The parts of a row that are set apart by two spaces or more."""
    return [part.strip() for part in row.split("  ") if part.strip()]


def column_centres(row: str) -> list[float]:
    """Where (in terminal cells) the middle of each of a row's columns is."""
    centres, end = [], 0
    for part in columns(row):
        start = row.index(part, end)
        end = start + len(part)
        centres.append(cell_len(row[:start]) + cell_len(part) / 2)
    return centres


# --- home ------------------------------------------------------------------------------


async def test_home_greets_maya_with_todays_plan(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        screen = app.screen
        assert shown(screen.query_one("#greeting", Static)) == "Hi, Maya!"
        assert shown(screen.query_one("#today", Static)) == (
            "• After school  (8 min)\n• Bedtime  (8 min)"
        )
        # Week 2 repeats week 1: nothing new to announce.
        assert not screen.query("#next-week")
        start = screen.query_one("#start", Button)
        assert str(start.label) == "Start: After school"
        assert app.focused is start
        # The note is for grown-ups, on its own screen (N): home only points to it.
        assert shown(screen.query_one("#plan-pointer", Static)) == "N: the plan, for grown-ups"
        assert not screen.query("#plan-note")
        # Maya is 9: every built-in script that suits her, grouped by kind, each once.
        texts = library_texts(app)
        suitable = [s for s in load_library().scripts.values() if s.suits_age(9)]
        listed = [text.strip().rsplit("  ", 1)[0] for text in texts if text.startswith("  ")]
        assert sorted(listed) == sorted(script.title for script in suitable)
        headings = [text for text in texts if not text.startswith("  ")]
        assert headings[:2] == ["Breathing", "Muscle relaxation"]
        assert "  Balloon Belly  8 min" in texts
        assert "  Lemon Squeeze  7 min" not in texts  # for ages 5-8


async def test_fresh_install_asks_who_is_practising_then_suggests_something(
    app_factory: AppFactory,
) -> None:
    app = app_factory(profile=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, ProfileDialog)
        dialog = app.screen
        assert shown(dialog.query_one("#question", Label)) == "Hello! Who is practising today?"
        # Nobody yet: the form is open, the name first.
        assert app.focused is dialog.query_one("#name", Input)
        await pilot.press(*"Ivy", "enter", "7", "enter")
        await wait_for_screen(pilot, HomeScreen)
        await wait_until(
            pilot,
            lambda: shown(app.screen.query_one("#greeting", Static)) == "Hi, Ivy!",
            "Ivy's greeting",
        )
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert (app.profile, app.age) == ("Ivy", 7)
        assert home.today.plan is None
        first = home.today.first
        assert first is not None and load_library().scripts[first.target].suits_age(7)
        assert str(home.query_one("#start", Button).label) == f"Start: {first.title}"
        assert app.focused is home.query_one("#start", Button)
        assert not home.query("#plan-note")


async def test_f_shows_scripts_for_every_age(app_factory: AppFactory) -> None:
    app = app_factory(profile="Tom", age=13)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        # Lemon Squeeze is for ages 5-12.
        assert "lemon-squeeze" not in library_ids(app)
        assert "balloon-belly" in library_ids(app)
        await pilot.press("f")
        assert "lemon-squeeze" in library_ids(app)
        await pilot.press("f")
        assert "lemon-squeeze" not in library_ids(app)


async def test_library_lists_broken_user_files_as_broken(
    app_factory: AppFactory, isolated_home: Path
) -> None:
    scripts = isolated_home / "scripts"
    scripts.mkdir()
    (scripts / "oops.yaml").write_text(BROKEN_SCRIPT, encoding="utf-8")
    messages: list[Message] = []
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        texts = library_texts(app)
        assert texts[-2:] == ["Broken files", "  oops.yaml (broken)"]
        # The good scripts are all still there.
        assert "  Balloon Belly  8 min" in texts
        await pilot.press("l")
        option_list = app.screen.query_one("#library", OptionList)
        assert app.focused is option_list
        option_list.highlighted = len(texts) - 1
        await pilot.pause()
        details = shown(app.screen.query_one("#details", Static))
        assert details.startswith("This file has a problem and cannot be played:\n")
        assert "oops.yaml" in details
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert not handled(messages, StartPractice)


async def test_a_broken_files_message_quoting_its_own_line_is_shown_literally(
    app_factory: AppFactory, isolated_home: Path
) -> None:
    # The plain YAML message quotes the author's line back: markup in it stays text.
    scripts = isolated_home / "scripts"
    scripts.mkdir()
    (scripts / "oops.yaml").write_text(
        BROKEN_SCRIPT.replace("  - breathe: {in: four}", "  - say: Be [/b] [bold]still: now"),
        encoding="utf-8",
    )
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        texts = library_texts(app)
        await pilot.press("l")
        app.screen.query_one("#library", OptionList).highlighted = len(texts) - 1
        await pilot.pause()
        details = shown(app.screen.query_one("#details", Static))
        assert details.endswith(
            "this line has ': ' inside the text: put the text in quotes, like "
            'say: "Be [/b] [bold]still: now"'
        )
        assert "YAML said" not in details


async def test_command_palette_starts_todays_practice(app_factory: AppFactory) -> None:
    messages: list[Message] = []
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"today")
        results = app.screen.query_one(CommandList)

        def prompts() -> list[str]:
            return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]

        await wait_until(
            pilot,
            lambda: any("Start today's practice" in prompt for prompt in prompts()),
            "the command",
        )
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        started = handled(messages, StartPractice)
        assert [(m.target, m.session_index) for m in started] == [("maya-8-weeks", 0)]


# --- starting a session -------------------------------------------------------------------


async def test_enter_asks_first_then_shows_the_first_line(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        started = handled(messages, StartPractice)
        assert [(m.target, m.session_index) for m in started] == [("maya-8-weeks", 0)]
        dialog = app.screen
        assert shown(dialog.query_one("#question", Label)) == (
            "Before we start: how calm or upset do you feel right now?"
        )
        assert shown(dialog.query_one("#hint", Label)) == (
            "Type a number from 0 to 10, or use ← → and Enter. S or Esc skips, that's fine too."
            " H goes back home."
        )
        # No session yet: the player has not been made, nothing has played.
        assert not events(messages)
        await pilot.press("4")
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        assert shown(screen.query_one("#title", Static)) == "After school · Balloon Belly"
        index, first_say = first_cue(screen, "say")
        await advance_to(pilot, clock, messages, first_say.start + 0.5)
        assert first_say.text == (
            "Hi! Let's try balloon breathing. It's a slow, easy way to help your body feel calm."
        )
        assert shown(screen.query_one("#caption", Static)) == first_say.text
        second_say = screen.prepared.timeline.cues[index + 1]
        assert shown(screen.query_one("#next-line", Static)) == second_say.text
        # It speaks: the null backend was asked to play that line's clip on the voice channel.
        assert ("voice", first_say.audio) in [
            (call[1], call[2]) for call in screen.player.backend.calls if call[0] == "play"
        ]
        steps = events(messages, StepChanged)
        assert [step.number for step in steps] == [1, 2]  # type: ignore[attr-defined]
        moment = first_say.start + 0.5
        assert shown(screen.query_one("#status", Static)) == (
            f"Step 2 of {screen.player.step_count}  ·  {clock_text(moment)} done"
            f"  ·  {clock_text(screen.player.duration - moment)} to go"
        )


async def test_play_target_opens_straight_on_the_session(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="five-senses", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        assert shown(app.screen.query_one("#title", Static)) == "Five Senses"
        assert [type(screen).__name__ for screen in app.screen_stack[1:]] == [
            "HomeScreen",
            "SessionScreen",
        ]
        # Straight to the session: no check-in was asked.
        assert not handled(messages, StartPractice)
        assert not any(isinstance(s, CheckinDialog) for s in app.screen_stack)


# --- what the session shows ---------------------------------------------------------------


def count_shape(pacer: BreathPacer) -> int:
    return shown(pacer).count(SHAPE_CHAR)


async def test_pacer_follows_the_breathing_cues(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        pacer = screen.query_one(BreathPacer)
        index, breathe_in = first_cue(screen, "breathe-in")
        out = screen.prepared.timeline.cues[index + 1]
        assert out.kind == "breathe-out"
        # The moment the in-breath starts: the pacer shows it, small.
        await advance_to(pilot, clock, messages, breathe_in.start)
        assert screen.query_one("#middle").current == "pacer"  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: pacer.phase == "breathe-in", "the pacer's phase")
        await wait_until(pilot, lambda: pacer.count == 1 and pacer.fraction == 0.0, "count 1")
        assert "Breathe in  1" in shown(pacer)
        smallest = count_shape(pacer)
        # Half-way through the in-breath: half grown, counting 2.
        await advance_to(pilot, clock, messages, breathe_in.start + breathe_in.duration / 2)
        await wait_until(pilot, lambda: pacer.fraction == 0.5, "half-way")
        assert pacer.phase == "breathe-in"
        assert pacer.count == int(breathe_in.duration / 2) + 1
        assert f"Breathe in  {pacer.count}" in shown(pacer)
        halfway = count_shape(pacer)
        # The out-breath starts full size and says so, in step with the player's cue.
        await advance_to(pilot, clock, messages, out.start)
        await wait_until(pilot, lambda: pacer.phase == "breathe-out", "breathe out")
        await wait_until(pilot, lambda: pacer.fraction == 0.0 and pacer.count == 1, "its start")
        assert screen.player.current_cue() is out
        assert "Breathe out  1" in shown(pacer)
        fullest = count_shape(pacer)
        assert 0 < smallest < halfway < fullest
        kinds = [event.cue.kind for event in events(messages, CueStarted)]  # type: ignore[attr-defined]
        assert kinds[-2:] == ["breathe-in", "breathe-out"]


async def test_m_turns_on_reduced_motion_word_and_count_only(
    app_factory: AppFactory, clock: SteppedClock, saved_settings: Callable[[], Settings]
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        pacer = screen.query_one(BreathPacer)
        _, breathe_in = first_cue(screen, "breathe-in")
        await advance_to(pilot, clock, messages, breathe_in.start + 1.5)
        await wait_until(pilot, lambda: pacer.count == 2, "count 2")
        assert SHAPE_CHAR in shown(pacer)
        await pilot.press("m")
        assert pacer.reduced_motion is True
        assert saved_settings().reduced_motion is True
        still = shown(pacer)
        assert SHAPE_CHAR not in still
        assert still.strip() == "Breathe in  2"
        await pilot.press("m")
        assert pacer.reduced_motion is False
        assert saved_settings().reduced_motion is False
        assert SHAPE_CHAR in shown(pacer)


async def test_body_figure_lights_the_hands_while_tensing(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="lemon-squeeze", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        body = screen.query_one(BodyFigure)
        _, tense = first_cue(screen, "tense", area="hands")
        await advance_to(pilot, clock, messages, tense.start + 2)
        assert screen.query_one("#middle").current == "body"  # type: ignore[attr-defined]
        assert body.area == "hands"
        # The whole figure shows, feet included, with "Hands" beside the hands.
        figure = on_screen(body).splitlines()
        drawn = [row.strip() for row in figure if row.strip()]
        assert len(drawn) == len(FIGURE)
        assert drawn[-1] == FIGURE[-1].strip()
        assert [row for row in drawn if "Hands" in row] == ["o  |_____|  o  Hands"]
        assert shown(screen.query_one("#caption", Static)) == tense.text
        assert tense.text is not None and tense.text.startswith("Pretend you have a lemon")
        # The lit cells are the hands' (the "o" at the end of each arm), nothing else.
        lit = [
            segment.text
            for segment in body.render().render(app.console)
            if segment.style is not None and segment.style.reverse
        ]
        assert lit == ["o", "o"]


# --- the keys ---------------------------------------------------------------------------


async def test_space_pauses_and_resumes_with_the_sound(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        backend = screen.player.backend
        await advance_to(pilot, clock, messages, 5.0)
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Paused), "Paused")
        status = shown(screen.query_one("#status", Static))
        assert status.startswith("Paused  ·  Step 2 of ")
        assert screen.has_class("paused")
        assert ("pause_all",) in backend.calls
        # While paused, time on the clock does not move the session.
        cues_before = len(events(messages, CueStarted))
        clock.advance(60)
        await pilot.pause(0.1)
        assert screen.player.elapsed == pytest.approx(5.0, abs=0.01)
        assert len(events(messages, CueStarted)) == cues_before
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Resumed), "Resumed")
        assert not shown(screen.query_one("#status", Static)).startswith("Paused")
        assert not screen.has_class("paused")
        assert backend.calls.index(("resume_all",)) > backend.calls.index(("pause_all",))
        # It goes on from where it paused.
        await advance_to(pilot, clock, messages, 15.0)
        assert screen.player.elapsed == pytest.approx(15.0, abs=0.01)


async def test_right_goes_to_the_next_step_and_left_goes_back(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        cues = screen.prepared.timeline.cues
        caption = screen.query_one("#caption", Static)
        await advance_to(pilot, clock, messages, 4.0)

        def step_numbers() -> list[int]:
            return [event.number for event in events(messages, StepChanged)]  # type: ignore[attr-defined]

        assert step_numbers() == [1, 2]
        await pilot.press("right")
        await wait_until(pilot, lambda: step_numbers() == [1, 2, 3], "step 3")
        third = next(
            cue for cue in cues if cue.kind == "say" and cue.step == screen.player.current_step
        )
        assert shown(caption) == third.text
        assert shown(screen.query_one("#status", Static)).startswith("Step 3 of ")
        # Straight after a jump, back goes to the step before (not the start of this one).
        await pilot.press("left")
        await wait_until(pilot, lambda: step_numbers() == [1, 2, 3, 2], "step 2 again")
        second = next(cue for cue in cues if cue.kind == "say")
        assert shown(caption) == second.text
        assert shown(screen.query_one("#status", Static)).startswith("Step 2 of ")
        assert screen.player.elapsed == pytest.approx(second.start, abs=0.01)


async def test_v_turns_the_voice_off_but_keeps_the_captions(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        backend = screen.player.backend
        says = [cue for cue in screen.prepared.timeline.cues if cue.kind == "say"]
        await advance_to(pilot, clock, messages, says[0].start + 1)
        assert backend.played("voice") == [says[0].audio]
        await pilot.press("v")
        assert screen.player.voice_on is False
        assert shown(screen.query_one("#status", Static)).endswith("voice off")
        assert ("stop", "voice", 0.2) in backend.calls
        await advance_to(pilot, clock, messages, says[2].start + 1)
        # Two more lines went by as captions, and not one was spoken.
        assert shown(screen.query_one("#caption", Static)) == says[2].text
        assert backend.played("voice") == [says[0].audio]
        await pilot.press("v")
        assert not shown(screen.query_one("#status", Static)).endswith("voice off")
        await advance_to(pilot, clock, messages, says[3].start + 1)
        assert backend.played("voice") == [says[0].audio, says[3].audio]


async def test_a_turns_the_ambient_sound_off_and_on(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    # With sound wanted, CALMKIT_AUDIO=null still gives the recording null backend.
    app = app_factory(start_target="balloon-belly", clock=clock, want_sound=True)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        backend = screen.player.backend
        bed = screen.prepared.ambient
        assert bed is not None and bed.endswith(".ogg")
        await advance_to(pilot, clock, messages, 4.0)
        assert backend.played("ambient") == [bed]
        assert screen.player.ambient_on is True
        await pilot.press("a")
        assert screen.player.ambient_on is False
        assert backend.calls[-1] == ("stop", "ambient", 1.0)
        assert backend.playing["ambient"] is None
        await pilot.press("a")
        assert screen.player.ambient_on is True
        assert backend.calls[-1] == ("play", "ambient", bed, 1.0, True, 1.0)


async def test_plus_and_minus_change_the_volume_and_save_it(
    app_factory: AppFactory, clock: SteppedClock, saved_settings: Callable[[], Settings]
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        backend = screen.player.backend
        await advance_to(pilot, clock, messages, 1.0)
        await pilot.press("plus")
        volumes = saved_settings().volumes
        # The voice was at its top already; ambient and chimes go up a step.
        assert (volumes.voice, volumes.ambient, volumes.cues) == pytest.approx((1.0, 0.6, 0.7))
        await pilot.press("minus", "minus")
        volumes = saved_settings().volumes
        assert (volumes.voice, volumes.ambient, volumes.cues) == pytest.approx((0.8, 0.4, 0.5))
        assert app.settings.volumes.voice == pytest.approx(0.8)
        voice_levels = [call[2] for call in backend.calls if call[:2] == ("set_volume", "voice")]
        assert voice_levels[-1] == pytest.approx(0.8)


# --- stopping, check-ins and the end -------------------------------------------------------


async def test_stop_asks_first_saves_both_checkins_and_ends_gently(
    app_factory: AppFactory,
    clock: SteppedClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    messages: list[Message] = []
    app = app_factory(clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        screen = await start_from_home(pilot, messages, "7")
        await advance_to(pilot, clock, messages, 70.0)
        # q asks first, and pauses while it asks.
        await pilot.press("q")
        await wait_for_screen(pilot, ConfirmDialog)
        assert shown(app.screen.query_one("#question", Label)) == (
            "Stop here? What you did still counts."
        )
        await wait_until(pilot, lambda: events(messages, Paused), "the pause")
        # "n" keeps going.
        await pilot.press("n")
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, Resumed), "the resume")
        assert screen.player.paused is False
        assert screen.player.finished is None
        # q then y stops.
        await stop_session(pilot)
        assert [event.status for event in events(messages, Finished)] == ["stopped"]  # type: ignore[attr-defined]
        assert shown(app.screen.query_one("#question", Label)) == (
            "And now: how calm or upset do you feel?"
        )
        await pilot.press("2")
        # Once a day: what Maya did today (school and friends).
        await wait_for_screen(pilot, ActivitiesDialog)
        await pilot.press("space", "down", "down", "space", "d")
        await wait_for_screen(pilot, EndScreen)
        end = app.screen
        assert shown(end.query_one("#thanks", Static)) == "All done!"
        assert shown(end.query_one("#minutes", Static)) == "You practised for 1 minute."
        assert shown(end.query_one("#praise", Static)) == PRAISE_STOPPED
        await pilot.press("enter")
        await wait_for_screen(pilot, HomeScreen)
    [record] = sessions_in_journal()
    assert (record.profile, record.target, record.status) == ("Maya", "maya-8-weeks", "stopped")
    assert record.seconds == pytest.approx(70.0, abs=0.1)
    assert checkins_of(record) == [("before", "stress", 7), ("after", "stress", 2)]
    # The day's activities belong to the day, not to the session.
    with Journal() as journal:
        [daily] = journal.checkins(moment="daily")
    assert (daily.profile, daily.item, daily.value, daily.session_id) == (
        "Maya",
        "activities",
        "school,friends",
        None,
    )
    # `calmkit log` shows them.
    assert calmkit_main(["log", "--json"]) == 0
    [logged] = json.loads(capsys.readouterr().out)
    assert logged["status"] == "stopped"
    assert [(c["when"], c["item"], c["value"]) for c in logged["checkins"]] == [
        ("before", "stress", 7),
        ("after", "stress", 2),
    ]
    assert calmkit_main(["log"]) == 0
    assert "stress 7 → 2" in capsys.readouterr().out


async def test_a_whole_session_completes_and_says_well_done(app_factory: AppFactory) -> None:
    messages: list[Message] = []
    # Maya is 9: the kid tier, with the shipped narration's lengths.
    timeline = timeline_of("five-senses", age=9)
    steps_total = len({cue.step for cue in timeline.cues})
    app = app_factory(start_target="five-senses", clock=ScaledClock(200))
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        # About 1.4 s at 200 times: the after check-in is the first question asked.
        await wait_for_screen(pilot, CheckinDialog, timeout=20)
        [finished] = events(messages, Finished)
        assert finished.status == "completed"  # type: ignore[attr-defined]
        assert finished.elapsed == pytest.approx(timeline.duration)  # type: ignore[attr-defined]
        starts = [event.cue.start for event in events(messages, CueStarted)]  # type: ignore[attr-defined]
        assert starts == [cue.start for cue in timeline.cues]
        # 1 then 0 is ten, not one.
        await pilot.press("1", "0")
        await wait_for_screen(pilot, ActivitiesDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, EndScreen)
        assert shown(app.screen.query_one("#minutes", Static)) == (
            f"You practised for {round(timeline.duration / 60)} minutes."
        )
        assert shown(app.screen.query_one("#praise", Static)) == PRAISE_COMPLETED
    [record] = sessions_in_journal()
    assert (record.target, record.status) == ("five-senses", "completed")
    assert record.steps_done == record.steps_total == steps_total
    assert record.seconds == pytest.approx(timeline.duration, abs=0.1)
    assert checkins_of(record) == [("after", "stress", 10)]


async def test_young_child_answers_with_faces(app_factory: AppFactory, clock: SteppedClock) -> None:
    messages: list[Message] = []
    app = app_factory(profile="Leo", age=6, clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        dialog = app.screen
        # Five faces drawn big in columns, each with its number above and words under it.
        lines = on_screen(dialog.query_one("#scale", Static)).splitlines()
        numbers, words = lines[0], lines[-1]
        assert columns(numbers) == ["1", "2", "3", "4", "5"]
        assert columns(words) == ["very calm", "calm", "in between", "upset", "very upset"]
        assert len(lines) == 2 + len(picture(STRESS_FACES[0]))
        # Each face's words sit right under its number.
        for number, word in zip(column_centres(numbers), column_centres(words), strict=True):
            assert abs(number - word) <= 1.5
        assert shown(dialog.query_one("#hint", Label)) == (
            "Press 1 to 5, or use ← → and Enter. S or Esc skips, that's fine too. H goes back home."
        )
        # Only the five faces answer: 7 and 0 do nothing.
        await pilot.press("7", "0")
        assert app.screen is dialog
        await pilot.press("4")
        await wait_for_screen(pilot, SessionScreen)
        await advance_to(pilot, clock, messages, 10.0)
        await stop_session(pilot)
        assert picture(STRESS_FACES[0])[3] in on_screen(app.screen.query_one("#scale", Static))
        await pilot.press("1")
        await wait_for_screen(pilot, ActivitiesDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, EndScreen)
    [record] = sessions_in_journal()
    assert record.profile == "Leo"
    assert record.tier == "young"
    # Stored as the faces they were (the fourth, "upset"; the first, "very calm"), not as
    # numbers on the 0-10 thermometer.
    assert checkins_of(record) == [("before", "stress", 4), ("after", "stress", 1)]
    assert [checkin.scale for checkin in record.checkins] == ["faces", "faces"]


async def test_skipped_checkins_save_nothing(app_factory: AppFactory, clock: SteppedClock) -> None:
    messages: list[Message] = []
    app = app_factory(clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        screen = await start_from_home(pilot, messages, "escape")
        assert screen.player.finished is None
        await advance_to(pilot, clock, messages, 10.0)
        await stop_session(pilot)
        await pilot.press("s")
        await wait_for_screen(pilot, ActivitiesDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, EndScreen)
    [record] = sessions_in_journal()
    assert record.status == "stopped"
    assert checkins_of(record) == []
    with Journal() as journal:
        assert journal.checkins() == []


async def test_quitting_mid_session_ends_the_player_and_logs_it_stopped(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    player = None
    try:
        async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
            await wait_for_screen(pilot, SessionScreen)
            player = session(pilot).player
            await advance_to(pilot, clock, messages, 20.0)
            await pilot.press("ctrl+q")
            await pilot.pause()
        # The app is gone: its player must not play on (nor keep the process alive).
        assert player.finished == "stopped"
    finally:
        if player is not None:
            player.stop()
    # The stop reached the journal's writer (its own thread; here it has time to write).
    recorders = [one for one in player.listeners if isinstance(one, JournalRecorder)]
    assert len(recorders) == 1
    recorders[0].flush(timeout=5)
    [record] = sessions_in_journal()
    assert record.status == "stopped"
    assert record.seconds == pytest.approx(20.0, abs=0.1)


# --- settings and profiles --------------------------------------------------------------


async def open_settings(pilot: Pilot) -> OptionList:
    await wait_for_screen(pilot, HomeScreen)
    await pilot.press("s")
    await wait_for_screen(pilot, SettingsScreen)
    return pilot.app.screen.query_one("#settings-list", OptionList)


async def test_settings_change_with_left_and_right_and_are_saved(
    app_factory: AppFactory, saved_settings: Callable[[], Settings]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        rows = await open_settings(pilot)
        assert app.focused is rows
        assert rows.highlighted == 0

        def row_text(index: int) -> str:
            return str(rows.get_option_at_index(index).prompt)

        assert row_text(0).endswith("◀ ██████████ 100% ▶")
        await pilot.press("left")
        assert row_text(0).endswith("◀ █████████░ 90% ▶")
        assert saved_settings().volumes.voice == pytest.approx(0.9)
        await pilot.press("down", "right")
        assert saved_settings().volumes.ambient == pytest.approx(0.6)
        await pilot.press("down", "down", "down", "down", "right")  # Colours
        assert row_text(5).endswith("◀ high contrast ▶")
        assert app.theme == "high-contrast"
        assert saved_settings().theme == "high-contrast"
        await pilot.press("down", "right")  # Reduced motion
        assert row_text(6).endswith("◀ on ▶")
        assert saved_settings().reduced_motion is True
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)


@pytest.mark.system("espeak-ng")
async def test_the_narrator_is_a_setting_once_there_is_a_second_voice(
    app_factory: AppFactory, saved_settings: Callable[[], Settings]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        rows = await open_settings(pilot)
        # Only the shipped festival voice: nothing to choose.
        assert not any("Narrator" in str(option.prompt) for option in rows.options)
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)

    # A second voice folder, made by calmkit narrate with a real engine.
    assert calmkit_main(["narrate", "lemon-squeeze", "--engine", "espeak-ng"]) == 0
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        rows = await open_settings(pilot)
        last = rows.option_count - 1
        assert str(rows.get_option_at_index(last).prompt).startswith("Narrator")
        assert str(rows.get_option_at_index(last).prompt).endswith("◀ best for each session ▶")
        await pilot.press("end", "right")
        assert str(rows.get_option_at_index(last).prompt).endswith("◀ espeak-ng (en-us) ▶")
        assert saved_settings().narrator == "espeak-ng-en-us"
        await pilot.press("right")
        assert saved_settings().narrator == "festival-cmu_us_slt_arctic_hts"
        assert str(rows.get_option_at_index(last).prompt).endswith(
            "◀ festival (cmu_us_slt_arctic_hts) ▶"
        )
        await pilot.press("right")
        assert saved_settings().narrator is None
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)


async def test_adding_a_profile_greets_sam_and_remembers_his_age(
    app_factory: AppFactory, saved_settings: Callable[[], Settings]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        dialog = app.screen
        profiles = dialog.query_one("#profiles", OptionList)
        # Maya's age is her plan's (9): nobody typed one for her profile.
        assert [str(profiles.get_option_at_index(i).prompt) for i in range(3)] == [
            "• Maya  (plan maya-8-weeks)",
            "  Someone new…",
            "  Just trying it: a guest session",
        ]
        await pilot.press("end", "up", "enter")
        assert app.focused is dialog.query_one("#name", Input)
        await pilot.press(*"Sami", "enter")
        assert app.focused is dialog.query_one("#age", Input)
        await pilot.press("3", "enter")
        # An age out of range is kindly refused.
        assert app.screen is dialog
        assert shown(dialog.query_one("#hint", Label)) == "An age from 4 to 18, please."
        # A grown-up's age needs 'A grown-up' ticked: a mistyped 30 is no child's.
        await pilot.press("backspace", "3", "0", "enter")
        assert shown(dialog.query_one("#hint", Label)).startswith("Over 18? Choose 'A grown-up'")
        await pilot.press("backspace", "backspace", "1", "2", "enter")
        await wait_for_screen(pilot, HomeScreen)
        await wait_until(
            pilot,
            lambda: shown(app.screen.query_one("#greeting", Static)) == "Hi, Sami!",
            "Sami's greeting",
        )
        assert app.profile == "Sami"
        assert app.age == 12
        # Sami has no plan (no example is written for that name either, so his own
        # age counts): a suggestion instead of Maya's After school.
        assert "After school" not in shown(app.screen.query_one("#today", Static))
    assert saved_settings().profile == "Sami"
    with Journal() as journal:
        ages = {profile.name: profile.age for profile in journal.profiles()}
    assert ages == {"Maya": None, "Sami": 12}
