"""Lines of words that fit their room: the spoken line (big on a big terminal) and one-liners.

A line that does not fit ends with an ellipsis rather than being cut mid-word
with no sign. On a big terminal, with the large caption size, the spoken line is
drawn in big letters (a FIGlet font, three rows high) when every character of it
is in that font and it fits; otherwise it is plain text. Either way the words
are exactly the script's: ``text`` is what the widget shows and what tests read.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.console import Console, JustifyMethod
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from calmkit.content.safetext import shown

if TYPE_CHECKING:
    from pyfiglet import Figlet

ELLIPSIS = "…"
BIG_FONT = "future"
BIG_ROWS = 3  # rows of one line of big letters
# Big letters only where there is room for them and for the rest of the session.
BIG_MIN_WIDTH = 110
BIG_MIN_HEIGHT = 36
# The font has the printable ASCII characters and nothing else.
BIG_CHARACTERS = frozenset(chr(code) for code in range(32, 127))
_MEASURE = Console(width=10_000, color_system=None, legacy_windows=False)


def clamp(text: str, width: int, lines: int, justify: JustifyMethod = "center") -> Text:
    """``text`` wrapped to ``width``, at most ``lines`` lines, the last ending in '…' if cut."""
    width, lines = max(1, width), max(1, lines)
    content = Text(shown(text))
    wrapped = list(content.wrap(_MEASURE, width))
    for line in wrapped:
        line.rstrip()
    if len(wrapped) <= lines:
        content.justify = justify
        return content  # it fits: the widget wraps it as it wraps any text
    kept = wrapped[:lines]
    last = kept[-1].copy()
    last.rstrip()
    if last.cell_len + 1 > width:
        last.truncate(width - 1)
        last.rstrip()
    last.append(ELLIPSIS)
    kept[-1] = last
    return Text("\n", justify=justify).join(kept)


@lru_cache(maxsize=1)
def _figlet() -> Figlet:
    # Loaded when a big caption is first drawn: the home screen never needs it.
    from pyfiglet import Figlet

    return Figlet(font=BIG_FONT, width=100_000, justify="left")


def big_lines(text: str, width: int) -> list[str] | None:
    """The words in big letters, wrapped to ``width``; None if a word or character can't be."""
    words = unicodedata.normalize("NFC", text).split()
    if not words or not all(set(word) <= BIG_CHARACTERS for word in words):
        return None
    figlet = _figlet()

    def rendered(line: str) -> list[str]:
        rows = figlet.renderText(line).rstrip("\n").split("\n")
        return [row.rstrip() for row in rows[:BIG_ROWS]]

    lines: list[list[str]] = []
    current: list[str] = []
    for word in words:
        trial = " ".join([*current, word])
        if max(len(row) for row in rendered(trial)) <= width:
            current.append(word)
            continue
        if not current:
            return None  # one word wider than the room
        lines.append(rendered(" ".join(current)))
        current = [word]
        if max(len(row) for row in rendered(word)) > width:
            return None
    lines.append(rendered(" ".join(current)))
    out: list[str] = []
    for index, rows in enumerate(lines):
        if index:
            out.append("")
        # Each line's rows padded alike, so centring moves them together.
        width = max(len(row) for row in rows)
        out.extend(row.ljust(width) for row in rows)
    return out


class ClampedLine(Static):
    """Words that keep to the widget's height, with an ellipsis where they had to stop.

    A Static that is always literal: ``update`` takes plain words, never markup.
    """

    text: reactive[str] = reactive("", layout=False)

    def __init__(
        self,
        text: str = "",
        justify: JustifyMethod = "center",
        **kwargs: Any,  # Static's own keywords (id, classes ...)
    ) -> None:
        super().__init__(markup=False, **kwargs)
        self.justify = justify
        self.text = text

    def update(self, content: object = "", *, layout: bool = True) -> None:
        self.text = str(content)

    def render(self) -> Text:
        return clamp(self.text, self.size.width, self.size.height, self.justify)


class Caption(ClampedLine):
    """The line being spoken: large, normal, or (large on a big terminal) big letters."""

    caption_size: reactive[str] = reactive("large")

    def __init__(self, size: str = "large", **kwargs: Any) -> None:  # Static's keywords
        super().__init__("", **kwargs)
        self.caption_size = size

    def watch_caption_size(self, size: str) -> None:
        self.set_class(size == "large", "caption-large")
        self.set_class(size != "large", "caption-normal")

    def big_rows(self) -> list[str] | None:
        """The big-letter drawing, when the terminal is big and the words fit in it."""
        screen = self.screen.size if self.is_attached else self.size
        if self.caption_size != "large" or screen.width < BIG_MIN_WIDTH:
            return None
        if screen.height < BIG_MIN_HEIGHT:
            return None
        rows = big_lines(self.text, self.size.width)
        if rows is None or len(rows) > self.size.height:
            return None
        return rows

    def render(self) -> Text:
        rows = self.big_rows()
        if rows is not None:
            return Text("\n".join(rows), justify="center", style="bold")
        return clamp(self.text, self.size.width, self.size.height)
