"""A quick check-in: a key answers, arrows and Enter work too, and it can always be skipped.

The stress thermometer runs 0 (calm) to 10 (most upset). A key answers at
once wherever no longer number can follow (0 and 2 to 9); after 1 the dialog
waits a moment for a 0, so typing 1 then 0 is 10, and Enter or the pause
makes it 1. Another number scale (a grown-up's mood, 1 to 5) takes only its own
keys, each at once. Young children see five faces instead (and every child sees
faces for mood); a face is kept as the face it was (records/answers.py), never as
a number on the thermometer.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Label, Static

from calmkit.records import checkins
from calmkit.records.answers import FACES, SCALES, Answer, Face, uses_faces
from calmkit.records.checkins import Question
from calmkit.tui.literal import LiteralLabel, LiteralStatic
from calmkit.tui.widgets.faces import faces_table

# How long a 1 waits for a 0 (making 10) before it counts as 1.
SECOND_DIGIT_WAIT = 1.2
# A gentle gradient from cool to warm, never an alarm red.
SHADES = ("#5fafd7", "#5fafaf", "#5faf87", "#87af5f", "#afaf5f", "#d7af5f",
          "#d7af5f", "#d79f5f", "#d7875f", "#d7875f", "#d7875f")  # fmt: skip
FACE_COUNT = len(FACES["stress"])
KEYS_OR_ARROWS = "or use ← → and Enter. S or Esc skips, that's fine too."
HINT_FACES = f"Press 1 to {FACE_COUNT}, {KEYS_OR_ARROWS}"
# Only on a scale that reaches 10 can a 1 be the start of a longer number.
TEN = 10
HINT_ONE = f"1… press 0 for {TEN}, or Enter for 1."
# calmkit.tcss's #dialog width.
DIALOG_WIDTH = 74
HINT_HOME = "H goes back home."


class CheckinDialog(ModalScreen[Answer | None]):
    """Asks one check-in item; dismisses with the Answer, or None when skipped."""

    BINDINGS = [
        ("escape,s", "skip", "Skip"),
        ("h", "home", "Back home"),
    ]

    def __init__(self, asked: Question) -> None:
        super().__init__()
        self.asked = asked
        item = asked.item
        # A grown-up sees no child's faces: numbers on the same scales.
        self.faces: tuple[Face, ...] = (
            FACES[item] if uses_faces(item, asked.young, asked.grown_up) else ()
        )
        self.scale = SCALES[item]
        # The choice the arrows have moved to (a value, or a face's number); None: none yet.
        self.highlighted: int | None = None
        self._one_timer: Timer | None = None
        # Before a practice, H goes back home instead of starting.
        self.went_home = False

    def compose(self) -> ComposeResult:
        asked = self.asked
        question = checkins.question(asked.item, asked.moment, asked.grown_up)
        if asked.who:
            question = f"{asked.who}: {question}"
        with Vertical(id="dialog", classes="checkin"):
            yield LiteralLabel(question, id="question")
            yield LiteralStatic(self._scale_picture(), id="scale")
            yield LiteralLabel(self._hint(), id="hint")

    # --- drawing ---------------------------------------------------------------------

    def _scale_picture(self) -> Text | Table:
        if self.faces:
            # Big drawings, one column each: the number above, the words under it.
            return faces_table(self.faces, self.highlighted)
        numbers = Text()
        for value in range(self.scale.low, self.scale.high + 1):
            style = f"bold black on {SHADES[value]}"
            if value == self.highlighted:
                style = f"bold reverse {SHADES[value]}"
            if value > self.scale.low:
                numbers.append(" ")
            numbers.append(f" {value} ", style=style)
        low, high = checkins.scale_words(self.asked.item, self.asked.grown_up)
        beside = Text.assemble(f"{low}   ", numbers, f"   {high}")
        if beside.cell_len <= self._room():
            return beside
        # Too narrow for the words beside the scale: they go under its ends, so "most
        # upset" (or a grown-up's "extremely stressed") never wraps.
        gap = max(1, numbers.cell_len - len(low) - len(high))
        return Text.assemble(numbers, "\n", f"{low}{' ' * gap}{high}")

    def _room(self) -> int:
        """The width inside the dialog (#dialog: 74 wide at most, a border, padding 2)."""
        return min(DIALOG_WIDTH, self.app.size.width) - 2 - 4

    def _redraw(self, hint: str | None = None) -> None:
        self.query_one("#scale", Static).update(self._scale_picture())
        self.query_one("#hint", Label).update(hint or self._hint())

    def _hint(self) -> str:
        # Each scale's own range: a grown-up's mood is 1 to 5, not the thermometer's 0 to 10.
        numbers = f"Type a number from {self.scale.low} to {self.scale.high}, {KEYS_OR_ARROWS}"
        hint = HINT_FACES if self.faces else numbers
        return f"{hint} {HINT_HOME}" if self.asked.moment == "before" else hint

    # --- keys ------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        key = event.key
        if key in ("left", "right", "up", "down", "enter"):
            event.stop()
            self._move_or_choose(key)
            return
        if not (len(key) == 1 and key.isdigit()):
            return
        event.stop()
        digit = int(key)
        if self.faces:
            if any(face.number == digit for face in self.faces):
                self._answer(digit)
            return
        if self._one_timer is not None:
            # 1 was typed: a 0 makes it 10; another digit starts afresh.
            self._cancel_one()
            if digit == 0:
                self._answer(TEN)
                return
        if not self.scale.low <= digit <= self.scale.high:
            return  # off this scale (0 or 6 to 9 on mood's 1 to 5): not an answer
        if digit == 1 and self.scale.high >= TEN:
            self.highlighted = 1
            self._redraw(HINT_ONE)
            self._one_timer = self.set_timer(SECOND_DIGIT_WAIT, self._one_it_is)
            return
        self._answer(digit)

    def _move_or_choose(self, key: str) -> None:
        if key == "enter":
            self._cancel_one()
            if self.highlighted is not None:
                self._answer(self.highlighted)
            return
        self._cancel_one()
        low, high = (1, len(self.faces)) if self.faces else (self.scale.low, self.scale.high)
        if self.highlighted is None:
            self.highlighted = (low + high) // 2
        else:
            step = 1 if key in ("right", "up") else -1
            self.highlighted = max(low, min(high, self.highlighted + step))
        self._redraw()

    def _one_it_is(self) -> None:
        self._one_timer = None
        self._answer(1)

    def _cancel_one(self) -> None:
        if self._one_timer is not None:
            self._one_timer.stop()
            self._one_timer = None

    def _answer(self, value: int) -> None:
        self._cancel_one()
        self.dismiss(Answer(value, "faces" if self.faces else "numbers"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.asked.moment == "before" if action == "home" else True

    def action_home(self) -> None:
        self._cancel_one()
        self.went_home = True
        self.dismiss(None)

    def action_skip(self) -> None:
        self._cancel_one()
        self.dismiss(None)
