"""The app without sound never says "Now soft sounds will help you".

With no sound at all (--no-audio, CALMKIT_AUDIO=null, no device) the session is
compiled without it: the script's `when: no-sound` line shows instead. When the
device goes away mid-session, the player goes on in that same session without
sound, so the line announcing tones that has not come yet never comes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.message import Message
from textual.widgets import ProgressBar, Static
from tui_helpers import advance_to, events, session, shown, wait_for_screen, wait_until

from calmkit.audio.backend import BackendStatus
from calmkit.playback import prepare as setup
from calmkit.playback.clock import SteppedClock
from calmkit.playback.player import CueStarted, Notice
from calmkit.tui.app import CalmkitApp
from calmkit.tui.screens.session import SessionScreen
from calmkit.tui.widgets.caption import Caption
from doubles import SpyBackend

AppFactory = Callable[..., CalmkitApp]
SIZE = (60, 20)
# Balloon Belly for a 7-year-old: the line before the tones, with sound and without.
ANNOUNCING = "You are doing great. Now soft sounds will help you. Keep breathing the same way."
INSTEAD = "You are doing great. Keep breathing the same way, with the words."


def said(messages: list[Message]) -> list[str]:
    return [event.cue.text for event in events(messages, CueStarted)]  # type: ignore[attr-defined]


def start_of(screen: SessionScreen, text: str) -> float:
    (cue,) = [cue for cue in screen.player.timeline.cues if cue.text == text]
    return cue.start


async def test_without_sound_the_line_before_the_tones_is_the_quiet_one(
    app_factory: AppFactory, clock: SteppedClock
) -> None:
    messages: list[Message] = []
    app = app_factory(profile="Leo", age=7, start_target="balloon-belly", clock=clock)
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        texts = [cue.text for cue in screen.player.timeline.cues]
        assert ANNOUNCING not in texts
        await advance_to(pilot, clock, messages, start_of(screen, INSTEAD))
        caption = screen.query_one(Caption)
        await wait_until(pilot, lambda: caption.text == INSTEAD, "the quiet line")
        assert not any("soft sounds" in text for text in said(messages))


@pytest.fixture
def sound_device(monkeypatch: pytest.MonkeyPatch) -> SpyBackend:
    """The session opens this "device" (named as pygame's dummy would be)."""
    device = SpyBackend()
    monkeypatch.setattr(
        setup,
        "open_backend",
        lambda want_sound=True: (device, BackendStatus("pygame", "dummy", ok=True)),
    )
    return device


async def test_sound_going_away_mid_session_leaves_out_the_line_about_sounds(
    app_factory: AppFactory, clock: SteppedClock, sound_device: SpyBackend
) -> None:
    messages: list[Message] = []
    app = app_factory(
        profile="Leo", age=7, start_target="balloon-belly", clock=clock, want_sound=True
    )
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        assert screen.prepared.quiet is not None
        announcing_at = start_of(screen, ANNOUNCING)
        with_sound = screen.player.duration
        # Well before the line: the device goes away, and the app says so.
        await advance_to(pilot, clock, messages, announcing_at - 20)
        sound_device.fail_on.add("check")  # the device is gone
        await advance_to(pilot, clock, messages, announcing_at - 18)
        await wait_until(pilot, lambda: events(messages, Notice), "the notice")
        notice = shown(screen.query_one("#notice", Static))
        assert notice == "sound stopped working (device gone); showing captions only"
        await wait_until(pilot, lambda: screen.player.timeline is screen.prepared.quiet, "quiet")
        # The quiet line comes where the line about sounds would have.
        await advance_to(pilot, clock, messages, start_of(screen, INSTEAD))
        caption = screen.query_one(Caption)
        await wait_until(pilot, lambda: caption.text == INSTEAD, "the quiet line")
        assert ANNOUNCING not in said(messages)
        # The progress bar follows the session as it now is.
        assert screen.player.duration != with_sound
        assert screen.query_one(ProgressBar).total == pytest.approx(screen.player.duration)
