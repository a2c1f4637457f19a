"""The gentle end screen: the time practised (heard), today's flower, how it felt before
and after (when answered), and praise in words for the listener's age or for a group.

Never pain talk, never a comparison: the feelings are said as they were answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button

from calmkit.records.answers import SCALES, Answer, answer_words
from calmkit.records.counting import practised_sentence
from calmkit.tui.literal import LiteralStatic
from calmkit.tui.screens.session import SessionOutcome
from calmkit.tui.widgets.footer import WholeKeysFooter
from calmkit.words import joined_names

# Words by tier, as the scripts are: (played to the end, stopped early).
PRAISE: dict[str, tuple[str, str]] = {
    "young": (
        "You did it! Your body had a calm, cosy rest.",
        "Stopping is okay. You tried, and that counts.",
    ),
    "kid": (
        "Nice work! You gave your body some calm time.",
        "Stopping is okay. Every bit of practice counts.",
    ),
    "teen": (
        "Good job taking this time for yourself.",
        "Stopping is fine. Every bit of practice counts.",
    ),
    "together": (
        "Lovely practising together, everyone!",
        "Stopping together is fine. Every bit of practice counts.",
    ),
    # A grown-up practising on their own is spoken to as one, as in the check-ins.
    "grown-up": (
        "Well done for taking this time for yourself.",
        "Stopping early is fine. Any practice counts.",
    ),
}
PRAISE_COMPLETED, PRAISE_STOPPED = PRAISE["kid"]
FLOWER_WORDS = "✿ Today's flower is growing in your garden."
FLOWER_WORDS_TOGETHER = "✿ Today's flower is growing in the garden."
FEELING_ITEMS = ("stress", "mood")


@dataclass(frozen=True)
class EndNews:
    """What the end screen tells besides the time: worked out by the app after the answers."""

    tier: str = "kid"  # young, kid, teen, together for a group, or grown-up
    flower: bool = False  # the plan's garden has today's flower
    # Each person's answers before and after, item by item.
    before: dict[str, dict[str, Answer]] = field(default_factory=dict)
    after: dict[str, dict[str, Answer]] = field(default_factory=dict)


def feeling_lines(news: EndNews, together: bool) -> list[str]:
    """'Before: 7, and after: 3' for each answered feeling, in the words it was given."""
    lines = []
    for person in dict.fromkeys([*news.before, *news.after]):
        before, after = news.before.get(person, {}), news.after.get(person, {})
        for item in FEELING_ITEMS:
            first, then = before.get(item), after.get(item)
            if first is None and then is None:
                continue
            parts = []
            if first is not None:
                parts.append(f"before {answer_words(item, first.scale, first.value)}")
            if then is not None:
                parts.append(f"after {answer_words(item, then.scale, then.value)}")
            name = f"{person}: " if together else ""
            if news.tier == "grown-up" and not together:
                # As they were asked: how stressed or tense, on numbers, never faces.
                word = "Mood" if item == "mood" else "Stress or tension"
                lines.append(f"{word}, {' and '.join(parts)} (out of {SCALES[item].high}).")
                continue
            word = "Mood" if item == "mood" else "How you felt"
            lines.append(f"{name}{word}, {' and '.join(parts)}.")
    return lines


class EndScreen(Screen[None]):
    BINDINGS = [Binding("enter,escape,q", "close", "Back home")]

    def __init__(
        self, outcome: SessionOutcome, names: list[str] | None = None, news: EndNews | None = None
    ) -> None:
        super().__init__()
        self.outcome = outcome
        self.names = names or []
        self.news = news or EndNews(tier="together" if len(self.names) > 1 else "kid")

    def compose(self) -> ComposeResult:
        outcome, news = self.outcome, self.news
        together = len(self.names) > 1
        thanks = "All done!"
        if self.names:
            thanks = f"All done! Thank you, {joined_names(self.names)}."
        tier = "together" if together else news.tier
        completed, stopped = PRAISE.get(tier, PRAISE["kid"])
        praise = completed if outcome.status == "completed" else stopped
        with Vertical(id="end"):
            yield LiteralStatic(thanks, id="thanks", markup=False)
            # Time heard: skipping forward or pausing adds nothing, and six seconds is
            # never "1 minute".
            yield LiteralStatic(
                practised_sentence(outcome.seconds_heard), id="minutes", markup=False
            )
            if news.flower:
                words = FLOWER_WORDS_TOGETHER if together else FLOWER_WORDS
                yield LiteralStatic(words, id="flower", markup=False)
            feelings = feeling_lines(news, together)
            if feelings:
                yield LiteralStatic("\n".join(feelings), id="feelings", markup=False)
            yield LiteralStatic(praise, id="praise", markup=False)
            # Centred on its own: `align` centres the column as a whole, and the lines are full width.
            with Center():
                # Not id="home": that is the home screen's layout, which the stylesheet stretches.
                yield Button("Back home", id="back-home", variant="primary")
        yield WholeKeysFooter()

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
