"""The session player: runs a timeline against a clock on absolute deadlines.

Every cue fires at ``origin + cue.start``. Pausing remembers when it paused and
resuming moves the origin forward by the time spent paused, so nothing ever
drifts: no sleep is ever added to another. Both the terminal app and
``calmkit play --plain`` drive this same player and listen to its events.
"""

from __future__ import annotations

import queue
import threading
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from calmkit.audio.backend import (
    AudioBackend,
    AudioUnavailable,
    ClipUnavailable,
    Group,
    NullBackend,
)
from calmkit.audio.volumes import Volumes
from calmkit.content.timeline import Cue, Timeline
from calmkit.playback.clock import Clock, MonotonicClock

FinishStatus = Literal["completed", "stopped"]

AMBIENT_FADE_IN = 3.0
AMBIENT_FADE_OUT = 3.0
DUCK_DOWN_SECONDS = 0.15
DUCK_UP_SECONDS = 0.6
# While the voice speaks the bed drops this much further (gain), keeping it >= 20 dB under.
DUCK_GAIN = 0.25
# "Previous" within this many seconds of a step's start goes to the step before.
PREVIOUS_GRACE = 2.0
PRELOAD_AHEAD = 4
# "Next" this close to a step's end is not a skip: the step was heard.
SKIP_GRACE = 1.0
IDLE_WAIT = 0.5


@dataclass(frozen=True)
class CueStarted:
    """A cue began: its place in the timeline's cues, and the cue."""

    index: int
    cue: Cue


@dataclass(frozen=True)
class _StepPlace:
    """Where in the session a step is: what the faces show as "step n of N"."""

    step: int  # the step index in the timeline
    number: int  # 1-based, among the steps that have cues
    total: int


@dataclass(frozen=True)
class StepChanged(_StepPlace):
    """A step began playing."""


@dataclass(frozen=True)
class _AtPlace:
    """Something that happened at a place in the timeline."""

    elapsed: float


@dataclass(frozen=True)
class Progress(_AtPlace):
    """About once a second while playing: the place reached, of the whole."""

    duration: float


@dataclass(frozen=True)
class Paused(_AtPlace):
    """Playing (the sound too) stopped until resumed."""


@dataclass(frozen=True)
class Resumed(_AtPlace):
    """Playing went on from where it paused."""


@dataclass(frozen=True)
class StepShown(_StepPlace):
    """While paused, the place moved (next or back): the step that plays on resume.

    Nothing plays while paused, so no cue starts; this tells the faces what to show
    instead, so the step on screen is always the one that resuming starts from.
    """

    index: int  # the step's first cue, where playing goes on from


@dataclass(frozen=True)
class Finished:
    status: FinishStatus
    elapsed: float  # the place reached in the timeline
    steps_done: int
    seconds_heard: float = 0.0  # time actually played: no pauses, no skipped stretches
    steps_skipped: int = 0


@dataclass(frozen=True)
class Notice:
    message: str


PlayerEvent = CueStarted | StepChanged | StepShown | Progress | Paused | Resumed | Finished | Notice
Listener = Callable[[PlayerEvent], None]


_VOICE_KINDS = frozenset({"say", "tense", "release", "sound"})


@dataclass
class _State:
    origin: float = 0.0
    paused_at: float | None = None
    next_index: int = 0
    current_step: int | None = None
    unduck_at: float | None = None
    next_progress: float = 1.0
    ambient_fading: bool = False
    # The bed faded out, then a jump went back before the fade point while paused.
    ambient_restart: bool = False
    # A jump landed on a step: its first cue announces it even if it is the same step.
    announce_step: bool = False
    started: bool = False
    finished: FinishStatus | None = None
    ended_at: float | None = None
    steps_done: set[int] = field(default_factory=set)
    # Time heard: the stretches already closed, and where the one playing now began.
    heard: float = 0.0
    heard_from: float | None = None
    # Steps left with "next" before their end, and not heard to the end since.
    skipped: set[int] = field(default_factory=set)


class Player:
    def __init__(
        self,
        timeline: Timeline,
        backend: AudioBackend | None = None,
        clock: Clock | None = None,
        listener: Listener | None = None,
        ambient_path: str | None = None,
        volumes: Volumes | None = None,
        quiet_timeline: Timeline | None = None,
    ) -> None:
        """``quiet_timeline``: the same session compiled without sound, which playing
        goes on with if the sound stops working (see _go_quiet)."""
        self.timeline = timeline
        self.backend: AudioBackend = backend or NullBackend()
        self.clock: Clock = clock or MonotonicClock()
        self.listeners: list[Listener] = [listener] if listener else []
        self.ambient_path = ambient_path
        self.volumes = volumes or Volumes()
        self.voice_on = True
        self.ambient_on = ambient_path is not None
        self._use(timeline)
        self._quiet = quiet_timeline
        self._go_quiet = False
        self._state = _State()
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._preload_queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._preloaded: set[str] = set()
        self._preloader: threading.Thread | None = None
        self._fell_back = False
        self._bad_clips: set[str] = set()
        self._told_bad_clip = False

    def _use(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._cues = timeline.cues
        self._steps = list(dict.fromkeys(cue.step for cue in self._cues))
        self._first_cue: dict[int, int] = {}
        for index, cue in enumerate(self._cues):
            self._first_cue.setdefault(cue.step, index)
        # Where the clips are, so looking ahead from a cue never rescans the timeline.
        self._audio_indices = [index for index, cue in enumerate(self._cues) if cue.audio]

    # --- what the faces read ------------------------------------------------------------

    @property
    def duration(self) -> float:
        return self.timeline.duration

    @property
    def elapsed(self) -> float:
        with self._lock:
            state = self._state
            if not state.started:
                return 0.0
            moment = state.paused_at if state.paused_at is not None else state.ended_at
            if moment is None:
                moment = self.clock.now()
            return max(0.0, min(self.duration, moment - state.origin))

    @property
    def paused(self) -> bool:
        return self._state.paused_at is not None

    @property
    def finished(self) -> FinishStatus | None:
        return self._state.finished

    @property
    def step_count(self) -> int:
        return len(self._steps)

    @property
    def steps_done(self) -> int:
        return len(self._state.steps_done)

    @property
    def seconds_heard(self) -> float:
        """Seconds actually played so far: paused time and skipped stretches left out."""
        with self._lock:
            state = self._state
            if state.heard_from is None:
                return state.heard
            return state.heard + max(0.0, self.elapsed - state.heard_from)

    @property
    def steps_skipped(self) -> int:
        return len(self._state.skipped)

    def _close_stretch(self) -> None:
        """The stretch playing now ends here (a pause, a jump, the end)."""
        state = self._state
        if state.heard_from is not None:
            state.heard += max(0.0, self.elapsed - state.heard_from)
            state.heard_from = None

    @property
    def current_step(self) -> int | None:
        return self._state.current_step

    def step_number(self, step: int) -> int:
        """1-based position of a step among the steps that have cues."""
        return self._steps.index(step) + 1

    def current_cue(self) -> Cue | None:
        index = self._state.next_index - 1
        return self._cues[index] if 0 <= index < len(self._cues) else None

    def upcoming_cue(
        self, kinds: frozenset[str] = _VOICE_KINDS, after: int | None = None
    ) -> Cue | None:
        """The next cue of the given kinds, for showing the next line dimmed.

        From the next cue to play, or from the cue after index ``after``.
        """
        start = self._state.next_index if after is None else after + 1
        for cue in self._cues[start:]:
            if cue.kind in kinds and cue.text:
                return cue
        return None

    def line_at(self, index: int, kinds: frozenset[str] = _VOICE_KINDS) -> tuple[int, Cue] | None:
        """The line with words on screen when cue ``index`` starts: its own, or the last before."""
        for earlier in range(min(index, len(self._cues) - 1), -1, -1):
            cue = self._cues[earlier]
            if cue.kind in kinds and cue.text:
                return earlier, cue
        return None

    # --- events ------------------------------------------------------------------------

    def _emit(self, event: PlayerEvent) -> None:
        for listener in self.listeners:
            listener(event)

    def _safely(self, action: Callable[[], None]) -> None:
        """A sound failure mid-session falls back to captions; the session goes on.

        One unreadable clip costs only its own sound (with a single notice per
        session); a failing device turns sound off for the rest of the session.
        """
        try:
            action()
        except ClipUnavailable as error:
            with self._lock:
                self._bad_clips.add(error.path)
                if not self._told_bad_clip:
                    self._told_bad_clip = True
                    self._emit(Notice(f"{error}; its words are shown as captions"))
        except (AudioUnavailable, OSError, RuntimeError) as error:
            # The preloading thread comes here too: switch (and tell) only once.
            with self._lock:
                if self._fell_back:
                    return
                self._fell_back = True
                self.backend = NullBackend()
                # Lines that announce sounds are not shown from now on: the quiet
                # timeline takes over in poll, outside its loop over the cues.
                self._go_quiet = self._quiet is not None
                self._emit(Notice(f"sound stopped working ({error}); showing captions only"))
            self._wake.set()

    # --- starting and the loop -----------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._state.started:
                return
            # Decode the first clips before the clock starts, so the first cues are on time.
            for path in self._paths_from(0, PRELOAD_AHEAD):
                self._safely(partial(self.backend.preload, path))
                self._preloaded.add(path)
            self._preloader = threading.Thread(target=self._preload_worker, daemon=True)
            self._preloader.start()
            self._state.started = True
            self._state.origin = self.clock.now()
            self._state.heard_from = 0.0
            self._apply_volumes()
            if self.ambient_on and self.ambient_path:
                self._start_ambient(fade_in=AMBIENT_FADE_IN)

    def run(self) -> FinishStatus:
        """Play to the end (or until stopped), sleeping only until the next deadline."""
        self.start()
        while True:
            wait = self.poll()
            with self._lock:
                status = self._state.finished
            if status is not None:
                return status
            self._wake.clear()
            self.clock.wait(IDLE_WAIT if wait is None else wait, self._wake)

    def poll(self) -> float | None:
        """Do whatever is due now; return the seconds until the next deadline."""
        with self._lock:
            state = self._state
            if self._go_quiet and state.started and state.finished is None:
                self._go_quiet_now()
            if not state.started or state.finished is not None or state.paused_at is not None:
                return None
            now = self.clock.now()
            elapsed = now - state.origin
            while (
                state.next_index < len(self._cues) and self._cues[state.next_index].start <= elapsed
            ):
                self._fire(state.next_index)
                state.next_index += 1
            if state.unduck_at is not None and elapsed >= state.unduck_at:
                state.unduck_at = None
                self._duck(False)
            if not state.ambient_fading and elapsed >= self.duration - AMBIENT_FADE_OUT:
                state.ambient_fading = True
                if self.ambient_on and self.ambient_path:
                    self._safely(lambda: self.backend.stop("ambient", fade_out=AMBIENT_FADE_OUT))
            if elapsed >= state.next_progress:
                # A sound device can go away without any call failing: look once a second.
                self._safely(self.backend.check)
                self._emit(Progress(min(elapsed, self.duration), self.duration))
                state.next_progress = float(int(elapsed) + 1)
            if self._go_quiet:
                self._go_quiet_now()
                return 0.0  # at once again, in the timeline without sound
            if elapsed >= self.duration and state.next_index >= len(self._cues):
                if state.current_step is not None:
                    state.steps_done.add(state.current_step)
                    if not state.announce_step:
                        state.skipped.discard(state.current_step)
                self._finish("completed")
                return None
            deadlines = [self.duration, state.next_progress]
            if state.next_index < len(self._cues):
                deadlines.append(self._cues[state.next_index].start)
            if state.unduck_at is not None:
                deadlines.append(state.unduck_at)
            if not state.ambient_fading:
                deadlines.append(self.duration - AMBIENT_FADE_OUT)
            return max(0.0, min(deadlines) - elapsed)

    def _fire(self, index: int) -> None:
        cue = self._cues[index]
        state = self._state
        if cue.step != state.current_step or state.announce_step:
            if state.current_step is not None and cue.step != state.current_step:
                state.steps_done.add(state.current_step)
                # Played on into the next step: this one was heard to its end.
                state.skipped.discard(state.current_step)
            state.current_step = cue.step
            state.announce_step = False
            self._emit(StepChanged(cue.step, self._steps.index(cue.step) + 1, len(self._steps)))
        if cue.audio and cue.audio not in self._bad_clips:
            if cue.kind in _VOICE_KINDS:
                if self.voice_on:
                    self._safely(lambda: self.backend.play("voice", cue.audio or "", cue.volume))
                    self._duck(True)
                    state.unduck_at = cue.start + (cue.speech or cue.duration)
            else:
                self._safely(lambda: self.backend.play("cues", cue.audio or "", cue.volume))
        self._emit(CueStarted(index, cue))
        for path in self._paths_from(index + 1, PRELOAD_AHEAD):
            if path not in self._preloaded:
                self._preloaded.add(path)
                self._preload_queue.put(path)

    def _go_quiet_now(self) -> None:
        """Sound went away: go on in the timeline without sound, at the same place.

        The two timelines have the same steps, except those marked `when: sound`
        (only in the first) and `when: no-sound` (only in the second), and a step in
        both has the same cues, so the place is the same cue of the same step and as
        far into it. In a step the quiet timeline leaves out (the line announcing
        tones), playing goes on from the next step it has.
        """
        state = self._state
        quiet, self._quiet, self._go_quiet = self._quiet, None, False
        if quiet is None:
            return
        playing = state.paused_at is None
        self._close_stretch()
        now = self.clock.now()
        elapsed = (state.paused_at if state.paused_at is not None else now) - state.origin
        index = state.next_index - 1
        step = state.current_step
        first: dict[int, int] = {}
        for position, cue in enumerate(quiet.cues):
            first.setdefault(cue.step, position)
        if 0 <= index < len(self._cues) and step in first and not state.announce_step:
            # Still in a step both have: the same cue, as far in.
            last = max(i for i, cue in enumerate(quiet.cues) if cue.step == step)
            same = min(first[step] + index - self._first_cue[step], last)
            into = min(max(0.0, elapsed - self._cues[index].start), quiet.cues[same].duration)
            target, next_index = quiet.cues[same].start + into, same + 1
        else:
            # Not begun, jumped to but not yet played, or a step the quiet timeline leaves
            # out: from the first cue of the next step it has.
            after = -1 if index < 0 else self._cues[min(index, len(self._cues) - 1)].step
            if state.announce_step and 0 <= state.next_index < len(self._cues):
                after = self._cues[state.next_index].step - 1
            later = [i for i, cue in enumerate(quiet.cues) if cue.step > after]
            next_index = later[0] if later else len(quiet.cues)
            target = quiet.cues[next_index].start if later else quiet.duration
            state.announce_step = True
        self._use(quiet)
        state.next_index = next_index
        if state.current_step is not None and state.current_step not in self._first_cue:
            # The step playing is one the quiet timeline leaves out: the next is current.
            ahead = self._cues[next_index].step if next_index < len(self._cues) else None
            state.current_step = ahead if ahead is not None or not self._steps else self._steps[-1]
        state.origin = (state.paused_at if state.paused_at is not None else now) - target
        if playing:
            state.heard_from = target
        state.next_progress = float(int(target) + 1)
        state.unduck_at = None
        if state.paused_at is not None and next_index < len(self._cues) and state.announce_step:
            shown = self._cues[next_index].step
            self._emit(StepShown(shown, self._steps.index(shown) + 1, len(self._steps), next_index))

    def _paths_from(self, index: int, count: int) -> list[str]:
        """The next ``count`` distinct clips from cue ``index`` on (runs on the timing thread)."""
        paths: dict[str, None] = {}
        for audio_index in self._audio_indices[bisect_left(self._audio_indices, index) :]:
            paths[self._cues[audio_index].audio or ""] = None
            if len(paths) == count:
                break
        return list(paths)

    def _preload_worker(self) -> None:
        # Decoding happens here, off the timing thread.
        while True:
            path = self._preload_queue.get()
            if path is None:
                return
            self._safely(partial(self.backend.preload, path))

    def _finish(self, status: FinishStatus) -> None:
        state = self._state
        if state.finished is not None:
            return
        state.ended_at = state.paused_at if state.paused_at is not None else self.clock.now()
        self._close_stretch()
        state.finished = status
        elapsed = self.elapsed
        if status == "stopped":
            self._safely(self.backend.stop_all)
        self._preload_queue.put(None)
        self._emit(
            Finished(
                status,
                elapsed,
                len(state.steps_done),
                state.heard,
                len(state.skipped),
            )
        )
        self._wake.set()

    # --- sound levels --------------------------------------------------------------------

    def _apply_volumes(self) -> None:
        groups: tuple[Group, ...] = ("voice", "cues")  # the ambient: _duck, below
        for group in groups:
            self._safely(partial(self.backend.set_volume, group, self.volumes.effective(group)))
        self._duck(self._state.unduck_at is not None, ramp=0.0)

    def _duck(self, down: bool, ramp: float | None = None) -> None:
        level = self.volumes.effective("ambient") * (DUCK_GAIN if down else 1.0)
        seconds = ramp if ramp is not None else (DUCK_DOWN_SECONDS if down else DUCK_UP_SECONDS)
        self._safely(lambda: self.backend.set_volume("ambient", level, ramp=seconds))

    def _start_ambient(self, fade_in: float) -> None:
        if self.ambient_path:
            path = self.ambient_path
            self._safely(
                lambda: self.backend.play("ambient", path, 1.0, loop=True, fade_in=fade_in)
            )

    # --- controls (safe from any thread) -------------------------------------------------

    def pause(self) -> None:
        with self._lock:
            state = self._state
            if not state.started or state.finished or state.paused_at is not None:
                return
            self._close_stretch()
            state.paused_at = self.clock.now()
            self._safely(self.backend.pause_all)
            self._emit(Paused(self.elapsed))
        self._wake.set()

    def resume(self) -> None:
        with self._lock:
            state = self._state
            if state.paused_at is None or state.finished:
                return
            state.origin += self.clock.now() - state.paused_at
            state.paused_at = None
            state.heard_from = self.elapsed
            self._safely(self.backend.resume_all)
            if state.ambient_restart:
                state.ambient_restart = False
                if self.ambient_on and self.ambient_path:
                    self._start_ambient(fade_in=1.0)
            self._emit(Resumed(self.elapsed))
        self._wake.set()

    def toggle_pause(self) -> None:
        if self.paused:
            self.resume()
        else:
            self.pause()

    def stop(self) -> None:
        with self._lock:
            self._finish("stopped")

    def next_step(self) -> None:
        with self._lock:
            state = self._state
            if not state.started or state.finished or not self._cues:
                return
            position = self._position_of_current()
            last = position + 1 >= len(self._steps)
            if last and self.paused:
                return  # while paused, the last step stays shown; the end waits for play
            index = len(self._cues) if last else self._first_cue[self._steps[position + 1]]
            end = self.duration if last else self._cues[index].start
            if state.current_step is not None and self.elapsed < end - SKIP_GRACE:
                # Left before its end: the psychologist sees it as skipped.
                state.skipped.add(state.current_step)
            self._jump_to_cue(index)

    def repeat_step(self) -> None:
        with self._lock:
            position = self._position_of_current()
            self._jump_to_cue(self._first_cue[self._steps[max(position, 0)]])

    def previous_step(self) -> None:
        with self._lock:
            position = max(self._position_of_current(), 0)
            step_start = self._cues[self._first_cue[self._steps[position]]].start
            if self.elapsed - step_start < PREVIOUS_GRACE and position > 0:
                position -= 1
            self._jump_to_cue(self._first_cue[self._steps[position]])

    def _position_of_current(self) -> int:
        step = self._state.current_step
        return self._steps.index(step) if step is not None else -1

    def _jump_to_cue(self, index: int) -> None:
        state = self._state
        if not state.started or state.finished or not self._cues:
            return
        target = self._cues[index].start if index < len(self._cues) else self.duration
        playing = state.paused_at is None
        self._close_stretch()
        now = self.clock.now()
        state.origin = now - target
        if playing:
            state.heard_from = target
        if state.paused_at is not None:
            state.paused_at = now
        current = state.current_step
        if current is not None and (
            index >= len(self._cues)
            or (index > self._first_cue[current] and self._cues[index].step != current)
        ):
            # Going on past a step (by playing or by "next") counts it as done.
            state.steps_done.add(current)
        state.next_index = index
        # The step jumped to is the current one at once (so a second "next" before the
        # next poll goes on from it), and its first cue announces it again.
        if index < len(self._cues):
            state.current_step = self._cues[index].step
        state.announce_step = True
        state.next_progress = float(int(target) + 1)
        state.unduck_at = None
        faded = state.ambient_fading
        state.ambient_fading = faded and target >= self.duration - AMBIENT_FADE_OUT
        self._safely(lambda: self.backend.stop("voice"))
        self._safely(lambda: self.backend.stop("cues"))
        self._duck(False, ramp=DUCK_DOWN_SECONDS)
        if faded and not state.ambient_fading and self.ambient_on and self.ambient_path:
            # Back before the fade point: the bed that faded out comes back.
            if state.paused_at is None:
                self._start_ambient(fade_in=1.0)
            else:
                state.ambient_restart = True
        if state.paused_at is not None and index < len(self._cues):
            step = self._cues[index].step
            self._emit(StepShown(step, self._steps.index(step) + 1, len(self._steps), index))
        self._wake.set()

    def set_voice(self, on: bool) -> None:
        with self._lock:
            self.voice_on = on
            if not on:
                self._safely(lambda: self.backend.stop("voice", fade_out=0.2))
                self._state.unduck_at = None
                self._duck(False)

    def set_ambient(self, on: bool) -> None:
        with self._lock:
            if on == self.ambient_on or not self.ambient_path:
                self.ambient_on = on and bool(self.ambient_path)
                return
            self.ambient_on = on
            if on:
                self._start_ambient(fade_in=1.0)
            else:
                self._safely(lambda: self.backend.stop("ambient", fade_out=1.0))

    def set_volume(self, group: Group, value: float) -> None:
        with self._lock:
            setattr(self.volumes, group, max(0.0, min(1.0, value)))
            self._apply_volumes()
