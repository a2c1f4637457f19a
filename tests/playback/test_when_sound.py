"""A step's `when`: lines that announce sounds are said only when calmkit plays sound.

With no sound (--no-audio, CALMKIT_AUDIO=null, no device, or the device gone
mid-session) a `tones` breathing guide makes no tones, so "Now soft sounds will
help you" would be untrue: a script marks that line `when: sound`, and gives
the words shown instead as a `when: no-sound` step. The loader checks the
field, the compiler (pure) is told whether sound plays, and the one player goes
on without sound when the device goes away.
"""

from __future__ import annotations

import json
import re
from textwrap import dedent

import pytest

from calmkit.cli import main
from calmkit.content import model
from calmkit.content.library import load_library
from calmkit.content.loader import load_text
from calmkit.content.model import Script
from calmkit.content.timeline import Clip, NoClips, Timeline, compile_timeline
from calmkit.playback.player import CueStarted, Notice, Player, PlayerEvent, StepShown
from doubles import FakeClock, SpyBackend

TWINS = dedent(
    """\
    calmkit: 1
    id: twins
    title: Twins
    kind: breathing
    ages: 5-8
    steps:
      - say: Hello.
      - id: sounds-next
        when: sound
        say: Now soft sounds will help you.
      - when: no-sound
        say: Keep going with the words.
      - breathe: {in: 2, out: 3, count: 2, guide: tones}
      - say: Well done.
    """
)
SOUND_LINE = "Now soft sounds will help you."
QUIET_LINE = "Keep going with the words."


def twins() -> Script:
    result = load_text(TWINS, label="twins.yaml")
    assert result.problems == []
    assert result.script is not None
    return result.script


class ToneClips(NoClips):
    """Every line two seconds; a tone clip for each tone asked for (noted)."""

    def __init__(self) -> None:
        self.tones: list[str] = []

    def narration(self, text: str, step_id: str | None, script_id: str, rate: int) -> Clip:
        return Clip(f"/voice/{text}.ogg", 2.0)

    def breath_cue(self, kind: str, guide: str, seconds: float, rate: int) -> Clip | None:
        if guide != "tones" or kind not in ("breathe-in", "breathe-out"):
            return None
        self.tones.append(kind)
        return Clip(f"/tones/{kind}.ogg", seconds)


def captions(timeline: Timeline) -> list[str]:
    return [cue.text for cue in timeline.cues if cue.kind == "say"]


# --- the loader ------------------------------------------------------------------------------


def test_when_loads_as_written_and_is_always_by_default() -> None:
    steps = twins().steps
    assert [step.when for step in steps] == [None, "sound", "no-sound", None, None]
    assert [step.plays(True) for step in steps] == [True, True, False, True, True]
    assert [step.plays(False) for step in steps] == [True, False, True, True, True]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (
            "sounds",
            "x.yaml:9:11: error: 'when' must be 'sound' (played only when calmkit plays sound)"
            " or 'no-sound' (played only when it plays none), got 'sounds'"
            " (did you mean 'sound'?)",
        ),
        (
            "always",
            "x.yaml:9:11: error: 'when' must be 'sound' (played only when calmkit plays sound)"
            " or 'no-sound' (played only when it plays none), got 'always'",
        ),
        ("[sound]", "x.yaml:9:11: error: 'when' must be text, got a list"),
    ],
)
def test_a_wrong_when_is_refused_at_its_value(when: str, expected: str) -> None:
    text = TWINS.replace("when: sound", f"when: {when}").replace("twins.yaml", "x.yaml")
    result = load_text(text, label="x.yaml")
    assert [str(problem) for problem in result.problems] == [expected]
    assert result.script is None


def test_a_chime_or_sound_only_without_sound_is_a_warning() -> None:
    text = TWINS + "  - chime: end\n    when: no-sound\n"
    result = load_text(text, label="x.yaml")
    assert [str(problem) for problem in result.problems] == [
        "x.yaml:16:11: warning: a chime step only makes sound, so with 'when: no-sound'"
        " nobody ever hears it: use 'when: sound', or leave 'when' out"
    ]
    assert result.script is not None


# --- the compiler ------------------------------------------------------------------------------


def test_with_sound_the_sound_line_plays_and_tones_are_made() -> None:
    clips = ToneClips()
    timeline = compile_timeline(twins(), "young", clips=clips, sound=True)
    assert captions(timeline) == ["Hello.", SOUND_LINE, "Well done."]
    assert clips.tones == ["breathe-in", "breathe-out"] * 2
    breaths = [cue for cue in timeline.cues if cue.kind.startswith("breathe")]
    assert all(cue.audio for cue in breaths)


def test_without_sound_the_quiet_line_is_shown_and_no_tone_is_made() -> None:
    clips = ToneClips()
    timeline = compile_timeline(twins(), "young", clips=clips, sound=False)
    assert captions(timeline) == ["Hello.", QUIET_LINE, "Well done."]
    assert clips.tones == []
    # The breaths are still paced and shown in words, as every guide is on screen.
    words = [cue.text for cue in timeline.cues if cue.kind.startswith("breathe")]
    assert words == ["breathe in", "breathe out"] * 2
    # The same steps but the twins: the step count is the same either way.
    assert [cue.step for cue in timeline.cues if cue.kind == "say"] == [0, 2, 4]


def test_compiling_is_with_sound_unless_told() -> None:
    assert captions(compile_timeline(twins(), "young")) == ["Hello.", SOUND_LINE, "Well done."]


# The words with which a line announces calmkit's own sounds (not sounds in the room).
ANNOUNCES_SOUND = re.compile(
    r"soft (sounds|tones)|the tones|tones will|sound goes|hear (some )?count|you'll hear in"
    r"|listen for in|back to the sound",
    re.IGNORECASE,
)


def test_no_built_in_script_announces_sounds_when_there_is_no_sound() -> None:
    library = load_library(include_user=False)
    said = []
    for script in library.scripts.values():
        for tier in model.TIERS:
            for together in (False, True):
                quiet = compile_timeline(script, tier, together=together, sound=False)
                said += [
                    (script.id, tier, together, cue.text)
                    for cue in quiet.cues
                    if ANNOUNCES_SOUND.search(cue.text)
                ]
    assert said == []
    # ... and they still do with sound, where it is true.
    heard = compile_timeline(library.scripts["balloon-belly"], "young", sound=True)
    assert any("soft sounds will help you" in cue.text for cue in heard.cues)


def test_show_no_audio_prints_the_timeline_without_sound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["show", "balloon-belly", "--age", "7", "--json", "--no-audio"]) == 0
    quiet = [cue["text"] for cue in json.loads(capsys.readouterr().out)["cues"]]
    assert main(["show", "balloon-belly", "--age", "7", "--json"]) == 0
    heard = [cue["text"] for cue in json.loads(capsys.readouterr().out)["cues"]]
    announcing = "You are doing great. Now soft sounds will help you. Keep breathing the same way."
    instead = "You are doing great. Keep breathing the same way, with the words."
    assert announcing in heard and instead not in heard
    assert instead in quiet and announcing not in quiet


# --- the player: the sound going away mid-session --------------------------------------------


def rig(sound_at: float) -> tuple[Player, FakeClock, SpyBackend, list[PlayerEvent]]:
    """Twins played with sound, the device going away ``sound_at`` seconds in."""
    script = twins()
    clips = ToneClips()
    heard = compile_timeline(script, "young", clips=clips, sound=True)
    quiet = compile_timeline(script, "young", clips=clips, sound=False)
    clock = FakeClock()
    backend = SpyBackend()
    events: list[PlayerEvent] = []
    player = Player(heard, backend, clock, listener=events.append, quiet_timeline=quiet)
    player.start()
    player.poll()
    clock.advance(sound_at)
    player.poll()
    backend.fail_on.add("check")  # the device is gone
    return player, clock, backend, events


def shown_lines(events: list[PlayerEvent]) -> list[str]:
    return [e.cue.text for e in events if isinstance(e, CueStarted) and e.cue.kind == "say"]


def play_out(player: Player, clock: FakeClock) -> None:
    for _ in range(200):
        wait = player.poll()
        if player.finished:
            return
        clock.advance(0.5 if wait is None else max(wait, 0.001))
    raise AssertionError("the session did not finish")


def test_sound_going_away_before_the_announcing_line_shows_the_quiet_line() -> None:
    player, clock, _, events = rig(sound_at=0.5)  # during "Hello." (0 to 3.5 s)
    play_out(player, clock)
    assert shown_lines(events) == ["Hello.", QUIET_LINE, "Well done."]
    notices = [e for e in events if isinstance(e, Notice)]
    assert [n.message for n in notices] == [
        "sound stopped working (device gone); showing captions only"
    ]
    assert player.finished == "completed"


def test_sound_going_away_during_the_announcing_line_goes_on_with_the_quiet_line() -> None:
    player, clock, _, events = rig(sound_at=4.0)  # "Now soft sounds..." began at 3.5 s
    play_out(player, clock)
    assert shown_lines(events) == ["Hello.", SOUND_LINE, QUIET_LINE, "Well done."]


def test_sound_going_away_mid_breath_keeps_the_place() -> None:
    # Each line takes 3.5 s: the first in-breath is 7-9 s, the out-breath 9-12 s.
    player, clock, _, events = rig(sound_at=9.5)
    clock.advance(1.0)
    before = player.elapsed
    player.poll()  # the device check notices, and the quiet timeline takes over
    # In the quiet timeline the same out-breath is at the same distance in (its line
    # before it is as long), and the breath is not started again.
    cue = player.current_cue()
    assert cue is not None and cue.kind == "breathe-out"
    assert player.elapsed == pytest.approx(before)
    assert player.timeline.cues[0].text == "Hello."
    assert QUIET_LINE in captions(player.timeline)
    play_out(player, clock)
    assert shown_lines(events) == ["Hello.", SOUND_LINE, "Well done."]


def test_sound_going_away_while_paused_shows_the_step_resuming_plays() -> None:
    player, clock, backend, events = rig(sound_at=1.0)
    backend.fail_on.discard("check")
    player.pause()
    backend.fail_on = {"stop"}  # the device goes as → stops the sound playing
    player.next_step()  # onto the announcing line, shown while paused
    shown = [e for e in events if isinstance(e, StepShown)]
    assert shown and shown[-1].step == 1
    player.poll()  # still paused: the quiet timeline takes over, showing its line
    shown = [e for e in events if isinstance(e, StepShown)]
    assert shown[-1].step == 2
    assert player.timeline.cues[shown[-1].index].text == QUIET_LINE
    player.resume()
    play_out(player, clock)
    assert shown_lines(events) == ["Hello.", QUIET_LINE, "Well done."]


def test_a_player_without_a_quiet_timeline_plays_on_as_before() -> None:
    script = twins()
    heard = compile_timeline(script, "young", clips=ToneClips(), sound=True)
    clock = FakeClock()
    backend = SpyBackend()
    events: list[PlayerEvent] = []
    player = Player(heard, backend, clock, listener=events.append)
    player.start()
    backend.fail_on.add("check")  # the device is gone
    play_out(player, clock)
    assert shown_lines(events) == ["Hello.", SOUND_LINE, "Well done."]
