"""Make the README's screenshots: SVGs exported by Textual from the real app.

    python tools/screenshots.py [--out docs/images]

Each runs in a fresh, temporary CALMKIT_HOME with silent audio, on a fixed day
of Maya's example plan, so the pictures are the same on every machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 25)
SIZE = (80, 24)


BIG = (140, 45)


async def session_screen(out: Path, size: tuple[int, int] = SIZE, name: str = "session") -> None:
    from calmkit.playback.clock import SteppedClock
    from calmkit.tui.app import AppOptions, make_app
    from calmkit.tui.screens.session import SessionScreen

    clock = SteppedClock()
    app = make_app(
        AppOptions(
            profile="Maya", want_sound=False, day=DAY, clock=clock, start_target="balloon-belly"
        )
    )
    async with app.run_test(size=size) as pilot:
        while not isinstance(app.screen, SessionScreen):
            await pilot.pause(0.05)
        screen = app.screen
        # Move to the middle of the first breath in.
        breathe_in = next(cue for cue in screen.prepared.timeline.cues if cue.kind == "breathe-in")
        target = breathe_in.start + breathe_in.duration / 2
        moved = 0.0
        while moved < target:  # in small steps, as time really passes
            step = min(0.5, target - moved)
            clock.advance(step)
            moved += step
            await pilot.pause(0.02)
        await pilot.pause(0.5)
        app.save_screenshot(str(out / f"{name}.svg"))


async def home_screen(out: Path) -> None:
    from calmkit.tui.app import AppOptions, make_app
    from calmkit.tui.screens.home import HomeScreen

    app = make_app(AppOptions(profile="Maya", want_sound=False, day=DAY))
    async with app.run_test(size=SIZE) as pilot:
        while not isinstance(app.screen, HomeScreen):
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        app.save_screenshot(str(out / "home.svg"))


async def paused_screen(out: Path) -> None:
    """Leo (7) paused while squeezing, then → : the next step shown, ready to go on."""
    from calmkit.playback.clock import SteppedClock
    from calmkit.tui.app import AppOptions, make_app
    from calmkit.tui.screens.session import SessionScreen

    clock = SteppedClock()
    options = AppOptions(
        profile="Leo", age=7, want_sound=False, day=DAY, clock=clock, start_target="lemon-squeeze"
    )
    app = make_app(options)
    async with app.run_test(size=SIZE) as pilot:
        while not isinstance(app.screen, SessionScreen):
            await pilot.pause(0.05)
        screen = app.screen
        tense = next(cue for cue in screen.prepared.timeline.cues if cue.kind == "tense")
        moved = 0.0
        while moved < tense.start + 2:
            step = min(0.5, tense.start + 2 - moved)
            clock.advance(step)
            moved += step
            await pilot.pause(0.02)
        await pilot.press("space")
        await pilot.pause(0.2)
        await pilot.press("right")
        await pilot.pause(0.5)
        app.save_screenshot(str(out / "paused.svg"))


async def plan_screen(out: Path) -> None:
    from calmkit.tui.app import AppOptions, make_app
    from calmkit.tui.screens.plan import PlanScreen

    app = make_app(AppOptions(profile="Maya", want_sound=False, day=DAY))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        await pilot.press("n")
        while not isinstance(app.screen, PlanScreen):
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        app.save_screenshot(str(out / "plan.svg"))


def give_maya_her_plan() -> None:
    """As a grown-up does (P, then L): plans are given, never guessed from their `for:`.
    Without it Maya would have no age and no plan, and hear the youngest tier."""
    from calmkit.records.journal import Journal

    with Journal() as journal:
        journal.ensure_profile("Maya")
        journal.set_plan("Maya", "maya-8-weeks")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "images"))
    args = parser.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["CALMKIT_HOME"] = home
        os.environ["CALMKIT_AUDIO"] = "null"
        os.environ.pop("NO_COLOR", None)
        give_maya_her_plan()
        asyncio.run(home_screen(out))
        asyncio.run(session_screen(out))
        asyncio.run(session_screen(out, BIG, "session-big"))
        asyncio.run(paused_screen(out))
        asyncio.run(plan_screen(out))
    names = ("home", "session", "session-big", "paused", "plan")
    print("wrote " + ", ".join(str(out / f"{name}.svg") for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
