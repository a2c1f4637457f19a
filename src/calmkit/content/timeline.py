"""Compiling a script into a timeline of cues with absolute offsets (pure).

Script + tier + plan settings + whether sound plays + known clip durations in,
cues out. Nothing here decodes audio or looks at a clock: the player and the
faces do that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict, Unpack

from calmkit.content import model
from calmkit.content.model import (
    AnyStep,
    Breathe,
    Chime,
    PlanSettings,
    Release,
    Say,
    Script,
    Silence,
    Sound,
    Tense,
    Text,
    Tier,
)

CueKind = Literal[
    "say",
    "breathe-in",
    "hold",
    "breathe-out",
    "rest",
    "tense",
    "release",
    "silence",
    "chime",
    "sound",
]
BreathKind = Literal["breathe-in", "hold", "breathe-out", "rest"]


class CueFields(TypedDict, total=False):
    """A cue's keyword fields after its start, length, kind and step (see `Cue`)."""

    text: str
    audio: str | None
    speech: float
    area: str | None
    script: str
    step_id: str | None
    volume: float


class StepOrigin(TypedDict):
    """The script and step a cue comes from: the fields every cue of a step shares."""

    script: str
    step_id: str | None


CHIME_SECONDS = 3.0
MIN_SPEECH_SECONDS = 1.0
# Used only when a recorded sound's length could not be read.
UNKNOWN_SOUND_SECONDS = 5.0

BREATH_WORDS: dict[str, str] = {
    "breathe-in": "breathe in",
    "hold": "hold",
    "breathe-out": "breathe out",
    "rest": "rest",
}

# calmkit's own words when a tense or release step gives none.
TENSE_WORDS: dict[str, str] = {
    "hands": "Make your hands into fists, about halfway, never so hard it hurts.",
    "arms": "Bend your arms and gently tighten them, about halfway.",
    "shoulders": "Lift your shoulders up towards your ears, just a little.",
    "neck": "Tuck your chin down slowly, just a little.",
    "face": "Scrunch up your face like you just tasted something sour.",
    "jaw": "Press your teeth together gently, like biting a soft sweet.",
    "belly": "Make your belly firm, as if a kitten might step on it.",
    "back": "Arch your back a little, gently.",
    "legs": "Stretch your legs out and tighten them a little.",
    "feet": "Curl your toes, like squeezing them into soft mud.",
    "whole-body": "Tighten your whole body a little, from head to toes.",
}
_PLURAL_AREAS = {"hands", "arms", "shoulders", "legs", "feet"}


def _area_words(area: str) -> tuple[str, str, str, str]:
    """(name, 'it'/'they', 'it'/'them', 'is'/'are') so generated lines read naturally."""
    name = "whole body" if area == "whole-body" else area
    if area in _PLURAL_AREAS:
        return name, "they", "them", "are"
    return name, "it", "it", "is"


def _release_line(area: str) -> str:
    return f"And let your {_area_words(area)[0]} go soft. Notice how that feels."


def _gentle_line(area: str) -> str:
    name, subject, obj, verb = _area_words(area)
    return f"Let your {name} stay just as {subject} {verb}. No squeezing. Just let {obj} rest and be soft."


RELEASE_WORDS: dict[str, str] = {area: _release_line(area) for area in model.AREAS}
# For areas the plan marks gentle: attention without any tensing.
GENTLE_WORDS: dict[str, str] = {area: _gentle_line(area) for area in model.AREAS}


@dataclass(frozen=True)
class Clip:
    """A narration or sound file the player will play, with its known length."""

    path: str
    seconds: float


class ClipLookup(Protocol):
    """What the timeline needs to know about audio, without touching any audio."""

    def narration(self, text: str, step_id: str | None, script_id: str, rate: int) -> Clip | None:
        """A recorded clip for the step, else a narration clip of the text.

        ``text`` is what the narrator says: a line's ``speak`` respelling where
        it has one, else its caption; ``rate`` the words per minute it is
        rendered at (the line's own tier's, see model.speaking_tier). Clips are
        made and found by these two, whoever listens.
        """
        ...

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int) -> Clip | None: ...

    def chime(self, name: str) -> Clip | None: ...

    def recording(self, script_path: str, file: str) -> Clip | None: ...


class NoClips:
    """Captions only: every line takes reading time at the tier's pace."""

    def narration(self, text: str, step_id: str | None, script_id: str, rate: int) -> Clip | None:
        return None

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int) -> Clip | None:
        return None

    def chime(self, name: str) -> Clip | None:
        return None

    def recording(self, script_path: str, file: str) -> Clip | None:
        return None


@dataclass(frozen=True)
class Cue:
    start: float
    duration: float
    kind: CueKind
    step: int  # index into the session's steps, counted from 0
    text: str = ""
    audio: str | None = None
    speech: float = 0.0  # how much of the cue is spoken; the rest is quiet
    area: str | None = None
    script: str = ""
    step_id: str | None = None
    volume: float = 1.0

    @property
    def end(self) -> float:
        return self.start + self.duration

    def as_json(self) -> dict[str, object]:
        return {
            "start": round(self.start, 3),
            "duration": round(self.duration, 3),
            "kind": self.kind,
            "step": self.step,
            "text": self.text,
            "audio": self.audio,
            "speech": round(self.speech, 3),
            "area": self.area,
            "script": self.script,
        }


@dataclass(frozen=True)
class Timeline:
    id: str
    title: str
    tier: Tier
    cues: tuple[Cue, ...]
    together: bool = False
    ambient: str | None = None
    scripts: tuple[str, ...] = ()
    step_count: int = 0

    @property
    def duration(self) -> float:
        return self.cues[-1].end if self.cues else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "tier": self.tier,
            "together": self.together,
            "duration": round(self.duration, 3),
            "steps": self.step_count,
            "ambient": self.ambient,
            "cues": [cue.as_json() for cue in self.cues],
        }


def reading_seconds(text: str, tier: Tier) -> float:
    words = len(text.split())
    return max(MIN_SPEECH_SECONDS, words * 60.0 / model.WORDS_PER_MINUTE[tier])


def breath_phases(
    step: Breathe, tier: Tier, settings: PlanSettings
) -> list[tuple[BreathKind, float]]:
    """One cycle as (cue kind, seconds), leaving out phases of zero length."""
    default_in, default_out = model.DEFAULT_PACE[tier]
    pace = settings.breathe
    if pace is not None and step.inhale is None and step.exhale is None:
        # The plan's pace replaces the pace of every step that has none of its own.
        inhale = pace.inhale or default_in
        exhale = pace.exhale or default_out
        hold = step.hold if pace.hold is None else pace.hold
        rest = step.rest if pace.rest is None else pace.rest
    else:
        inhale = step.inhale or default_in
        exhale = step.exhale or default_out
        hold, rest = step.hold, step.rest
    phases: list[tuple[BreathKind, float]] = [
        ("breathe-in", inhale),
        ("hold", hold),
        ("breathe-out", exhale),
        ("rest", rest),
    ]
    return [(kind, seconds) for kind, seconds in phases if seconds > 0]


class _Builder:
    def __init__(
        self, tier: Tier, settings: PlanSettings, clips: ClipLookup, together: bool, sound: bool
    ) -> None:
        self.tier = tier
        self.settings = settings
        self.clips = clips
        self.together = together
        self.sound = sound
        self.cues: list[Cue] = []
        self.now = 0.0

    def add(self, kind: CueKind, step: int, seconds: float, **fields: Unpack[CueFields]) -> None:
        self.cues.append(Cue(start=self.now, duration=seconds, kind=kind, step=step, **fields))
        self.now += seconds

    def rate(self, script: Script, variant: str | None = None) -> int:
        """Words per minute of a line of ``script``: its own tier's, not the listener's."""
        tier = model.speaking_tier(variant, self.tier, script.tiers)
        return model.WORDS_PER_MINUTE[tier]

    def spoken(
        self, words: str, rate: int, step_id: str | None, script_id: str
    ) -> tuple[float, str | None]:
        clip = self.clips.narration(words, step_id, script_id, rate)
        if clip is not None:
            return clip.seconds, clip.path
        return reading_seconds(words, self.tier), None

    def line(
        self, script: Script, text: Text | None, speak: Text | None, fallback: str
    ) -> tuple[str, str, int]:
        """(caption, spoken words, their rate): the engine says the `speak` respelling, if any."""
        if text is None:
            return fallback, fallback, self.rate(script)
        caption, words = model.spoken_line(text, speak, self.tier, self.together)
        return caption, words, self.rate(script, text.variant(self.tier, self.together))

    def step(self, script: Script, index: int, step: AnyStep) -> None:
        if not step.plays(self.sound):
            return  # `when: sound` without sound, `when: no-sound` with it: no time at all
        common: StepOrigin = {"script": script.id, "step_id": step.step_id}
        if isinstance(step, Say):
            text, words, rate = self.line(script, step.text, step.speak, "")
            # The clip and the reading time are of the words spoken; the caption shows `say`.
            speech, audio = self.spoken(words, rate, step.step_id, script.id)
            self.add(
                "say", index, speech + step.pause, text=text, audio=audio, speech=speech, **common
            )
            return
        if isinstance(step, Breathe):
            phases = breath_phases(step, self.tier, self.settings)
            rate = self.rate(script)
            # Tones nobody can hear are not made: the screen's words and counts guide alone.
            heard = self.sound or step.guide != "tones"
            for _ in range(step.count):
                for kind, seconds in phases:
                    clip = self.clips.breath_cue(kind, step.guide, seconds, rate) if heard else None
                    self.add(
                        kind,
                        index,
                        seconds,
                        text=BREATH_WORDS[kind],
                        audio=clip.path if clip else None,
                        **common,
                    )
            if step.pause:
                self.add("silence", index, step.pause, **common)
            return
        if isinstance(step, Tense | Release):
            self.body_step(script, index, step, common)
            return
        if isinstance(step, Silence):
            if step.seconds + step.pause > 0:
                self.add("silence", index, step.seconds + step.pause, **common)
            return
        if isinstance(step, Chime):
            clip = self.clips.chime(step.name)
            self.add(
                "chime",
                index,
                max(CHIME_SECONDS, clip.seconds if clip else 0.0) + step.pause,
                text="",
                audio=clip.path if clip else None,
                **common,
            )
            return
        if isinstance(step, Sound):
            clip = self.clips.recording(script.path, step.file)
            seconds = clip.seconds if clip else UNKNOWN_SOUND_SECONDS
            self.add(
                "sound",
                index,
                seconds + step.pause,
                audio=clip.path if clip else None,
                speech=seconds,
                volume=step.volume,
                **common,
            )

    def body_step(
        self, script: Script, index: int, step: Tense | Release, common: StepOrigin
    ) -> None:
        if step.area in self.settings.skip:
            return
        if isinstance(step, Tense):
            if step.area in self.settings.gentle:
                # Gentle areas are never tensed: a soft release-only line instead.
                kind: CueKind = "release"
                text = words = GENTLE_WORDS[step.area]
                rate = self.rate(script)
                step_id = None  # a recording for the tense step would say "squeeze"
                common = {**common, "step_id": step_id}
            else:
                kind = "tense"
                text, words, rate = self.line(script, step.text, step.speak, TENSE_WORDS[step.area])
                step_id = step.step_id
            after = step.hold
        else:
            kind = "release"
            text, words, rate = self.line(script, step.text, step.speak, RELEASE_WORDS[step.area])
            step_id = step.step_id
            after = step.rest
        speech, audio = self.spoken(words, rate, step_id, script.id)
        self.add(
            kind,
            index,
            speech + after + step.pause,
            text=text,
            audio=audio,
            speech=speech,
            area=step.area,
            **common,
        )


def compile_session(
    scripts: Sequence[Script],
    tier: Tier,
    settings: PlanSettings | None = None,
    clips: ClipLookup | None = None,
    together: bool = False,
    session_id: str | None = None,
    title: str | None = None,
    sound: bool = True,
) -> Timeline:
    """Several scripts played one after another as one session.

    ``sound`` says whether calmkit plays sound in this session: without it, steps
    marked `when: sound` (a line announcing tones) take no time and no cue, steps
    marked `when: no-sound` play instead, and a `tones` breathing guide makes no
    tones (the faces show every guide's words and counts).
    """
    settings = settings or model.PlanSettings()
    builder = _Builder(tier, settings, clips or NoClips(), together, sound)
    offset = 0
    for script in scripts:
        for index, step in enumerate(script.steps):
            builder.step(script, offset + index, step)
        offset += len(script.steps)
    first = scripts[0] if scripts else None
    ambient = settings.ambient or (first.ambient if first else None)
    return Timeline(
        id=session_id or (first.id if first else ""),
        title=title or (first.title if first else ""),
        tier=tier,
        cues=tuple(builder.cues),
        together=together,
        ambient=None if ambient == model.NO_AMBIENT else ambient,
        scripts=tuple(script.id for script in scripts),
        step_count=offset,
    )


def compile_timeline(
    script: Script,
    tier: Tier,
    settings: PlanSettings | None = None,
    clips: ClipLookup | None = None,
    together: bool = False,
    sound: bool = True,
) -> Timeline:
    return compile_session([script], tier, settings, clips, together, sound=sound)
