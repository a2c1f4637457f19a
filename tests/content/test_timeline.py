"""The timeline compiler: cue kinds, durations and offsets, with and without clips."""

from __future__ import annotations

import itertools

import pytest

from calmkit.content.model import (
    Breathe,
    BreathePace,
    Chime,
    PlanSettings,
    Release,
    Say,
    Script,
    Silence,
    Sound,
    Tense,
    Text,
)
from calmkit.content.timeline import (
    GENTLE_WORDS,
    RELEASE_WORDS,
    TENSE_WORDS,
    Clip,
    Cue,
    NoClips,
    Timeline,
    compile_session,
    compile_timeline,
    reading_seconds,
)

CUE_KINDS = {
    "say", "breathe-in", "hold", "breathe-out", "rest", "tense", "release", "silence", "chime",
    "sound",
}  # fmt: skip


def script(*steps: object, id: str = "s", title: str = "S", ages: tuple[int, int] = (5, 10),
           ambient: str | None = None, path: str = "/lib/s.yaml") -> Script:  # fmt: skip
    return Script(
        id=id, title=title, kind="breathing", ages=ages, steps=tuple(steps), ambient=ambient,  # type: ignore[arg-type]
        path=path,
    )  # fmt: skip


class FakeClips:
    """Known clip lengths, and a record of what was asked for."""

    def __init__(self, narration: dict[str, float] | None = None) -> None:
        self.lengths = narration or {}
        self.asked: list[tuple[str, str | None]] = []

    def narration(
        self, text: str, step_id: str | None, script_id: str = "", rate: int = 0
    ) -> Clip | None:
        self.asked.append((text, step_id))
        if text not in self.lengths:
            return None
        return Clip(f"/voice/{step_id or 'line'}.ogg", self.lengths[text])

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int = 0) -> Clip | None:
        if guide == "quiet":
            return None
        return Clip(f"/cues/{guide}-{kind}.ogg", 0.5)

    def chime(self, name: str) -> Clip | None:
        return Clip(f"/chimes/{name}.ogg", 4.25 if name == "end" else 1.0)

    def recording(self, script_path: str, file: str) -> Clip | None:
        if file == "missing.ogg":
            return None
        return Clip(f"/lib/{file}", 7.5)


def shape(timeline: Timeline) -> list[tuple[str, float, int]]:
    return [(cue.kind, round(cue.duration, 6), cue.step) for cue in timeline.cues]


def assert_contiguous(timeline: Timeline) -> None:
    assert timeline.cues[0].start == 0.0
    for before, after in itertools.pairwise(timeline.cues):
        assert after.start == pytest.approx(before.end)
    assert timeline.duration == timeline.cues[-1].end


# --- say -----------------------------------------------------------------------------------


def test_say_with_a_clip_takes_clip_plus_pause() -> None:
    clips = FakeClips({"Hello there.": 2.75})
    timeline = compile_timeline(
        script(Say(text=Text.of("Hello there."), pause=3.0, step_id="hi")), "kid", clips=clips
    )
    (cue,) = timeline.cues
    assert (cue.kind, cue.start, cue.duration, cue.speech) == ("say", 0.0, 5.75, 2.75)
    assert (cue.text, cue.audio, cue.step, cue.step_id) == (
        "Hello there.",
        "/voice/hi.ogg",
        0,
        "hi",
    )
    assert clips.asked == [("Hello there.", "hi")]


def test_say_default_pause_is_one_and_a_half_seconds() -> None:
    timeline = compile_timeline(
        script(Say(text=Text.of("Hi."))), "kid", clips=FakeClips({"Hi.": 2.0})
    )
    assert timeline.cues[0].duration == 3.5


@pytest.mark.parametrize(("tier", "seconds"), [("young", 12.0), ("kid", 10.5), ("teen", 10.08)])
def test_reading_time_without_a_clip_uses_the_tiers_words_per_minute(
    tier: str, seconds: float
) -> None:
    line = " ".join(["word"] * 21)  # 105, 120 and 125 words a minute
    assert reading_seconds(line, tier) == pytest.approx(seconds)  # type: ignore[arg-type]
    timeline = compile_timeline(script(Say(text=Text.of(line), pause=0.5)), tier)  # type: ignore[arg-type]
    (cue,) = timeline.cues
    assert cue.speech == pytest.approx(seconds)
    assert cue.duration == pytest.approx(seconds + 0.5)
    assert cue.audio is None


def test_reading_time_is_at_least_one_second() -> None:
    assert reading_seconds("Hi.", "young") == 1.0
    assert reading_seconds("", "teen") == 1.0
    timeline = compile_timeline(
        script(Say(text=Text.of("Hi."), pause=0.0)), "teen", clips=NoClips()
    )
    assert timeline.cues[0].duration == 1.0


def test_say_picks_the_tier_and_the_together_line() -> None:
    line = Text(variants={"young": "Little.", "teen": "Older.", "together": "Everyone."})
    steps = [Say(text=line, pause=0.0)]
    assert compile_timeline(script(*steps), "young").cues[0].text == "Little."
    assert compile_timeline(script(*steps), "kid").cues[0].text == "Older."
    together = compile_timeline(script(*steps), "kid", together=True)
    assert together.cues[0].text == "Everyone."
    assert together.together is True


# --- breathe ---------------------------------------------------------------------------------


def test_breathe_cycles_become_cues() -> None:
    step = Breathe(inhale=2.0, hold=1.0, exhale=4.0, rest=0.0, count=3)
    timeline = compile_timeline(script(step), "kid")
    assert shape(timeline) == [
        ("breathe-in", 2.0, 0), ("hold", 1.0, 0), ("breathe-out", 4.0, 0),
        ("breathe-in", 2.0, 0), ("hold", 1.0, 0), ("breathe-out", 4.0, 0),
        ("breathe-in", 2.0, 0), ("hold", 1.0, 0), ("breathe-out", 4.0, 0),
    ]  # fmt: skip
    assert [cue.text for cue in timeline.cues[:3]] == ["breathe in", "hold", "breathe out"]
    assert [cue.start for cue in timeline.cues] == [0, 2, 3, 7, 9, 10, 14, 16, 17]
    assert timeline.duration == 21.0


def test_breathe_rest_phase_and_pause() -> None:
    step = Breathe(inhale=3.0, exhale=5.0, rest=2.0, count=2, pause=4.0)
    timeline = compile_timeline(script(step), "teen")
    assert shape(timeline) == [
        ("breathe-in", 3.0, 0), ("breathe-out", 5.0, 0), ("rest", 2.0, 0),
        ("breathe-in", 3.0, 0), ("breathe-out", 5.0, 0), ("rest", 2.0, 0),
        ("silence", 4.0, 0),
    ]  # fmt: skip
    assert timeline.duration == 24.0


def test_breath_cue_clips_are_attached_but_do_not_change_the_pace() -> None:
    timeline = compile_timeline(
        script(Breathe(inhale=3.0, exhale=4.0, count=1, guide="tones")), "kid", clips=FakeClips()
    )
    assert [(cue.audio, cue.duration) for cue in timeline.cues] == [
        ("/cues/tones-breathe-in.ogg", 3.0),
        ("/cues/tones-breathe-out.ogg", 4.0),
    ]
    quiet = compile_timeline(script(Breathe(count=1, guide="quiet")), "kid", clips=FakeClips())
    assert [cue.audio for cue in quiet.cues] == [None, None]


@pytest.mark.parametrize(
    ("tier", "inhale", "exhale"), [("young", 2.5, 3.5), ("kid", 3.0, 4.5), ("teen", 4.0, 6.0)]
)
def test_tier_default_pace(tier: str, inhale: float, exhale: float) -> None:
    timeline = compile_timeline(script(Breathe(count=2)), tier)  # type: ignore[arg-type]
    assert shape(timeline) == [
        ("breathe-in", inhale, 0), ("breathe-out", exhale, 0),
        ("breathe-in", inhale, 0), ("breathe-out", exhale, 0),
    ]  # fmt: skip


def test_only_one_side_of_the_pace_given_uses_the_tier_for_the_other() -> None:
    timeline = compile_timeline(script(Breathe(inhale=2.0, count=1)), "teen")
    assert shape(timeline) == [("breathe-in", 2.0, 0), ("breathe-out", 6.0, 0)]


def test_plan_pace_overrides_only_steps_without_their_own() -> None:
    settings = PlanSettings(breathe=BreathePace(inhale=3.0, exhale=5.0))
    steps = [
        Breathe(count=1),  # no pace of its own: the plan's
        Breathe(inhale=2.0, exhale=2.0, count=1),  # its own pace stays
        Breathe(exhale=7.0, count=1),  # part of a pace is still its own
    ]
    timeline = compile_timeline(script(*steps), "young", settings)
    assert shape(timeline) == [
        ("breathe-in", 3.0, 0), ("breathe-out", 5.0, 0),
        ("breathe-in", 2.0, 1), ("breathe-out", 2.0, 1),
        ("breathe-in", 2.5, 2), ("breathe-out", 7.0, 2),
    ]  # fmt: skip


def test_plan_pace_with_hold_and_rest() -> None:
    settings = PlanSettings(breathe=BreathePace(inhale=4.0, exhale=4.0, hold=2.0, rest=1.0))
    timeline = compile_timeline(script(Breathe(count=1)), "kid", settings)
    assert shape(timeline) == [
        ("breathe-in", 4.0, 0),
        ("hold", 2.0, 0),
        ("breathe-out", 4.0, 0),
        ("rest", 1.0, 0),
    ]


def test_partial_plan_pace_falls_back_to_the_tier() -> None:
    settings = PlanSettings(breathe=BreathePace(inhale=3.5))
    timeline = compile_timeline(script(Breathe(count=1)), "teen", settings)
    assert shape(timeline) == [("breathe-in", 3.5, 0), ("breathe-out", 6.0, 0)]


# --- tense and release ------------------------------------------------------------------------


def test_tense_and_release_durations() -> None:
    steps = [
        Tense(area="hands", text=Text.of("Squeeze!"), hold=4.0, pause=1.0),
        Release(area="hands", text=Text.of("Let go."), rest=8.0),
    ]
    clips = FakeClips({"Squeeze!": 1.5, "Let go.": 2.0})
    timeline = compile_timeline(script(*steps), "kid", clips=clips)
    assert [(c.kind, c.duration, c.speech, c.area, c.text) for c in timeline.cues] == [
        ("tense", 6.5, 1.5, "hands", "Squeeze!"),
        ("release", 10.0, 2.0, "hands", "Let go."),
    ]


def test_tense_and_release_without_words_use_calmkits_own() -> None:
    timeline = compile_timeline(script(Tense(area="feet"), Release(area="feet")), "kid")
    assert [cue.text for cue in timeline.cues] == [TENSE_WORDS["feet"], RELEASE_WORDS["feet"]]
    assert RELEASE_WORDS["feet"] == "And let your feet go soft. Notice how that feels."
    # Default hold 5 s and rest 10 s after the reading time.
    speech = [cue.speech for cue in timeline.cues]
    assert [cue.duration for cue in timeline.cues] == pytest.approx([speech[0] + 5, speech[1] + 10])


def test_gentle_area_turns_tense_into_a_soft_release() -> None:
    steps = [
        Tense(area="feet", text=Text.of("Squeeze your toes hard!"), hold=5.0, step_id="mud"),
        Release(area="feet", text=Text.of("Let them rest."), rest=10.0, step_id="mud-go"),
        Tense(area="hands", text=Text.of("Make fists."), hold=5.0),
    ]
    clips = FakeClips()
    settings = PlanSettings(gentle=frozenset({"feet", "legs"}))
    timeline = compile_timeline(script(*steps), "kid", settings, clips)
    assert [(c.kind, c.area, c.step, c.text) for c in timeline.cues] == [
        ("release", "feet", 0, GENTLE_WORDS["feet"]),
        ("release", "feet", 1, "Let them rest."),
        ("tense", "hands", 2, "Make fists."),
    ]
    gentle = timeline.cues[0].text
    assert (
        gentle
        == "Let your feet stay just as they are. No squeezing. Just let them rest and be soft."
    )
    assert "Squeeze your toes" not in gentle
    assert TENSE_WORDS["feet"] not in gentle
    # The tense step's own recording would say "squeeze": it is never asked for.
    assert clips.asked[0] == (gentle, None)
    assert timeline.cues[0].step_id is None
    # Still the tense step's hold of quiet after the soft line.
    assert timeline.cues[0].duration == pytest.approx(timeline.cues[0].speech + 5.0)


def test_gentle_words_never_ask_to_tighten() -> None:
    for area, line in GENTLE_WORDS.items():
        lowered = line.lower()
        assert "tighten" not in lowered and "make your" not in lowered and "curl" not in lowered
        assert line != TENSE_WORDS[area]


def test_skipped_area_drops_tense_and_release() -> None:
    steps = [
        Say(text=Text.of("Start."), pause=0.0),
        Tense(area="jaw", text=Text.of("Bite.")),
        Release(area="jaw", text=Text.of("Let go.")),
        Tense(area="arms", text=Text.of("Stretch.")),
        Say(text=Text.of("End."), pause=0.0),
    ]
    timeline = compile_timeline(script(*steps), "kid", PlanSettings(skip=frozenset({"jaw"})))
    assert [(cue.kind, cue.step) for cue in timeline.cues] == [
        ("say", 0),
        ("tense", 3),
        ("say", 4),
    ]
    assert all(cue.area != "jaw" for cue in timeline.cues)
    assert_contiguous(timeline)
    assert timeline.step_count == 5


# --- silence, chime, sound ----------------------------------------------------------------------


def test_silence_and_its_pause() -> None:
    timeline = compile_timeline(script(Silence(seconds=10.0, pause=2.0)), "kid")
    assert shape(timeline) == [("silence", 12.0, 0)]


def test_zero_silence_makes_no_cue() -> None:
    timeline = compile_timeline(script(Silence(seconds=0.0), Chime(name="end")), "kid")
    assert shape(timeline) == [("chime", 3.0, 1)]


def test_chime_lasts_at_least_three_seconds() -> None:
    steps = [Chime(name="start"), Chime(name="end", pause=1.0)]
    assert shape(compile_timeline(script(*steps), "kid")) == [("chime", 3.0, 0), ("chime", 4.0, 1)]
    with_clips = compile_timeline(script(*steps), "kid", clips=FakeClips())
    assert shape(with_clips) == [("chime", 3.0, 0), ("chime", 5.25, 1)]
    assert [cue.audio for cue in with_clips.cues] == ["/chimes/start.ogg", "/chimes/end.ogg"]


def test_sound_takes_the_clips_length() -> None:
    steps = [
        Sound(file="intro.ogg", volume=0.5, pause=1.0),
        Sound(file="missing.ogg"),
    ]
    timeline = compile_timeline(script(*steps), "kid", clips=FakeClips())
    assert [(c.kind, c.duration, c.audio, c.volume) for c in timeline.cues] == [
        ("sound", 8.5, "/lib/intro.ogg", 0.5),
        ("sound", 5.0, None, 1.0),
    ]
    assert shape(compile_timeline(script(*steps), "kid")) == [("sound", 6.0, 0), ("sound", 5.0, 1)]


# --- the whole timeline ------------------------------------------------------------------------

MIXED = (
    Chime(name="start"),
    Say(text=Text.of("Get comfy now please."), step_id="comfy"),
    Breathe(inhale=2.0, exhale=3.0, count=2),
    Tense(area="hands", hold=4.0),
    Release(area="hands", rest=6.0),
    Silence(seconds=5.0),
    Sound(file="intro.ogg"),
    Chime(name="end"),
)


@pytest.mark.parametrize("clips", [NoClips(), FakeClips({"Get comfy now please.": 2.2})])
def test_cues_are_contiguous_and_in_order(clips: object) -> None:
    timeline = compile_timeline(script(*MIXED), "young", clips=clips)  # type: ignore[arg-type]
    assert_contiguous(timeline)
    assert [cue.step for cue in timeline.cues] == [0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 7]
    assert [cue.kind for cue in timeline.cues] == [
        "chime", "say", "breathe-in", "breathe-out", "breathe-in", "breathe-out", "tense",
        "release", "silence", "sound", "chime",
    ]  # fmt: skip
    assert {cue.kind for cue in timeline.cues} <= CUE_KINDS
    assert timeline.duration == pytest.approx(sum(cue.duration for cue in timeline.cues))
    assert timeline.step_count == 8


def test_known_total_with_no_clips() -> None:
    timeline = compile_timeline(script(*MIXED), "young")
    say = 4 * 60 / 105 + 1.5
    tense = len(TENSE_WORDS["hands"].split()) * 60 / 105 + 4.0
    release = len(RELEASE_WORDS["hands"].split()) * 60 / 105 + 6.0
    expected = 3.0 + say + 10.0 + tense + release + 5.0 + 5.0 + 3.0
    assert timeline.duration == pytest.approx(expected)
    assert timeline.cues[1].duration == pytest.approx(say)


def test_empty_timeline() -> None:
    timeline = compile_session([], "kid")
    assert (timeline.id, timeline.title, timeline.cues, timeline.duration) == ("", "", (), 0.0)


def test_compile_session_concatenates_scripts() -> None:
    first = script(Chime(name="start"), Say(text=Text.of("One."), pause=0.0), id="first",
                   title="First")  # fmt: skip
    second = script(Silence(seconds=4.0), Say(text=Text.of("Two."), pause=0.0),
                    Chime(name="end"), id="second", title="Second")  # fmt: skip
    timeline = compile_session([first, second], "kid")
    assert [(cue.kind, cue.step, cue.script) for cue in timeline.cues] == [
        ("chime", 0, "first"),
        ("say", 1, "first"),
        ("silence", 2, "second"),
        ("say", 3, "second"),
        ("chime", 4, "second"),
    ]
    assert [cue.start for cue in timeline.cues] == [0.0, 3.0, 4.0, 8.0, 9.0]
    assert timeline.duration == 12.0
    assert (timeline.id, timeline.title, timeline.scripts, timeline.step_count) == (
        "first",
        "First",
        ("first", "second"),
        5,
    )
    named = compile_session([first, second], "kid", session_id="plan", title="After school")
    assert (named.id, named.title) == ("plan", "After school")


def test_ambient_comes_from_the_plan_first() -> None:
    calm = script(Chime(name="start"), ambient="meadow")
    assert compile_timeline(calm, "kid").ambient == "meadow"
    assert compile_timeline(calm, "kid", PlanSettings(ambient="rain")).ambient == "rain"
    assert compile_timeline(calm, "kid", PlanSettings(ambient="none")).ambient is None
    assert compile_timeline(script(Chime(name="start"), ambient="none"), "kid").ambient is None


# --- JSON ----------------------------------------------------------------------------------------


def test_cue_as_json() -> None:
    cue = Cue(start=1.23456, duration=2.0004, kind="say", step=3, text="Hi.", audio="/a/b.ogg")
    data = cue.as_json()
    assert {key: data[key] for key in ("start", "duration", "kind", "step", "text", "audio")} == {
        "start": 1.235,
        "duration": 2.0,
        "kind": "say",
        "step": 3,
        "text": "Hi.",
        "audio": "/a/b.ogg",
    }


def test_timeline_as_json_matches_show_json() -> None:
    timeline = compile_timeline(
        script(Chime(name="start"), Say(text=Text.of("Hello."), pause=1.0), id="hello",
               title="Hello"),
        "teen",
        clips=FakeClips({"Hello.": 1.25}),
    )  # fmt: skip
    data = timeline.as_json()
    assert {"id", "title", "tier", "duration", "cues"} <= set(data)
    assert (data["id"], data["title"], data["tier"], data["duration"]) == (
        "hello",
        "Hello",
        "teen",
        5.25,
    )
    cues = data["cues"]
    assert isinstance(cues, list)
    for cue in cues:
        assert {"start", "duration", "kind", "step", "text", "audio"} <= set(cue)
    picked = [
        {key: cue[key] for key in ("start", "duration", "kind", "step", "text", "audio")}
        for cue in cues
    ]
    assert picked == [
        {"start": 0.0, "duration": 3.0, "kind": "chime", "step": 0, "text": "",
         "audio": "/chimes/start.ogg"},
        {"start": 3.0, "duration": 2.25, "kind": "say", "step": 1, "text": "Hello.",
         "audio": "/voice/line.ogg"},
    ]  # fmt: skip
