"""`speak:` respellings: the caption shows `say`, the narrator says `speak`.

An author writes what the TTS engine should say where it mispronounces a
word. The respelling follows the caption's tier variant (never a fallback of
its own), clips are made and found by the spoken words, and the caption never
shows them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from calmkit.audio import narration
from calmkit.audio.clips import SessionClips
from calmkit.audio.narration import Line, VoiceFolder, clip_key, lines_for_script
from calmkit.audio.oggfile import write_ogg
from calmkit.content import model
from calmkit.content.loader import LoadResult, load_text
from calmkit.content.model import Release, Say, Tense, Text, spoken_line
from calmkit.content.timeline import GENTLE_WORDS, Clip, compile_timeline, reading_seconds

HEAD = """\
calmkit: 1
id: respell
title: Respell
kind: breathing
ages: 5-15
steps:
"""


def load(steps: str) -> LoadResult:
    """A script whose steps (at two spaces) start on line 7."""
    return load_text(HEAD + steps, label="r.yaml")


def problems(steps: str) -> list[str]:
    return [str(problem) for problem in load(steps).problems]


SCRIPT = """\
  - say: Breathe like a dragon.
    speak: Breathe like a drag on.
    id: dragon
  - say:
      young: Hi Anneliese.
      kid: Hello Anneliese, you are doing well.
      together: Hello everyone.
    speak:
      kid: Hello Anna Leesa, you are doing well.
      together: Hello every one.
  - tense: {area: hands, say: Squeeze the lemon., speak: Squeeze the lemmon., hold: 2}
  - release: {area: hands, say: Let it go., rest: 1}
"""


# --- the loader -------------------------------------------------------------------------------


def test_speak_loads_beside_say_and_in_tense_and_release_steps() -> None:
    result = load(SCRIPT)
    assert result.problems == []
    assert result.script is not None
    say, tiers, tense, release = result.script.steps
    assert isinstance(say, Say) and isinstance(tiers, Say)
    assert say.text == Text.of("Breathe like a dragon.")
    assert say.speak == Text.of("Breathe like a drag on.")
    assert say.step_id == "dragon"
    assert tiers.speak == Text(
        variants={"kid": "Hello Anna Leesa, you are doing well.", "together": "Hello every one."}
    )
    assert isinstance(tense, Tense) and tense.speak == Text.of("Squeeze the lemmon.")
    assert isinstance(release, Release) and release.speak is None


def test_speak_is_optional_everywhere() -> None:
    result = load("  - say: Hello.\n  - tense: {area: feet, say: Curl your toes.}\n")
    assert result.ok
    assert result.script is not None
    assert all(step.speak is None for step in result.script.steps)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            "  - say: Hello.\n    speak:\n      kiid: Hullo.\n",
            "r.yaml:9:7: error: unknown tier 'kiid' in 'speak' (did you mean 'kid'?) "
            "(tiers are 'young', 'kid', 'teen' or 'together')",
        ),
        (
            "  - say: {young: Hi., kid: Hello.}\n    speak:\n      kid: Hullo.\n      teen: Yo.\n",
            "r.yaml:10:7: error: 'speak' has a 'teen' line but 'say' has none: a respelling goes "
            "with a line of 'say' (it has 'young' and 'kid')",
        ),
        (
            "  - say: {young: Hi., kid: Hello.}\n    speak: Hullo.\n",
            "r.yaml:8:12: error: 'say' has a line for 'young' and 'kid', so 'speak' must be a "
            "mapping too, giving only the lines that need respelling (like 'young: ...')",
        ),
        (
            "  - say: Hello.\n    speak: {kid: Hullo.}\n",
            "r.yaml:8:12: error: 'say' is one line, so 'speak' must be one line too: the words "
            "the narrator should say instead",
        ),
        (
            "  - say: Hello.\n    speak: '...'\n",
            "r.yaml:8:12: error: 'speak' must give words for the narrator to say",
        ),
        (
            "  - say: Hello.\n    speak:\n",
            "r.yaml:8:11: error: 'speak' must be text, got nothing",
        ),
        (
            "  - tense: {area: hands, speak: Skweez.}\n",
            "r.yaml:7:26: error: 'speak' needs a 'say' beside it: it is how the narrator should "
            "say that line (without 'say', calmkit's own words for the tense step are said as "
            "written)",
        ),
        (
            "  - release: {area: hands, say: Let go.}\n    speak: Let goh.\n",
            "r.yaml:8:5: error: 'speak' goes inside the release step, beside its 'say', like "
            "'release: {area: hands, say: ..., speak: ...}'",
        ),
        (
            "  - breathe: {count: 2}\n    speak: In and out.\n",
            "r.yaml:8:5: error: 'speak' goes with a narrated line (a say step, or 'say' in a "
            "tense or release step); a breathe step has none",
        ),
        (
            "  - tense: {area: hands, say: Squeeze., spek: Skweez.}\n",
            "r.yaml:7:41: error: unknown key 'spek' in tense step (did you mean 'speak'?)",
        ),
    ],
)
def test_a_wrong_speak_is_refused_at_its_mark(steps: str, expected: str) -> None:
    result = load(steps)
    assert expected in [str(problem) for problem in result.problems]
    assert result.script is None


def test_a_speak_the_same_as_say_is_only_a_warning() -> None:
    result = load(
        "  - say: Hello.\n    speak: Hello.\n"
        "  - say: {kid: Hi., teen: Hey.}\n    speak: {kid: Hi., teen: Hay.}\n"
    )
    assert [str(problem) for problem in result.problems] == [
        "r.yaml:8:12: warning: 'speak' is the same as 'say': leave it out",
        "r.yaml:10:18: warning: 'speak: kid' is the same as 'say: kid': leave it out",
    ]
    assert result.ok and result.script is not None


def test_a_broken_say_does_not_bury_a_speak_problem() -> None:
    found = problems("  - say: {kidd: Hi.}\n    speak: {kid: '!!'}\n")
    assert any("unknown tier 'kidd' in 'say'" in line for line in found)
    assert "r.yaml:8:18: error: 'speak' must give words for the narrator to say" in found


# --- which words go with which caption --------------------------------------------------------


def test_speak_follows_the_captions_variant_not_its_own_fallback() -> None:
    say = Text(variants={"young": "Hi A.", "kid": "Hello A."})
    speak = Text(variants={"kid": "Hello Ay."})
    assert spoken_line(say, speak, "kid") == ("Hello A.", "Hello Ay.")
    # A teen hears the kid line (the nearest younger), so the kid respelling.
    assert spoken_line(say, speak, "teen") == ("Hello A.", "Hello Ay.")
    # The young line has no respelling: it is said as written, not as the kid one.
    assert spoken_line(say, speak, "young") == ("Hi A.", "Hi A.")
    assert spoken_line(say, None, "young") == ("Hi A.", "Hi A.")
    assert spoken_line(Text.of("A."), Text.of("Ay."), "teen", together=True) == ("A.", "Ay.")


def test_together_uses_the_together_respelling() -> None:
    say = Text(variants={"kid": "Hi.", "together": "Hi all."})
    speak = Text(variants={"together": "Hi awl."})
    assert spoken_line(say, speak, "kid", together=True) == ("Hi all.", "Hi awl.")
    assert spoken_line(say, speak, "kid") == ("Hi.", "Hi.")


# --- the timeline -----------------------------------------------------------------------------


class AskedClips:
    """Every line the timeline asks a clip for, with a clip only for the given words."""

    def __init__(self, known: dict[str, float]) -> None:
        self.known = known
        self.asked: list[str] = []

    def narration(self, text: str, step_id: str | None, script_id: str, rate: int) -> Clip | None:
        self.asked.append(text)
        seconds = self.known.get(text)
        return None if seconds is None else Clip(f"/clips/{len(self.asked)}.ogg", seconds)

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int) -> Clip | None:
        return None

    def chime(self, name: str) -> Clip | None:
        return None

    def recording(self, script_path: str, file: str) -> Clip | None:
        return None


def test_the_caption_shows_say_while_the_clip_is_of_speak() -> None:
    script = load(SCRIPT).script
    assert script is not None
    clips = AskedClips({"Breathe like a drag on.": 2.5, "Squeeze the lemmon.": 1.25})
    timeline = compile_timeline(script, "kid", clips=clips)
    say, tiers, tense, release = timeline.cues
    assert (say.text, say.audio, say.speech) == ("Breathe like a dragon.", "/clips/1.ogg", 2.5)
    assert tiers.text == "Hello Anneliese, you are doing well."
    assert (tense.text, tense.speech) == ("Squeeze the lemon.", 1.25)
    assert release.text == "Let it go."
    assert clips.asked == [
        "Breathe like a drag on.",
        "Hello Anna Leesa, you are doing well.",
        "Squeeze the lemmon.",
        "Let it go.",
    ]
    # No caption ever shows a respelling, at any tier, together or not.
    shown = {
        cue.text
        for tier in model.TIERS
        for together in (False, True)
        for cue in compile_timeline(script, tier, together=together).cues
    }
    assert not shown & {"Breathe like a drag on.", "Squeeze the lemmon.", "Hello every one."}


def test_reading_time_counts_the_spoken_words() -> None:
    result = load("  - say: Hi Xa.\n    speak: Hi there, Ex Ay.\n    pause: 0\n")
    assert result.script is not None
    cue = compile_timeline(result.script, "teen").cues[0]
    assert cue.text == "Hi Xa."
    assert cue.duration == pytest.approx(reading_seconds("Hi there, Ex Ay.", "teen"))
    assert cue.duration > reading_seconds("Hi Xa.", "teen")


def test_a_gentle_area_says_calmkits_words_not_the_tense_respelling() -> None:
    script = load(SCRIPT).script
    assert script is not None
    settings = model.PlanSettings(gentle=frozenset({"hands"}))
    cues = compile_timeline(script, "kid", settings).cues
    assert cues[2].text == GENTLE_WORDS["hands"]


# --- narration --------------------------------------------------------------------------------


def test_lines_for_script_are_the_spoken_words() -> None:
    script = load(SCRIPT).script
    assert script is not None
    young, kid, teen = (model.WORDS_PER_MINUTE[tier] for tier in model.TIERS)
    lines = lines_for_script(script)
    texts = {line.text for line in lines}
    assert {
        Line("Breathe like a drag on.", young),
        Line("Breathe like a drag on.", teen),
        Line("Hi Anneliese.", young),  # no young respelling: said as written
        Line("Hello Anna Leesa, you are doing well.", kid),
        Line("Hello every one.", kid),
        Line("Squeeze the lemmon.", kid),
        Line("Let it go.", young),
    } <= lines
    # The kid line a teen hears is the kid line, rendered once at the kid rate.
    assert Line("Hello Anna Leesa, you are doing well.", teen) not in lines
    assert "Breathe like a dragon." not in texts
    assert "Hello Anneliese, you are doing well." not in texts
    assert "Squeeze the lemon." not in texts


def test_a_session_finds_the_clip_of_the_spoken_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SessionClips looks clips up by the words the timeline hands it: the respelling."""
    shipped = tmp_path / "shipped"
    monkeypatch.setattr(narration, "shipped_narration_dir", lambda: shipped)
    folder = VoiceFolder(
        shipped / "festival-cmu_us_slt_arctic_hts", "festival", "cmu_us_slt_arctic_hts"
    )
    rate = model.WORDS_PER_MINUTE["kid"]
    key = clip_key("Breathe like a drag on.", folder.engine, folder.voice, rate)
    write_ogg(np.zeros(44100), folder.path / f"{key}.ogg")
    folder.clips[key] = {"text": "Breathe like a drag on.", "rate": rate, "seconds": 1.0}
    folder.write()

    script = load(SCRIPT).script
    assert script is not None
    cue = compile_timeline(script, "kid", clips=SessionClips(None, scripts=[script])).cues[0]
    assert cue.text == "Breathe like a dragon."
    assert cue.audio == str(folder.path / f"{key}.ogg")
    assert cue.speech == pytest.approx(1.0)
