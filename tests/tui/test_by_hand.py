"""What got in the way when the app was tried by hand in tmux (issue 14, item d): a
7-year-old, a 15-year-old, a family and a parent at 60x20, 80x24 and 140x45.

Each test drives the app as that person did and fails on what was seen: a key that
did nothing, text cut without an ellipsis, a number split from its unit, a box that
looked ticked when it was not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from textual import events as textual_events
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Input, Label, OptionList, Static
from textual.widgets._footer import FooterKey
from tui_helpers import events, on_screen, session, shown, wait_for_screen, wait_until

from calmkit.playback.clock import SteppedClock
from calmkit.playback.player import CueStarted
from calmkit.records import journal as journal_module
from calmkit.records.checkins import Question
from calmkit.records.journal import Journal, Progress
from calmkit.records.settings import Settings, load_settings, save_settings
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.profile import ProfileDialog, TogetherDialog
from calmkit.tui.screens.history import HistoryScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.session import SessionScreen
from calmkit.tui.screens.settings import SettingsScreen

AppFactory = Callable[..., CalmkitApp]
SMALLEST = (60, 20)
# The day Leo (7) was tried: calmkit suggested Quick Calm at School, 2 minutes.
LEOS_DAY = dt.date(2026, 12, 6)
SIZES = pytest.mark.parametrize(
    "size", [(60, 20), (80, 24), (140, 45)], ids=["60x20", "80x24", "140x45"]
)


BORDER = "▔▁▊▎▐▌"


def drawn_words(widget: Widget) -> list[str]:
    """The lines of words a widget draws, border and all, without its border's lines."""
    drawn = widget.render_lines(widget.region.reset_offset)
    lines = [line.text.strip(BORDER + " ") for line in drawn]
    return [line for line in lines if line]


def add_person(name: str, age: int | None, kind: str = "child") -> None:
    with Journal() as journal:
        journal.ensure_profile(name, age, kind)  # type: ignore[arg-type]


# --- the library: f, then Enter -----------------------------------------------------------------


async def test_after_f_the_library_still_has_a_script_chosen_and_enter_starts_it(
    app_factory: AppFactory,
) -> None:
    """Leo pressed l, ↓, f (every age), then Enter: nothing happened, nothing was lit."""
    app = app_factory(profile="Leo", age=7)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("l", "down")
        library = app.screen.query_one("#library", OptionList)
        chosen = library.get_option_at_index(library.highlighted or 0).id
        assert chosen is not None
        await pilot.press("f")
        assert library.highlighted is not None
        assert library.get_option_at_index(library.highlighted).id == chosen
        await pilot.press("f")  # and back: still the same script
        assert library.get_option_at_index(library.highlighted or 0).id == chosen
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)


# --- the session's status line ------------------------------------------------------------------


async def test_paused_with_the_voice_off_the_status_says_so_whole_at_60x20(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    """At 60x20 the status read "... 01:17 to go · voice": "off" had fallen off."""
    messages: list[Message] = []
    app = app_factory(profile="Leo", age=7, start_target="quick-calm", clock=clock)
    async with app.run_test(size=SMALLEST, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        await pilot.press("v", "space")
        status = session(pilot).query_one("#status", Static)
        await wait_until(pilot, lambda: "Paused" in shown(status), "paused")
        (line,) = on_screen(status).strip("\n").splitlines()
        assert line.strip().startswith("Paused · Step 1 of 16")
        assert line.strip().endswith("to go · voice off")


# --- the home screen at 60x20 -------------------------------------------------------------------


async def test_the_start_button_shows_the_whole_title_at_60x20(app_factory: AppFactory) -> None:
    """It read "Start: Quick Calm at": the rest of the title was cut, with no ellipsis."""
    app = app_factory(profile="Leo", age=7, day=LEOS_DAY)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        start = app.screen.query_one("#start", Button)
        assert " ".join(drawn_words(start)) == "Start: Quick Calm at School"


async def test_todays_minutes_stay_with_their_number_at_60x20(app_factory: AppFactory) -> None:
    """ "(2" at the end of one line and "min)" on the next."""
    app = app_factory(profile="Leo", age=7, day=LEOS_DAY)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        lines = on_screen(app.screen.query_one("#today", Static)).splitlines()
        assert any(re.search(r"\(\d+ min\)", line) for line in lines), lines
        assert not any(re.search(r"\(\d+$", line) or line.lstrip().startswith("min)")
                       for line in lines), lines  # fmt: skip


async def test_library_rows_keep_their_minutes_whole_at_60x20(app_factory: AppFactory) -> None:
    """ "Floating Cloud  7 m…" and "Flower and Candle  …": the title should give way."""
    app = app_factory(profile="Leo", age=7)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        library = app.screen.query_one("#library", OptionList)
        rows = [row.strip("│ ▁▂▃▄▅▆▇█▔▎▊") for row in on_screen(library).splitlines()[1:-1]]
        scripts = [row for row in rows if row.startswith("  ") or "min" in row]
        assert scripts, rows
        for row in scripts:
            assert re.search(r"\s\d+ min\s*$", row), f"minutes cut: {row!r}"
        assert any("…" in row for row in scripts)  # long titles end in an ellipsis instead


# --- footers: whole keys or none ------------------------------------------------------------------


@SIZES
async def test_the_home_footer_shows_only_whole_keys(
    app_factory: AppFactory, size: tuple[int, int]
) -> None:
    """ "t Tog" at 60x20, "f " and "h His" at 80x24: half a key is no key."""
    app = app_factory()  # Maya has a plan: the n Plan key too
    async with app.run_test(size=size) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = list(footer.query(FooterKey))
        palette = [key for key in keys if key.has_class("-command-palette")]
        assert palette, "the command palette key is always shown"
        room = palette[0].region.x
        shown_keys = [key for key in keys if not key.has_class("-command-palette")]
        assert shown_keys, "some keys are shown"
        for key in shown_keys:
            assert key.region.right <= room, f"{key.key_display} {key.description} is cut"
        # Quit is never the one left out.
        assert "q" in [key.key_display for key in shown_keys]
        # Still whole under a dialog (the home stays in sight behind a check-in).
        home = app.screen
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.pause(0.3)
        keys = list(home.query_one(Footer).query(FooterKey))
        room = next(key for key in keys if key.has_class("-command-palette")).region.x
        for key in keys:
            if not key.has_class("-command-palette"):
                assert key.region.right <= room, f"{key.key_display} {key.description} is cut"


# --- the grown-up box -----------------------------------------------------------------------------


async def test_the_grown_up_box_is_empty_until_ticked(app_factory: AppFactory) -> None:
    """▐X▌ ticked or not: to a parent (and with NO_COLOR) it always read as ticked."""
    app = app_factory(profile=None)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, ProfileDialog)
        box = app.screen.query_one("#grown-up", Checkbox)
        (line,) = drawn_words(box)
        assert line.startswith("[ ] A grown-up") and "X" not in line
        await pilot.press(*"Dad", "enter", "tab", "space")
        assert box.value
        (line,) = drawn_words(box)
        assert line.startswith("[✓] A grown-up")


def type_in_one_burst(app: CalmkitApp, keys: list[str]) -> None:
    """Keys as a fast typist (or a slow machine, or ssh) delivers them: all queued before
    the app has handled the first. pilot.press waits after each key, which hides this."""
    characters = {"enter": "\r", "tab": "\t", "space": " "}
    for key in keys:
        app.post_message(textual_events.Key(key, characters.get(key, key)))


@pytest.mark.parametrize("next_field", ["enter", "tab"])
async def test_a_name_and_age_typed_in_one_burst_land_in_their_fields(
    app_factory: AppFactory, next_field: str
) -> None:
    """Typed at once, "Ivy", Enter (or Tab), "10" put "Ivy10" in the name: the age's
    focus came after the keys already on their way."""
    app = app_factory(profile=None)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, ProfileDialog)
        type_in_one_burst(app, [*"Ivy", next_field, *"10"])
        await wait_until(
            pilot,
            lambda: app.screen.query_one("#age", Input).value == "10",
            "the age in its field",
        )
        assert app.screen.query_one("#name", Input).value == "Ivy"
        type_in_one_burst(app, ["enter"])
        await wait_for_screen(pilot, HomeScreen)
        assert app.profile == "Ivy" and app.age == 10


# --- the profile form fits --------------------------------------------------------------------------


async def test_adding_a_third_person_the_form_fits_at_80x24(app_factory: AppFactory) -> None:
    """With Mia and Sam there, the form for Dad ran off the bottom of the window."""
    add_person("Mia", 15)
    add_person("Sam", 7)
    app = app_factory(profile="Mia")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("end", "up", "enter")  # Someone new…
        await pilot.pause()
        dialog = app.screen.query_one("#dialog")
        assert dialog.region.bottom <= 24 and dialog.region.y >= 0
        for field in ("#name", "#age", "#grown-up", "#add", "#hint"):
            widget = app.screen.query_one(field)
            assert widget.region.height > 0 and widget.region.bottom <= dialog.region.bottom


async def test_the_together_dialog_promises_no_key_it_does_not_have(
    app_factory: AppFactory,
) -> None:
    """ "Add people with P first": P did nothing there."""
    add_person("Mia", 15)
    app = app_factory(profile="Mia")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("t")
        await wait_for_screen(pilot, TogetherDialog)
        hint = shown(app.screen.query_one("#hint", Label))
        await pilot.press("p")
        await pilot.pause()
        # P is not a key here (it is the home screen's): the hint says how to get there.
        assert isinstance(app.screen, TogetherDialog)
        assert "with P" not in hint and "Esc, then P" in hint
        await pilot.press("escape", "p")
        await wait_for_screen(pilot, ProfileDialog)


# --- settings at 60x20 --------------------------------------------------------------------------


async def test_settings_rows_are_whole_at_60x20(
    app_factory: AppFactory, isolated_settings: object
) -> None:
    """ "◀ as the script choos…" (no ▶ to say it changes) and "▶ h…" for "heard 90%"."""
    settings = Settings()
    settings.volumes.cap = 0.9
    settings.volumes.voice = 1.0
    save_settings(settings)
    assert load_settings().volumes.cap == 0.9
    app = app_factory(profile="Leo", age=7)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("s")
        await wait_for_screen(pilot, SettingsScreen)
        rows = on_screen(app.screen.query_one("#settings-list", OptionList)).splitlines()[1:-1]
        rows = [row.strip("│ ") for row in rows]
        assert rows and not any("…" in row for row in rows), rows
        assert all("◀" in row and "▶" in row for row in rows), rows
        voice = next(row for row in rows if row.startswith("Voice volume"))
        assert voice.endswith("heard 90%")


# --- a grown-up's scale ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=["60x20", "80x24"])
async def test_a_grown_ups_scale_keeps_extremely_stressed_whole(
    app_factory: AppFactory, size: tuple[int, int]
) -> None:
    """At 80x24, "extremely" ended one line and "stressed" began the next."""
    add_person("Dad", None, "grown-up")
    app = app_factory(profile="Dad")
    async with app.run_test(size=size) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        app.push_screen(
            CheckinDialog(Question("Alex", "before", "stress", None, False, grown_up=True))
        )
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.pause()
        lines = [line for line in on_screen(app.screen.query_one("#scale", Static)).splitlines()]
        lines = [line for line in lines if line.strip()]
        assert any("extremely stressed" in line for line in lines), lines
        numbers = next(line for line in lines if " 10 " in line or line.rstrip().endswith("10"))
        # The numbers are centred in the dialog, at every width.
        width = app.screen.query_one("#scale", Static).region.width
        left = len(numbers) - len(numbers.lstrip())
        right = width - len(numbers.rstrip())
        assert abs(left - right) <= 2, (left, right, lines)


# --- history at 60x20 ------------------------------------------------------------------------------


async def test_history_counts_whole_minutes_and_keeps_each_week_on_a_line(
    app_factory: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leo's first practice, 40 seconds heard: the axis read 0.083, 0.167, 0.250 minutes,
    and "30 Nov – 6" ended one line with "Dec" on the next."""
    moment = dt.datetime.combine(LEOS_DAY, dt.time(17)).astimezone()
    monkeypatch.setattr(journal_module, "now", lambda: moment)
    with Journal() as journal:
        journal.ensure_profile("Leo", 7)
        sid = journal.start_session("Leo", "quick-calm", "Quick Calm at School", "young", 16)
        journal.finish_session(sid, "stopped", Progress(6, 45, seconds_heard=40))
        journal.add_checkin("Leo", "daily", "activities", "school,friends")
    app = app_factory(profile="Leo", age=7, day=LEOS_DAY)
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("h")
        await wait_for_screen(pilot, HistoryScreen)
        await pilot.pause()
        chart = on_screen(app.screen.query_one("#minutes-chart"))
        axis = [match.group(1) for match in re.finditer(r"^\s*([\d.]+)┤", chart, re.MULTILINE)]
        assert axis, chart
        assert all(label.isdigit() for label in axis), axis
        weeks = on_screen(app.screen.query_one("#activities", Static)).splitlines()
        row = next(line for line in weeks if "Nov" in line or "Dec" in line)
        assert re.search(r"30 Nov\s*–\s*6 Dec", row), weeks
        heading = next(line for line in weeks if "Week" in line)
        assert heading.split() == ["Week", "School", "Exercise", "Friends", "Chores", "Hobby"]


# --- m during a line -------------------------------------------------------------------------------


async def test_m_says_what_it_did_even_while_no_shape_is_showing(
    app_factory: AppFactory, clock: SteppedClock, saved_settings: Callable[[], Settings]
) -> None:
    """During a spoken line m changed nothing to be seen: it seemed to do nothing."""
    messages: list[Message] = []
    app = app_factory(profile="Leo", age=7, start_target="quick-calm", clock=clock)
    async with app.run_test(size=SMALLEST, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        await pilot.press("m")
        await pilot.pause()
        assert saved_settings().reduced_motion is True
        assert [n.message for n in app._notifications][-1] == (
            "Moving shapes off: the breathing guide shows a word and a count."
        )
        await pilot.press("m")
        await pilot.pause()
        assert saved_settings().reduced_motion is False
        assert [n.message for n in app._notifications][-1] == "Moving shapes on."
