"""Typed messages that cross from the player's thread into the app."""

from __future__ import annotations

from textual.message import Message

from calmkit.playback.player import PlayerEvent, Progress


class PlayerEventMessage(Message):
    """One event from the session player, posted from its thread."""

    def __init__(self, event: PlayerEvent) -> None:
        self.event = event
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        # Progress ticks coalesce: only the newest one matters.
        return (
            isinstance(message, PlayerEventMessage)
            and isinstance(self.event, Progress)
            and isinstance(message.event, Progress)
        )
