"""A quick check-in: one keystroke answers, and it can always be skipped.

The stress thermometer runs 0 (calm) to 10 (most upset). Young children see
five faces instead, mapped onto the same 0-10 scale. The faces are calmkit's
own simple drawings, not a licensed pain scale.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from calmkit.session import checkins


@dataclass(frozen=True)
class Face:
    key: str
    drawing: str
    words: str
    value: int


# Five faces over the 0-10 thermometer (clinical-defaults.md: young children see faces).
STRESS_FACES = (
    Face("1", "(^‿^)", "very calm", 0),
    Face("2", "(•‿•)", "calm", 3),
    Face("3", "(•_•)", "in between", 5),
    Face("4", "(•n•)", "upset", 8),
    Face("5", "(>_<)", "very upset", 10),
)
# Mood is 1-5, drawn the other way round: 5 is the happiest.
MOOD_FACES = (
    Face("1", "(>_<)", "really low", 1),
    Face("2", "(•n•)", "a bit low", 2),
    Face("3", "(•_•)", "okay", 3),
    Face("4", "(•‿•)", "good", 4),
    Face("5", "(^‿^)", "great", 5),
)
TEN_KEY = "t"


def scale_keys() -> dict[str, int]:
    keys = {str(value): value for value in range(10)}
    keys[TEN_KEY] = 10
    return keys


class CheckinDialog(ModalScreen[int | None]):
    """Asks one check-in item; dismisses with its value, or None when skipped."""

    BINDINGS = [Binding("escape,s", "skip", "Skip")]

    def __init__(self, item: str, moment: str, young: bool, who: str | None = None) -> None:
        super().__init__()
        self.item = item
        self.moment = moment
        # Mood is always faces; stress is faces for young children; pain is numbers.
        self.faces = (
            MOOD_FACES if item == "mood" else (STRESS_FACES if young and item == "stress" else ())
        )
        self.who = who

    def compose(self) -> ComposeResult:
        question = checkins.question(self.item, self.moment)
        if self.who:
            question = f"{self.who}: {question}"
        with Vertical(id="dialog", classes="checkin"):
            yield Label(question, id="question")
            yield Static(self._scale(), id="scale")
            yield Label(self._hint(), id="hint")

    def _scale(self) -> Text | Table:
        if self.faces:
            # One column per face, its words under it: on one line they wrapped at 80
            # columns and split a face from its words.
            table = Table.grid(expand=True)
            for _ in self.faces:
                table.add_column(justify="center", ratio=1)
            table.add_row(
                *(Text(f"{face.key} {face.drawing}", style="bold") for face in self.faces)
            )
            table.add_row(*(Text(face.words) for face in self.faces))
            return table
        text = Text(justify="center")
        low, high = ("calm", "most upset") if self.item == "stress" else ("none", "a lot")
        text.append(f"{low}  ")
        for value in range(11):
            key = TEN_KEY.upper() if value == 10 else str(value)
            # A gentle gradient from cool to warm, never an alarm red.
            shade = ["#5fafd7", "#5fafaf", "#5faf87", "#87af5f", "#afaf5f", "#d7af5f",
                     "#d7af5f", "#d79f5f", "#d7875f", "#d7875f", "#d7875f"][value]  # fmt: skip
            text.append(f" {key} ", style=f"bold black on {shade}")
            text.append(" ")
        text.append(f" {high}")
        return text

    def _hint(self) -> str:
        if self.faces:
            return "Press 1 to 5 to choose. S or Esc skips, that's fine too."
        return "Press 0 to 9, or T for 10. S or Esc skips, that's fine too."

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        key = event.key.lower()
        if self.faces:
            for face in self.faces:
                if key == face.key:
                    event.stop()
                    self.dismiss(face.value)
                    return
            return
        value = scale_keys().get(key)
        if value is not None:
            event.stop()
            self.dismiss(value)

    def action_skip(self) -> None:
        self.dismiss(None)
