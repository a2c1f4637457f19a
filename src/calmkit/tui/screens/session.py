"""The session screen: the caption, the next line, the pacer or the body figure, and progress.

The same Player as `calmkit play --plain` runs in a thread; its events come in
as PlayerEventMessage. The pacer reads the player's clock, so picture and
voice agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, ProgressBar, Static

from calmkit.audio.backend import GROUPS
from calmkit.audio.volumes import VOLUME_STEP, Volumes
from calmkit.content.timeline import Cue
from calmkit.playback.clock import Clock
from calmkit.playback.player import (
    CueStarted,
    Finished,
    FinishStatus,
    Notice,
    Paused,
    Player,
    PlayerEvent,
    Progress,
    Resumed,
    StepChanged,
    StepShown,
)
from calmkit.playback.prepare import PreparedSession
from calmkit.records.settings import Settings
from calmkit.tui.dialogs.confirm import ConfirmDialog
from calmkit.tui.literal import LiteralStatic
from calmkit.tui.messages import PlayerEventMessage
from calmkit.tui.widgets.body import BodyFigure
from calmkit.tui.widgets.caption import Caption, ClampedLine
from calmkit.tui.widgets.footer import WholeKeysFooter
from calmkit.tui.widgets.pacer import BreathPacer
from calmkit.words import clock as clock_text  # the name the session screen and its tests use

if TYPE_CHECKING:
    # only for the checker: Textual types self.app as any App; the app imports this screen
    from calmkit.tui.app import CalmkitApp

BREATH_KINDS = frozenset({"breathe-in", "hold", "breathe-out", "rest"})
BODY_KINDS = frozenset({"tense", "release"})
PACER_FPS = 12
# The pacer's size changes in this many steps per phase: enough to look smooth.
PACER_STEPS = 24
PAUSED_WORDS = "Paused. Press space to go on."
MOTION_OFF = "Moving shapes off: the breathing guide shows a word and a count."
MOTION_ON = "Moving shapes on."


def breath_counts(seconds: float) -> int:
    """How many numbers a breath of ``seconds`` counts: a number that would show for
    less than three quarters of a second is left out (3.5 s counts 1, 2, 3, never a
    flash of 4)."""
    return max(1, int(seconds + 0.25))


def volume_words(volumes: Volumes, raising: bool = False) -> str:
    """The loudness heard, as a bar and a number, and whether a grown-up's limit holds it."""
    heard = volumes.effective("voice")
    tenths = round(heard * 10)
    words = f"Volume {'▮' * tenths}{'▯' * (10 - tenths)} {round(heard * 100)}%"
    if (
        volumes.cap < 1.0
        and heard >= volumes.cap - 1e-9
        and (raising or volumes.voice > volumes.cap)
    ):
        words += ": a grown-up's limit keeps it here"
    return words


def session_title(prepared: PreparedSession) -> str:
    """The plan's name for the slot and the scripts it plays: "After school · Balloon Belly"."""
    title = prepared.timeline.title
    names = [script.title for script in prepared.request.scripts]
    if not names or names == [title]:
        return title
    return f"{title} · {' + '.join(names)}"


@dataclass(frozen=True)
class SessionOutcome:
    status: FinishStatus
    seconds: float  # the place reached
    steps_done: int
    steps_total: int
    seconds_heard: float = 0.0  # time practised


class SessionScreen(Screen[SessionOutcome]):
    # space and q first: on a narrow terminal the footer drops the last keys, never these.
    BINDINGS = [
        Binding("space", "pause", "Pause"),
        Binding("space", "resume", "Resume"),
        Binding("q,escape", "stop", "Stop"),
        Binding("right", "next_step", "Next"),
        Binding("left", "previous_step", "Back"),
        Binding("plus,equals_sign", "volume(1)", "Volume", key_display="+/-"),
        Binding("minus", "volume(-1)", "Softer", show=False),
        Binding("v", "toggle_voice", "Voice"),
        Binding("a", "toggle_ambient", "Sound"),
        Binding("m", "toggle_motion", "Motion"),
    ]

    def __init__(
        self,
        prepared: PreparedSession,
        settings: Settings,
        clock: Clock | None = None,
        on_start: Callable[[Player], None] | None = None,
    ) -> None:
        super().__init__()
        self.on_start = on_start
        self.prepared = prepared
        self.settings = settings
        self.player = Player(
            prepared.timeline,
            prepared.backend,
            clock=clock,
            listener=self._from_player,
            ambient_path=prepared.ambient,
            volumes=settings.volumes,
            quiet_timeline=prepared.quiet,
        )
        self.breath_cue: Cue | None = None
        self._pacer_timer: Timer | None = None
        self.outcome: SessionOutcome | None = None

    # --- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        timeline = self.prepared.timeline
        with Vertical(id="session"):
            yield ClampedLine(session_title(self.prepared), id="title")
            yield Caption(id="caption", size=self.settings.caption_size)
            yield ClampedLine("", id="next-line")
            yield LiteralStatic(PAUSED_WORDS, id="paused-note")
            with ContentSwitcher(initial="quiet", id="middle"):
                yield LiteralStatic("", id="quiet")
                yield BreathPacer(id="pacer")
                yield BodyFigure(id="body")
            yield LiteralStatic("", id="notice")
            yield LiteralStatic("", id="status")
            yield ProgressBar(total=max(1.0, timeline.duration), show_eta=False, id="progress")
        yield WholeKeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(BreathPacer).reduced_motion = self.settings.reduced_motion
        if self.prepared.status.notice:
            self._show_notice(self.prepared.status.notice)
        self._update_status()
        self._pacer_timer = self.set_interval(1 / PACER_FPS, self._tick_pacer, pause=True)
        if self.on_start is not None:
            # The journal rows start here, before the first cue.
            self.on_start(self.player)
        self.play()

    @work(thread=True, exclusive=True, group="player")
    def play(self) -> None:
        self.player.run()

    def on_unmount(self) -> None:
        # Quitting the app mid-session (ctrl+q) must end the player's thread too,
        # or the process would wait for the rest of the session before exiting.
        self.player.stop()

    def _from_player(self, event: PlayerEvent) -> None:
        # Called on the player's thread: hand over to the app's own loop.
        self.post_message(PlayerEventMessage(event))

    # --- events from the player -----------------------------------------------------------

    def on_player_event_message(self, message: PlayerEventMessage) -> None:
        event = message.event
        if isinstance(event, CueStarted):
            self._show_cue(event.cue)
        elif isinstance(event, StepShown):
            self._show_step(event.index)
            self._update_status()
        elif isinstance(event, Resumed | Paused):
            self._update_status()
            self.refresh_bindings()
        elif isinstance(event, StepChanged | Progress):
            self._update_status()
        elif isinstance(event, Notice):
            self._show_notice(event.message)
        elif isinstance(event, Finished):
            self.outcome = SessionOutcome(
                event.status,
                event.elapsed,
                event.steps_done,
                self.player.step_count,
                event.seconds_heard,
            )
            self.prepared.backend.close()
            self.dismiss(self.outcome)

    def _show_notice(self, message: str) -> None:
        notice = self.query_one("#notice", Static)
        notice.update(message)
        notice.display = True

    def _show_cue(self, cue: Cue) -> None:
        switcher = self.query_one(ContentSwitcher)
        if cue.kind in BREATH_KINDS:
            self.breath_cue = cue
            pacer = self.query_one(BreathPacer)
            pacer.phase = cue.kind
            pacer.fraction = 0.0
            pacer.count = 1
            switcher.current = "pacer"
            if self._pacer_timer is not None:
                self._pacer_timer.resume()
            return
        self.breath_cue = None
        if self._pacer_timer is not None:
            self._pacer_timer.pause()
        if cue.text:
            self.query_one(Caption).text = cue.text
            upcoming = self.player.upcoming_cue()
            self.query_one("#next-line", ClampedLine).text = upcoming.text if upcoming else ""
        if cue.kind in BODY_KINDS and cue.area:
            self.query_one(BodyFigure).area = cue.area
            switcher.current = "body"
        elif cue.kind in ("say", "sound", "chime"):
            switcher.current = "quiet"

    def _show_step(self, index: int) -> None:
        """Paused, and moved to another step: show it as it will start when playing goes on."""
        cue = self.player.timeline.cues[index]
        line = self.player.line_at(index)
        caption = self.query_one(Caption)
        caption.text = line[1].text or "" if line else ""
        after = line[0] if line else index - 1
        upcoming = self.player.upcoming_cue(after=after)
        self.query_one("#next-line", ClampedLine).text = upcoming.text or "" if upcoming else ""
        switcher = self.query_one(ContentSwitcher)
        self.breath_cue = None
        if cue.kind in BREATH_KINDS:
            pacer = self.query_one(BreathPacer)
            pacer.phase, pacer.fraction, pacer.count = cue.kind, 0.0, 1
            switcher.current = "pacer"
        elif cue.kind in BODY_KINDS and cue.area:
            self.query_one(BodyFigure).area = cue.area
            switcher.current = "body"
        else:
            switcher.current = "quiet"

    def _tick_pacer(self) -> None:
        cue = self.breath_cue
        if cue is None:
            return
        into = self.player.elapsed - cue.start
        pacer = self.query_one(BreathPacer)
        # Reactive attributes refresh only when the value changes: quantise.
        pacer.fraction = round(min(1.0, into / cue.duration) * PACER_STEPS) / PACER_STEPS
        pacer.count = min(int(into) + 1, breath_counts(cue.duration))

    def _update_status(self) -> None:
        player = self.player
        elapsed = player.elapsed
        remaining = player.duration - elapsed
        step = player.current_step
        number = 0 if step is None else player.step_number(step)
        parts = [
            f"Step {number} of {player.step_count}",
            f"{clock_text(elapsed)} done",
            f"{clock_text(remaining)} to go",
        ]
        if not player.voice_on:
            parts.append("voice off")
        if player.paused:
            parts.insert(0, "Paused")
        # Narrow terminals get narrower gaps, so the status keeps to one line; where it
        # still does not fit (paused, voice off), the time done gives way, never a word.
        gap = "  ·  " if self.size.width >= 80 else " · "
        status = self.query_one("#status", Static)
        room = status.content_size.width or self.size.width
        if len(gap.join(parts)) > room:
            parts = [part for part in parts if not part.endswith(" done")]
        status.update(gap.join(parts))
        self.set_class(player.paused, "paused")
        self.query_one("#paused-note").display = player.paused
        bar = self.query_one(ProgressBar)
        # The sound going away mid-session can shorten it (no line announcing tones).
        bar.total = max(1.0, player.duration)
        bar.progress = elapsed

    # --- keys --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # One key, two words: the footer says what space will do now.
        if action == "pause":
            return not self.player.paused
        if action == "resume":
            return self.player.paused
        return True

    def action_pause(self) -> None:
        self.player.pause()

    def action_resume(self) -> None:
        self.player.resume()

    def settings_changed(self) -> None:
        """Back from the settings: the session takes up what changed there."""
        volumes = self.settings.volumes
        for group in GROUPS:
            self.player.set_volume(group, getattr(volumes, group))
        self.query_one(Caption).caption_size = self.settings.caption_size
        self.query_one(BreathPacer).reduced_motion = self.settings.reduced_motion

    def action_toggle_pause(self) -> None:
        self.player.toggle_pause()

    def action_next_step(self) -> None:
        self.player.next_step()

    def action_previous_step(self) -> None:
        # Back to the step before, or to the start of this one once it has played a while.
        self.player.previous_step()

    def action_volume(self, direction: int) -> None:
        volumes = self.settings.volumes
        for group in GROUPS:
            # From the level really heard: below a grown-up's limit, "softer" is softer at once.
            heard = volumes.effective(group)
            self.player.set_volume(group, round(heard + direction * VOLUME_STEP, 2))
        self.notify(volume_words(volumes, raising=direction > 0), timeout=2)
        cast("CalmkitApp", self.app).save_settings()

    def action_toggle_voice(self) -> None:
        self.player.set_voice(not self.player.voice_on)
        self._update_status()

    def action_toggle_ambient(self) -> None:
        if not self.prepared.ambient:
            self.notify("This practice has no background sound.", timeout=2)
            return
        self.player.set_ambient(not self.player.ambient_on)
        self.notify(
            "Background sound on" if self.player.ambient_on else "Background sound off", timeout=2
        )

    def action_toggle_motion(self) -> None:
        self.settings.reduced_motion = not self.settings.reduced_motion
        self.query_one(BreathPacer).reduced_motion = self.settings.reduced_motion
        cast("CalmkitApp", self.app).save_settings()
        # Said, as a and + are: during a spoken line nothing on screen changes.
        self.notify(MOTION_OFF if self.settings.reduced_motion else MOTION_ON, timeout=2)

    def action_stop(self) -> None:
        was_paused = self.player.paused
        self.player.pause()

        def answer(stop: bool | None) -> None:
            if stop:
                self.player.stop()
            elif not was_paused:
                self.player.resume()

        self.app.push_screen(
            ConfirmDialog("Stop here? What you did still counts.", yes="Stop", no="Keep going"),
            answer,
        )
