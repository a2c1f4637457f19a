"""What the app records and shows is what happened (issue 11, situations 1, 6, 7), driven
key by key with the messages recorded (``message_hook``) on a SteppedClock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from textual.message import Message
from textual.widgets import OptionList, Static
from tui_helpers import DAY, SIZE, advance_to, events, shown, wait_for_screen, wait_until

from calmkit.content.library import load_library
from calmkit.playback.clock import SteppedClock
from calmkit.playback.player import CueStarted, Finished
from calmkit.records import journal as journal_module
from calmkit.records.journal import Journal
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.activities import ActivitiesDialog
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.screens.end import EndScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.session import SessionScreen

AppFactory = Callable[..., CalmkitApp]


@pytest.fixture(autouse=True)
def on_the_apps_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal's clock says the app's day (the plan's day 2), so today's ✓ can show."""
    moment = dt.datetime.combine(DAY, dt.time(17)).astimezone()
    monkeypatch.setattr(journal_module, "now", lambda: moment)


async def finish_checkins(pilot, answer: str) -> None:  # type: ignore[no-untyped-def]
    await wait_for_screen(pilot, CheckinDialog)
    await pilot.press(answer)
    await wait_for_screen(pilot, ActivitiesDialog)
    await pilot.press("escape")
    await wait_for_screen(pilot, EndScreen)


async def test_pressing_next_to_the_end_is_not_practice_and_gets_no_tick(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    # Maya's plan asks for Balloon Belly after school; she plays it from the library.
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        await wait_until(pilot, lambda: events(messages, CueStarted), "the first cue")
        while not events(messages, Finished):
            await pilot.press("right")
            clock.advance(0.5)
            await pilot.pause()
        [finished] = events(messages, Finished)
        assert finished.status == "completed"  # type: ignore[attr-defined]
        assert finished.seconds_heard < 30  # type: ignore[attr-defined]
        await finish_checkins(pilot, "5")
        minutes = shown(app.screen.query_one("#minutes", Static))
        assert minutes == "You took a few moments to practise."
        await pilot.press("enter")
        await wait_for_screen(pilot, HomeScreen)
        today = shown(app.screen.query_one("#today", Static))
        assert today.startswith("• After school")
        assert "✓" not in today
    [record] = Journal().open().sessions()
    assert (record.status, record.practice) == ("completed", False)
    assert record.steps_done == record.steps_total
    assert record.steps_skipped is not None and record.steps_skipped >= record.steps_total - 1
    assert record.seconds_heard is not None and record.seconds_heard < 30
    assert record.script_seconds == record.seconds


async def test_half_heard_from_the_library_does_the_plan_item(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        half = screen.player.duration / 2
        await advance_to(pilot, clock, messages, half + 5)
        await pilot.press("q")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await finish_checkins(pilot, "3")
        minutes = shown(app.screen.query_one("#minutes", Static))
        assert minutes == f"You practised for {round((half + 5) / 60)} minutes."
        await pilot.press("enter")
        await wait_for_screen(pilot, HomeScreen)
        today = shown(app.screen.query_one("#today", Static))
        assert today.startswith("✓ After school") and "done" in today.splitlines()[0]
        garden = shown(app.screen.query_one("#garden", Static))
        assert "first flower" in garden


async def test_together_with_a_six_year_old_offers_what_suits_both_at_her_tier(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    with Journal() as journal:
        journal.ensure_profile("Leo", 6)
    messages: list[Message] = []
    app = app_factory(profile="Robin", age=15, together_with=["Leo"], clock=clock)
    library = load_library()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert app.age == 6
        options = app.screen.query_one("#library", OptionList)
        offered = [
            options.get_option_at_index(i).id
            for i in range(options.option_count)
            if options.get_option_at_index(i).id
        ]
        assert offered
        for script_id in offered:
            assert library.scripts[script_id].suits_age(6), script_id
            assert library.scripts[script_id].suits_age(15), script_id
        assert "resonance-breathing" not in offered and "lemon-squeeze" not in offered
        first = app.screen.today.first  # type: ignore[attr-defined]
        assert first is not None
        suggested = library.scripts[first.target]
        assert suggested.suits_age(6) and suggested.suits_age(15)
        await pilot.press("enter")
        # Robin (15) answers with numbers, Leo (6) with faces.
        await wait_for_screen(pilot, CheckinDialog)
        assert app.screen.faces == ()  # type: ignore[attr-defined]
        await pilot.press("4")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, CheckinDialog) and app.screen.asked.who == "Leo",
            "Leo's question",
        )
        assert app.screen.faces  # type: ignore[attr-defined]
        await pilot.press("2")
        await wait_for_screen(pilot, SessionScreen)
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert (screen.prepared.timeline.tier, screen.prepared.timeline.together) == (
            "young",
            True,
        )
