"""Below the smallest size calmkit lays out for (60x20), one kind sentence instead of a broken screen."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH = 60
MIN_HEIGHT = 20
TOO_SMALL_WORDS = "Make the window a little bigger"
# The classes the app's breakpoints give a screen below the smallest size.
TOO_NARROW_CLASS = "-narrow"
TOO_SHORT_CLASS = "-short"


class TooSmall(Static):
    """Covers its screen (the stylesheet shows it only on a too-small screen)."""

    def __init__(self) -> None:
        super().__init__(TOO_SMALL_WORDS, id="too-small", markup=False)


def guard(screen: Screen[object]) -> None:
    """Give ``screen`` its cover, once: every screen, calmkit's or Textual's own."""
    if not screen.query(TooSmall):
        screen.mount(TooSmall())
