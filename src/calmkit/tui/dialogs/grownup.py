"""A question for grown-ups before the volume limit changes, as children's apps ask.

A sum a young child cannot answer at a glance; a parent answers it in a moment.
It is a gate, not security: it keeps the limit where a grown-up set it.
"""

from __future__ import annotations

import random

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class GrownUpCheck(ModalScreen[bool]):
    """Dismisses with True when the sum is answered right, False otherwise."""

    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, first: int | None = None, second: int | None = None) -> None:
        super().__init__()
        self.first = first if first is not None else random.randint(6, 9)
        self.second = second if second is not None else random.randint(6, 9)

    @property
    def answer(self) -> int:
        return self.first * self.second

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("The volume limit is for grown-ups.", id="question", markup=False)
            yield Label(f"What is {self.first} × {self.second}?", id="sum", markup=False)
            yield Input(placeholder="Answer", id="answer", type="integer", max_length=3)
            yield Label("Enter to check. Esc goes back.", id="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() == str(self.answer))

    def action_cancel(self) -> None:
        self.dismiss(False)
