"""Helpers for driving the terminal app in tests: waiting, reading the screen, moving time."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from textual.geometry import Region
from textual.message import Message
from textual.pilot import Pilot
from textual.widget import Widget

from calmkit.audio.clips import SessionClips
from calmkit.content.library import load_library
from calmkit.content.timeline import Cue, Timeline
from calmkit.playback.clock import SteppedClock
from calmkit.playback.player import CueStarted, PlayerEvent
from calmkit.playback.targets import resolve
from calmkit.records.journal import Journal
from calmkit.tui.messages import PlayerEventMessage
from calmkit.tui.screens.session import SessionScreen

# Day 2 of Maya's plan (it starts on 2026-11-24): weeks 1-2, After school is Balloon Belly.
DAY = dt.date(2026, 11, 25)
SIZE = (80, 24)
# Generous: a loaded machine is slow to start an app; passing tests never wait this long.
WAIT_SECONDS = 15.0


async def wait_until(
    pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = WAIT_SECONDS
) -> None:
    """Let the app run until ``condition()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause(0.02)
    # One more turn of the loop, so the handler of the message just seen has run.
    await pilot.pause()


def give_plan(name: str, plan_id: str) -> None:
    """As a grown-up does on the profile (P, then L) or with `calmkit import --profile`."""
    with Journal() as journal:
        journal.ensure_profile(name)
        journal.set_plan(name, plan_id)


async def wait_for_screen(pilot: Pilot, kind: type, timeout: float = WAIT_SECONDS) -> None:
    await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, kind), f"the {kind.__name__}", timeout
    )


def shown(widget: Widget) -> str:
    """The plain text a widget shows."""
    return str(widget.render())


def handled(messages: list[Message], kind: type) -> list:  # type: ignore[type-arg]
    """Messages of a kind, each once.

    The hook sees a message at every node it bubbles through (the screen, then
    the app), always as the same object: keep its first sighting.
    """
    seen: set[int] = set()
    found = []
    for message in messages:
        if isinstance(message, kind) and id(message) not in seen:
            seen.add(id(message))
            found.append(message)
    return found


def on_screen(widget: Widget) -> str:
    """The widget's lines exactly as drawn on the terminal, trailing spaces removed."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)


def events(messages: list[Message], kind: type | None = None) -> list[PlayerEvent]:
    """The player's events the app received, in order (of one kind, if given)."""
    return [
        message.event
        for message in handled(messages, PlayerEventMessage)
        if kind is None or isinstance(message.event, kind)
    ]


def session(pilot: Pilot) -> SessionScreen:
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen), f"expected the session, got {screen!r}"
    return screen


def timeline_of(target: str, age: int | None) -> Timeline:
    """The timeline a session of ``target`` plays, worked out apart from the app."""
    request = resolve(target, load_library(), age=age)
    return request.timeline(SessionClips(request.settings.voice, scripts=request.scripts))


def first_cue(screen: SessionScreen, kind: str, area: str | None = None) -> tuple[int, Cue]:
    """The first cue of a kind (and body area) in the session's timeline, with its index."""
    for index, cue in enumerate(screen.player.timeline.cues):
        if cue.kind == kind and (area is None or cue.area == area):
            return index, cue
    raise AssertionError(f"no {kind} cue in {screen.player.timeline.id}")


async def advance_to(
    pilot: Pilot, clock: SteppedClock, messages: list[Message], seconds: float
) -> None:
    """Move the session to ``seconds`` in, and wait until the screen has shown every cue due."""
    screen = session(pilot)
    player = screen.player
    # The player fires its first cue the moment it starts.
    await wait_until(pilot, lambda: events(messages, CueStarted), "the session to start")
    assert not player.paused, "advance_to on a paused session"
    cues = screen.player.timeline.cues
    last = max(i for i, cue in enumerate(cues) if cue.start <= seconds)
    already = player.current_cue() is cues[last]
    seen = len(events(messages, CueStarted))
    clock.advance(seconds - player.elapsed + 1e-6)
    if already:
        await pilot.pause()
        return

    def shown_last() -> bool:
        return any(
            event.index == last  # type: ignore[attr-defined]
            for event in events(messages, CueStarted)[seen:]
        )

    await wait_until(pilot, shown_last, f"cue {last} at {seconds} s")
