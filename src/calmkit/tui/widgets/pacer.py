"""The breathing pacer: a shape that grows on the in-breath, rests on hold, shrinks on out.

It is driven by the player's clock (the session screen sets ``phase`` and
``fraction``), so the picture and the voice agree. With reduced motion it shows
only the phase word and a count, and never moves.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

PHASE_WORDS = {
    "breathe-in": "Breathe in",
    "hold": "Hold",
    "breathe-out": "Breathe out",
    "rest": "Rest",
}
# Smallest and largest size of the shape, as a share of the room it has.
MIN_SCALE = 0.25
MAX_SCALE = 1.0
SHAPE_CHAR = "●"


def shape_scale(phase: str, fraction: float) -> float:
    """How big the shape is at this point of the phase (0..1 of the phase done)."""
    fraction = max(0.0, min(1.0, fraction))
    if phase == "breathe-in":
        level = fraction
    elif phase == "hold":
        level = 1.0
    elif phase == "breathe-out":
        level = 1.0 - fraction
    else:
        level = 0.0
    # Ease in and out, like a breath: slow at the ends, quicker in the middle.
    eased = level * level * (3 - 2 * level)
    return MIN_SCALE + (MAX_SCALE - MIN_SCALE) * eased


def shape_rows(scale: float, width: int, height: int) -> list[str]:
    """An ellipse of the given scale, centred in width x height cells."""
    # Terminal cells are about twice as tall as wide: the x radius is doubled.
    radius_y = max(0.5, (height / 2) * scale)
    radius_x = max(1.0, min(width / 2, radius_y * 2.2))
    rows = []
    for row in range(height):
        dy = (row + 0.5 - height / 2) / radius_y
        line = []
        for column in range(width):
            dx = (column + 0.5 - width / 2) / radius_x
            line.append(SHAPE_CHAR if dx * dx + dy * dy <= 1.0 else " ")
        rows.append("".join(line))
    return rows


class BreathPacer(Widget):
    """Shows a breathing phase; redraws only when its state changes."""

    phase: reactive[str] = reactive("")
    # Quantised by the screen so the shape redraws only when it visibly changes.
    fraction: reactive[float] = reactive(0.0)
    count: reactive[int] = reactive(0)
    reduced_motion: reactive[bool] = reactive(False)

    def render(self) -> Text:
        word = PHASE_WORDS.get(self.phase, "")
        label = f"{word}  {self.count}" if word and self.count else word
        width = max(1, self.size.width)
        height = max(1, self.size.height - 2)
        text = Text(no_wrap=True)
        if self.reduced_motion or not word:
            # Only the word and the count, where the shape would be: nothing moves.
            text.append("\n" * (height // 2))
            text.append(label.center(width), style="bold")
            return text
        for row in shape_rows(shape_scale(self.phase, self.fraction), width, height):
            text.append(row + "\n")
        text.append("\n" + label.center(width), style="bold")
        return text
