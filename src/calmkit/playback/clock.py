"""Clocks for the player: the real monotonic one, and a stepped one that tests and
tools/screenshots.py drive (tests/doubles.py holds the test-only clocks)."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a clock that never jumps (not wall time)."""
        ...

    def wait(self, seconds: float, wake: threading.Event) -> None:
        """Sleep up to ``seconds``, or until ``wake`` is set."""
        ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    def wait(self, seconds: float, wake: threading.Event) -> None:
        if seconds > 0:
            wake.wait(seconds)


class SteppedClock:
    """Time moves only when a test says so, while the player waits on a real thread.

    Unlike tests/doubles.py's FakeClock, waiting does not move time: the player's thread sleeps until
    the test calls ``advance`` (or the player is woken), so a test can stop a
    running session at an exact moment, for example to take a snapshot.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self._moved = threading.Condition()

    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        with self._moved:
            self.time += seconds
            self._moved.notify_all()

    def wait(self, seconds: float, wake: threading.Event) -> None:
        deadline = self.time + max(0.0, seconds)
        with self._moved:
            # Short real waits, so a wake-up (pause, next, stop) is noticed promptly.
            while self.time < deadline and not wake.is_set():
                self._moved.wait(0.02)
