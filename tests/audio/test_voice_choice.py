"""A family picks the narrator in the settings when more than one voice can say a session.

The choice is used for a session only where that voice has every line of it;
otherwise the voice that does plays, so a choice never silences a line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calmkit.cli import main
from calmkit.content.library import load_library
from calmkit.playback.prepare import prepare_session, session_clips
from calmkit.playback.targets import resolve
from calmkit.records.settings import Settings, load_settings, save_settings

FESTIVAL = "festival-cmu_us_slt_arctic_hts"
ESPEAK = "espeak-ng-en-us"
SPOKEN = {"say", "tense", "release"}
OWN_SCRIPT = """\
calmkit: 1
id: own-words
title: Own Words
kind: breathing
ages: 9-12
steps:
  - say: These words are only in this script.
  - say: And so are these.
"""


def narrate(capsys: pytest.CaptureFixture[str], *argv: str) -> None:
    assert main(["narrate", *argv]) == 0, capsys.readouterr().err
    capsys.readouterr()


def voices_heard(capsys: pytest.CaptureFixture[str], target: str) -> set[str | None]:
    assert main(["show", target, "--age", "10", "--json"]) == 0
    cues = json.loads(capsys.readouterr().out)["cues"]
    return {
        cue["audio"] and Path(cue["audio"]).parent.name for cue in cues if cue["kind"] in SPOKEN
    }


def test_the_settings_keep_the_narrator(isolated_home: Path) -> None:
    assert load_settings().narrator is None
    save_settings(Settings(narrator=ESPEAK))
    assert load_settings().narrator == ESPEAK
    (isolated_home / "settings.json").write_text('{"narrator": 7}', encoding="utf-8")
    assert load_settings().narrator is None


@pytest.mark.system("espeak-ng")
def test_a_chosen_voice_plays_where_it_has_every_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    narrate(capsys, "lemon-squeeze", "--engine", "espeak-ng")
    # Both voices have all of Lemon Squeeze: without a choice, festival (the better one).
    assert voices_heard(capsys, "lemon-squeeze") == {FESTIVAL}
    save_settings(Settings(narrator=ESPEAK))
    assert voices_heard(capsys, "lemon-squeeze") == {ESPEAK}
    library = load_library()
    prepared = prepare_session("lemon-squeeze", library, age=10, want_sound=False, narrator=ESPEAK)
    spoken = [cue for cue in prepared.timeline.cues if cue.kind in SPOKEN]
    assert spoken and all(cue.audio and f"/{ESPEAK}/" in cue.audio for cue in spoken)

    # espeak-ng has nothing of Balloon Belly: the choice gives way, nothing goes silent.
    assert voices_heard(capsys, "balloon-belly") == {FESTIVAL}
    # And festival has nothing of this one: the family's choice of festival gives way.
    own = tmp_path / "own-words.yaml"
    own.write_text(OWN_SCRIPT, encoding="utf-8")
    narrate(capsys, str(own), "--engine", "espeak-ng")
    request = resolve(str(own), library, age=10)
    assert session_clips(request, FESTIVAL).voice == ESPEAK
    assert session_clips(request, "no-such-voice").voice == ESPEAK
    save_settings(Settings(narrator=FESTIVAL))
    assert voices_heard(capsys, str(own)) == {ESPEAK}
