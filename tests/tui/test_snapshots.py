"""What a child sees at 60x20 (the smallest size laid out for), 80x24 and 140x45, kept as
SVG snapshots in __snapshots__/ and compared cell for cell.

Update on purpose with ``pytest tests/tui/test_snapshots.py --snapshot-update``,
then look at every changed SVG before committing it. Sessions run on a
SteppedClock, so each picture is taken at an exact moment of the script.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import first_cue, session, shown, wait_for_screen, wait_until

from calmkit.playback.clock import SteppedClock
from calmkit.records.settings import Settings
from calmkit.tui.app import CalmkitApp
from calmkit.tui.dialogs.activities import ActivitiesDialog
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.screens.end import EndScreen
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.plan import PlanScreen
from calmkit.tui.screens.session import SessionScreen
from calmkit.tui.screens.settings import SettingsScreen
from calmkit.tui.widgets.body import BodyFigure
from calmkit.tui.widgets.caption import Caption
from calmkit.tui.widgets.pacer import BreathPacer

AppFactory = Callable[..., CalmkitApp]
Snap = Callable[..., bool]
# Every picture at the three sizes a child, a teen and a parent tried.
SIZES = pytest.mark.parametrize(
    "size", [(60, 20), (80, 24), (140, 45)], ids=["60x20", "80x24", "140x45"]
)


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


@SIZES
def test_home_for_maya(snap_compare: Snap, app_factory: AppFactory, size: tuple[int, int]) -> None:
    """Maya's home on day 2 of her plan: greeting, After school first, the library."""
    assert snap_compare(app_factory(), terminal_size=size, run_before=on_home)


@SIZES
def test_session_breathing_in(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock, size: tuple[int, int]
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
    assert snap_compare(app, terminal_size=size, run_before=breathe_in)


@SIZES
def test_session_tensing_hands(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock, size: tuple[int, int]
) -> None:
    """Lemon Squeeze, squeezing the lemons: the figure's hands lit, the line as a caption."""

    async def squeeze(pilot: Pilot) -> None:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, cue = first_cue(screen, "tense", area="hands")
        await move_to(pilot, clock, cue.start + 2)
        body = screen.query_one(BodyFigure)
        caption = screen.query_one(Caption)
        await wait_until(
            pilot,
            lambda: body.area == "hands" and caption.text == cue.text,
            "the hands lit",
        )

    app = app_factory(start_target="lemon-squeeze", clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=squeeze)


@SIZES
def test_checkin_stress_scale(
    snap_compare: Snap, app_factory: AppFactory, size: tuple[int, int]
) -> None:
    """Maya (9) is asked before starting: 0 to 10, arrows and Enter too, skippable."""
    assert snap_compare(app_factory(), terminal_size=size, run_before=on_checkin)


@SIZES
def test_checkin_faces(snap_compare: Snap, app_factory: AppFactory, size: tuple[int, int]) -> None:
    """Leo (6) answers with five faces."""
    app = app_factory(profile="Leo", age=6)
    assert snap_compare(app, terminal_size=size, run_before=on_checkin)


@SIZES
def test_end_screen_after_stopping(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock, size: tuple[int, int]
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

    assert snap_compare(app_factory(clock=clock), terminal_size=size, run_before=stop_and_answer)


@SIZES
def test_session_paused_on_the_next_step(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock, size: tuple[int, int]
) -> None:
    """Leo (7) paused while squeezing, then → : the next step shown, Paused in the middle,
    the footer says Resume."""

    async def pause_and_move(pilot: Pilot) -> None:
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, cue = first_cue(screen, "tense", area="hands")
        await move_to(pilot, clock, cue.start + 2)
        body = screen.query_one(BodyFigure)
        await wait_until(pilot, lambda: body.area == "hands", "the hands lit")
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.player.paused, "paused")
        step = screen.player.current_step
        await pilot.press("right")
        await wait_until(
            pilot,
            lambda: (
                screen.player.current_step != step
                and "Step" in shown(screen.query_one("#status", Static))
            ),
            "the next step shown",
        )
        await pilot.pause(0.1)

    app = app_factory(start_target="lemon-squeeze", profile="Leo", age=7, clock=clock)
    assert snap_compare(app, terminal_size=size, run_before=pause_and_move)


@SIZES
def test_plan_for_grown_ups(
    snap_compare: Snap, app_factory: AppFactory, size: tuple[int, int]
) -> None:
    """N on Maya's home: the whole note, this week's sessions, what the plan sets."""

    async def open_plan(pilot: Pilot) -> None:
        await on_home(pilot)
        await pilot.press("n")
        await wait_for_screen(pilot, PlanScreen)

    assert snap_compare(app_factory(), terminal_size=size, run_before=open_plan)


@SIZES
def test_settings_with_a_volume_limit(
    snap_compare: Snap, app_factory: AppFactory, size: tuple[int, int]
) -> None:
    """A grown-up set the limit to 50%: the voice row says it is heard at 50%."""
    settings = Settings()
    settings.volumes.cap = 0.5

    async def open_settings(pilot: Pilot) -> None:
        await on_home(pilot)
        await pilot.press("s")
        await wait_for_screen(pilot, SettingsScreen)

    app = app_factory(settings=settings)
    assert snap_compare(app, terminal_size=size, run_before=open_settings)


def test_too_small_a_window(snap_compare: Snap, app_factory: AppFactory) -> None:
    """Below 60x20: one kind sentence instead of a broken screen."""
    assert snap_compare(app_factory(), terminal_size=(50, 16), run_before=on_home)


@SIZES
def test_activities_ticked_and_not(
    snap_compare: Snap, app_factory: AppFactory, clock: SteppedClock, size: tuple[int, int]
) -> None:
    """After a practice: School ticked [✓], the others empty [ ]."""

    async def tick_school(pilot: Pilot) -> None:
        await on_checkin(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, SessionScreen)
        await move_to(pilot, clock, 5.0)
        await pilot.press("q")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for_screen(pilot, CheckinDialog)
        await pilot.press("escape")
        await wait_for_screen(pilot, ActivitiesDialog)
        await pilot.press("1")

    assert snap_compare(app_factory(clock=clock), terminal_size=size, run_before=tick_school)
