"""What a child sees at 80x24, kept as SVG snapshots in __snapshots__/ and compared pixel for cell.

Update on purpose with ``pytest tests/tui/test_snapshots.py --snapshot-update``,
then look at every changed SVG before committing it. Sessions run on a
SteppedClock, so each picture is taken at an exact moment of the script.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import SIZE, first_cue, session, shown, wait_for_screen, wait_until

from calmkit.session.clock import SteppedClock
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.activities import ActivitiesDialog
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.screens.end import EndScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.session import SessionScreen
from calmkit.tui.widgets.body import BodyFigure
from calmkit.tui.widgets.pacer import BreathPacer

AppFactory = Callable[..., CalmkitApp]
Snap = Callable[..., bool]


async def on_home(pilot: Pilot) -> None:
    await wait_for_screen(pilot, HomeScreen)


async def on_checkin(pilot: Pilot) -> None:
    await wait_for_screen(pilot, HomeScreen)
    await pilot.press("enter")
    await wait_for_screen(pilot, CheckinDialog)


async def move_to(pilot: Pilot, clock: SteppedClock, seconds: float) -> None:
    """Move the playing session to ``seconds`` in (the screen catches up after)."""
    player = session(pilot).player
    await wait_until(pilot, lambda: player.current_cue() is not None, "the first cue")
    clock.advance(seconds - player.elapsed + 1e-6)


def test_home_for_maya(snap_compare: Snap, app_factory: AppFactory) -> None:
    """Maya's home on day 2 of her plan: greeting, After school first, the library."""
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=on_home)


def test_session_breathing_in(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock
) -> None:
    """Balloon Belly half-way through the first in-breath: the pacer half grown, counting 2."""

    async def breathe_in(pilot: Pilot) -> None:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, cue = first_cue(screen, "breathe-in")
        await move_to(pilot, clock, cue.start + cue.duration / 2)
        pacer = screen.query_one(BreathPacer)
        await wait_until(
            pilot,
            lambda: (pacer.phase, pacer.fraction, pacer.count) == ("breathe-in", 0.5, 2),
            "half-way through breathing in",
        )

    app = app_factory(start_target="balloon-belly", clock=clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=breathe_in)


def test_session_tensing_hands(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock
) -> None:
    """Lemon Squeeze, squeezing the lemons: the figure's hands lit, the line as a caption."""

    async def squeeze(pilot: Pilot) -> None:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, cue = first_cue(screen, "tense", area="hands")
        await move_to(pilot, clock, cue.start + 2)
        body = screen.query_one(BodyFigure)
        caption = screen.query_one("#caption", Static)
        await wait_until(
            pilot,
            lambda: body.area == "hands" and shown(caption) == cue.text,
            "the hands lit",
        )

    app = app_factory(start_target="lemon-squeeze", clock=clock)
    assert snap_compare(app, terminal_size=SIZE, run_before=squeeze)


def test_checkin_stress_scale(snap_compare: Snap, app_factory: AppFactory) -> None:
    """Maya (9) is asked before starting: 0 to 10, arrows and Enter too, skippable."""
    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=on_checkin)


def test_checkin_faces(snap_compare: Snap, app_factory: AppFactory) -> None:
    """Leo (6) answers with five faces."""
    app = app_factory(profile="Leo", age=6)
    assert snap_compare(app, terminal_size=SIZE, run_before=on_checkin)


def test_end_screen_after_stopping(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock
) -> None:
    """Stopped after 95 seconds: 2 minutes practised, and stopping is okay."""

    async def stop_and_answer(pilot: Pilot) -> None:
        await on_checkin(pilot)
        await pilot.press("5")
        await wait_for_screen(pilot, SessionScreen)
        await move_to(pilot, clock, 95.0)
        await pilot.press("q")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.press("3")
        await wait_for_screen(pilot, ActivitiesDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, EndScreen)

    assert snap_compare(app_factory(clock=clock), terminal_size=SIZE, run_before=stop_and_answer)
