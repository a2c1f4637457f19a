"""Every line a child can hear has a voice.

A clip is found by the words spoken and the rate they were rendered at (the
line's own tier's), whoever listens, so a script played to a child older or
younger than it is written for finds its clips; where no clip has that rate,
the same words at another rate play rather than nothing. And the shipped
library covers every way a built-in script can be heard: every age from 4 to
18 and a grown-up, alone and together, under no plan and each built-in plan.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest

from calmkit.audio import narration
from calmkit.audio.clips import SessionClips
from calmkit.audio.narration import GROWN_UP_TIER, VoiceFolder, clip_key
from calmkit.audio.oggfile import write_ogg
from calmkit.cli import main
from calmkit.content import model
from calmkit.content.library import load_library
from calmkit.content.loader import load_text
from calmkit.content.model import Breathe, Plan, PlanSettings, Script, Tier
from calmkit.content.timeline import Clip, Timeline, compile_timeline
from calmkit.doctor import doctor_report
from calmkit.playback.targets import resolve

SPOKEN_KINDS = {"say", "tense", "release"}
YOUNG, KID, TEEN = (model.WORDS_PER_MINUTE[tier] for tier in model.TIERS)


def show_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["show", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_ten_year_old_on_a_script_for_five_to_eight_hears_every_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    timeline = show_json(capsys, "lemon-squeeze", "--age", "10")
    assert timeline["tier"] == "kid"
    spoken = [cue for cue in timeline["cues"] if cue["kind"] in SPOKEN_KINDS]  # type: ignore[union-attr]
    assert spoken
    silent = [cue["text"] for cue in spoken if cue["audio"] is None]
    assert silent == []


def test_a_fifteen_year_old_on_five_senses_hears_every_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    timeline = show_json(capsys, "five-senses", "--age", "15")
    assert timeline["tier"] == "teen"
    spoken = [cue for cue in timeline["cues"] if cue["kind"] in SPOKEN_KINDS]  # type: ignore[union-attr]
    assert spoken and all(cue["audio"] for cue in spoken)


# --- the lookup, with clips of our own --------------------------------------------------------

SCRIPT = dedent(
    """\
    calmkit: 1
    id: tiny-ages
    title: Tiny Ages
    kind: breathing
    ages: 5-8
    steps:
      - say: Hello, friend.
      - say:
          young: Wiggle your toes.
          teen: Notice your feet on the floor.
      - breathe: {in: 2, out: 3, count: 1, guide: words}
    """
)


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VoiceFolder:
    """An empty shipped festival voice folder to put clips in."""
    root = tmp_path / "shipped"
    monkeypatch.setattr(narration, "shipped_narration_dir", lambda: root)
    return VoiceFolder(root / "festival-cmu_us_slt_arctic_hts", "festival", "cmu_us_slt_arctic_hts")


def add_clip(folder: VoiceFolder, text: str, rate: int, seconds: float) -> str:
    key = clip_key(text, folder.engine, folder.voice, rate)
    write_ogg(np.zeros(int(seconds * 22050), dtype="float32"), folder.path / f"{key}.ogg", 22050)
    folder.clips[key] = {"text": text, "rate": rate, "seconds": seconds}
    folder.write()
    return str(folder.path / f"{key}.ogg")


def tiny_script() -> Script:
    script = load_text(SCRIPT).script
    assert script is not None
    return script


def spoken(timeline: Timeline) -> dict[str, str | None]:
    return {cue.text: cue.audio for cue in timeline.cues if cue.kind in SPOKEN_KINDS}


def test_a_line_is_found_at_the_rate_of_its_own_tier_whoever_listens(
    shipped: VoiceFolder,
) -> None:
    hello = add_clip(shipped, "Hello, friend.", YOUNG, 1.0)  # as narrate renders ages 5-8
    toes = add_clip(shipped, "Wiggle your toes.", YOUNG, 1.0)
    feet = add_clip(shipped, "Notice your feet on the floor.", TEEN, 1.0)
    script = tiny_script()
    clips = SessionClips(None, scripts=[script])
    # A kid hears the script's plain line at the young rate it was made at, and falls
    # back to the teen line, made at the teen rate.
    assert spoken(compile_timeline(script, "kid", clips=clips)) == {
        "Hello, friend.": hello,
        "Notice your feet on the floor.": feet,
    }
    assert spoken(compile_timeline(script, "young", clips=clips)) == {
        "Hello, friend.": hello,
        "Wiggle your toes.": toes,
    }


def test_the_same_words_at_another_rate_play_rather_than_nothing(shipped: VoiceFolder) -> None:
    slow = add_clip(shipped, "Hello, friend.", YOUNG, 1.0)
    fast = add_clip(shipped, "Hello, friend.", TEEN + 20, 1.0)
    breath = add_clip(shipped, "breathe in", KID, 0.5)
    clips = SessionClips(None)
    assert clips.exactly("Hello, friend.", KID) is None
    found = clips.narrated("Hello, friend.", KID)
    assert found is not None and found.path == slow  # the nearest rate: 105 is 15 from 120
    assert clips.narrated("Hello, friend.", TEEN + 30) == Clip(fast, 1.0)
    assert clips.breath_cue("breathe-in", "words", 2.0, YOUNG) == Clip(breath, 0.5)
    assert clips.narrated("Never said.", KID) is None
    # A clip whose file is gone is not played.
    Path(slow).unlink()
    assert clips.narrated("Hello, friend.", KID) == Clip(fast, 1.0)


def test_counted_breaths_fall_back_to_the_phase_word(shipped: VoiceFolder) -> None:
    phase = add_clip(shipped, "in", KID, 0.4)
    add_clip(shipped, "two", KID, 0.4)
    clips = SessionClips(None)
    two_seconds = clips.breath_cue("breathe-in", "counts", 2.0, KID)
    assert two_seconds is not None and two_seconds.seconds == 2.0 and two_seconds.path != phase
    # "three" was never narrated: the phase word alone, not silence.
    assert clips.breath_cue("breathe-in", "counts", 3.0, KID) == Clip(phase, 0.4)


# --- the whole built-in library, every way it can be heard --------------------------------------


def listeners() -> list[tuple[str, int | None]]:
    """Every age calmkit knows, and a grown-up (who hears GROWN_UP_TIER)."""
    return [(f"age {age}", age) for age in range(model.MIN_AGE, model.MAX_AGE + 1)] + [
        ("a grown-up", None)
    ]


class NotingClips(SessionClips):
    """The sessions' own lookup, noting each (words, rate) asked for and how it was found."""

    def __init__(self, scripts: list[Script]) -> None:
        super().__init__(None, scripts=scripts)
        self.asked: dict[tuple[str, int], str] = {}

    def narrated(self, text: str, rate: int) -> Clip | None:
        clip = super().narrated(text, rate)
        exact = self.exactly(text, rate)
        self.asked[text, rate] = "exact" if exact else "other rate" if clip else "missing"
        return clip


def heard_timelines(
    script: Script, plans: list[Plan], clips: SessionClips
) -> list[tuple[str, Timeline]]:
    library = load_library()
    found = []
    # Any plan's gentle areas are among these: the narrator renders them all.
    every_area_gentle = replace(plans[0], settings=PlanSettings(gentle=frozenset(model.AREAS)))
    # And any plan's breath words and counts: those of the longest pace a plan may set.
    longest = outside_plan("{in: 15, out: 15, hold: 10, rest: 10}")
    settings_heard = [
        ("no plan", None),
        *((plan.id, plan) for plan in plans),
        ("every area gentle", every_area_gentle),
        ("the longest pace", longest),
    ]
    for settings_name, plan in settings_heard:
        for who, age in listeners():
            for together in (False, True):
                request = resolve(
                    script.id, library, age=age or model.MAX_AGE, together=together,
                    active_plan=plan,
                )  # fmt: skip
                if age is None:
                    request = replace(request, tier=GROWN_UP_TIER)
                label = f"{script.id}, {who}{', together' if together else ''}, {settings_name}"
                found.append((label, request.timeline(clips)))
    return found


def test_every_built_in_line_has_a_voice_every_way_it_can_be_heard() -> None:
    library = load_library()
    plans = sorted(library.plans.values(), key=lambda plan: plan.id)
    assert len(library.scripts) >= 20 and len(plans) >= 3
    silent: list[str] = []
    asked: dict[tuple[str, int], str] = {}
    tiers_heard: set[Tier] = set()
    for script in sorted(library.scripts.values(), key=lambda script: script.id):
        clips = NotingClips([script])
        for label, timeline in heard_timelines(script, plans, clips):
            tiers_heard.add(timeline.tier)
            for cue in timeline.cues:
                step = script.steps[cue.step]
                voiced = cue.kind in SPOKEN_KINDS or (
                    isinstance(step, Breathe) and step.guide in ("words", "counts")
                )
                if voiced and cue.audio is None:
                    silent.append(f"{label}: {cue.kind} {cue.text!r}")
        asked |= clips.asked
    assert tiers_heard == set(model.TIERS)
    assert silent == [], f"{len(silent)} cues without a voice:\n" + "\n".join(silent[:40])
    # And at the rate each line belongs to: the shipped library is complete.
    elsewhere = sorted(
        f"{text!r} at {rate}" for (text, rate), how in asked.items() if how != "exact"
    )
    assert elsewhere == []
    # calmkit doctor counts the same space, and agrees.
    report = doctor_report(library, want_sound=False)["narration"]
    assert (report["lines"], report["missing"], report["other_rate"]) == (len(asked), 0, 0)


# --- plans from outside the library --------------------------------------------------------------

# A psychologist's own plans, as a family imports them: odd paces (a plan's breathe
# may go from 1 to 15 s in and out, and add holds and rests of up to 10 s), every area
# gentle but the skipped ones, check-ins. Their settings apply to any script the child
# plays, and count-guided breaths count on every second of a phase.
OUTSIDE_PLAN = dedent(
    """\
    calmkit: 1
    plan: outside-{name}
    for: Test
    starts: 2026-01-05
    schedule:
      - weeks: 1-8
        sessions:
          - scripts: [balloon-belly, lemon-squeeze]
    settings:
      breathe: {pace}
      gentle: [hands, arms, shoulders, neck, face, belly, back, legs, whole-body]
      skip: [jaw, feet]
      checkin: {{before: [stress, pain, mood], after: [stress, mood], daily: [activities]}}
    """
)
OUTSIDE_PACES = {
    "slow-out": "{in: 3.5, out: 7}",
    "longest": "{in: 13, out: 15}",
    "holds-and-rests": "{in: 13, out: 15, hold: 4, rest: 10}",
    "short-holds": "{in: 1, out: 2, hold: 0.5, rest: 2}",
}


def outside_plan(pace: str, name: str = "pace") -> Plan:
    text = OUTSIDE_PLAN.format(name=name, pace=pace)
    result = load_text(text, known_scripts=load_library().scripts)
    assert result.plan is not None and not result.problems, result.problems
    return result.plan


def outside_plans() -> list[Plan]:
    return [outside_plan(pace, name) for name, pace in OUTSIDE_PACES.items()]


def test_the_longest_pace_is_the_longest_a_plan_may_set() -> None:
    """What narrate renders for any plan's pace rests on the format's limits."""
    assert outside_plan("{in: 15, out: 15, hold: 10, rest: 10}").settings.breathe == (
        narration.LONGEST_PLAN_PACE
    )
    for too_long in ("{in: 15.5}", "{out: 16}", "{hold: 10.5}", "{rest: 11}"):
        text = OUTSIDE_PLAN.format(name="too-long", pace=too_long)
        result = load_text(text, known_scripts=load_library().scripts)
        assert result.plan is None and result.problems, too_long


def test_every_line_an_outside_plan_can_ask_for_has_a_voice() -> None:
    library = load_library()
    built_in = list(library.plans.values())
    silent: list[str] = []
    cut_short: list[str] = []
    not_counted: list[str] = []
    for script in sorted(library.scripts.values(), key=lambda script: script.id):
        clips = NotingClips([script])
        for plan in outside_plans():
            for tier in model.TIERS:
                for together in (False, True):
                    timeline = compile_timeline(script, tier, plan.settings, clips, together)
                    label = f"{script.id}, {tier}{', together' if together else ''}, {plan.id}"
                    for cue in timeline.cues:
                        step = script.steps[cue.step]
                        guide = step.guide if isinstance(step, Breathe) else None
                        if cue.kind not in SPOKEN_KINDS and guide not in ("words", "counts"):
                            continue
                        if cue.audio is None:
                            silent.append(f"{label}: {cue.kind} {cue.text!r}")
                        elif (
                            guide == "counts"
                            and cue.duration >= 2
                            and not Path(cue.audio).name.startswith("count-")
                        ):
                            # The phase word alone, because a number had no clip: a count
                            # of every second is one clip made of the count clips.
                            cut_short.append(f"{label}: {cue.kind} {cue.duration:g} s")
        # calmkit narrate and doctor count these lines too: what they render is heard.
        counted = narration.lines_for_script(script, built_in)
        not_counted += sorted(
            f"{script.id}: {text!r} at {rate}"
            for text, rate in clips.asked
            if narration.Line(text, rate) not in counted
        )
    silent, cut_short = list(dict.fromkeys(silent)), list(dict.fromkeys(cut_short))
    assert silent == [], f"{len(silent)} cues without a voice:\n" + "\n".join(silent[:40])
    assert cut_short == [], f"{len(cut_short)} counts cut short:\n" + "\n".join(cut_short[:40])
    assert not_counted == [], "lines narrate and doctor leave out:\n" + "\n".join(not_counted[:40])
