"""Writing a playing session into the journal as it goes.

The recorder listens to the player: every step boundary updates the session's
row (so a crash loses at most the current step) and the end marks it completed
or stopped. The journal is never allowed to stop a child's practice: the first
journal error is remembered as a notice and the recorder stops writing. Writes
happen on a thread of their own, so a journal busy in another process can never
hold up the player's timing thread.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable

from calmkit.playback.player import Finished, Player, PlayerEvent, StepChanged
from calmkit.records.journal import Journal, JournalUnavailable, ProfileGone, Progress


class JournalRecorder:
    """A player listener; it adds itself to ``player.listeners`` when made."""

    def __init__(self, journal: Journal, session_id: int, player: Player) -> None:
        self.journal = journal
        self.session_id = session_id
        self.player = player
        # Set (once) when the journal failed; the face shows it, the session goes on.
        self.notice: str | None = None
        self.finished = False
        self._writes: queue.SimpleQueue[Callable[[], object] | threading.Event | None] = (
            queue.SimpleQueue()
        )
        self._writer = threading.Thread(target=self._drain, daemon=True)
        self._writer.start()
        if self not in player.listeners:
            player.listeners.append(self)

    def __call__(self, event: PlayerEvent) -> None:
        if self.finished:
            return
        if isinstance(event, StepChanged):
            # Read the figures now, on the player's thread; write them later.
            # The step that just ended already counts among player.steps_done.
            player = self.player
            reached = Progress(
                player.steps_done, player.elapsed, player.seconds_heard, player.steps_skipped
            )
            self._writes.put(lambda: self.journal.record_progress(self.session_id, reached))
        elif isinstance(event, Finished):
            ended = Progress(
                event.steps_done, event.elapsed, event.seconds_heard, event.steps_skipped
            )
            self._writes.put(
                lambda: self.journal.finish_session(self.session_id, event.status, ended)
            )
            self._writes.put(None)
            self.finished = True

    def flush(self, timeout: float = 10.0) -> None:
        """Wait for the last writes after the session finished (before the process ends)."""
        self._writer.join(timeout)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every write asked for so far is done."""
        if not self._writer.is_alive():
            return
        marker = threading.Event()
        self._writes.put(marker)
        marker.wait(timeout)

    def _drain(self) -> None:
        while True:
            write = self._writes.get()
            if write is None:
                return
            if isinstance(write, threading.Event):
                write.set()
                continue
            if self.notice is not None:
                continue
            try:
                write()
            except ProfileGone as gone:
                self.notice = str(gone)
            except (JournalUnavailable, sqlite3.Error) as error:
                self.notice = f"{error}; the rest of this session is not being logged"
