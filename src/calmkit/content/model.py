"""Scripts and plans as plain, immutable data (format version 1).

This module is the vocabulary of docs/script-format.md. It imports
nothing from audio, records, playback or the faces, and nothing outside the standard
library, so everything above can rely on it without cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

FORMAT_VERSION = 1

Tier: TypeAlias = Literal["young", "kid", "teen"]
TIERS: tuple[Tier, ...] = ("young", "kid", "teen")
TOGETHER = "together"
VARIANTS: tuple[str, ...] = (*TIERS, TOGETHER)
TIER_AGES: dict[Tier, tuple[int, int]] = {"young": (4, 8), "kid": (9, 12), "teen": (13, 18)}
MIN_AGE, MAX_AGE = 4, 18

KINDS: tuple[str, ...] = (
    "breathing",
    "muscle-relaxation",
    "imagery",
    "body-scan",
    "grounding",
    "coping",
    "mindfulness",
    "sleep",
)
AREAS: tuple[str, ...] = (
    "hands",
    "arms",
    "shoulders",
    "neck",
    "face",
    "jaw",
    "belly",
    "back",
    "legs",
    "feet",
    "whole-body",
)
GUIDES: tuple[str, ...] = ("words", "counts", "tones", "quiet")
# A step's `when`: played only when calmkit plays sound, or only when it plays none
# (--no-audio, no sound device, or the device gone mid-session).
WHEN_SOUND = "sound"
WHEN_NO_SOUND = "no-sound"
WHENS: tuple[str, ...] = (WHEN_SOUND, WHEN_NO_SOUND)
CHIMES: tuple[str, ...] = ("start", "end", "soft")
AMBIENT_BEDS: tuple[str, ...] = ("meadow", "ocean", "rain", "wind")
NO_AMBIENT = "none"
SOUND_EXTENSIONS: tuple[str, ...] = (".ogg", ".oga", ".wav", ".flac", ".mp3")

CHECKIN_MOMENT_ITEMS: tuple[str, ...] = ("stress", "pain", "mood")
CHECKIN_DAILY_ITEMS: tuple[str, ...] = ("activities",)

# Default breathing pace per tier, in/out seconds (docs/clinical-defaults.md).
DEFAULT_PACE: dict[Tier, tuple[float, float]] = {
    "young": (2.5, 3.5),
    "kid": (3.0, 4.5),
    "teen": (4.0, 6.0),
}
# Narration speed when there is no recorded clip (docs/clinical-defaults.md).
WORDS_PER_MINUTE: dict[Tier, int] = {"young": 105, "kid": 120, "teen": 125}

DEFAULT_SAY_PAUSE = 1.5
DEFAULT_TENSE_HOLD = 5.0
DEFAULT_RELEASE_REST = 10.0
DEFAULT_BREATH_COUNT = 5
DEFAULT_GUIDE = "words"
MAX_SCRIPT_SECONDS = 60 * 60
# docs/clinical-defaults.md: at most 30 words a line, so a child can follow it.
MAX_WORDS_PER_LINE = 30


def tier_for_age(age: int) -> Tier:
    if age <= TIER_AGES["young"][1]:
        return "young"
    if age <= TIER_AGES["kid"][1]:
        return "kid"
    return "teen"


def tier_fallback_order(tier: Tier) -> tuple[Tier, ...]:
    """The tier itself, then the nearer older tiers, then the nearer younger ones."""
    position = TIERS.index(tier)
    older = TIERS[position + 1 :]
    younger = tuple(reversed(TIERS[:position]))
    return (tier, *older, *younger)


def tiers_between(low_age: int, high_age: int) -> tuple[Tier, ...]:
    """The tiers of the ages from ``low_age`` to ``high_age``, youngest first."""
    return TIERS[TIERS.index(tier_for_age(low_age)) : TIERS.index(tier_for_age(high_age)) + 1]


def speaking_tier(variant: str | None, listener: Tier, written_for: tuple[Tier, ...]) -> Tier:
    """The tier whose speaking rate a line is narrated at: the line's own, not the listener's.

    A tier's variant is spoken at that tier's rate whoever hears it. A line for
    everyone (a plain line, a `together` line, calmkit's own words) at the
    listener's rate when the script is written for the listener's tier, else at
    the nearest tier it is written for: those are the rates it is rendered at.
    """
    if variant in TIERS:
        return variant
    if listener in written_for or not written_for:
        return listener
    position = TIERS.index(listener)
    return min(written_for, key=lambda tier: abs(TIERS.index(tier) - position))


@dataclass(frozen=True)
class Text:
    """A line with an optional variant per tier and for families practising together."""

    variants: Mapping[str, str]
    plain: str | None = None

    @classmethod
    def of(cls, text: str) -> Text:
        return cls(variants={}, plain=text)

    def variant(self, tier: Tier, together: bool = False) -> str | None:
        """Which variant a listener hears (a key of ``variants``); None for a plain line."""
        if self.plain is not None:
            return None
        if together and TOGETHER in self.variants:
            return TOGETHER
        for candidate in tier_fallback_order(tier):
            if candidate in self.variants:
                return candidate
        # Only a `together` line was written: it is still better than silence.
        return next(iter(self.variants))

    def resolve(self, tier: Tier, together: bool = False) -> str:
        variant = self.variant(tier, together)
        if variant is None:
            assert self.plain is not None
            return self.plain
        return self.variants[variant]

    def all_lines(self) -> list[str]:
        """Every distinct wording, for narration rendering."""
        if self.plain is not None:
            return [self.plain]
        return list(dict.fromkeys(self.variants.values()))


def spoken_line(
    say: Text, speak: Text | None, tier: Tier, together: bool = False
) -> tuple[str, str]:
    """(caption, spoken words) of a line for one listener.

    ``speak`` is the author's respelling for the narration engine. It follows
    the caption's variant, never a fallback of its own: if the caption is the
    kid line, the engine says the kid respelling, or the kid line itself when
    that variant has none.
    """
    caption = say.resolve(tier, together)
    if speak is None:
        return caption, caption
    variant = say.variant(tier, together)
    if variant is None:
        return caption, speak.plain if speak.plain is not None else caption
    return caption, speak.variants.get(variant, caption)


@dataclass(frozen=True, kw_only=True)
class Step:
    step_id: str | None = None
    pause: float = 0.0
    line: int = 0  # where the step starts in its file, for messages
    when: str | None = None  # WHEN_SOUND, WHEN_NO_SOUND, or None: always

    def plays(self, sound: bool) -> bool:
        """Whether the step is played in a session that plays sound (or none)."""
        if self.when == WHEN_SOUND:
            return sound
        if self.when == WHEN_NO_SOUND:
            return not sound
        return True


@dataclass(frozen=True, kw_only=True)
class Say(Step):
    text: Text
    # What the narration engine says instead, where it mispronounces the caption.
    speak: Text | None = None
    pause: float = DEFAULT_SAY_PAUSE


@dataclass(frozen=True, kw_only=True)
class Breathe(Step):
    inhale: float | None = None  # None: the plan's or the tier's pace
    exhale: float | None = None
    hold: float = 0.0
    rest: float = 0.0
    count: int = DEFAULT_BREATH_COUNT
    guide: str = DEFAULT_GUIDE


@dataclass(frozen=True, kw_only=True)
class BodyStep(Step):
    """What tense and release steps share: the area and its optional line."""

    area: str
    text: Text | None = None
    speak: Text | None = None  # only beside a `text`


@dataclass(frozen=True, kw_only=True)
class Tense(BodyStep):
    hold: float = DEFAULT_TENSE_HOLD


@dataclass(frozen=True, kw_only=True)
class Release(BodyStep):
    rest: float = DEFAULT_RELEASE_REST


@dataclass(frozen=True, kw_only=True)
class Silence(Step):
    seconds: float


@dataclass(frozen=True, kw_only=True)
class Chime(Step):
    name: str


@dataclass(frozen=True, kw_only=True)
class Sound(Step):
    file: str  # relative to the script's folder
    volume: float = 1.0


AnyStep: TypeAlias = Say | Breathe | Tense | Release | Silence | Chime | Sound


@dataclass(frozen=True)
class Script:
    id: str
    title: str
    kind: str
    ages: tuple[int, int]
    steps: tuple[AnyStep, ...]
    summary: str = ""
    ambient: str | None = None
    path: str = ""

    @property
    def ages_label(self) -> str:
        low, high = self.ages
        return str(low) if low == high else f"{low}-{high}"

    @property
    def default_tier(self) -> Tier:
        """The tier of the youngest child the script is written for."""
        return tier_for_age(self.ages[0])

    @property
    def tiers(self) -> tuple[Tier, ...]:
        """The tiers of the ages the script is written for, youngest first."""
        return tiers_between(*self.ages)

    def suits_age(self, age: int) -> bool:
        return self.ages[0] <= age <= self.ages[1]


@dataclass(frozen=True)
class BreathePace:
    inhale: float | None = None
    exhale: float | None = None
    hold: float | None = None
    rest: float | None = None


@dataclass(frozen=True)
class CheckinSettings:
    before: tuple[str, ...] = ("stress",)
    after: tuple[str, ...] = ("stress",)
    daily: tuple[str, ...] = ("activities",)
    # The plan's own `daily:` list, not the default: grown-ups are asked it only then.
    daily_listed: bool = False


@dataclass(frozen=True)
class PlanSettings:
    breathe: BreathePace | None = None
    gentle: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()
    ambient: str | None = None
    voice: str | None = None
    checkin: CheckinSettings = field(default_factory=CheckinSettings)
    rewards: bool = True
    # Minutes heard after which a session counts as practice; None: half of the session.
    practice_minutes: float | None = None


@dataclass(frozen=True)
class PlannedSession:
    scripts: tuple[str, ...]
    name: str = ""
    per_day: int = 1


@dataclass(frozen=True)
class ScheduleBlock:
    first_week: int
    last_week: int
    sessions: tuple[PlannedSession, ...]

    def covers(self, week: int) -> bool:
        return self.first_week <= week <= self.last_week


@dataclass(frozen=True)
class Plan:
    id: str
    schedule: tuple[ScheduleBlock, ...]
    for_profile: str | None = None
    age: int | None = None
    starts: dt.date | None = None
    note: str = ""
    settings: PlanSettings = field(default_factory=PlanSettings)
    path: str = ""

    @property
    def weeks(self) -> int:
        return max(block.last_week for block in self.schedule)

    def script_ids(self) -> tuple[str, ...]:
        """Every script the plan names, once each, in the order it first names them."""
        return tuple(
            dict.fromkeys(
                script_id
                for block in self.schedule
                for session in block.sessions
                for script_id in session.scripts
            )
        )
