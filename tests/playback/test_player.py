"""The session player on a fake clock and the null backend: deadlines, controls, sound.

Nothing here sleeps. Times are chosen as sums of halves and quarters so that
clock arithmetic is exact and every assertion can compare floats with ``==``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from calmkit.audio.backend import AudioUnavailable
from calmkit.content.loader import load_text
from calmkit.content.timeline import (
    RELEASE_WORDS,
    TENSE_WORDS,
    Clip,
    Cue,
    Timeline,
    compile_timeline,
)
from calmkit.playback.player import (
    AMBIENT_FADE_IN,
    AMBIENT_FADE_OUT,
    DUCK_DOWN_SECONDS,
    DUCK_GAIN,
    DUCK_UP_SECONDS,
    PRELOAD_AHEAD,
    CueStarted,
    Finished,
    Notice,
    Paused,
    Player,
    PlayerEvent,
    Progress,
    Resumed,
    StepChanged,
    StepShown,
    Volumes,
)
from doubles import FakeClock, SpyBackend

ORIGIN = 1000.0  # FakeClock's default start: the player's origin when started at once
AMBIENT = "/beds/meadow.ogg"
EPSILON = 0.001


def cue(
    start: float,
    duration: float,
    kind: Any = "say",
    step: int = 0,
    text: str = "",
    audio: str | None = None,
    speech: float = 0.0,
    volume: float = 1.0,
) -> Cue:
    if not text and kind in ("say", "tense", "release"):
        text = f"line at {start}"
    return Cue(
        start=start,
        duration=duration,
        kind=kind,
        step=step,
        text=text,
        audio=audio,
        speech=speech,
        volume=volume,
    )


def timeline(*cues: Cue) -> Timeline:
    steps = {c.step for c in cues}
    return Timeline(
        id="t", title="T", tier="kid", cues=tuple(cues), step_count=max(steps, default=-1) + 1
    )


class BoundedClock(FakeClock):
    """A FakeClock that fails the test, rather than hanging it, if run() never ends."""

    MAX_WAITS = 10_000

    def __init__(self) -> None:
        super().__init__()
        self.waits = 0

    def wait(self, seconds: float, wake: threading.Event) -> None:
        self.waits += 1
        if self.waits > self.MAX_WAITS:
            raise AssertionError(f"run() waited {self.MAX_WAITS} times and did not finish")
        super().wait(seconds, wake)


class TimedBackend(SpyBackend):
    """A SpyBackend that also notes when (on the timeline) each call was made."""

    def __init__(self, clock: FakeClock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.origin = ORIGIN
        self.timed: list[tuple[Any, ...]] = []

    def _record(self, *call: Any) -> None:
        super()._record(*call)
        # Preloads may come from the preloading thread at any moment: leave them out.
        if call[0] != "preload":
            self.timed.append((self.clock.now() - self.origin, *call))


class Rig:
    """A player on a fake clock with a recording backend and listener.

    ``origin`` is the clock reading where timeline time 0 lies; tests move it
    themselves when they pause or jump, which is exactly what the player is
    supposed to do.
    """

    def __init__(
        self,
        tl: Timeline,
        ambient: str | None = None,
        volumes: Volumes | None = None,
        backend: SpyBackend | None = None,
    ) -> None:
        self.clock = BoundedClock()
        self.backend = backend if backend is not None else TimedBackend(self.clock)
        self.events: list[tuple[float, PlayerEvent]] = []
        self.player = Player(
            tl,
            self.backend,
            self.clock,
            listener=self.listen,
            ambient_path=ambient,
            volumes=volumes,
        )
        self.origin = ORIGIN

    def listen(self, event: PlayerEvent) -> None:
        self.events.append((self.clock.now() - self.origin, event))

    def to(self, t: float) -> float | None:
        """Move the clock to timeline time ``t`` (from the current origin) and poll."""
        self.clock.advance(self.origin + t - self.clock.now())
        return self.player.poll()

    def jumped(self, target: float) -> None:
        """A jump puts timeline time ``target`` at the current clock reading."""
        self.origin = self.clock.now() - target
        if isinstance(self.backend, TimedBackend):
            self.backend.origin = self.origin

    def of(self, kind: type) -> list[Any]:
        return [event for _, event in self.events if isinstance(event, kind)]

    def fired(self) -> list[int]:
        return [event.index for event in self.of(CueStarted)]

    def fired_at(self) -> list[tuple[float, int]]:
        return [(t, event.index) for t, event in self.events if isinstance(event, CueStarted)]

    def calls(self) -> list[tuple[Any, ...]]:
        return [call for call in self.backend.calls if call[0] != "preload"]

    def clear_calls(self) -> None:
        self.backend.calls.clear()
        if isinstance(self.backend, TimedBackend):
            self.backend.timed.clear()


# --- deadlines --------------------------------------------------------------------------------

FIVE = timeline(
    cue(0.0, 0.5, "say", 0, "one"),
    cue(0.5, 0.25, "breathe-in", 1, "breathe in"),
    cue(0.75, 0.75, "breathe-out", 1, "breathe out"),
    cue(1.5, 0.75, "say", 2, "two"),
    cue(2.25, 0.5, "say", 2, "three"),
)


def test_each_cue_fires_exactly_at_its_start_and_poll_says_how_long_to_wait() -> None:
    rig = Rig(FIVE)
    rig.player.start()
    assert rig.fired() == []
    # Deadlines: the next cue at 0.5 (the progress tick at 1.0 and the end at 2.75 are later).
    assert rig.to(0.0) == 0.5
    assert rig.fired_at() == [(0.0, 0)]
    # (cue start, seconds from it to the next deadline: a cue, a progress tick or the end)
    expected = [(0.5, 0.25), (0.75, 0.25), (1.5, 0.5), (2.25, 0.5)]
    for index, (start, wait) in enumerate(expected, start=1):
        before = rig.to(start - EPSILON)
        assert rig.fired() == list(range(index)), f"cue {index} fired before {start}"
        assert before == pytest.approx(EPSILON, abs=1e-9)
        assert rig.to(start) == wait
        assert rig.fired() == list(range(index + 1))
        assert rig.fired_at()[-1] == (start, index)
    assert rig.to(2.75 - EPSILON) == pytest.approx(EPSILON, abs=1e-9)
    assert rig.player.finished is None
    assert rig.to(2.75) is None
    assert rig.player.finished == "completed"
    assert rig.of(Finished) == [Finished("completed", 2.75, 3, 2.75)]
    assert [e.cue for e in rig.of(CueStarted)] == list(FIVE.cues)


def test_polling_late_does_not_shift_later_cues() -> None:
    tl = timeline(
        cue(0.0, 2.5, "say", 0, "a"),
        cue(2.5, 0.75, "say", 1, "b"),
        cue(3.25, 1.0, "say", 2, "c"),
    )
    rig = Rig(tl)
    rig.player.start()
    # Deadlines at 1.0 (progress), 1.25 (the ambient fade point: 3 s before the end), 2.5.
    assert rig.to(0.0) == 1.0
    # The poll for the cue at 2.5 comes 0.3 s late.
    wait = rig.to(2.8)
    assert rig.fired_at() == [(0.0, 0), (pytest.approx(2.8), 1)]
    assert wait == pytest.approx(0.2, abs=1e-9)  # the progress tick at 3.0, on time
    assert rig.to(3.0) == 0.25  # the cue at 3.25 is still due at 3.25, not 3.55
    assert rig.to(3.25 - EPSILON) == pytest.approx(EPSILON, abs=1e-9)
    assert rig.fired() == [0, 1]
    assert rig.to(3.25) == 0.75  # then the progress tick at 4.0
    assert rig.fired_at()[-1] == (3.25, 2)
    assert rig.player.elapsed == 3.25


def test_nothing_happens_before_start_and_start_is_idempotent() -> None:
    rig = Rig(FIVE)
    assert rig.player.poll() is None
    assert rig.player.elapsed == 0.0
    rig.clock.advance(10.0)
    rig.player.start()
    rig.origin = rig.clock.now()
    rig.clock.advance(0.25)
    rig.player.start()  # a second start must not move the origin
    assert rig.player.poll() == 0.25
    assert rig.fired_at() == [(0.25, 0)]


# --- pause and resume -------------------------------------------------------------------------


def test_pause_freezes_everything_and_resume_continues_exactly_where_it_stopped() -> None:
    tl = timeline(
        cue(0.0, 1.0, "say", 0, "hello", audio="/v/hello.ogg", speech=0.5),
        cue(1.0, 1.0, "say", 1, "again", audio="/v/again.ogg", speech=0.5),
        cue(2.0, 3.0, "say", 2, "bye"),
    )
    rig = Rig(tl, ambient=AMBIENT)
    rig.player.start()
    assert rig.to(0.0) == 0.5  # the voice speaks until 0.5, then the bed comes back up
    assert rig.to(0.25) == 0.25
    rig.clear_calls()

    rig.player.pause()
    assert rig.player.paused
    assert rig.calls() == [("pause_all",)]
    assert rig.of(Paused) == [Paused(0.25)]
    rig.player.pause()  # already paused: nothing more
    assert rig.of(Paused) == [Paused(0.25)]

    for _ in range(4):
        rig.clock.advance(25.0)
        assert rig.player.poll() is None
        assert rig.player.elapsed == 0.25
    assert rig.fired() == [0]
    assert rig.calls() == [("pause_all",)]  # not even the un-duck at 0.5
    assert rig.of(Progress) == []

    rig.player.resume()
    rig.origin += 100.0
    rig.backend.origin = rig.origin
    assert not rig.player.paused
    assert rig.calls() == [("pause_all",), ("resume_all",)]
    assert rig.of(Resumed) == [Resumed(0.25)]
    assert rig.player.elapsed == 0.25
    rig.player.resume()  # not paused: nothing more
    assert rig.of(Resumed) == [Resumed(0.25)]

    # The un-duck was due 0.25 s after the pause point, so it comes 0.25 s after resuming.
    assert rig.player.poll() == 0.25
    assert rig.to(0.5 - EPSILON) == pytest.approx(EPSILON, abs=1e-9)
    assert rig.calls()[-1] == ("resume_all",)
    assert rig.to(0.5) == 0.5
    assert rig.calls()[-1] == ("set_volume", "ambient", 0.5, DUCK_UP_SECONDS)
    # And the next cue exactly 0.75 s after resuming: the remaining time, no more, no less.
    assert rig.to(1.0 - EPSILON) == pytest.approx(EPSILON, abs=1e-9)
    assert rig.fired() == [0]
    rig.to(1.0)
    assert rig.fired_at() == [(0.0, 0), (1.0, 1)]
    assert rig.clock.now() == ORIGIN + 100.0 + 1.0
    assert rig.player.elapsed == 1.0


def test_toggle_pause_and_run_survives_a_pause() -> None:
    rig = Rig(FIVE)
    rig.player.start()
    rig.to(0.0)
    rig.to(0.5)
    rig.player.toggle_pause()
    assert rig.player.paused
    rig.clock.advance(3.0)
    rig.player.toggle_pause()
    assert not rig.player.paused
    assert rig.of(Paused) == [Paused(0.5)]
    assert rig.of(Resumed) == [Resumed(0.5)]
    rig.origin += 3.0
    assert rig.player.run() == "completed"
    assert rig.fired_at() == [(0.0, 0), (0.5, 1), (0.75, 2), (1.5, 3), (2.25, 4)]
    assert rig.clock.now() == ORIGIN + 3.0 + 2.75


def test_pause_before_start_or_after_the_end_does_nothing() -> None:
    rig = Rig(FIVE)
    rig.player.pause()
    assert not rig.player.paused
    rig.player.start()
    rig.to(2.75)
    assert rig.player.finished == "completed"
    rig.player.pause()
    assert not rig.player.paused
    assert rig.of(Paused) == []


# --- steps: next, repeat, previous ------------------------------------------------------------

# Three steps of 3 s each, two cues per step.
STEPS = timeline(
    cue(0.0, 1.5, "say", 0, "s0a", audio="/v/s0a.ogg", speech=1.0),
    cue(1.5, 1.5, "say", 0, "s0b"),
    cue(3.0, 1.5, "breathe-in", 1, "breathe in", audio="/c/in.ogg"),
    cue(4.5, 1.5, "breathe-out", 1, "breathe out"),
    cue(6.0, 1.5, "say", 2, "s2a"),
    cue(7.5, 1.5, "chime", 2, audio="/c/end.ogg"),
)


def test_next_step_jumps_to_the_next_steps_first_cue_and_stops_voice_and_cues() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(0.0)
    assert rig.of(StepChanged) == [StepChanged(0, 1, 3)]
    rig.to(0.5)
    rig.clear_calls()

    rig.player.next_step()
    assert rig.calls() == [
        ("stop", "voice", 0.0),
        ("stop", "cues", 0.0),
        ("set_volume", "ambient", 0.5, DUCK_DOWN_SECONDS),  # the bed back up, the voice gone
    ]
    assert rig.player.elapsed == 3.0
    rig.jumped(3.0)
    # Deadlines: the progress tick at 4.0 (the next cue is at 4.5).
    assert rig.player.poll() == 1.0
    assert rig.fired_at() == [(0.0, 0), (3.0, 2)]  # cue 1 was skipped
    assert rig.of(StepChanged) == [StepChanged(0, 1, 3), StepChanged(1, 2, 3)]
    assert rig.player.current_step == 1
    assert rig.player.steps_done == 1
    assert rig.backend.played("cues") == ["/c/in.ogg"]
    # Later cues keep their places relative to the new origin.
    rig.to(4.5 - EPSILON)
    assert rig.fired() == [0, 2]
    rig.to(4.5)
    assert rig.fired_at()[-1] == (4.5, 3)


def test_repeat_step_replays_the_current_steps_first_cue() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    for t in (0.0, 1.5, 3.0, 4.0):
        rig.to(t)
    rig.player.repeat_step()
    assert rig.player.elapsed == 3.0
    rig.jumped(3.0)
    assert rig.player.poll() == 1.0
    assert rig.fired() == [0, 1, 2, 2]
    assert rig.of(StepChanged) == [StepChanged(0, 1, 3), StepChanged(1, 2, 3), StepChanged(1, 2, 3)]
    assert rig.backend.played("cues") == ["/c/in.ogg", "/c/in.ogg"]
    assert rig.player.steps_done == 1  # step 1 is not done by repeating it


def test_previous_step_goes_back_only_near_a_steps_start() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    for t in (0.0, 1.5, 3.0, 4.5):
        rig.to(t)
    # 2.5 s into step 1: "previous" starts step 1 again.
    rig.to(5.5)
    rig.player.previous_step()
    assert rig.player.elapsed == 3.0
    rig.jumped(3.0)
    rig.player.poll()
    assert rig.fired() == [0, 1, 2, 3, 2]
    # 1.5 s into step 1: "previous" goes to step 0.
    rig.to(4.5)
    assert rig.fired() == [0, 1, 2, 3, 2, 3]
    rig.player.previous_step()
    assert rig.player.elapsed == 0.0
    rig.jumped(0.0)
    rig.player.poll()
    assert rig.fired() == [0, 1, 2, 3, 2, 3, 0]
    assert rig.of(StepChanged)[-1] == StepChanged(0, 1, 3)
    # On the first step there is nothing before it: start it again.
    rig.to(0.5)
    rig.player.previous_step()
    assert rig.player.elapsed == 0.0
    rig.jumped(0.0)
    rig.player.poll()
    assert rig.fired()[-1] == 0
    assert rig.player.current_step == 0


def test_next_step_on_the_last_step_completes_the_session() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    for t in (0.0, 1.5, 3.0, 4.5, 6.0, 6.5):
        rig.to(t)
    rig.clear_calls()
    rig.player.next_step()
    assert rig.player.elapsed == 9.0
    assert rig.player.poll() is None
    assert rig.player.finished == "completed"
    assert rig.of(Finished) == [Finished("completed", 9.0, 3, 6.5, 1)]
    assert rig.fired() == [0, 1, 2, 3, 4]  # the end chime was skipped
    assert ("play", "cues", "/c/end.ogg", 1.0, False, 0.0) not in rig.calls()


def test_next_step_twice_before_a_poll_moves_two_steps() -> None:
    # Controls come from another thread: two quick key presses may land before the
    # player's thread polls again. They must not send the child back to the start.
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(0.0)
    rig.to(0.5)
    rig.player.next_step()
    rig.player.next_step()
    assert rig.player.elapsed == 6.0
    rig.jumped(6.0)
    rig.player.poll()
    assert rig.fired() == [0, 4]
    assert rig.of(StepChanged) == [StepChanged(0, 1, 3), StepChanged(2, 3, 3)]


def test_repeat_right_after_next_repeats_the_new_step() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(0.0)
    rig.to(0.5)
    rig.player.next_step()
    rig.player.repeat_step()
    assert rig.player.elapsed == 3.0
    rig.jumped(3.0)
    rig.player.poll()
    assert rig.fired() == [0, 2]


def test_step_numbers_count_only_steps_that_have_cues() -> None:
    tl = timeline(
        cue(0.0, 0.5, "say", 0, "a"),
        cue(0.5, 0.5, "say", 2, "b"),  # step 1 was skipped (e.g. a skipped body area)
        cue(1.0, 0.5, "say", 5, "c"),
    )
    rig = Rig(tl)
    assert rig.player.step_count == 3
    assert rig.player.run() == "completed"
    assert rig.of(StepChanged) == [StepChanged(0, 1, 3), StepChanged(2, 2, 3), StepChanged(5, 3, 3)]
    assert rig.of(Finished) == [Finished("completed", 1.5, 3, 1.5)]


def test_jumping_while_paused_stays_paused_at_the_new_place() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(0.0)
    rig.to(0.5)
    rig.player.pause()
    rig.clock.advance(10.0)
    rig.player.next_step()
    assert rig.player.paused
    assert rig.player.elapsed == 3.0
    rig.clock.advance(10.0)
    assert rig.player.poll() is None
    assert rig.player.elapsed == 3.0
    assert rig.fired() == [0]
    rig.player.resume()
    rig.jumped(3.0)
    assert rig.player.poll() == 1.0
    assert rig.fired_at() == [(0.0, 0), (3.0, 2)]


def test_moving_while_paused_shows_each_step_and_resume_plays_the_one_shown() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(0.0)
    rig.to(1.6)
    rig.player.pause()
    rig.player.next_step()
    rig.player.next_step()
    # The last step: "next" while paused keeps it shown instead of ending the session.
    rig.player.next_step()
    assert rig.of(StepShown) == [StepShown(1, 2, 3, 2), StepShown(2, 3, 3, 4)]
    assert rig.player.current_step == 2
    rig.player.previous_step()
    assert rig.of(StepShown)[-1] == StepShown(1, 2, 3, 2)
    assert rig.player.paused and rig.player.finished is None
    assert rig.fired() == [0, 1]
    # The words on screen at the breathing step are the line before it; the next is after it.
    assert rig.player.line_at(2) == (1, STEPS.cues[1])
    assert rig.player.upcoming_cue(after=2) is STEPS.cues[4]
    rig.player.resume()
    rig.jumped(3.0)
    rig.to(3.0)
    # Playing goes on from the step that was shown, announced once more.
    assert rig.fired()[-1] == 2
    assert rig.of(StepChanged)[-1] == StepChanged(1, 2, 3)


def test_moving_while_playing_shows_no_step_without_playing_it() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(0.0)
    rig.player.next_step()
    rig.jumped(3.0)
    rig.to(3.0)
    assert rig.of(StepShown) == []
    assert rig.of(StepChanged)[-1] == StepChanged(1, 2, 3)


# --- stopping and running to the end ----------------------------------------------------------


def test_stop_finishes_as_stopped_and_silences_everything() -> None:
    rig = Rig(STEPS, ambient=AMBIENT)
    rig.player.start()
    for t in (0.0, 1.5, 3.0, 3.5):
        rig.to(t)
    rig.clear_calls()
    rig.player.stop()
    assert rig.calls() == [("stop_all",)]
    assert rig.of(Finished) == [Finished("stopped", 3.5, 1, 3.5)]
    assert rig.player.finished == "stopped"
    rig.player.stop()
    assert len(rig.of(Finished)) == 1
    rig.clock.advance(30.0)
    assert rig.player.poll() is None
    assert rig.fired() == [0, 1, 2]
    assert rig.player.run() == "stopped"
    # The session's length is where it stopped, however long the clock runs on.
    assert rig.player.elapsed == 3.5


RUN_SCRIPT = """\
calmkit: 1
id: tiny-run
title: Tiny Run
kind: breathing
ages: 9-12
steps:
  - chime: start
  - id: hello
    say: Hello there.
    pause: 0.5
  - breathe:
      in: 2
      out: 2
      count: 2
      guide: tones
  - tense:
      area: hands
      hold: 2
  - release:
      area: hands
      rest: 1
  - chime: end
"""


class FakeClips:
    """Clip paths and lengths without any audio files."""

    def narration(self, text: str, step_id: str | None, script_id: str, rate: int) -> Clip | None:
        if text == "Hello there.":
            return Clip("/voice/hello.ogg", 1.5)
        if text == TENSE_WORDS["hands"]:
            return Clip("/voice/tense-hands.ogg", 2.5)
        if text == RELEASE_WORDS["hands"]:
            return Clip("/voice/release-hands.ogg", 2.5)
        return None

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int) -> Clip | None:
        if kind in ("breathe-in", "breathe-out"):
            return Clip(f"/tones/{kind}-{seconds}.ogg", seconds)
        return None

    def chime(self, name: str) -> Clip | None:
        return Clip(f"/chimes/{name}.ogg", {"start": 3.5, "end": 4.5}[name])

    def recording(self, script_path: str, file: str) -> Clip | None:
        return None


def run_timeline() -> Timeline:
    result = load_text(RUN_SCRIPT, "tiny-run.yaml")
    assert result.problems == []
    assert result.script is not None
    return compile_timeline(result.script, "kid", clips=FakeClips())


def test_the_compiled_run_script_is_what_the_tests_below_expect() -> None:
    tl = run_timeline()
    assert [(c.start, c.duration, c.kind, c.step, c.audio) for c in tl.cues] == [
        (0.0, 3.5, "chime", 0, "/chimes/start.ogg"),
        (3.5, 2.0, "say", 1, "/voice/hello.ogg"),
        (5.5, 2.0, "breathe-in", 2, "/tones/breathe-in-2.0.ogg"),
        (7.5, 2.0, "breathe-out", 2, "/tones/breathe-out-2.0.ogg"),
        (9.5, 2.0, "breathe-in", 2, "/tones/breathe-in-2.0.ogg"),
        (11.5, 2.0, "breathe-out", 2, "/tones/breathe-out-2.0.ogg"),
        (13.5, 4.5, "tense", 3, "/voice/tense-hands.ogg"),
        (18.0, 3.5, "release", 4, "/voice/release-hands.ogg"),
        (21.5, 4.5, "chime", 5, "/chimes/end.ogg"),
    ]
    assert tl.duration == 26.0


def test_run_plays_a_compiled_script_to_the_end_on_its_deadlines() -> None:
    tl = run_timeline()
    rig = Rig(tl, ambient=AMBIENT)
    assert rig.player.run() == "completed"
    assert rig.clock.now() == ORIGIN + 26.0  # it ran exactly the timeline's length
    assert rig.fired_at() == [(c.start, i) for i, c in enumerate(tl.cues)]
    assert rig.of(StepChanged) == [StepChanged(i, i + 1, 6) for i in range(6)]
    assert rig.of(Finished) == [Finished("completed", 26.0, 6, 26.0)]
    assert rig.player.steps_done == 6
    assert rig.player.finished == "completed"
    assert rig.events[-1] == (26.0, Finished("completed", 26.0, 6, 26.0))
    ducked, full = 0.5 * DUCK_GAIN, 0.5
    assert rig.backend.timed == [
        (0.0, "set_volume", "voice", 1.0, 0.0),
        (0.0, "set_volume", "cues", 0.6, 0.0),
        (0.0, "set_volume", "ambient", full, 0.0),
        (0.0, "play", "ambient", AMBIENT, 1.0, True, AMBIENT_FADE_IN),
        (0.0, "play", "cues", "/chimes/start.ogg", 1.0, False, 0.0),
        (3.5, "play", "voice", "/voice/hello.ogg", 1.0, False, 0.0),
        (3.5, "set_volume", "ambient", ducked, DUCK_DOWN_SECONDS),
        (5.0, "set_volume", "ambient", full, DUCK_UP_SECONDS),  # 3.5 + 1.5 s of speech
        (5.5, "play", "cues", "/tones/breathe-in-2.0.ogg", 1.0, False, 0.0),
        (7.5, "play", "cues", "/tones/breathe-out-2.0.ogg", 1.0, False, 0.0),
        (9.5, "play", "cues", "/tones/breathe-in-2.0.ogg", 1.0, False, 0.0),
        (11.5, "play", "cues", "/tones/breathe-out-2.0.ogg", 1.0, False, 0.0),
        (13.5, "play", "voice", "/voice/tense-hands.ogg", 1.0, False, 0.0),
        (13.5, "set_volume", "ambient", ducked, DUCK_DOWN_SECONDS),
        (16.0, "set_volume", "ambient", full, DUCK_UP_SECONDS),
        (18.0, "play", "voice", "/voice/release-hands.ogg", 1.0, False, 0.0),
        (18.0, "set_volume", "ambient", ducked, DUCK_DOWN_SECONDS),
        (20.5, "set_volume", "ambient", full, DUCK_UP_SECONDS),
        (21.5, "play", "cues", "/chimes/end.ogg", 1.0, False, 0.0),
        (26.0 - AMBIENT_FADE_OUT, "stop", "ambient", AMBIENT_FADE_OUT),
    ]
    # Progress once per second of timeline, on the second.
    assert rig.of(Progress) == [Progress(float(s), 26.0) for s in range(1, 27)]


def test_start_decodes_the_first_clips_before_the_clock_starts() -> None:
    rig = Rig(run_timeline())
    rig.player.start()
    assert rig.backend.calls[:PRELOAD_AHEAD] == [
        ("preload", "/chimes/start.ogg"),
        ("preload", "/voice/hello.ogg"),
        ("preload", "/tones/breathe-in-2.0.ogg"),
        ("preload", "/tones/breathe-out-2.0.ogg"),
    ]
    rig.player.stop()


def test_an_empty_timeline_completes_at_once() -> None:
    rig = Rig(timeline())
    assert rig.player.run() == "completed"
    assert rig.of(Finished) == [Finished("completed", 0.0, 0)]
    assert rig.fired() == []


# --- sound: groups, ducking, ambient ----------------------------------------------------------


def test_voice_kinds_play_on_voice_and_breath_and_chimes_on_cues() -> None:
    tl = timeline(
        cue(0.0, 1.0, "say", 0, "hi", audio="/v/say.ogg", speech=0.5),
        cue(1.0, 1.0, "tense", 1, "squeeze", audio="/v/tense.ogg", speech=0.5),
        cue(2.0, 1.0, "release", 2, "let go", audio="/v/release.ogg", speech=0.5),
        cue(3.0, 1.0, "sound", 3, audio="/rec/waves.ogg", speech=1.0, volume=0.4),
        cue(4.0, 1.0, "breathe-in", 4, "breathe in", audio="/c/in.ogg"),
        cue(5.0, 1.0, "hold", 4, "hold", audio="/c/hold.ogg"),
        cue(6.0, 1.0, "breathe-out", 4, "breathe out", audio="/c/out.ogg"),
        cue(7.0, 1.0, "rest", 4, "rest", audio="/c/rest.ogg"),
        cue(8.0, 1.0, "silence", 5),
        cue(9.0, 3.0, "chime", 6, audio="/c/chime.ogg"),
    )
    rig = Rig(tl)
    assert rig.player.run() == "completed"
    plays = [call for call in rig.calls() if call[0] == "play"]
    assert plays == [
        ("play", "voice", "/v/say.ogg", 1.0, False, 0.0),
        ("play", "voice", "/v/tense.ogg", 1.0, False, 0.0),
        ("play", "voice", "/v/release.ogg", 1.0, False, 0.0),
        ("play", "voice", "/rec/waves.ogg", 0.4, False, 0.0),
        ("play", "cues", "/c/in.ogg", 1.0, False, 0.0),
        ("play", "cues", "/c/hold.ogg", 1.0, False, 0.0),
        ("play", "cues", "/c/out.ogg", 1.0, False, 0.0),
        ("play", "cues", "/c/rest.ogg", 1.0, False, 0.0),
        ("play", "cues", "/c/chime.ogg", 1.0, False, 0.0),
    ]
    assert rig.fired() == list(range(10))  # the silence is a cue too, just a quiet one


def test_a_voice_cue_ducks_the_bed_until_its_speech_ends() -> None:
    tl = timeline(
        cue(0.0, 1.0, "say", 0, "first"),  # no clip: captions only, no ducking
        cue(1.0, 1.5, "say", 1, "spoken", audio="/v/spoken.ogg", speech=0.75),
        cue(2.5, 4.0, "breathe-in", 2, "breathe in", audio="/c/in.ogg"),
    )
    rig = Rig(tl, ambient=AMBIENT, volumes=Volumes(ambient=0.8))
    rig.player.start()
    rig.to(0.0)
    rig.clear_calls()
    assert rig.to(1.0) == 0.75  # the next deadline is the un-duck at 1.75
    assert rig.backend.timed == [
        (1.0, "play", "voice", "/v/spoken.ogg", 1.0, False, 0.0),
        (1.0, "set_volume", "ambient", 0.8 * DUCK_GAIN, DUCK_DOWN_SECONDS),
    ]
    assert rig.backend.volumes["ambient"] == pytest.approx(0.2)
    rig.to(1.75 - EPSILON)
    assert len(rig.backend.timed) == 2
    assert rig.to(1.75) == 0.25  # then the progress tick at 2.0
    assert rig.backend.timed[-1] == (1.75, "set_volume", "ambient", 0.8, DUCK_UP_SECONDS)
    rig.to(2.5)
    assert rig.backend.timed[-1] == (2.5, "play", "cues", "/c/in.ogg", 1.0, False, 0.0)
    # Breath tones and chimes never duck the bed.
    assert [c for c in rig.backend.timed if c[1:3] == ("set_volume", "ambient")] == [
        (1.0, "set_volume", "ambient", 0.8 * DUCK_GAIN, DUCK_DOWN_SECONDS),
        (1.75, "set_volume", "ambient", 0.8, DUCK_UP_SECONDS),
    ]


def test_a_voice_cue_without_speech_length_ducks_for_its_whole_duration() -> None:
    tl = timeline(cue(0.0, 1.25, "sound", 0, audio="/rec/a.ogg"), cue(1.25, 1.0, "rest", 1, "rest"))
    rig = Rig(tl, ambient=AMBIENT)
    rig.player.start()
    assert rig.to(0.0) == 1.0  # the progress tick comes first
    assert rig.to(1.0) == 0.25
    assert rig.backend.volumes["ambient"] == 0.5 * DUCK_GAIN
    rig.to(1.25)
    assert rig.backend.timed[-1] == (1.25, "set_volume", "ambient", 0.5, DUCK_UP_SECONDS)


def test_the_ambient_bed_fades_in_at_start_and_out_before_the_end() -> None:
    tl = timeline(cue(0.0, 4.0, "say", 0, "a"), cue(4.0, 4.0, "say", 1, "b"))
    rig = Rig(tl, ambient=AMBIENT)
    rig.player.start()
    assert ("play", "ambient", AMBIENT, 1.0, True, AMBIENT_FADE_IN) in rig.calls()
    assert rig.to(0.0) == 1.0
    rig.to(4.5)
    assert rig.to(5.0 - EPSILON) == pytest.approx(EPSILON, abs=1e-9)  # fade point: 8 - 3
    assert not any(call[:2] == ("stop", "ambient") for call in rig.calls())
    rig.to(5.0)
    assert rig.backend.timed[-1] == (5.0, "stop", "ambient", AMBIENT_FADE_OUT)
    rig.to(8.0)
    assert rig.player.finished == "completed"
    ambient_calls = [c for c in rig.calls() if c[0] in ("play", "stop") and c[1] == "ambient"]
    assert ambient_calls == [
        ("play", "ambient", AMBIENT, 1.0, True, AMBIENT_FADE_IN),
        ("stop", "ambient", AMBIENT_FADE_OUT),
    ]


def test_no_ambient_path_means_the_bed_is_never_played_or_stopped() -> None:
    rig = Rig(run_timeline(), ambient=None)
    assert rig.player.run() == "completed"
    assert not rig.player.ambient_on
    assert [c for c in rig.calls() if c[0] in ("play", "stop") and c[1] == "ambient"] == []
    assert rig.backend.played("ambient") == []


def test_going_back_after_the_bed_faded_out_brings_it_back() -> None:
    rig = Rig(STEPS, ambient=AMBIENT)
    rig.player.start()
    for t in (0.0, 1.5, 3.0, 4.5, 6.0):
        rig.to(t)
    assert rig.backend.timed[-1] == (6.0, "stop", "ambient", AMBIENT_FADE_OUT)
    rig.to(6.5)
    rig.clear_calls()
    rig.player.previous_step()  # 0.5 s into the last step: back to step 1, at 3.0
    rig.jumped(3.0)
    assert ("play", "ambient", AMBIENT, 1.0, True, 1.0) in rig.calls()
    for t in (3.0, 4.5, 6.0):
        rig.to(t)
    assert rig.backend.timed[-1] == (6.0, "stop", "ambient", AMBIENT_FADE_OUT)


def test_set_voice_off_keeps_captions_but_plays_no_voice() -> None:
    tl = timeline(
        cue(0.0, 1.0, "say", 0, "one", audio="/v/one.ogg", speech=0.5),
        cue(1.0, 1.0, "say", 1, "two", audio="/v/two.ogg", speech=0.5),
        cue(2.0, 1.0, "breathe-in", 2, "breathe in", audio="/c/in.ogg"),
        cue(3.0, 1.0, "say", 3, "four", audio="/v/four.ogg", speech=0.5),
    )
    rig = Rig(tl, ambient=AMBIENT)
    rig.player.start()
    rig.to(0.0)
    rig.to(0.25)
    rig.clear_calls()
    rig.player.set_voice(False)
    assert rig.calls() == [
        ("stop", "voice", 0.2),
        ("set_volume", "ambient", 0.5, DUCK_UP_SECONDS),
    ]
    assert rig.to(0.5) == 0.5  # no un-duck left to do: the next deadline is the cue at 1.0
    rig.to(1.0)
    rig.to(2.0)
    assert rig.fired() == [0, 1, 2]
    assert [e.cue.text for e in rig.of(CueStarted)] == ["one", "two", "breathe in"]
    assert rig.backend.played() == ["/c/in.ogg"]  # cues still sound; the voice does not
    assert rig.backend.volumes["ambient"] == 0.5  # and the bed is not ducked
    rig.player.set_voice(True)
    rig.to(3.0)
    assert rig.backend.played("voice") == ["/v/four.ogg"]


def test_set_ambient_toggles_the_bed() -> None:
    rig = Rig(FIVE, ambient=AMBIENT)
    rig.player.start()
    rig.to(0.0)
    rig.clear_calls()
    rig.player.set_ambient(False)
    assert rig.calls() == [("stop", "ambient", 1.0)]
    assert not rig.player.ambient_on
    rig.player.set_ambient(False)
    assert rig.calls() == [("stop", "ambient", 1.0)]
    rig.player.set_ambient(True)
    assert rig.player.ambient_on
    assert rig.calls() == [("stop", "ambient", 1.0), ("play", "ambient", AMBIENT, 1.0, True, 1.0)]


def test_set_ambient_off_before_the_fade_point_leaves_nothing_to_fade() -> None:
    tl = timeline(cue(0.0, 4.0, "say", 0, "a"), cue(4.0, 4.0, "say", 1, "b"))
    rig = Rig(tl, ambient=AMBIENT)
    rig.player.start()
    rig.to(0.0)
    rig.player.set_ambient(False)
    rig.clear_calls()
    rig.to(5.0)
    rig.to(8.0)
    assert [c for c in rig.calls() if c[0] in ("play", "stop")] == []


def test_set_ambient_without_a_bed_does_nothing() -> None:
    rig = Rig(FIVE, ambient=None)
    rig.player.start()
    rig.clear_calls()
    rig.player.set_ambient(True)
    assert not rig.player.ambient_on
    assert rig.calls() == []


def test_set_volume_clamps_and_respects_the_cap() -> None:
    rig = Rig(FIVE, ambient=AMBIENT, volumes=Volumes(voice=1.0, ambient=0.5, cues=0.6, cap=0.4))
    rig.player.start()
    assert rig.calls()[:3] == [
        ("set_volume", "voice", 0.4, 0.0),
        ("set_volume", "cues", 0.4, 0.0),
        ("set_volume", "ambient", 0.4, 0.0),
    ]
    rig.clear_calls()
    rig.player.set_volume("voice", 0.3)
    assert rig.calls() == [
        ("set_volume", "voice", 0.3, 0.0),
        ("set_volume", "cues", 0.4, 0.0),
        ("set_volume", "ambient", 0.4, 0.0),
    ]
    rig.player.set_volume("cues", 1.7)
    assert rig.player.volumes.cues == 1.0
    assert rig.backend.volumes["cues"] == 0.4
    rig.player.set_volume("ambient", -2.0)
    assert rig.player.volumes.ambient == 0.0
    assert rig.backend.volumes["ambient"] == 0.0
    rig.player.volumes.cap = 1.0
    rig.player.set_volume("voice", 0.9)
    assert rig.backend.volumes == {"voice": 0.9, "ambient": 0.0, "cues": 1.0}


def test_set_volume_while_the_voice_speaks_keeps_the_bed_ducked() -> None:
    tl = timeline(cue(0.0, 1.0, "say", 0, "a", audio="/v/a.ogg", speech=0.5))
    rig = Rig(tl, ambient=AMBIENT, volumes=Volumes(cap=0.8))
    rig.player.start()
    rig.to(0.0)
    rig.player.set_volume("ambient", 1.0)
    assert rig.backend.volumes["ambient"] == 0.8 * DUCK_GAIN
    rig.to(0.5)
    assert rig.backend.volumes["ambient"] == 0.8


# --- sound failing ----------------------------------------------------------------------------


def test_a_backend_that_cannot_play_falls_back_to_captions_with_one_notice() -> None:
    broken = SpyBackend(fail_on={"play"})
    tl = timeline(
        cue(0.0, 1.0, "say", 0, "one", audio="/v/one.ogg", speech=0.5),
        cue(1.0, 1.0, "breathe-in", 1, "breathe in", audio="/c/in.ogg"),
        cue(2.0, 1.0, "say", 2, "three", audio="/v/three.ogg", speech=0.5),
    )
    rig = Rig(tl, ambient=AMBIENT, backend=broken)
    assert rig.player.run() == "completed"
    assert rig.of(Notice) == [
        Notice("sound stopped working (injected failure in play); showing captions only")
    ]
    fallback = rig.player.backend
    assert isinstance(fallback, SpyBackend)
    assert fallback is not broken
    assert broken.played() == []
    # The bed's play failed first; everything after went to the silent backend.
    assert fallback.played() == ["/v/one.ogg", "/c/in.ogg", "/v/three.ogg"]
    assert rig.fired() == [0, 1, 2]
    assert rig.of(Finished) == [Finished("completed", 3.0, 3, 3.0)]


class FailsOnce(SpyBackend):
    """A device that goes away at the first clip (unplugged headphones)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def play(self, *args: Any, **kwargs: Any) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        super().play(*args, **kwargs)


@pytest.mark.parametrize(
    "error",
    [AudioUnavailable("device gone"), OSError("device gone"), RuntimeError("device gone")],
    ids=["AudioUnavailable", "OSError", "RuntimeError"],
)
def test_a_device_failing_mid_session_switches_to_the_null_backend(error: Exception) -> None:
    broken = FailsOnce(error)
    rig = Rig(STEPS, backend=broken)
    assert rig.player.run() == "completed"
    assert rig.of(Notice) == [Notice("sound stopped working (device gone); showing captions only")]
    fallback = rig.player.backend
    assert type(fallback) is SpyBackend  # the null backend tests run with, not a subclass
    assert broken.played() == []
    assert fallback.played() == ["/c/in.ogg", "/c/end.ogg"]  # the failed clip is not retried
    assert rig.fired() == [0, 1, 2, 3, 4, 5]
    assert rig.of(Finished) == [Finished("completed", 9.0, 3, 9.0)]
    # The notice came at the moment of the failure, right after the step began.
    kinds = [type(event).__name__ for _, event in rig.events[:3]]
    assert kinds == ["StepChanged", "Notice", "CueStarted"]


def test_a_failing_pause_or_stop_also_falls_back() -> None:
    broken = SpyBackend(fail_on={"pause_all"})
    rig = Rig(FIVE, backend=broken)
    rig.player.start()
    rig.to(0.0)
    rig.player.pause()
    assert rig.player.paused
    assert len(rig.of(Notice)) == 1
    assert rig.player.backend is not broken
    rig.player.resume()
    assert rig.player.backend.calls[-1] == ("resume_all",)
    rig.player.stop()
    assert rig.player.backend.calls[-1] == ("stop_all",)
    assert len(rig.of(Notice)) == 1


# --- progress ---------------------------------------------------------------------------------


def test_progress_comes_once_per_second_of_timeline() -> None:
    tl = timeline(cue(0.0, 2.5, "say", 0, "a"), cue(2.5, 2.5, "say", 1, "b"))
    rig = Rig(tl)
    rig.player.start()
    for quarter in range(0, 21):
        rig.to(quarter * 0.25)
    assert rig.of(Progress) == [Progress(float(s), 5.0) for s in range(1, 6)]
    assert [t for t, e in rig.events if isinstance(e, Progress)] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_late_poll_gives_one_progress_not_a_burst() -> None:
    tl = timeline(cue(0.0, 5.0, "say", 0, "a"))
    rig = Rig(tl)
    rig.player.start()
    rig.to(0.0)
    assert rig.to(2.5) == 0.5  # the next tick is on the second, at 3.0
    assert rig.of(Progress) == [Progress(2.5, 5.0)]
    rig.to(3.0)
    assert rig.of(Progress) == [Progress(2.5, 5.0), Progress(3.0, 5.0)]


def test_going_back_while_paused_brings_the_bed_back_only_on_resume() -> None:
    rig = Rig(STEPS, ambient=AMBIENT)
    rig.player.start()
    for t in (0.0, 1.5, 3.0, 4.5, 6.0, 6.5):
        rig.to(t)
    rig.player.pause()
    rig.clear_calls()
    rig.player.previous_step()
    assert [c for c in rig.calls() if c[0] == "play"] == []  # nothing sounds while paused
    rig.player.resume()
    assert rig.calls()[-2:] == [("resume_all",), ("play", "ambient", AMBIENT, 1.0, True, 1.0)]
    rig.player.resume()
    assert rig.backend.played("ambient") == [AMBIENT]


def test_a_broken_clip_costs_only_its_own_sound() -> None:
    clock = FakeClock()
    cues = (
        Cue(
            start=0.0,
            duration=2.0,
            kind="say",
            step=0,
            text="one",
            audio="/clips/one.ogg",
            speech=1.0,
        ),
        Cue(
            start=2.0,
            duration=2.0,
            kind="say",
            step=1,
            text="two",
            audio="/clips/broken.ogg",
            speech=1.0,
        ),
        Cue(
            start=4.0,
            duration=2.0,
            kind="say",
            step=2,
            text="three",
            audio="/clips/three.ogg",
            speech=1.0,
        ),
    )
    backend = SpyBackend(broken_clips={"/clips/broken.ogg"})
    events: list[object] = []
    player = Player(
        Timeline(id="t", title="T", tier="kid", cues=cues, step_count=3),
        backend,
        clock=clock,
        listener=events.append,
    )
    assert player.run() == "completed"
    # The other clips still play on the same backend, and the captions all came.
    assert player.backend is backend
    assert backend.played("voice") == ["/clips/one.ogg", "/clips/three.ogg"]
    assert [e.cue.text for e in events if isinstance(e, CueStarted)] == ["one", "two", "three"]
    notices = [e.message for e in events if isinstance(e, Notice)]
    assert notices == ["broken.ogg could not be played (injected); its words are shown as captions"]


# --- time heard ---------------------------------------------------------------------------


def test_time_heard_leaves_out_pauses_and_skipped_stretches() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(1.0)
    assert rig.player.seconds_heard == 1.0
    # Ten seconds paused add nothing.
    rig.player.pause()
    rig.clock.advance(10.0)
    assert rig.player.seconds_heard == 1.0
    rig.player.resume()
    rig.origin += 10.0
    rig.to(1.5)
    assert rig.player.seconds_heard == 1.5
    # "Next" at 1.5 jumps to step 1 at 3.0: the rest of step 0 was not heard.
    rig.player.next_step()
    rig.jumped(3.0)
    assert rig.player.seconds_heard == 1.5
    assert rig.player.steps_skipped == 1
    rig.to(5.5)
    assert rig.player.seconds_heard == 4.0
    # Going back to hear step 1 again counts again: it is time practised.
    rig.player.previous_step()
    rig.jumped(3.0)
    rig.to(6.5)
    assert rig.player.seconds_heard == 7.5
    rig.player.stop()
    [finished] = rig.of(Finished)
    assert finished == Finished("stopped", 6.5, 2, 7.5, 1)


def test_pressing_next_to_the_end_is_completed_but_barely_heard() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    for _ in range(3):
        rig.clock.advance(0.25)
        rig.player.poll()
        rig.player.next_step()
        rig.player.poll()
    assert rig.player.finished == "completed"
    [finished] = rig.of(Finished)
    # The end was reached (every step passed), three of them cut short, 0.75 s heard.
    assert (finished.status, finished.elapsed, finished.steps_done) == ("completed", 9.0, 3)
    assert finished.seconds_heard == pytest.approx(0.75)
    assert finished.steps_skipped == 3


def test_next_in_the_last_second_of_a_step_is_not_a_skip() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(2.5)
    rig.player.next_step()
    rig.jumped(3.0)
    assert rig.player.steps_skipped == 0
    # A skipped step heard to its end later is no longer a skip.
    rig.to(3.5)
    rig.player.next_step()
    rig.jumped(6.0)
    assert rig.player.steps_skipped == 1
    rig.player.previous_step()  # within 2 s of step 2's start: back to step 1
    rig.jumped(3.0)
    rig.to(6.0)
    rig.player.poll()
    assert rig.player.steps_skipped == 0


def test_next_while_paused_adds_no_time_heard() -> None:
    rig = Rig(STEPS)
    rig.player.start()
    rig.to(1.0)
    rig.player.pause()
    rig.player.next_step()
    rig.clock.advance(5.0)
    rig.player.resume()
    rig.jumped(3.0)
    rig.to(4.0)
    assert rig.player.seconds_heard == 2.0
    assert rig.player.steps_skipped == 1
