"""The gentle end screen: the time practised (heard) and praise for doing it, never pain talk."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from calmkit.session.counting import practised_sentence
from calmkit.tui.screens.home import joined_names
from calmkit.tui.screens.session import SessionOutcome

PRAISE_COMPLETED = "Well done for taking this time for yourself."
PRAISE_STOPPED = "Stopping is okay. Every bit of practice counts."


class EndScreen(Screen[None]):
    BINDINGS = [Binding("enter,escape,q", "close", "Back home")]

    def __init__(self, outcome: SessionOutcome, names: list[str] | None = None) -> None:
        super().__init__()
        self.outcome = outcome
        self.names = names or []

    def compose(self) -> ComposeResult:
        outcome = self.outcome
        thanks = "All done!"
        if self.names:
            thanks = f"All done! Thank you, {joined_names(self.names)}."
        praise = PRAISE_COMPLETED if outcome.status == "completed" else PRAISE_STOPPED
        with Vertical(id="end"):
            yield Static(thanks, id="thanks")
            # Time heard: skipping forward or pausing adds nothing, and six seconds is
            # never "1 minute".
            yield Static(practised_sentence(outcome.seconds_heard), id="minutes")
            yield Static(praise, id="praise")
            # Centred on its own: `align` centres the column as a whole, and the lines are full width.
            with Center():
                # Not id="home": that is the home screen's layout, which the stylesheet stretches.
                yield Button("Back home", id="back-home", variant="primary")
        yield Footer()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
