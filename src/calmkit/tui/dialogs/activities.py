"""Once a day: what the child did today. This is the function record, so it praises doing."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from calmkit.records.checkins import ACTIVITIES, ACTIVITY_NAMES, activities_value, question
from calmkit.tui.literal import LiteralLabel
from calmkit.tui.widgets.ticklist import TickList


class ActivitiesDialog(ModalScreen[str | None]):
    """Dismisses with the stored value ('school,friends' or 'none'), or None when skipped."""

    BINDINGS = [
        Binding("escape", "skip", "Skip"),
        Binding("d", "save", "Done"),
        # A number picks its activity wherever the focus is: one key, like the check-ins.
        *(Binding(str(n), f"tick({n - 1})", show=False) for n in range(1, len(ACTIVITIES) + 1)),
    ]

    def __init__(self, who: str | None = None, grown_up: bool = False) -> None:
        super().__init__()
        self.who = who
        self.grown_up = grown_up

    def compose(self) -> ComposeResult:
        text = question("activities", "daily", self.grown_up)
        with Vertical(id="dialog", classes="activities"):
            yield LiteralLabel(f"{self.who}: {text}" if self.who else text, id="question")
            yield TickList(
                *(
                    (f"{n}  {ACTIVITY_NAMES[activity]}", activity)
                    for n, activity in enumerate(ACTIVITIES, 1)
                ),
                id="activity-list",
            )
            yield LiteralLabel(
                "Press 1 to 5 (or Space) to pick. D when you're done. Esc skips, that's fine too.",
                id="hint",
            )
            with Horizontal(id="buttons"):
                yield Button("Done", id="save", variant="primary")
                yield Button("Skip", id="skip")

    def on_mount(self) -> None:
        choices = self.query_one(TickList)
        # The first activity is under the cursor from the start, so Space picks it at once.
        choices.highlighted = 0
        choices.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_skip()

    # tick, not toggle: Textual's own toggle action flips a widget attribute
    def action_tick(self, index: int) -> None:
        self.query_one(TickList).toggle(ACTIVITIES[index])

    def action_save(self) -> None:
        chosen = list(self.query_one(TickList).selected)
        self.dismiss(activities_value(chosen))

    def action_skip(self) -> None:
        self.dismiss(None)
