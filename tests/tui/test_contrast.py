"""Every letter and digit drawn in high contrast meets WCAG AA (4.5:1) against what is behind it.

Measured on what the app really draws: the screen's rendered cells, after Textual's
own filters (NO_COLOR's monochrome, dim), with the colours the theme resolves to.
Shapes (the breathing shape, borders, bars, flowers) are not text and are left out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.segment import Segment
from textual.color import Color
from textual.pilot import Pilot
from textual.screen import ModalScreen
from tui_helpers import SIZE, first_cue, session, wait_for_screen, wait_until

from calmkit.playback.clock import SteppedClock
from calmkit.records.settings import Settings
from calmkit.tui.app import HIGH_CONTRAST_THEME, CalmkitApp
from calmkit.tui.dialogs.checkin import CheckinDialog
from calmkit.tui.screens.home import HomeScreen
from calmkit.tui.screens.plan import PlanScreen
from calmkit.tui.screens.session import SessionScreen
from calmkit.tui.screens.settings import SettingsScreen

AppFactory = Callable[..., CalmkitApp]
AA = 4.5


def luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(one: Color, other: Color) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula() -> None:
    assert contrast(Color(255, 255, 255), Color(0, 0, 0)) == pytest.approx(21.0)
    # The example: grey 240 (#585858) on black is about 3:1.
    assert contrast(Color.parse("#585858"), Color(0, 0, 0)) == pytest.approx(3.0, abs=0.1)


def _color(value: RichColor | None, default: Color) -> Color:
    if value is None:
        return default
    triplet = value.get_truecolor()
    return Color(triplet.red, triplet.green, triplet.blue)


def low_contrast_text(app: CalmkitApp) -> list[str]:
    """Every run of text on screen under AA, as 'text' fg/bg ratio."""
    background = Color.parse(HIGH_CONTRAST_THEME.background or "#000000")
    foreground = Color.parse(HIGH_CONTRAST_THEME.foreground or "#ffffff")
    # Behind a dialog the screen is dimmed on purpose, not to be read: only the dialog counts.
    screen = app.screen
    region = screen.query_one("#dialog").region if isinstance(screen, ModalScreen) else None
    found = []
    for y, strip in enumerate(screen._compositor.render_strips()):
        segments: list[Segment] = list(strip)
        for line_filter in app.get_line_filters():
            segments = line_filter.apply(segments, background)
        x = 0
        for text, style, _ in segments:
            start, x = x, x + cell_len(text)
            if region is not None and not (
                region.y <= y < region.bottom and region.x <= start < region.right
            ):
                continue
            if style is None or not any(unicodedata.category(c)[0] in "LN" for c in text):
                continue
            fg = _color(style.color, foreground)
            bg = _color(style.bgcolor, background)
            if style.reverse:
                fg, bg = bg, fg
            if style.dim:
                fg = bg.blend(fg, 0.5)  # a terminal's faint text
            ratio = contrast(fg, bg)
            if ratio < AA:
                found.append(f"{text.strip()!r} {fg.hex} on {bg.hex}: {ratio:.1f}")
    return found


async def look(pilot: Pilot, where: str, seen: dict[str, list[str]]) -> None:
    await pilot.pause(0.1)
    seen[where] = low_contrast_text(pilot.app)  # type: ignore[arg-type]


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
async def test_every_text_in_high_contrast_meets_aa(
    app_factory: AppFactory,
    clock: SteppedClock,
    monkeypatch: pytest.MonkeyPatch,
    no_color: bool,
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    settings = Settings(theme="high-contrast")
    settings.volumes.cap = 0.5
    seen: dict[str, list[str]] = {}
    app = app_factory(clock=clock, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, HomeScreen)
        assert app.theme == "high-contrast"
        await look(pilot, "home", seen)
        await pilot.press("l")
        await look(pilot, "home, library focused", seen)
        await pilot.press("n")
        await wait_for_screen(pilot, PlanScreen)
        await look(pilot, "plan", seen)
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)
        await pilot.press("s")
        await wait_for_screen(pilot, SettingsScreen)
        await look(pilot, "settings", seen)
        await pilot.press("escape")
        await wait_for_screen(pilot, HomeScreen)
        app.screen.query_one("#start").focus()
        await pilot.press("enter")
        await wait_for_screen(pilot, CheckinDialog)
        await look(pilot, "check-in", seen)
        await pilot.press("escape")
        await wait_for_screen(pilot, SessionScreen)
        screen = session(pilot)
        _, say = first_cue(screen, "say")
        await wait_until(pilot, lambda: screen.player.current_cue() is not None, "the first cue")
        clock.advance(say.start + 0.5 - screen.player.elapsed)
        await wait_until(pilot, lambda: screen.query_one("#caption").text == say.text, "a line")  # type: ignore[attr-defined]
        await look(pilot, "session, with the next line", seen)
        await pilot.press("space")
        await wait_until(pilot, lambda: screen.player.paused, "paused")
        await look(pilot, "session, paused", seen)
    problems = {where: texts for where, texts in seen.items() if texts}
    assert not problems, "\n".join(
        f"{where}: {text}" for where, texts in problems.items() for text in texts
    )
