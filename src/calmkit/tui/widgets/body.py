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


# The area's name sits beside the figure, on the row of the lit area, not under it:
# the whole figure, feet included, must fit the 11 rows an 80x24 session gives it.
NAME_WIDTH = max(len(name) for name in (*AREA_CODES, *AREA_NAMES.values()))
NAME_GAP = 2
FIGURE_WIDTH = 2 * (NAME_WIDTH + NAME_GAP) + len(FIGURE[0])


def name_row(area: str) -> int:
    """The figure row the area's name is written beside: the middle of the lit rows."""
    codes = lit_codes(area)
    rows = [index for index, mask in enumerate(MASK) if codes & set(mask)]
    return rows[len(rows) // 2] if rows else len(FIGURE) // 2


class BodyFigure(Widget):
    """The figure, with ``area`` highlighted and named beside it."""

    area: reactive[str] = reactive("")

    def render(self) -> Text:
        lit = lit_codes(self.area)
        name = AREA_NAMES.get(self.area, self.area).capitalize() if self.area else ""
        if self.size.height < len(FIGURE) or self.size.width < FIGURE_WIDTH:
            # No room for the whole figure (a small terminal, or paused with its note):
            # the area's name alone, never a figure without the part that matters.
            text = Text(no_wrap=True, justify="center")
            text.append("\n" * max(0, (self.size.height - 1) // 2))
            text.append(f" {name} ", style="bold reverse")
            return text
        beside = name_row(self.area) if name else None
        # Every row is as wide as the others, with a blank column as wide as the name's
        # on the left, so the figure itself stays in the middle when the rows are centred.
        side = " " * (NAME_WIDTH + NAME_GAP)
        text = Text(no_wrap=True)
        for index, (figure_row, mask_row) in enumerate(zip(FIGURE, MASK, strict=True)):
            if index:
                text.append("\n")
            text.append(side)
            for char, code in zip(figure_row, mask_row, strict=True):
                text.append(char, style="bold reverse" if code in lit else "dim")
            label = name if index == beside else ""
            text.append(" " * NAME_GAP)
            text.append(label.ljust(NAME_WIDTH), style="bold")
        return text
