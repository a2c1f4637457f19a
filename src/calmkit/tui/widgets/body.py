"""A simple figure with one body area lit up, for tense and release steps."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# The figure, and beside it a mask naming the area of every character:
# f face, j jaw, n neck, s shoulders, a arms, h hands, b belly (and back),
# l legs, t feet; "." is part of no area.
FIGURE = (
    "    .---.    ",
    "   ( o o )   ",
    "    \\ ~ /    ",
    "     | |     ",
    "  .-'   '-.  ",
    " / |     | \\ ",
    "/  |     |  \\",
    "o  |_____|  o",
    "    /   \\    ",
    "   /     \\   ",
    " _/       \\_ ",
)
MASK = (
    "....fffff....",
    "...fffffff...",
    "....jjjjj....",
    ".....nnn.....",
    "..sssssssss..",
    ".a.bbbbbbb.a.",
    "a..bbbbbbb..a",
    "h..bbbbbbb..h",
    "....l...l....",
    "...l.....l...",
    ".tt.......tt.",
)
AREA_CODES = {
    "face": "f",
    "jaw": "j",
    "neck": "n",
    "shoulders": "s",
    "arms": "a",
    "hands": "h",
    "belly": "b",
    "back": "b",
    "legs": "l",
    "feet": "t",
}
AREA_NAMES = {"whole-body": "whole body"}


def lit_codes(area: str) -> set[str]:
    if area == "whole-body":
        return set(AREA_CODES.values())
    code = AREA_CODES.get(area)
    return {code} if code else set()


class BodyFigure(Widget):
    """The figure, with ``area`` highlighted and named underneath."""

    area: reactive[str] = reactive("")
    gentle: reactive[bool] = reactive(False)

    def render(self) -> Text:
        lit = lit_codes(self.area)
        text = Text(justify="center", no_wrap=True)
        for figure_row, mask_row in zip(FIGURE, MASK, strict=True):
            for char, code in zip(figure_row, mask_row, strict=True):
                text.append(char, style="bold reverse" if code in lit else "dim")
            text.append("\n")
        if self.area:
            name = AREA_NAMES.get(self.area, self.area)
            text.append(f"\n{name.capitalize()}", style="bold")
        return text
