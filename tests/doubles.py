"""Test doubles: clocks a test drives and a null backend that records what it was asked.

They live here, not in calmkit, because only tests use them. Tests import them as
``from doubles import ...`` (pytest puts tests/ on the path through its conftest.py).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from calmkit.audio.backend import AudioUnavailable, ClipUnavailable, Group, NullBackend


class FakeClock:
    """Time moves only when a test says so; waiting moves it at once."""

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start

    def now(self) -> float:
        return self.time

    def advance(self, seconds: float) -> None:
        self.time += seconds

    def wait(self, seconds: float, wake: threading.Event) -> None:
        self.time += max(0.0, seconds)


class ScaledClock:
    """Real time running ``speed`` times faster: whole sessions in seconds."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._origin = time.monotonic()

    def now(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * self.speed

    def wait(self, seconds: float, wake: threading.Event) -> None:
        if seconds > 0:
            wake.wait(seconds / self.speed)


@dataclass
class SpyBackend(NullBackend):
    """The null backend, remembering every call, and failing where a test says.

    ``fail_on`` names methods that raise AudioUnavailable, to test failure paths;
    ``broken_clips`` are paths that behave like a missing or corrupt file.
    """

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    fail_on: set[str] = field(default_factory=set)
    broken_clips: set[str] = field(default_factory=set)

    def _record(self, *call: Any) -> None:
        if call[0] in self.fail_on:
            raise AudioUnavailable(f"injected failure in {call[0]}")
        self.calls.append(call)

    def open(self) -> None:
        self._record("open")

    def close(self) -> None:
        self._record("close")

    def preload(self, path: str) -> None:
        self._record("preload", path)
        if path in self.broken_clips:
            raise ClipUnavailable(path, "injected")

    def play(
        self, group: Group, path: str, volume: float = 1.0, loop: bool = False, fade_in: float = 0.0
    ) -> None:
        self._record("play", group, path, volume, loop, fade_in)
        if path in self.broken_clips:
            raise ClipUnavailable(path, "injected")
        super().play(group, path, volume, loop, fade_in)

    def stop(self, group: Group, fade_out: float = 0.0) -> None:
        self._record("stop", group, fade_out)
        super().stop(group, fade_out)

    def set_volume(self, group: Group, volume: float, ramp: float = 0.0) -> None:
        self._record("set_volume", group, volume, ramp)
        super().set_volume(group, volume, ramp)

    def pause_all(self) -> None:
        self._record("pause_all")
        super().pause_all()

    def resume_all(self) -> None:
        self._record("resume_all")
        super().resume_all()

    def stop_all(self) -> None:
        self._record("stop_all")
        super().stop_all()

    def check(self) -> None:
        # Not recorded (the player polls it every second), but it can be made to fail,
        # as it does when the device is pulled out in the middle of a session.
        if "check" in self.fail_on:
            raise AudioUnavailable("device gone")

    def played(self, group: Group | None = None) -> list[str]:
        """Paths played, in order."""
        return [call[2] for call in self.calls if call[0] == "play" and group in (None, call[1])]
