"""The hostile corpus in the app: home, session, history and the profile dialog.

Text from files and names is literal (never Textual markup: "[your name]" stays,
"[/]" does not crash) and no control character is drawn raw.
"""

from __future__ import annotations

import json

from textual.message import Message
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from tui_helpers import DAY, SIZE, events, give_plan, shown, wait_for_screen, wait_until

from calmkit import locations
from calmkit.content.library import load_library
from calmkit.playback.player import CueStarted
from calmkit.records.journal import Journal
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.profile import PlanDialog, ProfileDialog
from calmkit.tui.screens.history import HistoryScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.plan import PlanScreen
from calmkit.tui.screens.session import SessionScreen
from hostile_corpus import (
    JOURNAL_NAMES,
    MARKUP_CAPTION,
    MARKUP_TITLE,
    raw_leaks,
    write_corpus,
    write_hostile_journal,
)


def drawn(app: CalmkitApp) -> str:
    """Every word the screen shows (each widget's text), as one string."""
    return "\n".join(shown(widget) for widget in app.screen.query(Static))


def assert_nothing_raw(app: CalmkitApp) -> None:
    text = drawn(app)
    assert raw_leaks(text.encode("utf-8")) == [], text
    options = [
        str(option_list.get_option_at_index(index).prompt)
        for option_list in app.screen.query(OptionList)
        for index in range(option_list.option_count)
    ]
    assert raw_leaks("\n".join(options).encode("utf-8")) == [], options


def option_texts(widget: Widget) -> list[str]:
    assert isinstance(widget, OptionList)
    return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]


async def test_home_lists_hostile_titles_literally_and_broken_files_by_name(
    app_factory: type[CalmkitApp],
) -> None:
    write_corpus(locations.user_scripts_dir())
    app = app_factory(age=9)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        texts = option_texts(app.screen.query_one("#library", OptionList))
        assert any(text.startswith(f"  {MARKUP_TITLE}  ") for text in texts), texts
        assert any(text.startswith("  Evil \\x1b]0;PWNED\\x07") for text in texts), texts
        assert "  bad\\nx.yaml:1:1: error: forged by a file name.yaml (broken)" in texts
        assert_nothing_raw(app)
        # Walk the whole library: each script's and broken file's details, drawn literally.
        library = app.screen.query_one("#library", OptionList)
        library.focus()
        for _ in range(library.option_count):
            await pilot.press("down")
            assert_nothing_raw(app)
        forged = texts.index("  bad\\nx.yaml:1:1: error: forged by a file name.yaml (broken)")
        library.highlighted = forged
        await pilot.pause()
        details = shown(app.screen.query_one("#details", Static))
        first, problem = details.split("\n")  # the problem stays on its one line
        assert first == "This file has a problem and cannot be played:"
        assert problem.endswith(
            "bad\\nx.yaml:1:1: error: forged by a file name.yaml:3:1: error: not valid YAML: did not find expected node content"
        )
        assert_nothing_raw(app)


async def test_a_session_shows_markup_words_as_written(
    app_factory: type[CalmkitApp], clock: object
) -> None:
    write_corpus(locations.user_scripts_dir())
    messages: list[Message] = []
    app = app_factory(start_target="markup-title", clock=clock, age=9)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        screen = app.screen
        assert shown(screen.query_one("#title", Static)) == MARKUP_TITLE
        await wait_until(
            pilot,
            lambda: shown(screen.query_one("#caption", Static)) == MARKUP_CAPTION,
            "the caption, every word of it",
        )
        assert shown(screen.query_one("#next-line", Static)) == "[/]"
        assert_nothing_raw(app)


async def test_a_session_of_escapes_draws_them_visibly(
    app_factory: type[CalmkitApp], clock: object
) -> None:
    write_corpus(locations.user_scripts_dir())
    messages: list[Message] = []
    app = app_factory(start_target="evil-escapes", clock=clock, age=9)
    async with app.run_test(size=(120, 30), message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        assert shown(app.screen.query_one("#title", Static)).startswith("Evil \\x1b]0;PWNED")
        assert_nothing_raw(app)


async def test_a_plan_for_mia_with_markup_in_its_note_and_name(
    app_factory: type[CalmkitApp],
) -> None:
    write_corpus(locations.user_scripts_dir())
    assert "evil-plan" in load_library().plans
    give_plan("Mia [/]", "evil-plan")  # a plan applies once given, never by its for: name
    app = app_factory(profile="Mia [/]", day=DAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert shown(app.screen.query_one("#greeting", Static)) == "Hi, Mia [/]!"
        assert_nothing_raw(app)
        await pilot.press("n")  # the plan's own screen, for grown-ups
        await wait_for_screen(pilot, PlanScreen)
        note = shown(app.screen.query_one("#plan-note", Static))
        assert note.startswith("Grown-ups \\x1b]0;PWNED") and "[/] [bold]note\nsecond line" in note
        assert_nothing_raw(app)


async def test_a_grown_up_gives_mia_slash_a_plan_written_for_a_hostile_name(
    app_factory: type[CalmkitApp],
) -> None:
    """The plan dialog (P, then L) names the person and each plan's `for:` as written:
    "Mia [/]" once crashed it, as Textual markup with nothing to close."""
    write_corpus(locations.user_scripts_dir())
    give_plan("Mia [/]", "evil-plan")
    app = app_factory(profile="Mia [/]", day=DAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("home", "l")
        await wait_for_screen(pilot, PlanDialog)
        question = shown(app.screen.query_one("#question", Static))
        assert question == "Which plan does Mia [/] follow?"
        prompts = option_texts(app.screen.query_one("#plans", OptionList))
        assert "• evil-plan  (104 weeks, written for Mia [/])" in prompts, prompts
        assert_nothing_raw(app)


async def open_new_profile_form(pilot: Pilot) -> Screen:  # type: ignore[type-arg]
    """From home, P then 'Someone new…' (or the first screen, whose form is open already):
    the name field has the focus."""
    await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, HomeScreen | ProfileDialog), "home"
    )
    if isinstance(pilot.app.screen, HomeScreen):
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        await pilot.press("end", "up", "enter")  # 'Someone new…', above the guest
    dialog = pilot.app.screen
    assert pilot.app.focused is dialog.query_one("#name", Input)
    return dialog


async def test_a_child_typing_mia_slash_as_her_name_can_start_again(
    app_factory: type[CalmkitApp],
) -> None:
    app = app_factory(profile=None)
    async with app.run_test(size=SIZE) as pilot:
        await open_new_profile_form(pilot)
        await pilot.press(*"Mia [/]", "enter", "8", "enter")
        await wait_for_screen(pilot, HomeScreen)
        await wait_until(
            pilot,
            lambda: shown(app.screen.query_one("#greeting", Static)) == "Hi, Mia [/]!",
            "Mia's greeting",
        )
    assert json.loads(locations.settings_path().read_text())["profile"] == "Mia [/]"
    # Every later start: the saved name greets her, and nothing crashes.
    again = app_factory(profile=None)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert shown(again.screen.query_one("#greeting", Static)) == "Hi, Mia [/]!"
        await pilot.press("p")
        await wait_for_screen(pilot, ProfileDialog)
        prompts = option_texts(again.screen.query_one("#profiles", OptionList))
        assert "• Mia [/]  (age 8)" in prompts


async def test_the_profile_dialog_refuses_control_characters_and_blank_names(
    app_factory: type[CalmkitApp],
) -> None:
    app = app_factory(profile=None)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_new_profile_form(pilot)
        name = dialog.query_one("#name", Input)
        for typed in ("   ", "Mia\x1b[2J"):
            name.value = typed
            dialog.query_one("#age", Input).value = "8"
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog, f"{typed!r} was taken as a name"
            hint = shown(dialog.query_one("#hint", Static))
            assert raw_leaks(hint.encode()) == []
            assert "name" in hint
    with Journal() as journal:
        assert journal.profiles() == []


async def test_history_of_names_from_an_older_journal(
    app_factory: type[CalmkitApp],
) -> None:
    write_hostile_journal(locations.journal_path(), DAY)
    for name in JOURNAL_NAMES[1:2] + JOURNAL_NAMES[3:]:  # the ones a name may still be
        app = app_factory(profile=name, day=DAY)
        async with app.run_test(size=(100, 60)) as pilot:
            await wait_for_screen(pilot, HomeScreen)
            await pilot.press("h")
            await wait_for_screen(pilot, HistoryScreen)
            assert shown(app.screen.query_one("#history-title", Static)) == f"{name}'s practice"
            assert_nothing_raw(app)


async def test_a_bad_caption_size_or_theme_in_settings_is_the_default(
    app_factory: type[CalmkitApp], clock: object
) -> None:
    locations.ensure_private_dir(locations.settings_path().parent)
    locations.settings_path().write_text(
        json.dumps({"caption_size": "huge [/] x", "theme": 7, "profile": "\x1b[2J"}),
        encoding="utf-8",
    )
    messages: list[Message] = []
    app = app_factory(profile=None, start_target="quick-calm", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, ProfileDialog)  # nobody named: who is practising?
        await pilot.press("escape")  # a guest session
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        caption = app.screen.query_one("#caption", Static)
        assert caption.has_class("caption-large")
        assert_nothing_raw(app)
