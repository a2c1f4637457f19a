"""Readable, calm and clear at every size (issue 14), driven key by key as a child or a
parent would, with every message the app handles recorded (``message_hook``).

Sizes: 60x20 is the smallest calmkit lays out for, 80x24 the usual, 140x45 a big one.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Footer, HelpPanel, Label, OptionList, Static
from textual.widgets._footer import FooterKey
from tui_helpers import (
    SIZE,
    advance_to,
    events,
    first_cue,
    on_screen,
    session,
    shown,
    wait_for_screen,
    wait_until,
)

from calmkit.playback.clock import SteppedClock
from calmkit.playback.player import CueStarted, Finished, Paused, Resumed, StepShown
from calmkit.records.answers import STRESS_FACES, Answer
from calmkit.records.journal import Journal
from calmkit.records.settings import Settings
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.activities import ActivitiesDialog
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.dialogs.grownup import GrownUpCheck
from calmkit.tui.screens.end import FLOWER_WORDS, PRAISE, EndNews, EndScreen
from calmkit.tui.screens.home import PLAN_POINTER, HomeScreen
from calmkit.tui.screens.plan import PlanScreen
from calmkit.tui.screens.session import (
    PAUSED_WORDS,
    SessionOutcome,
    SessionScreen,
    breath_counts,
)
from calmkit.tui.screens.settings import SettingsScreen
from calmkit.tui.widgets.body import FIGURE, BodyFigure
from calmkit.tui.widgets.caption import Caption, clamp
from calmkit.tui.widgets.too_small import TOO_SMALL_WORDS, TooSmall
from doubles import ScaledClock

AppFactory = Callable[..., CalmkitApp]
SMALLEST = (60, 20)
BIG = (140, 45)


def footer_keys(app: CalmkitApp) -> dict[str, str]:
    """The footer's keys that are drawn wholly on screen: key -> what it says."""
    width = app.size.width
    keys = {}
    for key in app.screen.query_one(Footer).query(FooterKey):
        region = key.region
        if region.width and region.right <= width:
            keys[key.key_display or key.key] = key.description
    return keys


def too_small_shown(app: CalmkitApp) -> bool:
    covers = app.screen.query(TooSmall)
    return bool(covers) and covers.first().display and covers.first().region.area > 0


# --- 1. the plan, for grown-ups --------------------------------------------------------------


async def test_n_opens_the_whole_plan_and_home_only_points_to_it(app_factory: AppFactory) -> None:
    messages: list[Message] = []
    app = app_factory()
    async with app.run_test(size=SMALLEST, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        home = app.screen
        # The child's screen: one line pointing to the plan, no note.
        assert not home.query("#plan-note")
        pointer = home.query_one("#plan-pointer", Static)
        assert shown(pointer) == PLAN_POINTER
        assert pointer.region.height == 1
        assert footer_keys(app)["n"] == "Plan"
        await pilot.press("n")
        await wait_for_screen(pilot, PlanScreen)
        plan = app.screen
        note = app.active_plan.note  # type: ignore[union-attr]
        # The whole note, safety rule included, word for word.
        assert shown(plan.query_one("#plan-note", Static)) == note
        assert "her feet and legs only rest" in note
        assert shown(plan.query_one("#plan-week", Static)) == (
            "• After school: Balloon Belly, once a day\n• Bedtime: Five Finger Breathing, once a day"
        )
        settings = shown(plan.query_one("#plan-settings", Static))
        assert "• Never tensed: feet and legs. Those steps become a gentle letting go." in settings
        assert "Before and after each practice it asks: how calm or upset" in settings
        assert "• Once a day it asks: what was done that day" in settings
        # It scrolls: the last setting can be reached at the smallest size.
        await pilot.press("end")
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)


async def test_the_plan_is_in_the_command_palette(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"plan")
        results = app.screen.query_one(CommandList)
        await wait_until(
            pilot,
            lambda: any(
                "The plan, for grown-ups" in str(results.get_option_at_index(i).prompt)
                for i in range(results.option_count)
            ),
            "the plan's command",
        )
        await pilot.press("enter")
        await wait_for_screen(pilot, PlanScreen)


async def test_no_plan_no_plan_key(app_factory: AppFactory) -> None:
    app = app_factory(profile="Kim", age=12)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert "n" not in footer_keys(app)
        assert not app.screen.query("#plan-pointer")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


# --- 2 and 3. paused, and moving while paused ---------------------------------------------


async def test_paused_says_so_in_the_middle_and_the_footer_says_resume(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SMALLEST, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        note = screen.query_one("#paused-note", Static)
        await advance_to(pilot, clock, messages, 5.0)
        assert not note.display
        keys = footer_keys(app)
        assert (keys.get("space"), keys.get("q")) == ("Pause", "Stop")
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Paused), "Paused")
        assert note.display and shown(note) == PAUSED_WORDS
        # In the middle of the screen, between the words and the status line.
        middle_row = app.size.height // 2
        assert abs(note.region.y + note.region.height // 2 - middle_row) <= 4
        await wait_until(pilot, lambda: footer_keys(app).get("space") == "Resume", "Resume")
        assert "Pause" not in footer_keys(app).values()
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Resumed), "Resumed")
        assert not note.display
        await wait_until(pilot, lambda: footer_keys(app).get("space") == "Pause", "Pause again")


async def test_next_and_back_while_paused_show_the_step_and_resume_plays_it(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="lemon-squeeze", profile="Leo", age=7, clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        caption = screen.query_one("#caption", Static)
        status = screen.query_one("#status", Static)
        _, tense = first_cue(screen, "tense", area="hands")
        await advance_to(pilot, clock, messages, tense.start + 1)
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Paused), "Paused")
        number = screen.player.step_number(tense.step)
        await pilot.press("right")
        await wait_until(pilot, lambda: events(messages, StepShown), "the step shown")
        shown_steps = events(messages, StepShown)
        assert [event.number for event in shown_steps] == [number + 1]  # type: ignore[attr-defined]
        index = shown_steps[-1].index  # type: ignore[attr-defined]
        # The caption and the step number follow the key, the session stays paused.
        assert screen.player.paused
        line = screen.player.line_at(index)
        assert line is not None and line[1] is not tense
        assert shown(caption) == line[1].text
        assert shown(status).startswith(f"Paused  ·  Step {number + 1} of ")
        await pilot.press("right", "left")
        await wait_until(pilot, lambda: len(events(messages, StepShown)) == 3, "three steps shown")
        assert [e.number for e in events(messages, StepShown)] == [
            number + 1,
            number + 2,
            number + 1,
        ]  # type: ignore[attr-defined]
        seen = len(events(messages, CueStarted))
        await pilot.press("space")
        await wait_until(pilot, lambda: len(events(messages, CueStarted)) > seen, "playing on")
        # Resuming starts from what is shown: the shown step's first cue, not a jump.
        assert events(messages, CueStarted)[seen].index == index  # type: ignore[attr-defined]


async def test_a_paused_body_step_shows_its_area(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="lemon-squeeze", profile="Leo", age=7, clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        index, tense = first_cue(screen, "tense", area="hands")
        before = max(
            i for i, c in enumerate(screen.prepared.timeline.cues[:index]) if c.kind == "say"
        )
        await advance_to(pilot, clock, messages, screen.prepared.timeline.cues[before].start + 0.5)
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Paused), "Paused")
        while screen.player.current_step != tense.step:
            await pilot.press("right")
            await pilot.pause()
        await wait_until(pilot, lambda: screen.query_one(BodyFigure).area == "hands", "hands")
        assert screen.query_one("#middle").current == "body"  # type: ignore[attr-defined]
        assert shown(screen.query_one("#caption", Static)) == tense.text


# --- 4. small terminals ------------------------------------------------------------------


@pytest.mark.parametrize("size", [(59, 20), (60, 19), (40, 12)])
async def test_below_60x20_says_make_the_window_bigger(
    app_factory: AppFactory, size: tuple[int, int]
) -> None:
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await wait_until(pilot, lambda: too_small_shown(app), "the cover")
        cover = app.screen.query_one(TooSmall)
        assert shown(cover) == TOO_SMALL_WORDS
        assert cover.region.size == app.size


async def test_growing_the_window_brings_the_screen_back(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SMALLEST, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await pilot.pause()
        assert not too_small_shown(app)
        await pilot.resize_terminal(50, 16)
        await wait_until(pilot, lambda: too_small_shown(app), "the cover")
        # The session goes on underneath; space still pauses it.
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Paused), "Paused")
        await pilot.resize_terminal(*SMALLEST)
        await wait_until(pilot, lambda: not too_small_shown(app), "the screen back")


async def test_60x20_session_keeps_space_and_q_and_the_figure_or_its_name(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="lemon-squeeze", profile="Leo", age=7, clock=clock)
    async with app.run_test(size=SMALLEST, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, tense = first_cue(screen, "tense", area="hands")
        await advance_to(pilot, clock, messages, tense.start + 1)
        body = screen.query_one(BodyFigure)
        # The whole figure fits with the hands and their name.
        drawn = [row for row in on_screen(body).splitlines() if row.strip()]
        assert len(drawn) == len(FIGURE)
        assert any("Hands" in row for row in drawn)
        assert {"space", "q"} <= set(footer_keys(app))
        # Paused, the note takes rows: the figure gives way to the area's name.
        await pilot.press("space")
        await wait_until(pilot, lambda: events(messages, Paused), "Paused")
        await pilot.pause()
        drawn = [row.strip() for row in on_screen(body).splitlines() if row.strip()]
        assert drawn == ["Hands"]


def test_a_long_line_ends_with_an_ellipsis() -> None:
    words = "Now drop the lemons and let your hands go soft and floppy like spaghetti."
    assert str(clamp(words, 30, 1)) == "Now drop the lemons and let…"
    assert str(clamp(words, 30, 2)) == "Now drop the lemons and let\nyour hands go soft and floppy…"
    assert str(clamp(words, 100, 1)) == words


async def test_80x24_home_footer_shows_quit(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert footer_keys(app)["q"] == "Quit"


async def test_library_rows_never_wrap_at_60x20(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        library = app.screen.query_one("#library", OptionList)
        rows = [row for row in on_screen(library).splitlines()[1:-1]]
        assert any("…" in row for row in rows)
        # Every row starts a script or a heading: nothing left over from a wrapped title.
        assert not any(
            row.strip("│ ▎▊█▁▔").strip().endswith("min") and "  " not in row.strip("│ ")
            for row in rows
        )


# --- 5. big captions on a big terminal ------------------------------------------------------


async def test_the_spoken_line_is_big_on_a_big_terminal(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=BIG, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, say = first_cue(screen, "say")
        await advance_to(pilot, clock, messages, say.start + 0.5)
        caption = screen.query_one(Caption)
        rows = caption.big_rows()
        assert rows is not None and len(rows) >= 3
        # Bigger than any other words on screen: taller than the title, the next line and
        # the status together, and the words are the script's.
        others = ("#title", "#next-line", "#status")
        assert caption.region.height > sum(screen.query_one(o).region.height for o in others)
        assert caption.text == say.text
        drawn = on_screen(caption)
        assert len([row for row in drawn.splitlines() if row.strip()]) >= 3
        assert say.text not in drawn  # drawn in big letters, not as ordinary text


async def test_normal_captions_and_small_terminals_keep_ordinary_letters(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, say = first_cue(screen, "say")
        await advance_to(pilot, clock, messages, say.start + 0.5)
        assert screen.query_one(Caption).big_rows() is None
        await pilot.resize_terminal(*BIG)
        await pilot.pause()
        assert screen.query_one(Caption).big_rows() is not None
        screen.query_one(Caption).caption_size = "normal"
        assert screen.query_one(Caption).big_rows() is None


# --- 9. volume ------------------------------------------------------------------------------


async def test_softer_under_the_limit_is_softer_and_the_limit_is_said(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    settings = Settings()
    settings.volumes.cap = 0.5
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock, settings=settings)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        backend = screen.player.backend
        await advance_to(pilot, clock, messages, 1.0)
        await pilot.press("minus")
        await pilot.pause()
        levels = [call[2] for call in backend.calls if call[:2] == ("set_volume", "voice")]
        assert levels[-1] == pytest.approx(0.4)
        assert [n.message for n in app._notifications][-1] == "Volume ▮▮▮▮▯▯▯▯▯▯ 40%"
        await pilot.press("plus", "plus")
        await pilot.pause()
        assert app.settings.volumes.effective("voice") == pytest.approx(0.5)
        assert [n.message for n in app._notifications][-1] == (
            "Volume ▮▮▮▮▮▯▯▯▯▯ 50%: a grown-up's limit keeps it here"
        )


async def test_the_limit_asks_a_grown_up_first(
    app_factory: AppFactory, saved_settings: Callable[[], Settings]
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("s")
        await wait_for_screen(pilot, SettingsScreen)
        await pilot.press("down", "down", "down", "left")
        await wait_for_screen(pilot, GrownUpCheck)
        check = app.screen
        assert isinstance(check, GrownUpCheck)
        assert check.answer >= 36
        # A wrong answer (or Esc) keeps the limit.
        await pilot.press(*str(check.answer + 1), "enter")
        await wait_for_screen(pilot, SettingsScreen)
        assert app.settings.volumes.cap == 1.0
        await pilot.press("left")
        await wait_for_screen(pilot, GrownUpCheck)
        check = app.screen
        await pilot.press(*str(check.answer), "enter")  # type: ignore[attr-defined]
        await wait_for_screen(pilot, SettingsScreen)
        assert saved_settings().volumes.cap == pytest.approx(0.9)
        # Unlocked for the rest of this visit: no second question.
        await pilot.press("left")
        assert isinstance(app.screen, SettingsScreen)
        assert saved_settings().volumes.cap == pytest.approx(0.8)
        rows = app.screen.query_one("#settings-list", OptionList)
        assert str(rows.get_option_at_index(0).prompt).endswith("▶ heard 80%")
        assert "heard" not in str(rows.get_option_at_index(1).prompt)  # ambient 50%, under it
        assert "(heard" not in str(rows.get_option_at_index(0).prompt)


async def test_a_says_what_it_did(app_factory: AppFactory, clock: SteppedClock) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock, want_sound=True)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await advance_to(pilot, clock, messages, 2.0)
        await pilot.press("a")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == "Background sound off"
        await pilot.press("a")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == "Background sound on"


async def test_a_without_a_bed_says_there_is_none(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)  # no sound: no bed
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await advance_to(pilot, clock, messages, 2.0)
        await pilot.press("a")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == (
            "This practice has no background sound."
        )


# --- 10. the command palette mid-session -------------------------------------------------


async def palette_titles(pilot: Pilot) -> list[str]:
    await pilot.press("ctrl+p")
    await wait_for_screen(pilot, CommandPalette)
    results = pilot.app.screen.query_one(CommandList)
    await wait_until(pilot, lambda: results.option_count > 0, "the commands")
    await pilot.pause(0.2)
    titles = [
        str(results.get_option_at_index(i).prompt).split("\n")[0]
        for i in range(results.option_count)
    ]
    await pilot.press("escape")
    return titles


async def test_mid_session_the_palette_offers_only_what_is_safe(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await advance_to(pilot, clock, messages, 2.0)
        titles = await palette_titles(pilot)
        assert sorted(titles) == sorted(
            ["Pause", "Stop here", "Settings", "High contrast", "Show the keys"]
        )
        await wait_for_screen(pilot, SessionScreen)


async def test_at_home_the_palette_speaks_plain_words(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        titles = await palette_titles(pilot)
        assert sorted(titles) == sorted(
            [
                "Start today's practice",
                "Library",
                "The plan, for grown-ups",
                "Settings",
                "Who is practising",
                "Practise together",
                "History",
                "High contrast",
                "Show the keys",
                "Quit calmkit",
            ]
        )


async def test_settings_mid_session_pause_it_and_going_back_plays_on(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        await advance_to(pilot, clock, messages, 3.0)
        app.action_open_settings()
        await wait_for_screen(pilot, SettingsScreen)
        await wait_until(pilot, lambda: events(messages, Paused), "Paused")
        clock.advance(30)
        await pilot.pause(0.1)
        assert screen.player.elapsed == pytest.approx(3.0, abs=0.01)
        await pilot.press("left")  # voice softer, while paused
        await pilot.press("escape")
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, Resumed), "Resumed")
        backend = screen.player.backend
        levels = [call[2] for call in backend.calls if call[:2] == ("set_volume", "voice")]
        assert levels[-1] == pytest.approx(0.9)


# --- 12. the small ones -----------------------------------------------------------------


async def test_arrows_move_between_the_confirm_buttons(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await advance_to(pilot, clock, messages, 2.0)
        await pilot.press("q")
        await wait_for_screen(pilot, ConfirmDialog)
        dialog = app.screen
        await pilot.pause()
        first = app.focused
        await pilot.press("right")
        assert app.focused is not first and app.focused is dialog.query_one("#yes")
        await pilot.press("left")
        assert app.focused is dialog.query_one("#no")
        await pilot.press("enter")
        await wait_for_screen(pilot, SessionScreen)
        assert session(pilot).player.finished is None


async def test_escape_closes_the_keys_panel_and_only_that(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await advance_to(pilot, clock, messages, 2.0)
        app.action_show_help_panel()
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)
        assert isinstance(app.screen, SessionScreen)
        # The next Esc is the session's own: stop here?
        await pilot.press("escape")
        await wait_for_screen(pilot, ConfirmDialog)


def test_a_three_and_a_half_second_breath_never_flashes_a_fourth_number() -> None:
    assert breath_counts(3.5) == 3
    assert breath_counts(4.5) == 4
    assert breath_counts(3.0) == 3
    assert breath_counts(2.8) == 3
    assert breath_counts(0.5) == 1


async def test_the_all_ages_choice_is_kept_after_a_practice(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    app = app_factory(profile="Tom", age=13)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("f")
        assert app.screen.all_ages  # type: ignore[attr-defined]
        app.refresh_home()
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, HomeScreen) and app.screen.is_mounted,
            "home again",
        )
        ids = [
            app.screen.query_one("#library", OptionList).get_option_at_index(i).id
            for i in range(app.screen.query_one("#library", OptionList).option_count)
        ]
        assert "lemon-squeeze" in ids


async def test_the_session_title_names_the_script(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await pilot.press("escape")
        await wait_for_screen(pilot, SessionScreen)
        assert shown(app.screen.query_one("#title", Static)) == "After school · Balloon Belly"


# --- 7. ticked and not ticked differ by shape -------------------------------------------


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
async def test_activity_boxes_differ_by_shape(
    app_factory: AppFactory,
    clock: SteppedClock,
    monkeypatch: pytest.MonkeyPatch,
    no_color: bool,
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    messages: list[Message] = []
    app = app_factory(clock=clock)
    async with app.run_test(size=SMALLEST, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, SessionScreen)
        await advance_to(pilot, clock, messages, 3.0)
        await pilot.press("q")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, ActivitiesDialog)
        boxes = app.screen.query_one("#activity-list")

        def rows() -> list[str]:
            return [
                row.strip("│ ")
                for row in on_screen(boxes).splitlines()
                if "School" in row or "friends" in row
            ]

        assert rows() == ["[ ] 1  School", "[ ] 3  Time with friends"]
        await pilot.press("1", "3")
        await pilot.pause()
        assert rows() == ["[✓] 1  School", "[✓] 3  Time with friends"]
        await pilot.press("3")
        await pilot.pause()
        assert rows() == ["[✓] 1  School", "[ ] 3  Time with friends"]


# --- 12. "Before we start" has a way back home --------------------------------------------


async def test_h_before_starting_goes_back_home_and_plays_nothing(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        assert shown(app.screen.query_one("#hint", Label)).endswith("H goes back home.")
        await pilot.press("h")
        await wait_for_screen(pilot, HomeScreen)
        await pilot.pause(0.2)
        assert not events(messages)
        assert app.active_log is None
        assert not any(isinstance(screen, SessionScreen) for screen in app.screen_stack)
    with Journal() as journal:
        assert journal.sessions() == []


def test_the_upset_face_looks_upset() -> None:
    upset = next(face for face in STRESS_FACES if face.words == "upset")
    # Eyes that slope like worried brows, not the flat "n" mouth that read as a smile.
    assert upset.drawing == "(ó_ò)"
    assert len({face.drawing for face in STRESS_FACES}) == len(STRESS_FACES)


# --- 8. the end screen in words by tier ----------------------------------------------------


async def test_a_young_child_ends_with_her_flower_and_how_she_felt(
    app_factory: AppFactory,
) -> None:
    messages: list[Message] = []
    # Today as the journal dates it: the flower is for the day the practice was done.
    app = app_factory(profile="Leo", age=6, clock=ScaledClock(400), day=None)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.press("4")
        await wait_for_screen(pilot, CheckinDialog, timeout=30)  # the after question
        assert [e.status for e in events(messages, Finished)] == ["completed"]  # type: ignore[attr-defined]
        await pilot.press("1")
        await wait_for_screen(pilot, ActivitiesDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, EndScreen)
        end = app.screen
        assert shown(end.query_one("#feelings", Static)) == (
            "How you felt, before (ó_ò) upset and after (^‿^) very calm."
        )
        assert shown(end.query_one("#flower", Static)) == FLOWER_WORDS
        assert shown(end.query_one("#praise", Static)) == PRAISE["young"][0]
        assert "yourself" not in shown(end.query_one("#praise", Static))


@pytest.mark.parametrize(
    ("tier", "status", "words"),
    [
        ("young", "stopped", PRAISE["young"][1]),
        ("teen", "completed", PRAISE["teen"][0]),
        ("together", "completed", PRAISE["together"][0]),
    ],
)
async def test_the_end_screen_speaks_to_each_tier_and_a_group(
    tier: str, status: str, words: str
) -> None:
    from textual.app import App

    names = ["Maya", "Dad"] if tier == "together" else []
    news = EndNews(
        tier=tier,
        before={name: {"stress": Answer(7, "numbers")} for name in names},
        after={name: {"stress": Answer(3, "numbers")} for name in names},
    )
    screen = EndScreen(SessionOutcome(status, 300.0, 5, 5, 300.0), names, news)  # type: ignore[arg-type]

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with Host().run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shown(screen.query_one("#praise", Static)) == words
        assert not screen.query("#flower")
        if names:
            assert shown(screen.query_one("#feelings", Static)) == (
                "Maya: How you felt, before 7 and after 3.\nDad: How you felt, before 7 and after 3."
            )
            assert (
                shown(screen.query_one("#thanks", Static)) == "All done! Thank you, Maya and Dad."
            )
        else:
            assert not screen.query("#feelings")


async def test_the_scale_keeps_most_upset_whole_at_60x20(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        numbers, words = on_screen(app.screen.query_one("#scale", Static)).strip("\n").splitlines()
        assert numbers.split() == [str(n) for n in range(11)]
        assert words.split()[0] == "calm" and words.strip().endswith("most upset")
        # The words sit under the two ends of the scale.
        assert words.index("calm") == numbers.index(" 0 ")
        assert abs(len(words.rstrip()) - len(numbers.rstrip())) <= 1


def test_a_line_from_a_file_never_reaches_the_terminal_raw() -> None:
    line = "Breathe [b]in[/b]\x1b]0;owned\x07 \u202eslowly"
    drawn = str(clamp(line, 80, 2))
    assert drawn == "Breathe [b]in[/b]\\x1b]0;owned\\x07 \\u202eslowly"
    assert str(clamp(line, 12, 1)).endswith("…")
