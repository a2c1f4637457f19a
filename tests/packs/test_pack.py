"""`calmkit pack`: a clinician's plan, scripts, recordings and voice as one checked file,
and the family's import of it on a machine with no text-to-speech engine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile

from calmkit import locations
from calmkit.audio.mastering import TARGET_LUFS, measure
from calmkit.audio.narration import NARRATION_SAMPLE_RATE, clip_key
from calmkit.cli import main
from calmkit_child import calmkit_env

# Short, so the family's session plays in a few seconds; words no built-in script has,
# so their narration can only come from the pack.
SCRIPT = """\
calmkit: 1
id: harbour-lights
title: Harbour Lights
kind: imagery
ages: 9-14
steps:
  - id: welcome
    say: Hello from the harbour. You can keep your eyes open, and stop any time.
    pause: 0.2
  - say: Picture the small boats rocking by the harbour lights.
    pause: 0.2
  - sound: {file: gull.wav}
"""
LINE = "Picture the small boats rocking by the harbour lights."
PLAN = """\
calmkit: 1
plan: noah-harbour
for: Noah
age: 12
schedule:
  - weeks: 1-8
    sessions:
      - scripts: [harbour-lights, balloon-belly]
"""


def _tone(path: Path, seconds: float, level: float = 0.1) -> None:
    rate = 22050
    t = np.arange(int(seconds * rate)) / rate
    soundfile.write(str(path), (level * np.sin(2 * np.pi * 330 * t)).astype("float32"), rate)


@pytest.fixture
def clinician(isolated_home: Path) -> Path:
    """A clinician's library: a script of their own, its sound, a recorded step, a plan."""
    scripts = isolated_home / "scripts"
    scripts.mkdir(parents=True)
    (scripts / "harbour-lights.yaml").write_text(SCRIPT, encoding="utf-8")
    _tone(scripts / "gull.wav", 0.5)
    recordings = isolated_home / "recordings" / "harbour-lights"
    recordings.mkdir(parents=True)
    _tone(recordings / "welcome.ogg", 1.0)
    plans = isolated_home / "plans"
    plans.mkdir()
    (plans / "noah-harbour.yaml").write_text(PLAN, encoding="utf-8")
    return isolated_home


@pytest.mark.system("festival")
def test_a_pack_carries_everything_and_the_family_hears_it_without_an_engine(
    capsys: pytest.CaptureFixture[str], clinician: Path, tmp_path: Path
) -> None:
    out = tmp_path / "noah-pack.zip"
    assert main(["pack", "noah-harbour", "--out", str(out), "--engine", "festival"]) == 0
    printed = capsys.readouterr().out
    assert f"Wrote {out}: plan 'noah-harbour', your scripts: harbour-lights" in printed
    assert "built-in scripts it uses (every calmkit has them): balloon-belly" in printed
    assert "it imports cleanly" in printed
    assert out.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        voice = "festival-cmu_us_slt_arctic_hts"
        manifest = json.loads(archive.read(f"narration/{voice}/manifest.json"))
    assert {"noah-harbour.yaml", "harbour-lights.yaml", "gull.wav"} <= names
    assert "recordings/harbour-lights/welcome.ogg" in names
    assert "balloon-belly.yaml" not in names  # built in: every calmkit has it
    texts = {entry["text"] for entry in manifest["clips"].values()}
    assert LINE in texts
    for key in manifest["clips"]:
        assert f"narration/{voice}/{key}.ogg" in names

    # The family's machine: a fresh data folder, and no engine anywhere on the PATH.
    family = tmp_path / "family-home"
    bare = tmp_path / "bin"
    bare.mkdir()
    assert not any(shutil.which(name, path=str(bare)) for name in ("festival", "flite"))
    env = calmkit_env(CALMKIT_HOME=str(family), PATH=str(bare), CALMKIT_AUDIO=None)
    env["SDL_AUDIODRIVER"] = "dummy"

    def calmkit(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "calmkit", *argv],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    doctor = calmkit("doctor", "--json")
    engines = json.loads(doctor.stdout)["engines"]
    # piper is found beside this Python, where the test extra installs it, not on the
    # PATH; it has made no clip here, so what plays below is the pack's narration.
    assert not any(engine["found"] for engine in engines if engine["name"] != "piper"), engines

    imported = calmkit("import", str(out))
    assert imported.returncode == 0, imported.stderr
    assert "added narration for the pack's scripts: " in imported.stdout

    shown = calmkit("show", "harbour-lights", "--age", "12", "--json")
    assert shown.returncode == 0, shown.stderr
    cues = json.loads(shown.stdout)["cues"]
    says = {cue["text"]: cue["audio"] for cue in cues if cue["kind"] == "say"}
    recorded = says["Hello from the harbour. You can keep your eyes open, and stop any time."]
    assert recorded == str(family / "recordings" / "harbour-lights" / "welcome.ogg")
    narrated = Path(says[LINE])
    cache = family / "narration" / voice
    assert narrated.parent == cache
    key = clip_key(LINE, "festival", "cmu_us_slt_arctic_hts", 120)
    assert narrated.name == f"{key}.ogg"  # keyed by its text, as the cache is
    # A real clip: speech at the one loudness every clip has.
    levels = measure(narrated)
    assert levels.seconds > 1.5
    assert abs(levels.lufs - TARGET_LUFS) < 1.5
    assert soundfile.info(str(narrated)).samplerate == NARRATION_SAMPLE_RATE
    sound = next(cue for cue in cues if cue["kind"] == "sound")
    assert sound["audio"] == str(family / "scripts" / "gull.wav")
    for path in (cache, narrated, cache / "manifest.json"):
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))

    played = calmkit("play", "harbour-lights", "--plain", "--age", "12", "--no-checkin")
    assert played.returncode == 0, played.stderr
    assert LINE in played.stdout
    assert "captions only" not in (played.stdout + played.stderr).lower()


def test_a_pack_is_never_written_over_a_file_and_names_what_is_wrong(
    capsys: pytest.CaptureFixture[str], clinician: Path, tmp_path: Path
) -> None:
    out = tmp_path / "noah-pack.zip"
    out.write_bytes(b"the clinician's own file")
    assert main(["pack", "noah-harbour", "--out", str(out), "--no-narration"]) == 1
    assert "is there already: calmkit never writes over a file" in capsys.readouterr().err
    assert out.read_bytes() == b"the clinician's own file"
    assert main(["pack", "harbour-lights", "--out", str(tmp_path / "x.zip")]) == 1
    assert "is a script: a pack is made from a plan" in capsys.readouterr().err
    assert main(["pack", "noah-harbor", "--out", str(tmp_path / "x.zip")]) == 1
    assert "did you mean 'noah-harbour'?" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_a_pack_the_familys_import_would_refuse_is_not_written(
    capsys: pytest.CaptureFixture[str], clinician: Path, tmp_path: Path
) -> None:
    # A recording for a step the script does not have: import refuses such a clip.
    _tone(clinician / "recordings" / "harbour-lights" / "goodbye.ogg", 0.5)
    stray = clinician / "recordings" / "harbour-lights" / "welcome.ogg"
    stray.write_bytes(b"not audio at all")
    out = tmp_path / "noah-pack.zip"
    assert main(["pack", "noah-harbour", "--out", str(out), "--no-narration"]) == 1
    err = capsys.readouterr().err
    assert f"{out}/recordings/harbour-lights/welcome.ogg: error: cannot be played" in err
    assert f"{out} was not written: the family's import would refuse it" in err
    assert not out.exists()
    assert not list(tmp_path.glob(".calmkit-pack-*"))


def test_the_importer_refuses_narration_that_is_not_what_it_says(
    clinician: Path, tmp_path: Path
) -> None:
    from calmkit.packs.importer import format_result, import_path

    voice = "festival-cmu_us_slt_arctic_hts"
    folder = tmp_path / "pack"
    (folder / "narration" / voice).mkdir(parents=True)
    shutil.copy(clinician / "scripts" / "harbour-lights.yaml", folder)
    shutil.copy(clinician / "scripts" / "gull.wav", folder)
    line = LINE
    right = clip_key(line, "festival", "cmu_us_slt_arctic_hts", 120)
    wrong_text = clip_key("Something else entirely.", "festival", "cmu_us_slt_arctic_hts", 120)
    _tone(folder / "narration" / voice / f"{right}.ogg", 1.0, level=0.5)
    _tone(folder / "narration" / voice / f"{wrong_text}.ogg", 1.0)
    manifest = {
        "version": 1,
        "engine": "festival",
        "voice": "cmu_us_slt_arctic_hts",
        "clips": {
            right: {"text": line, "rate": 120, "seconds": 1.0},
            wrong_text: {"text": "Something else entirely.", "rate": 120, "seconds": 1.0},
        },
    }
    (folder / "narration" / voice / "manifest.json").write_text(json.dumps(manifest))
    home = tmp_path / "family"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(locations.HOME_VARIABLE, str(home))
        result = import_path(folder)
        assert not result.ok
        assert any(
            "narration for 'Something else entirely.', which no script in the pack says" in line
            for line in format_result(result)
        )
        assert not (home / "narration").exists()
        # Without the stray clip, the pack imports, and a loud clip is brought to level.
        (folder / "narration" / voice / f"{wrong_text}.ogg").unlink()
        del manifest["clips"][wrong_text]
        (folder / "narration" / voice / "manifest.json").write_text(json.dumps(manifest))
        result = import_path(folder)
        assert result.ok, format_result(result)
        installed = home / "narration" / voice / f"{right}.ogg"
        assert abs(measure(installed).lufs - TARGET_LUFS) < 1.0
        kept = json.loads((home / "narration" / voice / "manifest.json").read_text())
        assert kept["clips"][right]["text"] == line


def test_pack_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "pack" in out and "new" in out
